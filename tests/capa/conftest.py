"""Fixtures of the nonconformity/CAPA tests."""
import pytest

from tests.capa.helpers import People


@pytest.fixture
def people(app):
    """The cast of :class:`People`, created at the start of the test."""
    return People()
