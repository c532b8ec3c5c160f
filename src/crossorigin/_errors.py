"""Exceptions raised by crossorigin.

The hierarchy::

    CrossOriginError            base class, never raised itself
    └── ConfigError             also a ValueError: an invalid or insecure setting

Request handling never raises: a request that does not satisfy a policy is
refused through the ``Decision``, not with an exception.
"""

from __future__ import annotations

from collections.abc import Iterable


class CrossOriginError(Exception):
    """Base class of every exception crossorigin raises."""


class ConfigError(CrossOriginError, ValueError):
    """A configuration is invalid or insecure.

    Raised when a ``Policy`` is built, when ``CORS``/``init_app`` runs and
    when ``cross_origin`` decorates a view; never while answering a request.
    Every problem found in one configuration is reported together:
    ``problems`` holds one line per problem, each naming the option, the
    value, why it is wrong and what to write instead.
    """

    problems: tuple[str, ...]

    def __init__(self, problems: str | Iterable[str]) -> None:
        if isinstance(problems, str):
            problems = (problems,)
        self.problems = tuple(problems)
        if len(self.problems) == 1:
            message = self.problems[0]
        else:
            lines = "".join(f"\n  - {p}" for p in self.problems)
            message = f"{len(self.problems)} problems in the CORS configuration:{lines}"
        super().__init__(message)
