"""The module real servers load: ``serve:app`` is the variant named by the
``CROSSORIGIN_BENCH_APP`` environment variable (see ``apps.VARIANTS``)."""

from __future__ import annotations

import os

from apps import ALLOWED_ORIGIN, VARIANTS_BY_NAME

app = VARIANTS_BY_NAME[os.environ["CROSSORIGIN_BENCH_APP"]].build((ALLOWED_ORIGIN,))
