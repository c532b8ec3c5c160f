"""CORS for Flask (sync and async views) and Quart, from one sans-IO core."""

from __future__ import annotations

from ._errors import ConfigError, CrossOriginError
from ._glue import CORS, CORSOptions, cross_origin, exempt
from ._policy import Decision, DecisionOptions, Policy

__all__ = [
    "CORS",
    "CORSOptions",
    "ConfigError",
    "CrossOriginError",
    "Decision",
    "DecisionOptions",
    "Policy",
    "cross_origin",
    "exempt",
]
__version__ = "0.1.0"
