"""The programme register: government programmes and their measures, the rapporteur's
recommendations per monitor edition, and the indicators that should move, followed together.

    result = import_programme(engine, Path("programme.yaml"))   # validated, all or nothing
    followup(engine, "2014-2018")        # the follow-up of that edition's recommendations
    measure_detail(engine, "samen-tegen-mensenhandel", "VB-01", PublicationSource(pub))

Method of the before/after comparison: ``docs/methods/programme.md``.
"""

from victim_monitor.programme.document import Document
from victim_monitor.programme.edit import record_followup, record_measure_status
from victim_monitor.programme.effect import Comparison, Verdict, compare
from victim_monitor.programme.export import to_csv, to_yaml
from victim_monitor.programme.intake import (
    ImportResult,
    example_file,
    import_example,
    import_programme,
)
from victim_monitor.programme.series import (
    SERIES,
    Observation,
    PublicationSource,
    SeriesSource,
    poisson_interval,
)
from victim_monitor.programme.store import load
from victim_monitor.programme.views import (
    EditionView,
    MeasureView,
    NotFoundError,
    ProgrammeView,
    editions,
    followup,
    measure_detail,
    programme_overview,
)

__all__ = [
    "SERIES",
    "Comparison",
    "Document",
    "EditionView",
    "ImportResult",
    "MeasureView",
    "NotFoundError",
    "Observation",
    "ProgrammeView",
    "PublicationSource",
    "SeriesSource",
    "Verdict",
    "compare",
    "editions",
    "example_file",
    "followup",
    "import_example",
    "import_programme",
    "load",
    "measure_detail",
    "poisson_interval",
    "programme_overview",
    "record_followup",
    "record_measure_status",
    "to_csv",
    "to_yaml",
]
