"""Run every benchmark section side by side with its peers and write docs/PERFORMANCE.md.

Each module in SECTIONS defines `run() -> str`, returning a Markdown section (heading,
method, a table of figures and ratios). Run one with `python -m bench NAME`.
"""

from __future__ import annotations

import importlib
import os
import platform
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

SECTIONS: list[str] = [
    "startup",
    "staffing",
    "staffing_year",
    "forecasting",
    "simulation",
    "engine",
    "reference_simulated",
    "replay",
    "roster",
    "roster_large",
    "roster_large_2000",
    "variants",
    "helpdesk",
    "nrp",
    "webapp",
    "decisions",
]


def machine() -> str:
    """One line describing this machine."""
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem_gib = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return f"{cpu}, {os.cpu_count()} cores, {mem_gib:.0f} GiB, Python {platform.python_version()}"


def main(argv: list[str]) -> int:
    """Run the named sections (all by default) and rebuild docs/PERFORMANCE.md.

    Each section's result is kept in docs/bench/NAME.md with its date and machine, so
    running one section again leaves the others' last measurements in place.
    """
    names = argv or SECTIONS
    unknown = [n for n in names if n not in SECTIONS]
    if unknown:
        print(f"unknown section(s) {unknown}; expected some of {SECTIONS}", file=sys.stderr)
        return 2
    kept = Path("docs/bench")
    kept.mkdir(parents=True, exist_ok=True)
    for name in names:
        start = time.perf_counter()
        load_before = os.getloadavg()[0]
        print(f"bench: {name} ...", flush=True)
        section = importlib.import_module(f"bench.{name}").run()
        seconds = time.perf_counter() - start
        print(f"bench: {name} done in {seconds:.0f} s", flush=True)
        stamp = (
            f"_Measured {datetime.now(UTC):%Y-%m-%d} on {machine()}; the section took "
            f"{seconds:.0f} s; load average {load_before:.1f} at its start, "
            f"{os.getloadavg()[0]:.1f} at its end._\n"
        )
        (kept / f"{name}.md").write_text(section.rstrip() + "\n\n" + stamp)
    write_performance(kept)
    return 0


def write_performance(kept: Path = Path("docs/bench")) -> None:
    """docs/PERFORMANCE.md: every section's last measurement kept in `kept`, in order."""
    parts = [
        "# Performance\n",
        "Measured by `make bench` (`python -m bench [SECTION...]`); each section says when and "
        "on what machine it was last measured. Peers run in the same process and run.\n",
    ]
    parts += [(kept / f"{n}.md").read_text() for n in SECTIONS if (kept / f"{n}.md").exists()]
    out = Path("docs/PERFORMANCE.md")
    out.write_text("\n".join(parts))
    print(f"wrote {out}")


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
