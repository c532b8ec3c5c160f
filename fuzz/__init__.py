"""Fuzz targets and security cases for crossorigin (not shipped)."""
