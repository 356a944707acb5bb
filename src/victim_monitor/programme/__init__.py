"""The programme register: government programmes and their measures, the rapporteur's
recommendations per monitor edition, and the indicators that should move, followed together.

    result = import_programme(engine, Path("programme.yaml"))   # validated, all or nothing
    followup(engine, "2014-2018")        # the follow-up of that edition's recommendations
    measure_detail(engine, "samen-tegen-mensenhandel", "VB-01", PublicationSource(pub))

Method of the before/after comparison: ``docs/methods/programme.md``.
"""

from typing import TYPE_CHECKING

from victim_monitor.lazy import exports

if TYPE_CHECKING:
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

# Where each public name lives: imported on first use, so that starting the command line
# (`victim-monitor --help`, a command's --help) does not load this stage's dependencies.
_HOME = {
    "Document": "document",
    "record_followup": "edit",
    "record_measure_status": "edit",
    "Comparison": "effect",
    "Verdict": "effect",
    "compare": "effect",
    "to_csv": "export",
    "to_yaml": "export",
    "ImportResult": "intake",
    "example_file": "intake",
    "import_example": "intake",
    "import_programme": "intake",
    "SERIES": "series",
    "Observation": "series",
    "PublicationSource": "series",
    "SeriesSource": "series",
    "poisson_interval": "series",
    "load": "store",
    "EditionView": "views",
    "MeasureView": "views",
    "NotFoundError": "views",
    "ProgrammeView": "views",
    "editions": "views",
    "followup": "views",
    "measure_detail": "views",
    "programme_overview": "views",
}


__getattr__ = exports(__name__, _HOME)


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
