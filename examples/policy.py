"""The CORS policies of the example API, shared by the Flask and Quart apps.

A ``Policy`` is validated once, here, at import, and holds no framework
object, so one module serves both frameworks. The front end's origin comes
from ``CROSSORIGIN_EXAMPLE_FRONTEND`` (the demo picks free ports and sets it);
without it, the front end is expected at ``http://127.0.0.1:8000``.

Plain-``http`` origins with credentials are refused at start-up unless they
are loopback, as this one is.
"""

from __future__ import annotations

import os

from crossorigin import Policy

FRONTEND_ORIGIN = os.environ.get(
    "CROSSORIGIN_EXAMPLE_FRONTEND", "http://127.0.0.1:8000"
)

#: The public JSON API: the front end may call it with any method and header
#: (``allow_headers`` keeps its default, ``"*"``), read ``X-Request-Id`` but
#: not the other custom headers, and cache a preflight for ten minutes.
API = Policy(
    origins=[FRONTEND_ORIGIN],
    expose_headers=["X-Request-Id"],
    max_age=600,
)

#: The account API is read with the session cookie, so it needs credentials;
#: everything else stays at the defaults.
ACCOUNT = Policy(origins=[FRONTEND_ORIGIN], supports_credentials=True)

#: A partner API that lists the request headers it accepts. ``Authorization``
#: is not among them, and ``max_age=0`` asks the browser not to cache its
#: preflights, so each unsafe request is checked again.
PARTNER = Policy(
    origins=[FRONTEND_ORIGIN],
    allow_headers=["Content-Type", "X-Client-Version"],
    max_age=0,
)

#: A token API that lists ``Authorization`` explicitly.
TOKEN = Policy(origins=[FRONTEND_ORIGIN], allow_headers=["Authorization"])

#: Path patterns to policies, for ``CORS(app, resources=RESOURCES)``. Paths
#: no pattern matches (``/healthz``) get no CORS headers at all.
RESOURCES = {
    "/api/*": API,
    "/account/*": ACCOUNT,
    "/partner/*": PARTNER,
    "/token/*": TOKEN,
}
