"""Demand: helpdesk tickets to interval history to forecasts; also the time model.

The bottom layer: imports nothing from `planner`, `scenarios`, `followsun` or `webapp`.
It owns the time model (UTC interval grid, local time, holidays) because demand lives
in the customers' local time and every layer above shares the same clock.
"""
