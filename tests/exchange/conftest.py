"""The small linked register of the table tests, to export, back up and restore."""

from tests.tables.conftest import linked, submissions

__all__ = ["linked", "submissions"]
