"""The programme register's words: statuses, indicator kinds and their Dutch and English labels."""

from __future__ import annotations

from enum import StrEnum

from victim_monitor.storage.schema import FOLLOWUP_STATUSES, MEASURE_STATUSES
from victim_monitor.vocab import Label


class MeasureStatus(StrEnum):
    """Where a measure of a programme stands."""

    PLANNED = "planned"
    RUNNING = "running"
    IMPLEMENTED = "implemented"
    DELAYED = "delayed"
    STOPPED = "stopped"


class FollowUp(StrEnum):
    """Where the follow-up of a recommendation stands."""

    OPEN = "open"
    IN_PROGRESS = "in_progress"
    IMPLEMENTED = "implemented"
    PARTLY_IMPLEMENTED = "partly_implemented"
    NOT_IMPLEMENTED = "not_implemented"


class IndicatorKind(StrEnum):
    """Monitor: a series the monitor computes; external: values entered with their source."""

    MONITOR = "monitor"
    EXTERNAL = "external"


class Unit(StrEnum):
    COUNT = "count"
    SHARE = "share"


class Expected(StrEnum):
    """The direction a measure should move its indicator."""

    UP = "up"
    DOWN = "down"
    NONE = "none"


assert tuple(MeasureStatus) == MEASURE_STATUSES  # the schema's check constraint
assert tuple(FollowUp) == FOLLOWUP_STATUSES

# Keyed by enum and value: members of two StrEnums with the same value ("implemented") are
# equal as strings, so one flat dict would mix them up.
LABELS: dict[type[StrEnum], dict[str, Label]] = {
    MeasureStatus: {
        "planned": Label("Gepland", "Planned"),
        "running": Label("Loopt", "Running"),
        "implemented": Label("Uitgevoerd", "Implemented"),
        "delayed": Label("Vertraagd", "Delayed"),
        "stopped": Label("Gestopt", "Stopped"),
    },
    FollowUp: {
        "open": Label("Open", "Open"),
        "in_progress": Label("In uitvoering", "In progress"),
        "implemented": Label("Opgevolgd", "Implemented"),
        "partly_implemented": Label("Deels opgevolgd", "Partly implemented"),
        "not_implemented": Label("Niet opgevolgd", "Not implemented"),
    },
    IndicatorKind: {
        "monitor": Label("Cijfer uit de monitor", "Monitor figure"),
        "external": Label("Externe bron", "External source"),
    },
    Unit: {"count": Label("Aantal", "Count"), "share": Label("Aandeel", "Share")},
    Expected: {
        "up": Label("Hoort te stijgen", "Should rise"),
        "down": Label("Hoort te dalen", "Should fall"),
        "none": Label("Geen richting verwacht", "No direction expected"),
    },
}


def label(value: StrEnum) -> Label:
    """The bilingual label of a programme term."""
    return LABELS[type(value)][str(value)]
