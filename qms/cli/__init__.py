"""The ``qms`` command's groups, one module each: ``setup`` (init, demo), ``serving`` (serve,
scheduler, mail sink), ``people`` (user, token), ``backup`` (backup, restore, verify-audit)."""
from __future__ import annotations

from . import backup, people, serving, setup
from .setup import initialise  # noqa: F401  (tests and the benchmarks build databases with it)


def register(app) -> None:
    """Add every command group to the app's CLI."""
    for group in (setup, serving, people, backup):
        group.register(app)
