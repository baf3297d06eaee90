"""The vatanwa offline twin: a stateful mock of the Vatansms WhatsApp API.

``python -m mock_server`` serves it; :func:`mock_server.app.create_app` builds the app for a
:class:`mock_server.config.Settings`.
"""
