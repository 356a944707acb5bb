"""Publishing the register: protected, audited, reproducible to the byte, all or nothing."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import Engine

import victim_monitor.publication.run as publish_module
from victim_monitor.cli import main
from victim_monitor.disclosure import AuditFailure, Release, load_policy
from victim_monitor.disclosure.codes import INTERVAL_TOO_NARROW
from victim_monitor.estimation.estimable import MAX_RATIO, judge
from victim_monitor.publication.protection import Protected, protect_tabulation
from victim_monitor.publication.run import (
    LINKAGE,
    PUBLISHED_METHOD,
    ROUNDING,
    SENSITIVITY_METHODS,
    Fitted,
    _estimate,
    fit_table,
    publish,
    widen_like,
)
from victim_monitor.published import PublicationError, load_publication
from victim_monitor.published.model import CellKey, YearEstimate
from victim_monitor.tables import tabulate
from victim_monitor.years import parse_years

YEARS = (2017, 2018)


def _files(root: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()
    }


def test_a_publication_is_protected_audited_and_byte_identical_on_rerun(
    linked: Engine, tmp_path: Path
) -> None:
    first = publish(linked, YEARS, tmp_path / "a")
    publish(linked, YEARS, tmp_path / "b")
    assert _files(tmp_path / "a") == _files(tmp_path / "b")
    pub = load_publication(tmp_path / "a")
    assert pub.audit["passed"] is True
    assert pub.years == ("2017", "2018")
    assert pub.snapshot == first.publication.snapshot
    threshold = int(pub.policy["threshold"])
    counts = {t.name: t for t in tabulate(linked, YEARS).tables}
    for table in pub.tables.values():
        source = counts[table.name]
        for cell in table.cells:
            key = dict(zip(table.dimensions, cell.key, strict=True))
            if cell.outcome == "suppressed":
                assert cell.value is None
                continue
            assert cell.value is not None
            assert not 0 < cell.value < threshold, (table.name, key)
            assert cell.value == source.cell(**key), (table.name, key)
    assert pub.audit["suppressed"] > 0  # a small register has small cells
    assert [e.year for e in pub.estimates] == ["2017", "2018"]
    for e in pub.estimates:  # the last run chose its threshold: its review band widens them
        assert e.estimate is None or e.interval_method.endswith(LINKAGE)
    assert len(pub.stratum_estimates) == 2 * 5  # each year, each of the five forms
    assert pub.estimation["method"] == PUBLISHED_METHOD == "rcapture-mh-chao"
    # the other methods beside it, per year, judged the same way (docs/methods/estimation.md)
    assert [(e.year, e.method) for e in pub.sensitivity] == [
        (y, m) for y in ("2017", "2018") for m in SENSITIVITY_METHODS
    ]
    for e in pub.estimates:
        assert e.model == "" if e.estimate is None else e.model == "Mh Chao (LB)"
    for e in pub.sensitivity:
        assert e.estimate is None or e.model.startswith("latent classes") == (
            e.method == "latent-class"
        )
    sensitivity = (tmp_path / "a" / "estimates-sensitivity.csv").read_text("utf-8").splitlines()
    assert sensitivity[0].startswith("method,year,registered,estimate,low,high")
    assert len(sensitivity) == 1 + len(pub.sensitivity)
    for e in (*pub.estimates, *pub.stratum_estimates, *pub.sensitivity):
        cell = pub.table(e.registered_cell.table).cell(**dict(e.registered_cell.key))
        assert e.registered == cell.value
        _never_a_number_that_does_not_exist(e)


def _never_a_number_that_does_not_exist(e: YearEstimate) -> None:
    if e.estimate is None:
        assert e.reason is not None  # and the reason is said
        assert (e.low, e.high, e.coverage) == (None, None, None)
        return
    assert e.not_estimable == ""
    assert e.registered is not None
    assert e.low is not None
    assert e.high is not None
    assert e.low <= e.estimate <= e.high
    assert e.registered - ROUNDING <= e.low
    assert e.estimate <= MAX_RATIO * e.registered + ROUNDING


def _fitted(observed: int, estimate: float, low: float, high: float) -> Fitted:
    return Fitted(observed, ("P", "R"), judge(observed, estimate, low, high), "P:R", "profile")


def test_a_form_without_an_estimate_of_its_own_takes_its_coverage_over_the_years() -> None:
    cell = CellKey.of("victims_by_form", {"year": "2018", "form_group": "criminal"})
    stratum = (("form_group", "criminal"),)
    runaway = _fitted(46, 9.6e12, 100.0, 2e13)  # issue 13: 9,638,936,068,150 from 46
    assert runaway.shown.reason is not None
    pooled = _fitted(230, 1150.0, 800.0, 1800.0)  # all years: a fifth registered
    found = _estimate(runaway, "2018", 45, cell, stratum, pooled)
    assert found.basis == "pooled_years"
    assert (found.estimate, found.low, found.high) == (230.0, 160.0, 360.0)
    assert found.model == "P:R"
    _never_a_number_that_does_not_exist(found)
    alone = _estimate(runaway, "2018", 45, cell, stratum, _fitted(230, 5e9, 300.0, 1e10))
    assert alone.estimate is None
    assert alone.not_estimable == "unbounded" or alone.not_estimable == "runaway"
    assert alone.to_dict()["not_estimable"]["nl"]
    _never_a_number_that_does_not_exist(alone)
    assert YearEstimate.from_dict(alone.to_dict()) == alone


def test_every_finding_rests_on_shown_cells(linked: Engine, tmp_path: Path) -> None:
    pub = publish(linked, YEARS, tmp_path / "pub").publication
    assert pub.trends
    for finding in (*pub.findings,):
        assert finding.text.nl
        assert finding.text.en
        for ref in finding.cells:
            cell = pub.table(ref.table).cell(**dict(ref.key))
            assert cell.outcome == "shown"
    for trend in pub.trends:
        values = [pub.table(c.table).value(**dict(c.key)) for c in trend.cells]
        assert None not in values


def test_years_are_checked() -> None:
    assert parse_years("2014-2018") == (2014, 2015, 2016, 2017, 2018)
    assert parse_years("2018") == (2018,)
    for bad in ("2018-2014", "14-18", "2014-"):
        with pytest.raises(PublicationError) as err:
            parse_years(bad)
        assert err.value.problems[0].code == "VM741"


def test_a_year_without_persons_writes_nothing(linked: Engine, tmp_path: Path) -> None:
    out = tmp_path / "pub"
    out.mkdir()
    (out / "keep.txt").write_text("earlier")
    with pytest.raises(PublicationError) as err:
        publish(linked, (2016, 2017), out)
    assert err.value.problems[0].code == "VM742"
    assert _files(out) == {"keep.txt": b"earlier"}


def test_a_failed_audit_writes_nothing(
    linked: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = protect_tabulation

    def failing(*args: object, **kwargs: object) -> Protected:
        done = real(*args, **kwargs)  # type: ignore[arg-type]
        failure = AuditFailure("victims_by_year", ("2018",), INTERVAL_TOO_NARROW("made up"))
        report = dataclasses.replace(done.report, passed=False, failures=(failure,))
        return Protected(done.release, report)

    monkeypatch.setattr(publish_module, "protect_tabulation", failing)
    with pytest.raises(PublicationError) as err:
        publish(linked, YEARS, tmp_path / "pub")
    assert err.value.problems[0].code == "VM743"
    assert not (tmp_path / "pub").exists()


def test_the_command_publishes_and_keeps_the_confidential_release(
    linked: Engine, database_url: str, tmp_path: Path
) -> None:
    runner = CliRunner()
    out, kept = tmp_path / "pub", tmp_path / "release.json"
    args = ["publish", "--years", "2017-2018", "--out", str(out), "--database", database_url]
    result = runner.invoke(main, [*args, "--release", str(kept)])
    assert result.exit_code == 0, result.output
    assert "audit passed" in result.output
    release = Release.from_json(kept.read_text())
    assert load_publication(out).audit["cells"] == sum(release.outcomes().values())
    again = runner.invoke(main, [*args, "--previous", str(kept), "--json"])
    assert again.exit_code == 0, again.output
    assert '"passed": true' in again.output
    bad = runner.invoke(main, ["publish", "--years", "18", "--out", str(out)])
    assert bad.exit_code == 1
    assert "VM741" in bad.output
    assert load_policy().threshold == load_publication(out).policy["threshold"]


def test_linkage_uncertainty_widens_the_interval_to_the_review_band() -> None:
    linked = {"P": 300, "R": 250, "Z": 200, "PR": 60, "PZ": 40, "RZ": 35, "PRZ": 8}
    fewer = {**linked, "P": 310, "R": 258, "PR": 52, "PZ": 36}  # links missed at a high end
    more = {**linked, "P": 292, "R": 242, "PR": 68, "PZ": 44}  # links added at the low end
    narrow = fit_table(linked)
    wide = fit_table(linked, alternatives=[more, fewer])
    ends = [fit_table(a).shown for a in (more, fewer)]
    assert wide.shown.estimate == narrow.shown.estimate
    assert wide.shown.low == min(narrow.shown.low, *(e.low for e in ends))
    assert wide.shown.high == max(narrow.shown.high, *(e.high for e in ends))
    assert wide.shown.high > narrow.shown.high
    assert wide.linkage == (min(e.estimate for e in ends), max(e.estimate for e in ends))
    # a form of that year: as much wider, relatively
    form = fit_table({k: v // 3 for k, v in linked.items()})
    widened = widen_like(form, wide)
    ratio = wide.shown.high / narrow.shown.high
    assert widened.shown.high == pytest.approx(form.shown.high * ratio)
    assert widened.shown.estimate == form.shown.estimate
    # not estimable at one end of the band: not estimable
    lost = fit_table(linked, alternatives=[{"P": 300, "R": 250, "PR": 1}])
    assert lost.shown.reason is not None
    assert lost.shown.reason.code == "linkage"


def test_the_package_exports_publish_itself_not_a_module_of_that_name() -> None:
    # A submodule named like the function shadowed it once imported (issue 17, 1).
    import victim_monitor.publication.run  # noqa: F401
    from victim_monitor import publication

    assert callable(publication.publish)
    assert publication.publish is publish
    assert callable(publication.publish_figures)
