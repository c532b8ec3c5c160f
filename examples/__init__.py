"""Runnable example apps for crossorigin, and the browser demo that drives them.

``policy`` holds the CORS policies; ``flask_app`` and ``quart_app`` serve the
same API with them; ``demo`` runs headless Chromium against both.
"""
