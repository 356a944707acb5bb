"""Capture: which organisations see which hidden victims (heterogeneity and dependence).

Each organisation o sees person i with probability ``1 - exp(-r_io)``, where the rate
``r_io`` is the organisation's base rate for the person's form and age group, times its
year factor, the person's visibility to it (latent traits, their loadings times the
configuration's ``heterogeneity``), a referral factor when the police or a care coordinator
saw the person first, and the Dublin and border rules (``parameters.py``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from victim_monitor.synthetic import parameters as par
from victim_monitor.synthetic.recording import Reporter


@dataclass(frozen=True, slots=True)
class Stratum:
    """The per-person facts capture depends on, as parallel arrays."""

    year: npt.NDArray[np.int64]
    form: npt.NDArray[np.int64]  # index into parameters.FORMS
    age: npt.NDArray[np.int64]  # index into parameters.AGES
    dublin: npt.NDArray[np.bool_]
    border_crossed: npt.NDArray[np.bool_]
    non_eu: npt.NDArray[np.bool_]  # neither Dutch nor another EU nationality
    visibility: npt.NDArray[np.float64]  # latent z ~ N(0, 1)
    orientation: npt.NDArray[np.float64]  # latent w ~ N(0, 1): investigative (+) or care (-)


def _base(code: str, stratum: Stratum) -> npt.NDArray[np.float64]:
    table = np.array(par.BASE_RATE[code], dtype=float)  # (form, age)
    base: npt.NDArray[np.float64] = table[stratum.form, stratum.age]
    return base


def _year_factor(code: str, stratum: Stratum) -> npt.NDArray[np.float64]:
    index = np.array([par.year_index(y) for y in range(2000, 2101)])[stratum.year - 2000]
    factor: npt.NDArray[np.float64]
    if code == "POL":
        factor = np.array(par.POLICE_YEAR_FACTOR, dtype=float)[stratum.form, index]
        minor = np.array(par.POLICE_MINOR_YEAR_FACTOR, dtype=float)[index]
        return np.where(stratum.age == 0, factor * minor, factor)
    factor = np.array(par.YEAR_FACTOR[code], dtype=float)[index]
    return factor


def rates(
    reporter: Reporter,
    stratum: Stratum,
    seen_on: dict[str, npt.NDArray[np.bool_]],
    heterogeneity: float = 1.0,
) -> npt.NDArray[np.float64]:
    """The capture rate of one organisation for every person.

    ``heterogeneity`` multiplies the latent loadings; at 1 the product is the loading itself,
    bit for bit, so the calibrated population does not change.
    """
    code = reporter.code
    rate = _base(code, stratum) * _year_factor(code, stratum)
    lam = heterogeneity * par.VISIBILITY_LOADING[code]
    kappa = heterogeneity * (
        par.ORIENTATION_LOADING_INVESTIGATIVE
        if reporter.investigative
        else par.ORIENTATION_LOADING_CARE
    )
    latent = lam * stratum.visibility + kappa * stratum.orientation
    rate = rate * np.exp(latent - (lam**2 + kappa**2) / 2.0)
    if code in par.DUBLIN_FACTOR:
        rate = np.where(stratum.dublin, rate * par.DUBLIN_FACTOR[code], rate)
    if code in par.BORDER_ONLY:
        rate = np.where(stratum.border_crossed, rate, 0.0)
    if code in par.NON_EU_ONLY:
        rate = np.where(stratum.non_eu, rate, 0.0)
    for source, factor in par.REFERRAL.get(code, {}).items():
        if source in seen_on:
            rate = np.where(seen_on[source], rate * factor, rate)
    return rate


def capture(
    stratum: Stratum,
    reporters: tuple[Reporter, ...],
    rng: np.random.Generator,
    heterogeneity: float = 1.0,
) -> npt.NDArray[np.bool_]:
    """A (persons x organisations) matrix: True where the organisation saw the person.

    Lists are drawn in the order of ``parameters.CAPTURE_ORDER``, so that referral can
    depend on the lists that saw the person before. ``heterogeneity``: see :func:`rates`.
    """
    codes = [r.code for r in reporters]
    unknown = sorted(set(codes) - set(par.BASE_RATE))
    if unknown:
        raise ValueError(f"no capture parameters for organisations {unknown}")
    seen: npt.NDArray[np.bool_] = np.zeros((len(stratum.year), len(codes)), dtype=bool)
    seen_on: dict[str, npt.NDArray[np.bool_]] = {}
    for letter in par.CAPTURE_ORDER:
        members = [i for i, r in enumerate(reporters) if r.estimation_list == letter]
        for col in members:
            p = 1.0 - np.exp(-rates(reporters[col], stratum, seen_on, heterogeneity))
            seen[:, col] = rng.random(len(p)) < p
        seen_on[letter] = np.asarray(seen[:, members].any(axis=1), dtype=bool)
    return seen
