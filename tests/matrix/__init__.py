"""One table of CORS scenarios, run against Flask sync, Flask async and Quart.

``scenarios`` is the table (pure data), ``apps`` builds the same app from a
scenario for each target, ``checks`` compares a response with its expectation.
The runners are ``test_matrix_flask.py``, ``test_matrix_servers.py`` and
``tests_async/test_matrix_quart.py``.
"""
