"""Helpers shared by the test packages: the test clock, records through the service, API tokens,
the browser. Test modules import helpers from here or from their package's ``helpers.py``,
never from another test module."""
