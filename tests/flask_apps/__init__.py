"""Apps that tests serve with a real WSGI server."""
