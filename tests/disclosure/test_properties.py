"""Property tests: whatever the tables, the independent audit finds nothing narrowed too far.

Random two- and three-way tables of small counts with all margins; random sets of published
margins of one three-way table (linked through their shared cells); a victim counted under
every reporter; and a second release made with the first one as ``previous``, with revised
counts and a new year.
"""

from __future__ import annotations

import dataclasses
import itertools

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from victim_monitor.disclosure import TOTAL, Policy, Table, TableSet, audit, load_policy, protect

SMALL = st.sampled_from([0, 0, 1, 2, 3, 4, 5, 7, 9, 10, 12, 15, 20, 30, 45])
PROPERTY = settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def quick_policy(cost: str = "log") -> Policy:
    return dataclasses.replace(load_policy(), time_limit=0.5, cost=cost)  # type: ignore[arg-type]


@st.composite
def cube(draw: st.DrawFn, dims: int) -> dict[tuple[str, ...], int]:
    sizes = [draw(st.integers(2, 3 if dims == 3 else 4)) for _ in range(dims)]
    keys = itertools.product(*[[f"{'abc'[d]}{i}" for i in range(n)] for d, n in enumerate(sizes)])
    return {key: draw(SMALL) for key in keys}


def check(tables: TableSet, policy: Policy) -> None:
    release = protect(tables, policy)
    report = audit(release, policy)
    assert report.passed, report.summary()
    assert not [p for p in release.problems if p.code == "VM720"]


@PROPERTY
@given(counts=cube(2), cost=st.sampled_from(["log", "unity", "value"]))
def test_two_way_tables(counts: dict[tuple[str, ...], int], cost: str) -> None:
    check(TableSet((Table("t", ("a", "b"), counts),)), quick_policy(cost))


@PROPERTY
@given(counts=cube(3))
def test_three_way_tables(counts: dict[tuple[str, ...], int]) -> None:
    check(TableSet((Table("t", ("a", "b", "c"), counts),)), quick_policy())


@PROPERTY
@given(
    counts=cube(3),
    published=st.sets(
        st.sampled_from([("a", "b", "c"), ("a", "b"), ("a", "c"), ("b", "c"), ("a",), ("c",)]),
        min_size=1,
    ),
)
def test_random_sets_of_published_margins(
    counts: dict[tuple[str, ...], int], published: set[tuple[str, ...]]
) -> None:
    tables = []
    for dims in sorted(published):
        keep = ["abc".index(d) for d in dims]
        marginal: dict[tuple[str, ...], int] = {}
        for key, value in counts.items():
            sub = tuple(key[i] for i in keep)
            marginal[sub] = marginal.get(sub, 0) + value
        tables.append(Table("".join(dims), dims, marginal))
    check(TableSet(tuple(tables)), quick_policy())


@PROPERTY
@given(
    forms=st.lists(SMALL, min_size=6, max_size=6),
    reporters=st.lists(st.tuples(st.booleans(), st.booleans(), st.booleans()), min_size=2),
)
def test_a_victim_under_every_reporter(
    forms: list[int], reporters: list[tuple[bool, bool, bool]]
) -> None:
    # persons of two years by form, and by reporter (each person under one or more reporters)
    by_form = {(y, f): forms[3 * i + j] for i, y in enumerate(("y0", "y1")) for j, f in
               enumerate(("f0", "f1", "f2"))}  # fmt: skip
    counts: dict[tuple[str, str], int] = {}
    for year in ("y0", "y1"):
        total = sum(v for (y, _), v in by_form.items() if y == year)
        counts[(year, TOTAL)] = total
        for r, name in enumerate(("police", "care", "kmar")):
            # person p of the year has reporters reporters[p % len] (at least the police)
            counts[(year, name)] = sum(
                1 for p in range(total) if r == 0 or reporters[p % len(reporters)][r]
            )
    by_reporter = Table(
        "by_reporter", ("year", "reporter"), counts, ("reporter",), overlapping=("reporter",)
    )
    tables = TableSet((Table("by_form", ("year", "form"), by_form, ("form",)), by_reporter))
    check(tables, quick_policy())


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    first=st.lists(SMALL, min_size=9, max_size=9),
    second=st.lists(SMALL, min_size=9, max_size=9),
    revise=st.lists(st.booleans(), min_size=9, max_size=9),
    last_cost=st.sampled_from(["log", "unity", "value"]),
    last_upper=st.sampled_from([3.0, 6.0]),
)
def test_a_release_with_last_years_release(
    first: list[int], second: list[int], revise: list[bool], last_cost: str, last_upper: float
) -> None:
    """Last year's release covered 2017 (under another policy); this one 2017 and 2018."""

    def year(label: str, values: list[int]) -> Table:
        counts = {(f"f{i // 3}", f"a{i % 3}"): v for i, v in enumerate(values)}
        return Table(label, ("form", "age"), counts, fixed={"year": label})

    last_policy = dataclasses.replace(quick_policy(last_cost), upper_absolute=last_upper)
    last = protect(TableSet((year("2017", first),)), last_policy)
    revised = [v + 1 if r else v for v, r in zip(first, revise, strict=True)]
    now = TableSet((year("2017", revised), year("2018", second)))
    policy = quick_policy()
    release = protect(now, policy, previous=last)
    report = audit(release, policy, previous=last)
    # an unsafe cell shown last year with the same count cannot be protected; it is reported
    # (VM720), and it is then the only kind of failure the audit may find
    flagged = {p.field for p in release.problems if p.code == "VM720"}
    failed = {(f.table, f.key) for f in report.failures}
    assert report.passed or flagged, report.summary()
    if not flagged:
        assert not failed


@st.composite
def reported_persons(draw: st.DrawFn) -> list[tuple[str, frozenset[str]]]:
    """Persons with a form and the organisations that reported them (at least one)."""
    n = draw(st.integers(3, 45))
    orgs = st.frozensets(st.sampled_from(["a", "b", "c", "d"]), min_size=1, max_size=3)
    return [(draw(st.sampled_from(["f1", "f2"])), draw(orgs)) for _ in range(n)]


@given(reported_persons())
@PROPERTY
def test_reporters_covered_by_types_and_a_nested_police_table(
    people: list[tuple[str, frozenset[str]]],
) -> None:
    from victim_monitor.disclosure import Cover

    types = {"t1": {"a", "b"}, "t2": {"c", "d"}}

    def distinct(groups: dict[str, set[str]]) -> dict[tuple[str], int]:
        counts = {
            (g,): sum(bool(orgs & members) for _, orgs in people) for g, members in groups.items()
        }
        return {**counts, (TOTAL,): len(people)}

    by_org = Table("by_org", ("org",), distinct({o: {o} for o in "abcd"}), overlapping=("org",))
    by_type = Table("by_type", ("type",), distinct(types), overlapping=("type",))
    by_form = Table(
        "by_form", ("form",), {(f,): sum(p[0] == f for p in people) for f in ("f1", "f2")}
    )
    police = Table(
        "police_by_form",
        ("form",),
        {(f,): sum(p[0] == f and "a" in p[1] for p in people) for f in ("f1", "f2")},
        fixed={"org": "a"},
    )
    covers = tuple(Cover("type", t, "org", tuple(sorted(m))) for t, m in types.items())
    check(TableSet((by_org, by_type, by_form, police), covers=covers), quick_policy())
