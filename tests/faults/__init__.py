"""Fault tests: servers killed and restarted under load, on private servers the tests start."""
