"""Findings: Dutch and English sentences made by documented rules from published numbers.

Each rule looks at one subject's trends (``trends.py``) or at the estimates, and speaks only
when its condition holds; a change whose interval includes "no change" is never described as
a rise or a fall. Every finding carries the cells its numbers come from. The rules and their
thresholds are in ``docs/methods/findings.md``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

from victim_monitor.findings.subjects import SUBJECTS, Subject
from victim_monitor.findings.trends import trend_id
from victim_monitor.publication.model import Finding, PublishedTable, Trend, YearEstimate
from victim_monitor.vocab import LABELS, FormGroup, Label

HALVED = (0.47, 0.53)  # ratio of last to first year called "halved"
NEARLY_HALVED = (0.53, 0.65)  # ... "nearly halved" (above the first, up to the second)
DOUBLED = (1.8, 2.2)
ONLY = 0.5  # "on average A a year, but only B": B below half the average
ONLY_REGISTERED = 0.5  # "only x to y% registered": the upper end of coverage below a half

_WORDS = {
    2: ("twee", "two"), 3: ("drie", "three"), 4: ("vier", "four"), 5: ("vijf", "five"),
    6: ("zes", "six"), 7: ("zeven", "seven"), 8: ("acht", "eight"), 9: ("negen", "nine"),
    10: ("tien", "ten"),
}  # fmt: skip


def number(value: float, lang: str) -> str:
    """A whole number as the factsheet writes it: 1.218 in Dutch, 1,218 in English."""
    text = f"{round(value):,}"
    return text.replace(",", ".") if lang == "nl" else text


def _years(n: int) -> Label:
    nl, en = _WORDS.get(n, (str(n), str(n)))
    return Label(f"{nl} jaar", f"{en} years")


def _pct(change: float, step: int = 5) -> int:
    """A change as a percentage rounded to ``step`` (60% fewer, not 61.3%)."""
    return int(step * round(abs(change) * 100 / step))


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def findings(
    tables: Mapping[str, PublishedTable],
    trends: Sequence[Trend],
    estimates: Sequence[YearEstimate],
    years: Sequence[str],
) -> tuple[Finding, ...]:
    """Every finding the rules make, subject by subject, then the coverage."""
    by_id = {t.id: t for t in trends}
    out: list[Finding] = []
    for subject in SUBJECTS:
        if subject.table not in tables:
            continue
        out.extend(_about(subject, by_id, years))
    out.extend(_coverage(estimates))
    return tuple(out)


def _get(
    by_id: Mapping[str, Trend], s: Subject, a: Sequence[str], b: Sequence[str]
) -> Trend | None:
    return by_id.get(trend_id(s.table, s.key, a, b))


def _finding(s: Subject, rule: str, text: Label, t: Trend, **numbers: float | int) -> Finding:
    return Finding(
        id=f"{s.id}/{rule}",
        rule=rule,
        text=text,
        cells=t.cells,
        numbers={"from": t.from_value, "to": t.to_value, "ratio": t.ratio, "low": t.low,
                 "high": t.high, **numbers},
        trend=t.id,
    )  # fmt: skip


def _about(s: Subject, by_id: Mapping[str, Trend], years: Sequence[str]) -> list[Finding]:
    if len(years) < 2:
        return []
    first, last = years[0], years[-1]
    out: list[Finding] = []
    span = _years(int(last) - int(first) + 1)
    overall = _get(by_id, s, (first,), (last,))
    if overall is not None:
        a, b = number(overall.from_value, "nl"), number(overall.to_value, "nl")
        ea, eb = number(overall.from_value, "en"), number(overall.to_value, "en")
        r = overall.ratio
        if overall.direction == "down" and HALVED[0] <= r <= HALVED[1]:
            text = Label(
                f"Het aantal {s.name.nl} is in {span.nl} gehalveerd: van {a} in {first} naar "
                f"{b} in {last}.",
                f"The number of {s.name.en} halved in {span.en}: from {ea} in {first} to {eb} "
                f"in {last}.",
            )
            out.append(_finding(s, "halved", text, overall))
        elif overall.direction == "down" and NEARLY_HALVED[0] < r <= NEARLY_HALVED[1]:
            text = Label(
                f"Het aantal {s.name.nl} is in {span.nl} bijna gehalveerd: van {a} in {first} "
                f"naar {b} in {last}.",
                f"The number of {s.name.en} nearly halved in {span.en}: from {ea} in {first} "
                f"to {eb} in {last}.",
            )
            out.append(_finding(s, "nearly_halved", text, overall))
        elif overall.direction == "up" and DOUBLED[0] <= r <= DOUBLED[1]:
            text = Label(
                f"Het aantal {s.name.nl} is in {span.nl} verdubbeld: van {a} in {first} naar "
                f"{b} in {last}.",
                f"The number of {s.name.en} doubled in {span.en}: from {ea} in {first} to {eb} "
                f"in {last}.",
            )
            out.append(_finding(s, "doubled", text, overall))
        elif overall.direction == "up" and r > DOUBLED[1]:
            k = math.floor(r)
            text = Label(
                f"Het aantal {s.name.nl} is in {span.nl} gestegen tot meer dan het {k}-voudige: "
                f"van {a} in {first} naar {b} in {last}.",
                f"The number of {s.name.en} rose more than {k}-fold in {span.en}: from {ea} in "
                f"{first} to {eb} in {last}.",
            )
            out.append(_finding(s, "multiplied", text, overall, times=k))
        elif overall.direction != "none":
            pct = _pct(overall.change)
            verb = ("gedaald", "fell") if overall.direction == "down" else ("gestegen", "rose")
            text = Label(
                f"Het aantal {s.name.nl} is in {span.nl} met {pct}% {verb[0]}: van {a} in "
                f"{first} naar {b} in {last}.",
                f"The number of {s.name.en} {verb[1]} by {pct}% in {span.en}: from {ea} in "
                f"{first} to {eb} in {last}.",
            )
            out.append(_finding(s, verb[1], text, overall, percent=pct))
        elif s.id == "registered":
            text = Label(
                f"Het aantal {s.name.nl} is tussen {first} en {last} niet duidelijk veranderd "
                f"({a} en {b}).",
                f"The number of {s.name.en} did not change clearly between {first} and {last} "
                f"({ea} and {eb}).",
            )
            out.append(_finding(s, "no_clear_change", text, overall))
    out.extend(_recent(s, by_id, years))
    return out


def _recent(s: Subject, by_id: Mapping[str, Trend], years: Sequence[str]) -> list[Finding]:
    """The last year against the first two years and against the earlier years' average (both
    when both hold), else against the year before."""
    out = _fewer(s, by_id, years) + _only(s, by_id, years)
    return out or _rose(s, by_id, years)


def _fewer(s: Subject, by_id: Mapping[str, Trend], years: Sequence[str]) -> list[Finding]:
    last = years[-1]
    two = _get(by_id, s, tuple(years[:2]), (last,)) if len(years) >= 4 else None
    if two is not None and two.direction == "down" and _pct(two.change) >= 20:
        pct = _pct(two.change)
        b = two.to_value
        text = Label(
            f"In {last} waren er {pct}% minder {s.name.nl} dan in {years[0]} en "
            f"{years[1]}: slechts {number(b, 'nl')}.",
            f"In {last} there were {pct}% fewer {s.name.en} than in {years[0]} and "
            f"{years[1]}: only {number(b, 'en')}.",
        )
        return [_finding(s, "fewer_than_first_years", text, two, percent=pct)]
    return []


def _only(s: Subject, by_id: Mapping[str, Trend], years: Sequence[str]) -> list[Finding]:
    last = years[-1]
    earlier = _get(by_id, s, tuple(years[:-1]), (last,)) if len(years) >= 3 else None
    if earlier is not None and earlier.direction == "down" and earlier.ratio < ONLY:
        span = f"{years[0]}-{years[-2]}"
        text = Label(
            f"In {span} waren er gemiddeld {number(earlier.from_value, 'nl')} {s.name.nl} per "
            f"jaar, in {last} nog slechts {number(earlier.to_value, 'nl')}.",
            f"In {span} there were on average {number(earlier.from_value, 'en')} {s.name.en} a "
            f"year, in {last} only {number(earlier.to_value, 'en')}.",
        )
        return [_finding(s, "average_then_only", text, earlier)]
    return []


def _rose(s: Subject, by_id: Mapping[str, Trend], years: Sequence[str]) -> list[Finding]:
    last = years[-1]
    previous = _get(by_id, s, (years[-2],), (last,))
    if previous is not None and previous.direction == "up":
        pct = _pct(previous.change)
        text = Label(
            f"Het aantal {s.name.nl} steeg van {number(previous.from_value, 'nl')} in "
            f"{years[-2]} naar {number(previous.to_value, 'nl')} in {last} (+{pct}%).",
            f"The number of {s.name.en} rose from {number(previous.from_value, 'en')} in "
            f"{years[-2]} to {number(previous.to_value, 'en')} in {last} (+{pct}%).",
        )
        return [_finding(s, "rose_last_year", text, previous, percent=pct)]
    return []


def _coverage(estimates: Sequence[YearEstimate]) -> list[Finding]:
    """'Only x to y% registered': per stratum (all victims first, then each form), for the
    last year with an estimate, a finite interval and a shown count."""
    out: list[Finding] = []
    strata = list(dict.fromkeys(e.stratum for e in estimates))
    for stratum in strata:
        found = _share([e for e in estimates if e.stratum == stratum], _stratum_name(dict(stratum)))
        out.extend(found)
    return out


def _stratum_name(stratum: Mapping[str, str]) -> Label:
    form = stratum.get("form_group")
    if form is None:
        return Label("slachtoffers", "victims")
    label = LABELS[FormGroup(form)]
    return Label(f"slachtoffers van {_lower(label.nl)}", f"victims of {_lower(label.en)}")


def _lower(text: str) -> str:
    return text[:1].lower() + text[1:]


def _share(estimates: Sequence[YearEstimate], name: Label) -> list[Finding]:
    for e in reversed(estimates):
        c_low, c_high, low, high, n = e.coverage_low, e.coverage_high, e.low, e.high, e.registered
        if c_low is None or c_high is None or low is None or high is None or n is None:
            continue
        if c_high >= ONLY_REGISTERED:
            return []
        lo, hi = math.floor(100 * c_low), math.ceil(100 * c_high)
        text = Label(
            f"Van de naar schatting {number(low, 'nl')} tot {number(high, 'nl')} {name.nl} "
            f"in {e.year} is slechts {lo}% tot {hi}% geregistreerd ({number(n, 'nl')}).",
            f"Of the estimated {number(low, 'en')} to {number(high, 'en')} {name.en} in "
            f"{e.year}, only {lo} to {hi}% were registered ({number(n, 'en')}).",
        )
        numbers: dict[str, float | int] = {
            "registered": n, "low": low, "high": high, "coverage_low": c_low,
            "coverage_high": c_high,
        }  # fmt: skip
        where = "".join(f"{c}/" for _, c in e.stratum)
        finding = Finding(
            f"coverage/{where}{e.year}", "only_registered", text, (e.registered_cell,), numbers
        )
        return [finding]
    return []
