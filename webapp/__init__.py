"""The web app (Flask): arrives with the web-app issue.

It will call the same pipeline (`followsun.services.pipeline`) and store (`followsun.store`)
functions as the CLI; the scenario forms use `scenarios.loader.json_schema()`.
"""
