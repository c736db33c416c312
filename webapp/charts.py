"""Plotly figures as JSON for the pages; `static/charts.js` draws them with the bundled plotly.js.

No inline scripts: a chart is a `<div data-figure="...">`, so the Content-Security-Policy
can forbid them.
"""

from __future__ import annotations

from functools import cache
from typing import Any


def figure_json(fig: Any) -> str | None:
    """A figure as plotly JSON (None stays None, for pages that have nothing to draw)."""
    if fig is None:
        return None
    fig.update_layout(template="plotly_white", margin={"l": 60, "r": 20, "t": 50, "b": 40})
    return str(fig.to_json(validate=False))


@cache
def plotly_js() -> str:
    """plotly.js as bundled with the plotly package (served by the app: charts work offline)."""
    from plotly.offline import get_plotlyjs

    return str(get_plotlyjs())
