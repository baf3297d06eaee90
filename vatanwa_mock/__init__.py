"""The vatanwa offline twin: a stateful mock of the Vatansms WhatsApp API.

``vatanwa-mock`` (``python -m vatanwa_mock``) serves it; :func:`vatanwa_mock.app.create_app`
builds the app for a :class:`vatanwa_mock.config.Settings`.
"""
