"""Fixtures of the instruments tests."""
import pytest

from tests.instruments.helpers import Staff


@pytest.fixture
def staff(app):
    """The :class:`Staff` of the instruments procedure, created at the start of the test."""
    return Staff()
