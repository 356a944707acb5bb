"""Findings: Dutch and English sentences made by documented rules from published numbers.

Each rule looks at one subject's trends (``trends.py``) or at the estimates, and speaks only
when its condition holds; a change whose interval includes "no change" is never described as
a rise or a fall. Every finding carries the cells its numbers come from. The rules and their
thresholds are in ``docs/methods/findings.md``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence

from victim_monitor.findings.subjects import SUBJECTS, Subject
from victim_monitor.findings.trends import rate_ratio_interval, trend_id
from victim_monitor.findings.wording import HALVED, NEARLY_HALVED, multiple
from victim_monitor.published.model import Finding, PublishedTable, Trend, YearEstimate
from victim_monitor.rounding import round_percent, round_significant
from victim_monitor.vocab import LABELS, FormGroup, Label

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


def _pct(change: float) -> str:
    """A change as a percentage by the one rounding rule (63%, 4.5%), without its sign."""
    value = round_percent(abs(change))
    return f"{value:g}"


def _change(t: Trend) -> float:
    """The change as the factsheet computes it from the cells (not the 4-decimal ratio), so that
    both round the same fact the same way."""
    return t.to_value / t.from_value - 1.0


def _pct_text(change: float, lang: str) -> str:
    text = _pct(change)
    return text.replace(".", ",") if lang == "nl" else text


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
        out.extend(_about(subject, by_id, years, tables[subject.table]))
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


def _about(
    s: Subject, by_id: Mapping[str, Trend], years: Sequence[str], table: PublishedTable
) -> list[Finding]:
    if len(years) < 2:
        return []
    out = _overall(s, by_id, years)
    if out and out[0].rule != "no_clear_change" and (turn := _turn(s, table, years, out[0])):
        first = out[0]
        text = Label(f"{first.text.nl} {turn.nl}", f"{first.text.en} {turn.en}")
        out[0] = dataclasses.replace(first, text=text)
    out.extend(_recent(s, by_id, years))
    return out


def _turn(s: Subject, table: PublishedTable, years: Sequence[str], f: Finding) -> Label | None:
    """A fall (rise) from the first to the last year that turned on the way: the last year is
    significantly above the lowest (below the highest) year in between. Said, not hidden."""
    down = f.numbers["to"] < f.numbers["from"]
    values: dict[str, int] = {}
    for year in years:
        cell = table.cell(**{**dict(s.key), "year": year})
        if cell.outcome != "shown" or cell.value is None:
            return None
        values[year] = cell.value
    between = list(years[1:-1])
    if not between:
        return None
    pick = min if down else max
    turn = pick(between, key=lambda y: values[y])
    last = years[-1]
    if values[turn] == 0:
        return None
    _, low, high = rate_ratio_interval(values[turn], 1, values[last], 1)
    if (down and low <= 1) or (not down and high >= 1):
        return None
    t, b = number(values[turn], "nl"), number(values[last], "nl")
    te, be = number(values[turn], "en"), number(values[last], "en")
    if down:
        return Label(f"Na {turn} ({t}) steeg het aantal weer, tot {b} in {last}.",
                     f"After {turn} ({te}) the number rose again, to {be} in {last}.")  # fmt: skip
    return Label(f"Na {turn} ({t}) daalde het aantal weer, tot {b} in {last}.",
                 f"After {turn} ({te}) the number fell again, to {be} in {last}.")  # fmt: skip


def _overall(s: Subject, by_id: Mapping[str, Trend], years: Sequence[str]) -> list[Finding]:
    first, last = years[0], years[-1]
    out: list[Finding] = []
    span = _years(int(last) - int(first) + 1)
    overall = _get(by_id, s, (first,), (last,))
    earlier = _get(by_id, s, tuple(years[:-1]), (last,)) if len(years) >= 3 else None
    # The seed compares periods too: a change from the first year that the mean of the earlier
    # years does not confirm rests on the first year alone, and is not stated.
    confirmed = earlier is None or earlier.direction == getattr(overall, "direction", None)
    if overall is not None and overall.direction != "none" and not confirmed:
        overall = None
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
        elif overall.direction == "up" and (fold := multiple(r)) is not None:
            words, k, more = fold
            rule = "multiplied" if more or k > 2 else "doubled"
            text = Label(
                f"Het aantal {s.name.nl} is in {span.nl} {words.nl}: van {a} in {first} naar "
                f"{b} in {last}.",
                f"The number of {s.name.en} {words.en} in {span.en}: from {ea} in {first} to "
                f"{eb} in {last}.",
            )
            out.append(_finding(s, rule, text, overall, times=k))
        elif overall.direction != "none":
            p_nl, p_en = _pct_text(_change(overall), "nl"), _pct_text(_change(overall), "en")
            verb = ("gedaald", "fell") if overall.direction == "down" else ("gestegen", "rose")
            text = Label(
                f"Het aantal {s.name.nl} is in {span.nl} met {p_nl}% {verb[0]}: van {a} in "
                f"{first} naar {b} in {last}.",
                f"The number of {s.name.en} {verb[1]} by {p_en}% in {span.en}: from {ea} in "
                f"{first} to {eb} in {last}.",
            )
            out.append(_finding(s, verb[1], text, overall, percent=float(_pct(_change(overall)))))
        elif s.id == "registered":
            text = Label(
                f"Het aantal {s.name.nl} is tussen {first} en {last} niet duidelijk veranderd "
                f"({a} en {b}).",
                f"The number of {s.name.en} did not change clearly between {first} and {last} "
                f"({ea} and {eb}).",
            )
            out.append(_finding(s, "no_clear_change", text, overall))
    return out


def _recent(s: Subject, by_id: Mapping[str, Trend], years: Sequence[str]) -> list[Finding]:
    """The last year against the first two years and against the earlier years' average (both
    when both hold), else against the year before."""
    out = _fewer(s, by_id, years) + _only(s, by_id, years)
    return out or _rose(s, by_id, years)


def _fewer(s: Subject, by_id: Mapping[str, Trend], years: Sequence[str]) -> list[Finding]:
    last = years[-1]
    two = _get(by_id, s, tuple(years[:2]), (last,)) if len(years) >= 4 else None
    if two is not None and two.direction == "down" and float(_pct(_change(two))) >= 20:
        p_nl, p_en = _pct_text(_change(two), "nl"), _pct_text(_change(two), "en")
        b = two.to_value
        text = Label(
            f"In {last} waren er {p_nl}% minder {s.name.nl} dan gemiddeld in {years[0]} en "
            f"{years[1]}: slechts {number(b, 'nl')}.",
            f"In {last} there were {p_en}% fewer {s.name.en} than on average in {years[0]} and "
            f"{years[1]}: only {number(b, 'en')}.",
        )
        return [_finding(s, "fewer_than_first_years", text, two, percent=float(_pct(_change(two))))]
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
        p_nl, p_en = _pct_text(_change(previous), "nl"), _pct_text(_change(previous), "en")
        text = Label(
            f"Het aantal {s.name.nl} steeg van {number(previous.from_value, 'nl')} in "
            f"{years[-2]} naar {number(previous.to_value, 'nl')} in {last} (+{p_nl}%).",
            f"The number of {s.name.en} rose from {number(previous.from_value, 'en')} in "
            f"{years[-2]} to {number(previous.to_value, 'en')} in {last} (+{p_en}%).",
        )
        pct = float(_pct(_change(previous)))
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


def _nl(number_text: str) -> str:
    return number_text.replace(".", ",")


def _lower(text: str) -> str:
    return text[:1].lower() + text[1:]


def _share(estimates: Sequence[YearEstimate], name: Label) -> list[Finding]:
    for e in reversed(estimates):
        c_low, c_high, low, high, n = e.coverage_low, e.coverage_high, e.low, e.high, e.registered
        if c_low is None or c_high is None or low is None or high is None or n is None:
            continue
        if c_high >= ONLY_REGISTERED:
            return []
        # The one rounding rule: estimates to two significant digits, outwards; coverage as
        # the factsheet's tables print it (whole percentages, one decimal below 10%).
        decimals = 1 if min(c_low, c_high) < 0.1 else 0
        lo_v = round_percent(c_low, "down", decimals)
        hi_v = round_percent(c_high, "up", decimals)
        lo, hi = f"{lo_v:.{decimals}f}", f"{hi_v:.{decimals}f}"
        l_est, h_est = (
            round_significant(low, direction="down"),
            round_significant(high, direction="up"),
        )
        text = Label(
            f"Van de naar schatting {number(l_est, 'nl')} tot {number(h_est, 'nl')} {name.nl} "
            f"in {e.year} is slechts {_nl(lo)}% tot {_nl(hi)}% geregistreerd ({number(n, 'nl')}).",
            f"Of the estimated {number(l_est, 'en')} to {number(h_est, 'en')} {name.en} in "
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
