"""Profile one variant on one case, through the same direct calls as run.py.

    python benchmarks/profiling.py simple flask-sync-crossorigin
    python benchmarks/profiling.py preflight quart-crossorigin --calls 50000

Prints cProfile's view of the calls into CORS code (crossorigin, flask_cors,
quart_cors) sorted by cumulative time, then who they call. cProfile inflates
small functions; use it to see where the time goes, and run.py to see how
much it is.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import pstats
import sys

from apps import CASES_BY_NAME, VARIANTS_BY_NAME
from direct import make_caller

CORS_CODE = r"crossorigin|flask_cors|quart_cors"


def main(argv: list[str]) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("case", choices=sorted(CASES_BY_NAME))
    p.add_argument("variant", choices=sorted(VARIANTS_BY_NAME))
    p.add_argument("--calls", type=int, default=20_000)
    p.add_argument("--limit", type=int, default=30)
    p.add_argument("--filter", default=CORS_CODE, help="regex on file/function")
    p.add_argument("--sort", default="cumulative")
    args = p.parse_args(argv)

    loop = asyncio.new_event_loop()
    caller = make_caller(VARIANTS_BY_NAME[args.variant], CASES_BY_NAME[args.case], loop)
    caller.time(max(1000, args.calls // 10))  # warm up outside the profile

    profile = cProfile.Profile()
    profile.enable()
    caller.time(args.calls)
    profile.disable()

    stats = pstats.Stats(profile).sort_stats(args.sort)
    total = stats.total_tt  # type: ignore[attr-defined]
    print(
        f"{args.calls:,} calls, {total / args.calls * 1e6:.1f} µs each under cProfile"
    )
    stats.print_stats(args.filter, args.limit)
    stats.print_callees(args.filter)
    loop.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
