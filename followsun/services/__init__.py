"""Use cases: one module and one public function each, called by the CLI, the web app and jobs alike.

docs/ARCHITECTURE.md ("The service layer") lists them with the command that calls each.
"""
