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

SECTIONS: list[str] = ["staffing", "forecasting", "simulation", "roster", "helpdesk"]


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
    """Run the named sections (all by default) and write docs/PERFORMANCE.md."""
    names = argv or SECTIONS
    parts = [
        "# Performance\n",
        f"Measured by `make bench` on {datetime.now(UTC):%Y-%m-%d} on {machine()}.\n",
    ]
    for name in names:
        start = time.perf_counter()
        print(f"bench: {name} ...", flush=True)
        section = importlib.import_module(f"bench.{name}").run()
        print(f"bench: {name} done in {time.perf_counter() - start:.0f} s", flush=True)
        parts.append(section.rstrip() + "\n")
    out = Path("docs/PERFORMANCE.md")
    out.parent.mkdir(exist_ok=True)
    out.write_text("\n".join(parts))
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
