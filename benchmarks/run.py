"""crossorigin side by side with Flask-CORS and quart-cors (``nox -s bench``).

One process, three parts:

1. Direct calls: the same app, bare and with each CORS library, called as a
   WSGI or ASGI callable (no sockets), the variants compared with each
   other interleaved round by round. Reports time per request, overhead
   over bare and the ratio of crossorigin's overhead to the other
   library's.
2. Real servers: gunicorn (Flask) and hypercorn (Quart) on 127.0.0.1 under
   a bounded load generator; throughput with crossorigin against bare, the
   two served at the same moment and rated per second of their own CPU
   time (see ``servers.py``).
3. Memory: tracemalloc over a million decisions, and over requests through
   each adapter.

Results go to ``benchmarks/results/`` (``results.md``, ``results.json``,
``chart.png``). ``--quick`` is a shorter run for checking the harness;
its figures are not for publishing.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

import apps
import direct
import memory
import report
import servers

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results"
CHART = "chart.png"

#: Defaults of a full run (about 8 minutes here) and of --quick.
FULL = {
    "rounds": 41,
    "batch_ms": 60.0,
    "server_rounds": 12,
    "server_seconds": 2,
    "decisions": 1_000_000,
    "adapter_requests": 10_000,
}
QUICK = {
    "rounds": 10,
    "batch_ms": 15.0,
    "server_rounds": 2,
    "server_seconds": 1,
    "decisions": 100_000,
    "adapter_requests": 4_000,
}


def log(message: str) -> None:
    print(message, flush=True)


def _load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def parse_args(argv: list[str]) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--rounds", type=int, help="interleaved rounds (>= 10)")
    p.add_argument("--batch-ms", type=float, help="time per batch")
    p.add_argument("--clock", choices=sorted(direct.CLOCKS), default="thread")
    p.add_argument("--cases", default=",".join(c.name for c in apps.CASES))
    p.add_argument("--variants", default="", help="comma-separated; default all")
    p.add_argument("--server-rounds", type=int)
    p.add_argument("--server-seconds", type=int)
    p.add_argument("--decisions", type=int)
    p.add_argument("--adapter-requests", type=int)
    p.add_argument("--skip-direct", action="store_true")
    p.add_argument("--skip-servers", action="store_true")
    p.add_argument("--skip-memory", action="store_true")
    p.add_argument("--quick", action="store_true", help="short run, harness check")
    p.add_argument("--note", default="", help="free text for the report header")
    p.add_argument("--out", type=Path, default=RESULTS)
    args = p.parse_args(argv)
    # Options given on the command line win over both sets of defaults.
    for name, value in (QUICK if args.quick else FULL).items():
        if getattr(args, name) is None:
            setattr(args, name, value)
    if args.rounds < 10:
        p.error("--rounds must be at least 10: every figure is a median of >= 10")
    return args


def run_direct(args: argparse.Namespace) -> dict[str, Any]:
    wanted = {v for v in args.variants.split(",") if v}
    variants = [v for v in apps.VARIANTS if not wanted or v.name in wanted]
    skipped: dict[str, str] = {}
    runnable = []
    for variant in variants:
        missing = (
            apps.adapter_missing(variant.framework) if variant.role == "ours" else None
        )
        if missing:
            skipped[variant.name] = missing
        else:
            runnable.append(variant)
    for name, why in skipped.items():
        log(f"  skipping {name}: {why}")

    direct.set_clock(args.clock)
    loop = asyncio.new_event_loop()
    result: dict[str, Any] = {
        "clock": args.clock,
        "rounds": args.rounds,
        "batch_ms": args.batch_ms,
        "median_call_groups": sorted(direct.MEDIAN_CALL_GROUPS),
        "skipped": skipped,
        "cases": {},
    }
    # Variants are interleaved with the ones they are compared with: a group
    # (Flask sync, Flask async, Quart) at a time. Flask's async views leave
    # asgiref threads and event loops behind them, which would add their
    # noise to the other groups' rounds, and theirs to them.
    groups: dict[str, list[apps.Variant]] = {}
    for variant in runnable:
        groups.setdefault(variant.group, []).append(variant)
    try:
        for name in args.cases.split(","):
            case = apps.CASES_BY_NAME[name]
            entry: dict[str, dict[str, Any]] = {
                "batch": {},
                "rounds": {},
                "responses": {},
                "problems": {},
                "notes": {},
            }
            for members in groups.values():
                started = time.perf_counter()
                r = direct.run_case(
                    case, members, args.rounds, int(args.batch_ms * 1e6), loop, log
                )
                entry["batch"].update(r.batch)
                entry["rounds"].update(r.rounds)
                entry["responses"].update(r.responses)
                entry["problems"].update(r.problems)
                entry["notes"].update(r.notes)
                medians = ", ".join(
                    f"{v}={sorted(t)[len(t) // 2] / 1000:.1f}"
                    for v, t in r.rounds.items()
                )
                log(f"  {name} ({time.perf_counter() - started:.0f} s): {medians}")
            result["cases"][name] = entry
    finally:
        loop.close()
    return result


def run_memory(args: argparse.Namespace) -> dict[str, Any]:
    out: dict[str, Any] = {}
    log(f"  Policy.decide x {args.decisions:,}")
    out["Policy.decide"] = memory.decisions(args.decisions)
    loop = asyncio.new_event_loop()
    try:
        for variant in apps.VARIANTS:
            if variant.group not in ("flask-sync", "quart") or variant.role == "peer":
                continue
            if variant.role == "ours" and apps.adapter_missing(variant.framework):
                continue
            log(f"  {variant.name} x {args.adapter_requests:,}")
            out[variant.name] = memory.adapter(
                variant.name, args.adapter_requests, loop
            )
    finally:
        loop.close()
    return out


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    began = time.perf_counter()
    raw: dict[str, Any] = {
        "started": datetime.datetime.now(datetime.timezone.utc).isoformat(
            timespec="seconds"
        ),
        "argv": argv,
        "quick": args.quick,
        "note": args.note or ("quick run: not for publishing" if args.quick else ""),
        "machine": report.machine(),
        "load_start": _load(),
    }
    log(f"crossorigin benchmarks on {raw['machine']['cpu']}, load {raw['load_start']}")

    if not args.skip_direct:
        log("Direct calls")
        raw["direct"] = run_direct(args)
    if not args.skip_servers:
        log("Real servers")
        raw["servers"] = servers.run(args.server_rounds, args.server_seconds, log)
    if not args.skip_memory:
        log("Memory")
        raw["memory"] = run_memory(args)

    raw["load_end"] = _load()
    raw["duration_s"] = time.perf_counter() - began
    analysis: dict[str, Any] = {}
    if "direct" in raw:
        analysis["direct"] = report.analyse_direct(raw["direct"])
    if "servers" in raw:
        analysis["servers"] = report.analyse_servers(raw["servers"])
    if "memory" in raw:
        analysis["memory"] = raw["memory"]

    args.out.mkdir(parents=True, exist_ok=True)
    subtitle = f"{raw['machine']['cpu']}, Python {raw['machine']['python']}"
    if report.chart(analysis, args.out / CHART, subtitle):
        raw["chart"] = CHART
    else:
        log("matplotlib is not installed: no chart")
    text = report.markdown(raw, analysis)
    (args.out / "results.md").write_text(text + "\n", encoding="utf-8")
    (args.out / "results.json").write_text(
        json.dumps({"raw": raw, "analysis": analysis}, indent=1, default=str) + "\n",
        encoding="utf-8",
    )
    log("")
    log(text)
    log(f"\nWritten to {args.out} in {raw['duration_s']:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
