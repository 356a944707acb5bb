"""Rcapture 1.4.4's closed-population models: ``closedp.t`` and ``closedpCI.t``.

Provenance: tests/estimation/reference/reference-estimates.csv (``dfreq=TRUE``, defaults;
``closedpCI.t`` with ``alpha=0.05, fmaxSupCL=3``). Estimates, Rcapture's Wald interval, deviance,
degrees of freedom and AIC, and the multinomial profile-likelihood interval must agree.
"""

from __future__ import annotations

import math
import re

import pytest

from victim_monitor.estimation import estimate
from victim_monitor.estimation.rcapture import LABELS, fit_closed

Tables = type
BY_LABEL = {label: name for name, label in LABELS.items()}
CI_NAMES = {
    "M0": "m0",
    "Mt": "mt",
    "Mth h=Chao": "mth-chao",
    "Mth h=Darroch": "mth-darroch",
    "Mth h=Poisson": "mth-poisson",
}


@pytest.mark.reference(software="Rcapture", method=r"^closedp\.t M(?!bh?$)")
def test_closedp_estimate_wald_interval_and_fit(tables: Tables, row) -> None:  # type: ignore[no-untyped-def]
    data = tables.get(row.dataset)
    fitted = fit_closed(data.counts, data.n_lists, BY_LABEL[row.model])
    assert fitted.estimate == pytest.approx(row.estimate, rel=1e-5, abs=0.006)
    low, high = fitted.wald()
    # R stops glm at |dev change| / (|dev| + 0.1) < 1e-8, which leaves the standard error of
    # models with a flat likelihood (Darroch, Gamma) uncertain in its fourth digit.
    assert low == pytest.approx(row.ci_low, rel=1e-3, abs=0.06)
    assert high == pytest.approx(row.ci_high, rel=1e-3, abs=0.06)
    assert fitted.fit.deviance == pytest.approx(row.note(r"deviance=([\d.]+)"), abs=0.006)
    assert fitted.x.shape[0] - fitted.n_params == row.note(r" df=(\d+)")
    assert fitted.aic() == pytest.approx(row.note(r"AIC=([\d.]+)"), abs=0.06)
    assert fitted.stderr == pytest.approx(row.note(r"SE=([\d.]+)"), rel=1e-3, abs=0.06)


@pytest.mark.reference(software="Rcapture", method=r"^closedpCI\.t")
def test_closedpci_profile_likelihood_interval(tables: Tables, row) -> None:  # type: ignore[no-untyped-def]
    data = tables.get(row.dataset)
    label = row.method.removeprefix("closedpCI.t ")
    method = "all-pairs" if label.startswith("Mt mX=") else "rcapture-" + CI_NAMES[label]
    found = estimate(data, method=method, interval="profile", sensitivity=0)
    assert found.estimate == pytest.approx(row.estimate, rel=1e-5, abs=0.006)
    assert found.interval.low == pytest.approx(row.ci_low, rel=1e-4, abs=0.006)
    if math.isnan(row.ci_high):  # Rcapture returns no upper limit: none below 3x the estimate
        assert found.interval.high == math.inf
        assert "VM535" in [w.code for w in found.warnings]
    else:
        assert found.interval.high == pytest.approx(row.ci_high, rel=1e-4, abs=0.006)
    multinomial = float(re.search(r"multinomial abundance ([\d.]+)", row.notes).group(1))  # type: ignore[union-attr]
    # optimize() on a flat profile: R's own maximiser is only good to about 1e-4
    assert found.interval.details["multinomial_estimate"] == pytest.approx(
        multinomial, rel=2e-4, abs=0.06
    )


def test_rcapture_methods_through_estimate_report_sensitivity(tables: Tables) -> None:
    found = estimate(tables.get("uk6"), method="rcapture-mth-chao", sensitivity=3)
    assert found.model.label == "Mth Chao (LB)"
    assert found.diagnostics["chao_terms_dropped"] >= 0
    assert next(m.label for m in found.sensitivity) == "Mt"  # lowest BIC of Rcapture's models


@pytest.mark.reference(software="Rcapture", method=r"^closedp\.t M(?!bh?$)")
def test_we_flag_a_fit_where_rcapture_does(tables: Tables, row) -> None:  # type: ignore[no-untyped-def]
    # closedp.t's infoFit ("fit.err" in the notes): 1 for a large asymptotic bias or no
    # convergence, 2 for a rank-deficient design, 3 for other glm warnings; VM538 says so
    data = tables.get(row.dataset)
    code, _ = fit_closed(data.counts, data.n_lists, BY_LABEL[row.model]).info_fit()
    assert code == row.note(r"fit\.err=(\d+)")
    found = estimate(data, method="rcapture-" + BY_LABEL[row.model], sensitivity=0)
    assert ("VM538" in [w.code for w in found.warnings]) == (code != 0)


@pytest.mark.reference(software="Rcapture", method=r"^closedpCI\.t M(?!t mX)")
def test_we_flag_a_profile_fit_where_rcapture_does(tables: Tables, row) -> None:  # type: ignore[no-untyped-def]
    data = tables.get(row.dataset)
    fitted = fit_closed(
        data.counts, data.n_lists, CI_NAMES[row.method.removeprefix("closedpCI.t ")]
    )
    assert fitted.info_fit()[0] == row.note(r"infoFit=(\d+)")


@pytest.mark.parametrize("name", [name for name in LABELS if name.startswith(("mh-", "mth-"))])
def test_a_model_without_an_estimate_says_so(name: str, tables: Tables) -> None:
    # issue 13: on artificial3 (nobody on three lists, nor on A and C or B and C) the Poisson,
    # Darroch and Gamma models run off to a dark figure of 0 and showed 96 without a word
    found = estimate(tables.get("artificial3"), method="rcapture-" + name, sensitivity=0)
    codes = [w.code for w in found.warnings]
    assert ("VM537" in codes) == (not name.endswith("chao"))
    assert found.interval.low - 0.5 <= found.estimate <= found.interval.high + 0.5
    if "VM537" in codes:
        assert "dark figure going to 0" in next(
            w.message for w in found.warnings if w.code == "VM537"
        )


@pytest.mark.parametrize("data", ["uk6", "neworleans8"])
def test_models_with_an_estimate_carry_no_vm537(tables: Tables, data: str) -> None:
    # New Orleans' Chao models have no estimate in the strict sense (cells on six lists or
    # more are forced to 0) but the extended one keeps a finite dark figure, as R's converged
    # fits show: those stand
    for name in LABELS:
        found = estimate(tables.get(data), method="rcapture-" + name, sensitivity=0)
        assert "VM537" not in [w.code for w in found.warnings]
