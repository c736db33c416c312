"""Use cases: one function each, called by the CLI and the web app alike."""
