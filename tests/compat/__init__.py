"""Public integrations of the live service, replayed byte for byte against the offline twin."""
