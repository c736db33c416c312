"""The application shell: CLI, configuration, persistence and the executor.

The domain packages (`forecasting`, `planner`, `scenarios`) are pure; this package
reads files, the database and the clock, and hands them their inputs.
"""

__version__ = "0.1.0"
