"""The real-browser quality gate (a package, so its conftest and helpers never shadow tests/conftest.py)."""
