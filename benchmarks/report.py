"""Turn raw rounds into comparisons, a Markdown report and a chart."""

from __future__ import annotations

import math
import os
import platform
import subprocess
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

from apps import CASES, GROUPS, VARIANTS
from stats import differences, ratio_of_medians, ratios, summarise

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = (
    "crossorigin",
    "flask",
    "werkzeug",
    "flask-cors",
    "asgiref",
    "quart",
    "quart-cors",
    "hypercorn",
    "gunicorn",
)

#: Targets of issue 7, as ratios measured within one run.
RATIO_TARGET = 0.3
THROUGHPUT_TARGET = 0.95
RATIO_CASES = ("simple", "preflight")


def machine() -> dict[str, Any]:
    cpu = platform.processor() or ""
    with open("/proc/cpuinfo", encoding="utf-8") as f:
        for line in f:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    versions: dict[str, str] = {}
    for name in PACKAGES:
        try:
            versions[name] = version(name)
        except PackageNotFoundError:
            versions[name] = "not installed"
    try:
        commit = subprocess.run(
            ["git", "-C", str(ROOT), "describe", "--always", "--dirty"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        commit = "unknown"
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "platform": platform.platform(),
        "python": platform.python_version(),
        "implementation": platform.python_implementation(),
        "versions": versions,
        "commit": commit,
    }


#: How the report names each clock of ``direct.CLOCKS``.
CLOCK_WORDS = {
    "thread": "the CPU time of the thread that calls the app",
    "cpu": "the process's CPU time",
    "wall": "elapsed time",
}


def _us(ns: list[float]) -> list[float]:
    return [v / 1000 for v in ns]


def analyse_direct(direct: dict[str, Any]) -> dict[str, Any]:
    """Per case and group: times, overheads and ratios, each summarised."""
    out: dict[str, Any] = {}
    for case in CASES:
        rounds = direct["cases"].get(case.name, {}).get("rounds", {})
        per_group: dict[str, Any] = {}
        for group in GROUPS:
            members = {v.role: v.name for v in VARIANTS if v.group == group}
            if members.get("bare") not in rounds:
                continue
            bare = _us(rounds[members["bare"]])
            entry: dict[str, Any] = {"bare": summarise(bare).as_dict()}
            overheads: dict[str, list[float]] = {}
            for role in ("peer", "ours"):
                name = members.get(role)
                if name not in rounds:
                    continue
                times = _us(rounds[name])
                overheads[role] = differences(times, bare)
                entry[role] = summarise(times).as_dict()
                entry[f"{role}_overhead"] = summarise(overheads[role]).as_dict()
            if "peer" in overheads and "ours" in overheads:
                entry["ratio"] = ratio_of_medians(
                    overheads["ours"], overheads["peer"]
                ).as_dict()
            if "ours" in overheads:
                entry["ours_vs_bare"] = summarise(
                    ratios(_us(rounds[members["ours"]]), bare)
                ).as_dict()
            per_group[group] = entry
        out[case.name] = per_group
    return out


def analyse_servers(servers: dict[str, Any]) -> dict[str, Any]:
    """Requests per CPU-second of each server, and the paired ratios.

    Each run served the bare app and another variant at once; the ratio of
    a run is the other's rate over the bare app's in that same run. Without
    a CPU time (no /proc), a rate is requests per second of the run.
    """
    seconds = servers["seconds"]

    def rate(result: dict[str, Any]) -> float:
        cpu = result.get("cpu_s")
        return float(result["requests"]) / (cpu if cpu else seconds)

    out: dict[str, Any] = {}
    for key, by_role in servers.get("runs", {}).items():
        entry: dict[str, Any] = {
            "non_2xx": sum(
                run[side]["non_2xx"]
                for runs in by_role.values()
                for run in runs
                for side in ("bare", "other")
            ),
            "per_cpu": all(
                run[side].get("cpu_s")
                for runs in by_role.values()
                for run in runs
                for side in ("bare", "other")
            ),
        }
        for role, runs in by_role.items():
            bare = [rate(run["bare"]) for run in runs]
            other = [rate(run["other"]) for run in runs]
            if role == "ours":
                entry["bare"] = summarise(bare).as_dict()
                entry["ours"] = summarise(other).as_dict()
                entry["ratio"] = summarise(ratios(other, bare)).as_dict()
                # Requests served in the same seconds, whatever CPU each
                # server got: shown beside the main ratio, not instead.
                entry["requests_ratio"] = summarise(
                    ratios(
                        [float(run["other"]["requests"]) for run in runs],
                        [float(run["bare"]["requests"]) for run in runs],
                    )
                ).as_dict()
            else:
                entry[f"{role}_ratio"] = summarise(ratios(other, bare)).as_dict()
        out[key] = entry
    return out


def _resolved(entry: dict[str, Any]) -> bool:
    """Whether the other library's overhead stands out of the noise.

    Flask's async views run each call on a new event loop (asgiref), whose
    round-to-round spread can be many times a CORS layer's cost; a ratio
    of two overheads lost in that spread says nothing either way.
    """
    peer = entry.get("peer_overhead")
    if not peer:
        return False
    return bool(peer["median"] > 0 and peer["q3"] - peer["q1"] < peer["median"])


def targets(analysis: dict[str, Any]) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    direct = analysis.get("direct", {})
    for group, (title, peer) in GROUPS.items():
        for case_name in RATIO_CASES:
            entry = direct.get(case_name, {}).get(group, {})
            if "ratio" not in entry:
                continue
            ratio = entry["ratio"]["median"]
            rows.append(
                {
                    "target": f"{title}, {case_name}: overhead vs {peer}",
                    "limit": f"<= {RATIO_TARGET}",
                    "value": ratio,
                    "spread": (entry["ratio"]["q1"], entry["ratio"]["q3"]),
                    "met": (ratio <= RATIO_TARGET) if _resolved(entry) else None,
                }
            )
        entry = direct.get("preflight", {}).get(group, {})
        if "ours_vs_bare" in entry:
            s = entry["ours_vs_bare"]
            rows.append(
                {
                    "target": f"{title}: preflight total vs bare app's OPTIONS",
                    "limit": "< 1",
                    "value": s["median"],
                    "spread": (s["q1"], s["q3"]),
                    "met": s["median"] < 1,
                }
            )
    for key, entry in analysis.get("servers", {}).items():
        ratio = entry["ratio"]["median"]
        rows.append(
            {
                "target": f"server throughput, {key}: crossorigin vs bare",
                "limit": f">= {THROUGHPUT_TARGET}",
                "value": ratio,
                "spread": (entry["ratio"]["q1"], entry["ratio"]["q3"]),
                "met": ratio >= THROUGHPUT_TARGET,
            }
        )
    for name, entry in analysis.get("memory", {}).items():
        rows.append(
            {
                "target": f"memory growth, {name} ({entry['count']:,} calls)",
                "limit": "< 64 KiB",
                "value": entry["growth_bytes"],
                "spread": None,
                "met": entry["ok"],
            }
        )
    return rows


# -- Markdown -----------------------------------------------------------------


def _cell(s: dict[str, float] | None, digits: int = 1) -> str:
    if not s or not math.isfinite(s["median"]):
        return "n/a"
    m, q1, q3 = (f"{s[k]:.{digits}f}" for k in ("median", "q1", "q3"))
    return f"{m} ({q1}\N{EN DASH}{q3})"


def markdown(raw: dict[str, Any], analysis: dict[str, Any]) -> str:
    m = raw["machine"]
    d = raw.get("direct", {})
    lines = [
        "# crossorigin benchmarks",
        "",
        "Written by `nox -s bench` (`benchmarks/run.py`); do not edit by hand.",
        "",
        f"- Run: {raw['started']} ({raw['duration_s']:.0f} s), commit `{m['commit']}`",
        f"- Machine: {m['cpu']}, {m['cores']} cores, {m['platform']}",
        f"- Python {m['python']} ({m['implementation']}); "
        + ", ".join(f"{k} {v}" for k, v in m["versions"].items()),
        f"- Load average at start / end: {raw['load_start']} / {raw['load_end']}",
    ]
    if raw.get("note"):
        lines.append(f"- Note: {raw['note']}")
    if d:
        lines += [
            f"- Direct calls: {d['rounds']} interleaved rounds; each round times"
            f" a batch of about {d['batch_ms']} ms of every variant, in a"
            f" shuffled order, timed in {CLOCK_WORDS[d.get('clock', 'wall')]}.",
        ]
        median_call = [GROUPS[g][0] for g in d.get("median_call_groups", ())]
        if median_call:
            lines[-1] += (
                f" {', '.join(median_call)}: each call is timed on its own and a"
                " round's figure is the batch's median call, since the thread"
                " and event loop asgiref starts for every call vary in cost by"
                " far more than a CORS layer adds."
            )
    lines += [
        "",
        "Every figure is the median over the rounds, with the interquartile"
        " range in brackets. Overheads are computed round by round (each"
        " round's CORS variant against the same round's bare app), then"
        " summarised. The ratio of two overheads is the ratio of their"
        " medians; its brackets hold the quartiles of a bootstrap over the"
        " rounds.",
        "",
    ]

    rows = targets(analysis)
    if rows:
        lines += [
            "## Targets",
            "",
            "| target | limit | measured | met |",
            "|---|---|---|---|",
        ]
        for row in rows:
            value = row["value"]
            if isinstance(value, int):
                shown = f"{value:+,} bytes"
            else:
                low, high = row["spread"]
                shown = f"{value:.3f} ({low:.3f}\N{EN DASH}{high:.3f})"
            met = {True: "yes", False: "**no**", None: "not resolved (noise)"}
            lines.append(
                f"| {row['target']} | {row['limit']} | {shown} | {met[row['met']]} |"
            )
        lines.append("")
        if any(row["met"] is None for row in rows):
            lines += [
                "*Not resolved*: the other library's overhead is smaller than"
                " its own round-to-round spread, so no ratio can be read from"
                " this run.",
                "",
            ]

    direct = analysis.get("direct", {})
    if direct:
        lines += [
            "## Time per request, direct calls (µs)",
            "",
            "The app is called as a WSGI or ASGI callable, without sockets."
            " *Overhead* is the time over the bare app; *ratio* is"
            " crossorigin's overhead divided by the other library's.",
            "",
        ]
        for group, (title, peer) in GROUPS.items():
            lines += [
                f"### {title}",
                "",
                f"| case | bare | {peer} | overhead | crossorigin | overhead | ratio |",
                "|---|---|---|---|---|---|---|",
            ]
            for case in CASES:
                e = direct.get(case.name, {}).get(group)
                if not e:
                    continue
                lines.append(
                    f"| {case.title} | {_cell(e['bare'])} | {_cell(e.get('peer'))}"
                    f" | {_cell(e.get('peer_overhead'))} | {_cell(e.get('ours'))}"
                    f" | {_cell(e.get('ours_overhead'))}"
                    f" | {_cell(e.get('ratio'), 2)} |"
                )
            lines.append("")
        problems = {
            f"{case}/{variant}": problem
            for case, c in d.get("cases", {}).items()
            for variant, problem in c.get("problems", {}).items()
        }
        notes = {
            f"{case}/{variant}": note
            for case, c in d.get("cases", {}).items()
            for variant, note in c.get("notes", {}).items()
        }
        if problems or notes:
            lines += ["Responses checked before timing:", ""]
            lines += [f"- {k}: **{v}**" for k, v in problems.items()]
            lines += [f"- {k}: {v}" for k, v in notes.items()]
            lines.append("")
        if d.get("skipped"):
            lines += ["Variants not run:", ""]
            lines += [f"- {k}: {v}" for k, v in d["skipped"].items()]
            lines.append("")

    servers = analysis.get("servers", {})
    if servers:
        s = raw["servers"]
        lines += [
            "## Real servers (requests per CPU-second)",
            "",
            f"Flask under {s['servers']['flask']} (1 worker, gthread), Quart under"
            f" {s['servers']['quart']} (1 worker); load from {s['tool']} on"
            f" 127.0.0.1. {s['rounds']} rounds; in each, every comparison is"
            f" one run of {s['seconds']} s in which the bare app and the other"
            " variant are served at the same moment, each by its own server"
            f" and {s['connections'] // 2} of the {s['connections']}"
            f" connections{_copies(s)}.{_pinning(s)}",
            "",
            "A shared machine changes speed from one second to the next by more"
            " than the few per cent compared here; two servers loaded together"
            " meet the same conditions. Each figure is a server's requests per"
            " second of its own CPU time (process tree, scheduler run time):"
            " what it serves with a CPU to itself. A ratio is the other"
            " server's figure over the bare app's in the same run.",
            "",
            "*Two fixed headers* is the bare app with one `after_request` hook"
            " that adds the same `Access-Control-Allow-Origin` and `Vary`"
            " headers to every response, without any CORS logic: what two more"
            " response headers cost the framework and the server, whoever adds"
            " them. *Control* pairs the bare app with another process of the"
            " bare app: its ratio would be 1 on a quiet machine, so its spread"
            " is the resolution of the comparison.",
            "",
            "*Requests ratio* is the plain count of requests the two servers"
            " answered in the same seconds, whatever share of the CPU each got.",
            "",
            "| server, request | bare | crossorigin | ratio | requests ratio"
            " | two fixed headers, ratio | control ratio | non-2xx |",
            "|---|---|---|---|---|---|---|---|",
        ]
        for key, e in servers.items():
            reference = e.get("reference_ratio")
            control = e.get("control_ratio")
            lines.append(
                f"| {key} | {_cell(e['bare'], 0)} | {_cell(e['ours'], 0)}"
                f" | {_cell(e['ratio'], 3)} | {_cell(e['requests_ratio'], 3)}"
                f" | {_cell(reference, 3) if reference else ''}"
                f" | {_cell(control, 3) if control else ''} | {e['non_2xx']} |"
            )
        if not all(e["per_cpu"] for e in servers.values()):
            lines.append(
                "\nSome servers' CPU time could not be read (no /proc schedstat):"
                " their figures are requests per second of the run."
            )
        lines.append("")

    memory = analysis.get("memory", {})
    if memory:
        lines += [
            "## Memory (tracemalloc)",
            "",
            "Traced memory after a warm-up and after the run. Through the"
            " adapters, every other request has a new refused origin;"
            " `Policy.decide` also gets a new origin its wildcard allows on every"
            " fifth call, whose answer the policy remembers (128 at most).",
            "",
            "| what | calls | growth | peak | seconds |",
            "|---|---|---|---|---|",
        ]
        for name, e in memory.items():
            lines.append(
                f"| {name} | {e['count']:,} | {e['growth_bytes']:+,} B"
                f" | {e['peak_bytes'] / 1024:,.0f} KiB | {e['seconds']:.1f} |"
            )
        lines.append("")

    if raw.get("chart"):
        lines += ["## Chart", "", f"![overhead over the bare app]({raw['chart']})", ""]
    return "\n".join(lines)


# -- Chart --------------------------------------------------------------------


def chart(analysis: dict[str, Any], path: Path, subtitle: str) -> bool:
    """Overhead over bare per case, peer vs crossorigin; False without
    matplotlib."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return False

    direct = analysis.get("direct", {})
    groups = [g for g in GROUPS if any(g in direct.get(c.name, {}) for c in CASES)]
    if not groups:
        return False
    fig, axes = plt.subplots(1, len(groups), figsize=(5 * len(groups), 4.8))
    if len(groups) == 1:
        axes = [axes]
    for ax, group in zip(axes, groups, strict=True):
        title, peer = GROUPS[group]
        labels, peer_vals, ours_vals, peer_err, ours_err = [], [], [], [], []
        for case in CASES:
            e = direct.get(case.name, {}).get(group)
            if not e:
                continue
            labels.append(case.name.replace("_", " "))
            for role, vals, errs in (
                ("peer", peer_vals, peer_err),
                ("ours", ours_vals, ours_err),
            ):
                s = e.get(f"{role}_overhead")
                if s is None:
                    vals.append(math.nan)
                    errs.append((0.0, 0.0))
                else:
                    vals.append(s["median"])
                    errs.append((s["median"] - s["q1"], s["q3"] - s["median"]))
        # The 1,000-origins case can dwarf the others: cap the axis and
        # print the value on a bar that runs past it.
        small = [
            abs(v)
            for label, pv, ov in zip(labels, peer_vals, ours_vals, strict=True)
            if label != "origins 1000"
            for v in (pv, ov)
            if math.isfinite(v)
        ]
        limit = max(small or [1.0]) * 1.6
        ys = range(len(labels))
        height = 0.38
        lowest = 0.0
        for offset, vals, errs, name, colour in (
            (-height / 2, peer_vals, peer_err, peer, "#b0b0b0"),
            (height / 2, ours_vals, ours_err, "crossorigin", "#2a7ab9"),
        ):
            shown = [min(v, limit) if math.isfinite(v) else 0.0 for v in vals]
            lowest = min([lowest, *shown])
            err = list(zip(*errs, strict=True)) if errs else None
            ax.barh(
                [y + offset for y in ys],
                shown,
                height,
                xerr=err,
                label=name,
                color=colour,
                capsize=2,
            )
            for y, v in zip(ys, vals, strict=True):
                if math.isfinite(v) and v > limit:
                    ax.text(
                        limit * 0.98,
                        y + offset,
                        f"{v:,.0f} µs →",
                        va="center",
                        ha="right",
                        fontsize=7,
                        color="black",
                    )
        ax.set_xlim(lowest * 1.3, limit)
        ax.set_yticks(list(ys), labels)
        ax.invert_yaxis()
        ax.axvline(0, color="black", linewidth=0.6)
        ax.set_xlabel("overhead over the bare app (µs per request)")
        ax.set_title(title)
        ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.16), ncol=2, fontsize=8)
    fig.suptitle(f"CORS overhead per request, median and IQR ({subtitle})", fontsize=9)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return True


def _pinning(servers: dict[str, Any]) -> str:
    cpus = servers.get("cpus")
    if not cpus:
        return " Server and load generator share the CPUs."
    return (
        f" The servers run on CPU {_cpu_list(cpus['server'])}, the load"
        f" generator on CPU {_cpu_list(cpus['load'])}."
    )


def _cpu_list(cpus: list[int]) -> str:
    return ", ".join(str(c) for c in cpus)


def _copies(servers: dict[str, Any]) -> str:
    copies = servers.get("copies", 1)
    if copies == 1:
        return ""
    return f"; each variant is served by {copies} processes in turn"
