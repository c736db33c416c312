"""Plotly figures as JSON for the pages; `static/charts.js` draws them with the bundled plotly.js.

No inline scripts: a chart is a `<div data-figure="...">`, so the Content-Security-Policy
can forbid them.
"""

from __future__ import annotations

import json
from functools import cache
from typing import Any


def figure_json(fig: Any) -> str | None:
    """A figure as compact plotly JSON (None stays None, for pages that have nothing to draw).

    The template goes in as ready-made JSON: setting it through `update_layout` validates
    the whole template again for every figure.
    """
    if fig is None:
        return None
    from plotly.utils import PlotlyJSONEncoder

    fig.update_layout(margin={"l": 60, "r": 20, "t": 50, "b": 40})
    data = fig.to_plotly_json()
    data["layout"]["template"] = _template()
    return json.dumps(data, cls=PlotlyJSONEncoder, separators=(",", ":"))


@cache
def _template() -> dict[str, Any]:
    import plotly.io

    template: dict[str, Any] = plotly.io.templates["plotly_white"].to_plotly_json()
    return template


@cache
def plotly_js() -> str:
    """plotly.js as bundled with the plotly package (served by the app: charts work offline)."""
    from plotly.offline import get_plotlyjs

    return str(get_plotlyjs())
