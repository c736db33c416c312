"""The organisation and scenario specification, and the stages that use it whole.

Maps a scenario onto the planner's inputs, simulates outcomes and prices them.
Imports `planner` and `forecasting`; never Flask or SQLAlchemy.
"""
