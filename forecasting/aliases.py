"""The model aliases as plain strings, for CLI parsers that must not import the models.

`forecasting.registry` builds a model from each; a test keeps the two in step.
"""

AUTO = "auto"
DEFAULT_MODEL = "combination"  # the best on the real series' backtests (docs/FORECASTING.md)
SCENARIO_DEFAULT_MODEL = "contact_centre"  # the one model that knows regions, events, deflection
BASELINE = "seasonal_naive"
MODEL_ALIASES = (
    "combination",
    "contact_centre",
    "daily_level",
    "mean_4_weeks",
    "median_8_weeks",
    "robust_profile",
    "seasonal_naive",
    "statsforecast_autoets",
    "statsforecast_mstl",
    AUTO,
)
