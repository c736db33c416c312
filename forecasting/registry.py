"""Every model by its alias: the one place the CLI and the scenarios build models from.

It sits above the model modules (models, weekly, combination, selection, statistical),
which never import it, so the modules import one another in one direction only.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from forecasting.aliases import AUTO, MODEL_ALIASES
from forecasting.errors import InputError
from forecasting.models import ForecastModel
from forecasting.selection import CANDIDATE_MODELS, AutoSelect

__all__ = ["AUTO", "MODELS", "MODEL_ALIASES", "STATISTICAL_ALIASES", "model_named"]

# Every model but the optional statsforecast ones is a candidate of auto.
MODELS: Mapping[str, type[ForecastModel]] = MappingProxyType({m.alias: m for m in CANDIDATE_MODELS})
# forecasting.statistical (optional dependency statsforecast, imported on use)
STATISTICAL_ALIASES = ("statsforecast_autoets", "statsforecast_mstl")


def model_named(alias: str, **settings: object) -> ForecastModel:
    """A model by its alias (one of MODEL_ALIASES).

    The statsforecast models raise InputError with the install hint when statsforecast
    is not installed.
    """
    if alias == AUTO:
        return AutoSelect(**settings)  # type: ignore[arg-type]
    if alias in STATISTICAL_ALIASES:
        from forecasting.statistical import STATISTICAL_MODELS  # optional dependency

        cls = next(m for m in STATISTICAL_MODELS if m.alias == alias)
        return cls(**settings)  # type: ignore[arg-type]
    try:
        cls = MODELS[alias]
    except KeyError:
        raise InputError(
            f"unknown model {alias!r}; expected one of {', '.join(MODEL_ALIASES)}"
        ) from None
    return cls(**settings)  # type: ignore[arg-type]
