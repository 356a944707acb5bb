"""The classical closed-population models of Rcapture (``closedp.t``), for comparison.

All are Poisson log-linear models on the incomplete 2**m table (Rivest and Baillargeon 2014,
Rivest 2011); ``N = n + exp(intercept)``. With ``k`` the number of lists a cell is on:

- M0: one capture effect, ``k``; Mt: one effect per list;
- Mh / Mth: M0 / Mt plus a heterogeneity term: Chao's lower bound (``max(k - j + 1, 0)`` for
  j = 3..m, coefficients that come out negative are dropped one by one and the model refitted),
  Poisson ``2**k - 1``, Darroch ``k**2 / 2``, Gamma ``-log(3.5 + k) + log(3.5)``.

Rcapture's behavioural models (Mb, Mbh) assume the lists are ordered in time and are left out.

Where R flags a fit (Rcapture's ``infoFit``: the glm did not converge or the asymptotic bias
is large, 1; the design is not of full rank, 2; another glm warning such as fitted rates of 0,
3) so do we (VM538, :func:`warnings`); a model whose dark figure the data do not fix, or go
to 0 or infinity without an estimate (the Fienberg-Rinaldo facial set of its design), is VM537.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from math import log, sqrt

import numpy as np
from numpy.typing import NDArray

from victim_monitor.estimation import codes
from victim_monitor.estimation.existence import not_estimable
from victim_monitor.estimation.fit import PoissonFit, dark_figure, fit_poisson
from victim_monitor.estimation.histories import cell_bits
from victim_monitor.problems import Problem

Floats = NDArray[np.float64]

RCAPTURE_MAXIT = 200
"""Rcapture calls glm with ``control = list(maxit = 200)``."""
ZERO_RATE = 10 * float(np.finfo(np.float64).eps)
"""R's ``glm.fit`` warns "fitted rates numerically 0 occurred" below this (``10 * eps``)."""
LARGE_BIAS = 0.1
"""Rcapture warns "the asymptotic bias is large" when it exceeds a tenth of the estimate."""

MODELS = (
    "m0",
    "mt",
    "mh-chao",
    "mh-poisson",
    "mh-darroch",
    "mh-gamma",
    "mth-chao",
    "mth-poisson",
    "mth-darroch",
    "mth-gamma",
)

LABELS = {
    "m0": "M0",
    "mt": "Mt",
    "mh-chao": "Mh Chao (LB)",
    "mh-poisson": "Mh Poisson2",
    "mh-darroch": "Mh Darroch",
    "mh-gamma": "Mh Gamma3.5",
    "mth-chao": "Mth Chao (LB)",
    "mth-poisson": "Mth Poisson2",
    "mth-darroch": "Mth Darroch",
    "mth-gamma": "Mth Gamma3.5",
}


def heterogeneity(kind: str, k: Floats, m: int) -> Floats:
    """Rcapture's heterogeneity columns as functions of the number of captures ``k``."""
    if kind == "chao":
        if m < 3:
            return np.zeros((k.size, 0))
        return np.column_stack([np.maximum(k - j + 1, 0) for j in range(3, m + 1)])
    if kind == "poisson":
        return (2.0**k - 1.0)[:, None]
    if kind == "darroch":
        return (k**2 / 2.0)[:, None]
    if kind == "gamma":
        return (-np.log(3.5 + k) + log(3.5))[:, None]
    raise ValueError(f"unknown heterogeneity {kind!r}")


def design(name: str, m: int) -> tuple[Floats, int]:
    """Design (intercept first) over cells 1..2**m-1, and its number of non-heterogeneity cols."""
    if name not in MODELS:
        raise ValueError(f"unknown Rcapture model {name!r}")
    bits = cell_bits(m).astype(np.float64)
    k = bits.sum(axis=1)
    base = k[:, None] if name in ("m0",) or name.startswith("mh-") else bits
    x = np.column_stack([np.ones(k.size), base])
    n_base = x.shape[1]
    if "-" in name:
        x = np.column_stack([x, heterogeneity(name.split("-")[1], k, m)])
    return x, n_base


@dataclass(frozen=True, eq=False)
class ClosedFit:
    """An Rcapture-style fit: the estimate, Rcapture's standard error and fit statistics."""

    name: str
    fit: PoissonFit
    x: Floats
    y: Floats
    observed: int
    dropped_eta: int
    m: int
    glm_warnings: tuple[str, ...] = ()
    """R's warnings from every glm fit on the way (Chao's model refits)."""

    @property
    def estimate(self) -> float:
        return self.observed + dark_figure(self.fit.coef[0])

    @property
    def stderr(self) -> float:
        """Rcapture's ``sqrt(exp(b0) + exp(2 b0) var(b0))``."""
        dark = dark_figure(self.fit.coef[0])
        return sqrt(dark + dark**2 * float(self.fit.covariance()[0, 0]))

    @property
    def n_params(self) -> int:
        return int(self.x.shape[1])

    def aic(self) -> float:
        return -2.0 * self.fit.loglik + 2.0 * self.n_params

    def bic(self) -> float:
        return -2.0 * self.fit.loglik + log(self.observed) * self.n_params

    @property
    def asymptotic_bias(self) -> float:
        """Rcapture's first-order bias of ``N`` (``closedp.fitone``; NaN if rank deficient)."""
        if self.fit.rank_deficient:
            return float("nan")
        inverse = self.fit.covariance()
        xi = -0.5 * np.einsum("ij,jk,ik->i", self.x, inverse, self.x)
        psi = -2.0 * self.x.T @ (self.fit.mu * xi)
        psi[0] -= 1.0
        return float(0.5 * dark_figure(self.fit.coef[0]) * -(inverse @ psi)[0])

    def info_fit(self) -> tuple[int, tuple[str, ...]]:
        """Rcapture's ``infoFit`` code and the warnings behind it (0 and none: a clean fit)."""
        found = list(self.glm_warnings)
        if abs(self.asymptotic_bias) > LARGE_BIAS * self.estimate:
            found.append("the asymptotic bias is large")
        digits = {_info_digit(w) for w in found}
        return (int("".join(str(d) for d in sorted(digits))) if digits else 0), tuple(found)

    def wald(self, level: float = 0.95) -> tuple[float, float]:
        """closedp.t's interval: estimate plus or minus z times the standard error."""
        from scipy.stats import norm

        z = float(norm.ppf(0.5 + level / 2.0))
        return self.estimate - z * self.stderr, self.estimate + z * self.stderr


def fit_closed(counts: NDArray[np.int64], m: int, name: str) -> ClosedFit:
    """Fit one of Rcapture's closed-population models to the table's cell counts."""
    x, n_base = design(name, m)
    y = counts.astype(np.float64)
    fit, x, dropped, warned = fit_with_chao(x, y, n_base, name.endswith("chao"))
    return ClosedFit(name, fit, x, y, int(counts.sum()), dropped, m, warned)


def warnings(fitted: ClosedFit) -> list[Problem]:
    """VM537 where the model's estimate is none (:func:`existence.not_estimable`), VM538 where
    Rcapture would flag the fit (its ``infoFit``, with R's own words)."""
    label = LABELS[fitted.name]
    found = not_estimable(
        (fitted.x, fitted.y), fitted.observed, fitted.estimate, f"Rcapture's {label}"
    )
    code, said = fitted.info_fit()
    if code:
        found.append(
            codes.RCAPTURE_FLAG(
                f"Rcapture's infoFit would be {code} for {label}: {'; '.join(said)}"
            )
        )
    return found


def _info_digit(warning: str) -> int:
    """Rcapture's ``getInfo``: 1 convergence or bias, 2 rank, 3 any other warning."""
    if "converge" in warning or "bias is large" in warning:
        return 1
    return 2 if "not of full rank" in warning else 3


def glm_warnings(fit: PoissonFit) -> list[str]:
    """What R's ``glm`` would warn about this fit."""
    found = []
    if not fit.converged:
        found.append("glm.fit: algorithm did not converge")
    if np.any(fit.mu < ZERO_RATE):
        found.append("glm.fit: fitted rates numerically 0 occurred")
    if fit.rank_deficient:
        found.append("design matrix not of full rank")
    return found


def profile_refit(name: str, m: int) -> Callable[[Floats, Floats, Floats | None], PoissonFit]:
    """How ``closedpCI.t`` refits for its profile likelihood: from the full design, with the
    unobserved cell added, dropping negative Chao terms again."""
    x_full, n_base = design(name, m)
    x_aug = np.vstack([x_full, np.eye(1, x_full.shape[1])])
    chao = name.endswith("chao")

    def refit(_x: Floats, y: Floats, _start: Floats | None) -> PoissonFit:
        return fit_with_chao(x_aug, y, n_base, chao)[0]

    return refit


def fit_with_chao(
    x: Floats, y: Floats, n_base: int, chao: bool, start: Floats | None = None
) -> tuple[PoissonFit, Floats, int, tuple[str, ...]]:
    """Fit; for Chao's model drop the first non-positive eta and refit until none is negative.

    Also R's glm warnings from every fit on the way, which Rcapture keeps.
    """
    fit = fit_poisson(x, y, start, like_r=True, max_iter=RCAPTURE_MAXIT)
    warned = glm_warnings(fit)
    dropped = 0
    while chao and x.shape[1] > n_base and np.any(fit.coef[n_base:] < 0):
        first = n_base + int(np.argmax(fit.coef[n_base:] <= 0))
        x = np.delete(x, first, axis=1)
        fit = fit_poisson(x, y, None, like_r=True, max_iter=RCAPTURE_MAXIT)
        warned += glm_warnings(fit)
        dropped += 1
    return fit, x, dropped, tuple(warned)
