"""The small linked register of the table tests, for publishing."""

from tests.tables.conftest import linked, submissions

__all__ = ["linked", "submissions"]
