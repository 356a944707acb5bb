"""What the findings are about: published cells, each with a Dutch and English noun phrase."""

from __future__ import annotations

from dataclasses import dataclass

from victim_monitor.vocab import LABELS, FormGroup, Label


@dataclass(frozen=True, slots=True)
class Subject:
    """A series of published cells (one per year) and how a sentence names it."""

    id: str
    table: str
    key: tuple[tuple[str, str], ...]  # the non-year categories
    name: Label  # plural noun phrase: "victims of labour exploitation"


def _lower(text: str) -> str:
    return text[:1].lower() + text[1:]


def _form(form: FormGroup) -> Label:
    label = LABELS[form]
    return Label(_lower(label.nl), _lower(label.en))


_FORMS = [f for f in FormGroup if f is not FormGroup.UNKNOWN]

SUBJECTS: tuple[Subject, ...] = (
    Subject("registered", "victims_by_year", (),
            Label("geregistreerde slachtoffers", "registered victims")),
    *(Subject(f"form_{f}", "victims_by_form", (("form_group", str(f)),),
              Label(f"geregistreerde slachtoffers van {_form(f).nl}",
                    f"registered victims of {_form(f).en}"))
      for f in _FORMS),
    Subject("minors", "victims_by_age", (("age_group", "minor"),),
            Label("geregistreerde minderjarige slachtoffers", "registered minor victims")),
    Subject("investigative", "victims_by_reporter_type", (("reporter_type", "investigative"),),
            Label("door opsporingsinstanties gemelde slachtoffers",
                  "victims reported by investigative organisations")),
    Subject("non_investigative", "victims_by_reporter_type",
            (("reporter_type", "non_investigative"),),
            Label("door niet-opsporingsinstanties gemelde slachtoffers",
                  "victims reported by non-investigative organisations")),
    Subject("police", "police_reports_by_form", (("form_group", "Total"),),
            Label("politiemeldingen", "police reports")),
    *(Subject(f"police_{f}", "police_reports_by_form", (("form_group", str(f)),),
              Label(f"politiemeldingen van slachtoffers van {_form(f).nl}",
                    f"police reports of victims of {_form(f).en}"))
      for f in _FORMS),
    Subject("domestic_minors", "domestic_sexual_by_age", (("age_group", "minor"),),
            Label("geregistreerde minderjarige slachtoffers van binnenlandse seksuele uitbuiting",
                  "registered minor victims of domestic sexual exploitation")),
)  # fmt: skip
