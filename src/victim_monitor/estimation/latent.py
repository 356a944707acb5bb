"""Latent classes: the Bayesian non-parametric latent-class model of LCMCR (Manrique-Vallier 2016).

Model. Each person, seen or not, belongs to one of ``K`` latent classes; within class ``k`` the
lists register independently, list ``j`` with probability ``lambda_jk``. Class weights ``nu``
are a Dirichlet process truncated at ``K`` by stick breaking (``V_k ~ Beta(1, alpha)``,
``V_K = 1``), so the data decide how many classes are used. Priors as LCMCR 0.4.14:
``lambda_jk ~ Beta(1, 1)``, ``alpha ~ Gamma(a_alpha, b_alpha)`` (rate) with 0.25 and 0.25, and
``p(N) ∝ 1/N`` for the total. Heterogeneity in who gets seen is then the mixture, not a term.

Sampler. LCMCR's Gibbs sampler (``CNPLCM_CR_Basic_Freq::Update``), on the distinct capture
patterns with their counts: the classes of each pattern's persons (multinomial), ``lambda``
(Beta, drawn as log gammas), the sticks, the probability ``pi0`` of being on no list, the
unseen ``n0 ~ NegBin(n, 1 - pi0)`` (the ``1/N`` prior makes it negative binomial; draws above
``20 n`` are redrawn, as LCMCR does), the unseen persons' classes, then ``alpha``. Start as
LCMCR: ``lambda`` at the lists' observed shares, ``alpha = 0.3 / K``, 500 warm-up sweeps
without the ``alpha`` step, classes relabelled by decreasing weight. The posterior of
``N = n + n0`` is kept every ``thinning`` sweeps after ``burnin``. Compiled with Numba (decision
0012): LCMCR's default chain is 20,500 sweeps of a few hundred small draws each, far too many
for NumPy calls per sweep. Method note: ``docs/methods/estimation.md``, "Latent classes".
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar, cast

import numba
import numpy as np
from numpy.typing import NDArray

from victim_monitor.estimation import codes
from victim_monitor.estimation.codes import EstimationError
from victim_monitor.estimation.histories import CaptureHistoryTable, cell_bits
from victim_monitor.estimation.intervals import Interval
from victim_monitor.estimation.result import ModelEstimate, PopulationEstimate
from victim_monitor.problems import Problem

Floats = NDArray[np.float64]
Ints = NDArray[np.int64]

WARMUP = 500
"""LCMCR's fixed warm-up sweeps at initialisation (``Initializes``), before the burn-in."""
MAX_UNSEEN_FACTOR = 20
"""LCMCR redraws ``n0`` while it exceeds 20 times the observed count (``sam_n0``)."""
LOW_ESS = 100
"""Fewer effective draws than this and the interval's limits move with the seed (VM540)."""
CAP_SHARE = 0.9
"""An upper limit above this share of the cap ``21 n`` is the cap's doing (VM541)."""


@dataclass(frozen=True)
class Chain:
    """Settings of the Gibbs sampler; the defaults are LCMCR's (``lcmCR``, ``lcmCR_PostSampl``)."""

    burnin: int = 10_000
    samples: int = 1_000
    thinning: int = 10
    classes: int = 5
    """``K``, the truncation of the Dirichlet process (an upper bound on the classes used)."""
    a_alpha: float = 0.25
    b_alpha: float = 0.25

    def problems(self) -> list[str]:
        """What is wrong with these settings (empty when they can run)."""
        found = []
        if self.burnin < 0 or self.samples < 1 or self.thinning < 1:
            found.append("burnin must be >= 0, samples and thinning >= 1")
        if not 1 <= self.classes <= 100:
            found.append("the number of latent classes K must be between 1 and 100")
        if not (self.a_alpha > 0 and self.b_alpha > 0):
            found.append("the Gamma prior of alpha needs a_alpha > 0 and b_alpha > 0")
        return found

    def as_dict(self) -> dict[str, Any]:
        return {
            "burnin": self.burnin,
            "samples": self.samples,
            "thinning": self.thinning,
            "K": self.classes,
            "a_alpha": self.a_alpha,
            "b_alpha": self.b_alpha,
            "warmup": WARMUP,
        }


@dataclass(frozen=True)
class Posterior:
    """The kept draws of one chain: the total ``N``, the classes in use, and ``alpha``."""

    population: Ints
    classes_used: Ints
    alpha: Floats
    observed: int
    chain: Chain
    seed: int
    redrawn: int = 0
    """How often ``n0`` exceeded ``20 n`` and was redrawn (LCMCR does so silently)."""

    def quantiles(self, level: float) -> tuple[float, float, float]:
        """Median and the equal-tailed interval (R's default type 7 quantiles, as LCMCR users)."""
        tail = (1 - level) / 2
        low, mid, high = np.quantile(self.population, [tail, 0.5, 1 - tail])
        return float(mid), float(low), float(high)

    def effective_size(self) -> float:
        """Effective number of independent draws of ``N`` (Geyer's initial monotone sequence)."""
        return effective_size(self.population.astype(np.float64))


def sample(counts: Ints, m: int, chain: Chain, seed: int) -> Posterior:
    """Run LCMCR's sampler on a table's cell counts (``counts[c - 1]`` for cell ``c``)."""
    keep = np.flatnonzero(counts > 0)
    patterns = np.ascontiguousarray(cell_bits(m)[keep])
    freq = np.ascontiguousarray(counts[keep], dtype=np.int64)
    rng = np.random.Generator(np.random.PCG64(seed))
    unseen, used, alpha, redrawn = _run_chain(
        patterns,
        freq,
        chain.classes,
        np.array([chain.a_alpha, chain.b_alpha]),
        WARMUP,
        chain.burnin,
        chain.samples,
        chain.thinning,
        MAX_UNSEEN_FACTOR,
        rng,
    )
    observed = int(freq.sum())
    return Posterior(unseen + observed, used, alpha, observed, chain, seed, int(redrawn))


def effective_size(draws: Floats) -> float:
    """``n / tau`` with ``tau`` from the autocorrelations summed in pairs while positive and
    made monotone (Geyer 1992), as ``coda``/``mcmcse`` users would compute it."""
    n = draws.size
    centred = draws - draws.mean()
    if n < 4 or not centred.any():
        return float(n)
    spectrum = np.fft.rfft(centred, 2 * n)
    acov = np.fft.irfft(spectrum * np.conj(spectrum))[:n]
    rho = acov / acov[0]
    pairs = rho[: n - n % 2 : 2] + rho[1 : n - n % 2 : 2]
    negative = np.flatnonzero(pairs <= 0)
    pairs = pairs[: negative[0] if negative.size else pairs.size]
    tau = -1.0 + 2.0 * float(np.minimum.accumulate(pairs).sum())
    return float(n / max(tau, 1.0 / n))


def estimate_latent(
    table: CaptureHistoryTable, chain: Chain, seed: int, level: float
) -> PopulationEstimate:
    """The latent-class estimate: posterior median, equal-tailed posterior interval, chain
    diagnostics. Raises :class:`EstimationError` (VM514) on settings that cannot run."""
    wrong = chain.problems() + ([] if seed >= 0 else ["the seed must be a whole number >= 0"])
    if wrong:
        raise EstimationError(codes.UNKNOWN_METHOD("; ".join(wrong), file=table.source))
    posterior = sample(table.counts, table.n_lists, chain, seed)
    median, low, high = posterior.quantiles(level)
    draws = posterior.population.astype(np.float64)
    ess = posterior.effective_size()
    sd = float(draws.std(ddof=1)) if draws.size > 1 else 0.0
    diagnostics: dict[str, Any] = {
        "posterior_mean": float(draws.mean()),
        "posterior_sd": sd,
        "effective_sample_size": ess,
        "mcse_mean": sd / math.sqrt(ess),
        "classes_used_mean": float(posterior.classes_used.mean()),
        "alpha_mean": float(posterior.alpha.mean()),
        "unseen_redrawn": posterior.redrawn,
        "chain": chain.as_dict(),
        "sampler": "LCMCR 0.4.14's Gibbs sampler (Manrique-Vallier 2016), compiled with Numba",
    }
    return PopulationEstimate(
        observed=table.observed,
        estimate=median,
        interval=Interval(low, high, level, "posterior", {"draws": chain.samples}),
        method="latent-class",
        lists=table.lists,
        model=ModelEstimate((), f"latent classes (K<={chain.classes})", median),
        diagnostics=diagnostics,
        warnings=tuple(table.warnings) + tuple(_warnings(posterior, ess, high, table.source)),
        settings={"method": "latent-class", "level": level, "seed": seed, **chain.as_dict()},
    )


def _warnings(posterior: Posterior, ess: float, high: float, source: str | None) -> list[Problem]:
    found = []
    if ess < min(LOW_ESS, posterior.chain.samples):
        found.append(
            codes.POOR_MIXING(
                f"only {ess:.0f} effective draws of {posterior.chain.samples}: another seed "
                "would move the median and limits; run a longer chain (burnin 100000, "
                "thinning 100)",
                file=source,
            )
        )
    cap = posterior.observed * (1 + MAX_UNSEEN_FACTOR)
    if high > CAP_SHARE * cap:
        found.append(
            codes.AT_THE_CAP(
                f"the upper limit {high:,.0f} is near the sampler's cap of {cap:,} (LCMCR redraws "
                f"the unseen above {MAX_UNSEEN_FACTOR} times the registered): the upper tail is "
                "the cap's, not the data's",
                file=source,
            )
        )
    return found


# The compiled sampler. Each step names the LCMCR function it follows; the draws come from one
# NumPy Generator (PCG64), so a seed gives the same chain in every process. The helpers are
# inlined into one cached function, written as scalar loops (a cold compile takes about 10 s of
# CPU, once per machine; later processes load it from the cache in about a second).

F = TypeVar("F", bound=Callable[..., Any])
SMALL_DRAW = 24
"""Up to this many persons a pattern's classes are drawn one by one (a uniform each, ~20 ns)
rather than by K - 1 binomials (~250 ns each in Numba)."""


def _inline(func: F) -> F:
    return cast(F, numba.njit(inline="always", error_model="numpy")(func))


def _cached(func: F) -> F:
    # error_model="numpy": a division by zero gives inf as in LCMCR's C++ (alpha can reach 0)
    return cast(F, numba.njit(cache=True, error_model="numpy")(func))


@_inline
def _log_gamma(rng: np.random.Generator, shape: float) -> float:
    """Log of a Gamma(shape, 1) draw; below shape 0.5 by Robert and Casella's trick, as
    LCMCR's ``dan_log_gamma_1`` (a small ``alpha`` would otherwise underflow to log 0)."""
    if shape < 0.5:
        return math.log(1.0 - rng.random()) / shape + math.log(rng.standard_gamma(1.0 + shape))
    return math.log(rng.standard_gamma(shape))


@_inline
def _multinomial(rng: np.random.Generator, n: int, weights: Floats, out: Ints) -> None:
    """``n`` draws over unnormalised ``weights``: one category per draw for a few draws (as
    LCMCR for a single person), else conditional binomials (GSL's method)."""
    total = 0.0
    for k in range(weights.size):
        out[k] = 0
        total += weights[k]
    if n <= SMALL_DRAW:
        for _ in range(n):
            u = rng.random() * total
            k = 0
            cumulative = weights[0]
            while cumulative <= u and k < weights.size - 1:
                k += 1
                cumulative += weights[k]
            out[k] += 1
        return
    left = n
    for k in range(weights.size):
        if left == 0:
            break
        share = weights[k] / total if total > 0 else 1.0
        drawn = left if share >= 1.0 or k == weights.size - 1 else rng.binomial(left, share)
        out[k] = drawn
        left -= drawn
        total -= weights[k]


@_inline
def _largest(values: Floats) -> float:
    top = -math.inf
    for v in values:
        top = max(top, v)
    return top


@_inline
def _log_add(a: float, b: float) -> float:
    """``log(exp(a) + exp(b))`` without overflow (LCMCR's ``dan_log_sum``)."""
    if a < b:
        a, b = b, a
    return a + math.log1p(math.exp(b - a)) if b > -math.inf else a


@_inline
def _sticks(rng: np.random.Generator, first: Floats, second: Floats, log_nu: Floats) -> None:
    """Stick breaking in logs: ``V_k ~ Beta(first_k, second_k)`` drawn as two log gammas."""
    rest = 0.0
    for k in range(log_nu.size - 1):
        g1 = _log_gamma(rng, first[k])
        g2 = _log_gamma(rng, second[k])
        both = _log_add(g1, g2)
        log_nu[k] = g1 - both + rest
        rest += g2 - both
    log_nu[-1] = rest


@_inline
def _sweep(
    rng: np.random.Generator,
    x: Ints,
    freq: Ints,
    log_nu: Floats,
    log_lam: Floats,
    count_z: Ints,
    count0: Ints,
    state: Floats,
    with_alpha: bool,
    prior: Floats,
    n: int,
    cap: int,
) -> tuple[int, int]:
    """One Gibbs sweep (``Update``), in place; ``state`` is ``[alpha, n0]``, ``prior``
    ``[a_alpha, b_alpha]``. Returns the classes in use and how often ``n0`` was redrawn."""
    n_cells, n_lists = x.shape
    k_max = log_nu.size
    weights = np.empty(k_max)
    # sam_countzIK: the classes of each pattern's persons
    for c in range(n_cells):
        for k in range(k_max):
            weights[k] = log_nu[k]
            for j in range(n_lists):
                weights[k] += log_lam[j, k, x[c, j]]
        top = _largest(weights)
        for k in range(k_max):
            weights[k] = math.exp(weights[k] - top)
        _multinomial(rng, freq[c], weights, count_z[c])
    # sam_lambda: Beta(1 + on the list, 1 + off it), the unseen being off every list
    members = np.empty(k_max, dtype=np.int64)
    for j in range(n_lists):
        for k in range(k_max):
            on = 0
            off = count0[k]
            for c in range(n_cells):
                if x[c, j]:
                    on += count_z[c, k]
                else:
                    off += count_z[c, k]
            if j == 0:
                members[k] = on + off
            a = _log_gamma(rng, 1.0 + on)
            b = _log_gamma(rng, 1.0 + off)
            both = _log_add(a, b)
            log_lam[j, k, 1] = a - both
            log_lam[j, k, 0] = b - both
    # sam_nu: Beta(1 + members, alpha + persons in later classes), the previous n0 included
    first = np.empty(k_max)
    later = np.empty(k_max)
    rest = state[0] + state[1] + n
    for k in range(k_max):
        first[k] = 1.0 + members[k]
        rest -= members[k]
        later[k] = rest
    _sticks(rng, first, later, log_nu)
    # compute_probs_miss, sam_n0: NegBin(n, 1 - pi0), redrawn above cap * n as LCMCR
    for k in range(k_max):
        weights[k] = log_nu[k]
        for j in range(n_lists):
            weights[k] += log_lam[j, k, 0]
    top = _largest(weights)
    pi0 = 0.0
    for k in range(k_max):
        pi0 += math.exp(weights[k])
        weights[k] = math.exp(weights[k] - top)
    success = max(1.0 - pi0, 1e-12)
    drawn = rng.negative_binomial(n, success)
    redrawn = 0
    while drawn > cap * n and redrawn < 100_000:  # a bound LCMCR lacks; never reached here
        redrawn += 1
        drawn = rng.negative_binomial(n, success)
    drawn = min(drawn, cap * n)
    # sam_z0x0: the unseen persons' classes
    _multinomial(rng, drawn, weights, count0)
    # sam_alpha: Gamma(a + K - 1, rate b - sum of log(1 - V)), not in the warm-up
    if with_alpha:
        state[0] = rng.gamma(prior[0] + k_max - 1.0, 1.0 / (prior[1] - log_nu[-1]))
    state[1] = drawn
    used = 0
    for k in range(k_max):
        used += members[k] > 0
    return used, redrawn


@_inline
def _relabel(log_nu: Floats, log_lam: Floats, count_z: Ints, count0: Ints) -> None:
    """Classes in decreasing weight (insertion sort by swaps; K is small)."""
    for k in range(1, log_nu.size):
        i = k
        while i > 0 and log_nu[i - 1] < log_nu[i]:
            log_nu[i - 1], log_nu[i] = log_nu[i], log_nu[i - 1]
            count0[i - 1], count0[i] = count0[i], count0[i - 1]
            for c in range(count_z.shape[0]):
                count_z[c, i - 1], count_z[c, i] = count_z[c, i], count_z[c, i - 1]
            for j in range(log_lam.shape[0]):
                for v in range(2):
                    log_lam[j, i - 1, v], log_lam[j, i, v] = log_lam[j, i, v], log_lam[j, i - 1, v]
            i -= 1


@_cached
def _run_chain(
    x: Ints,
    freq: Ints,
    k_max: int,
    prior: Floats,
    warmup: int,
    burnin: int,
    samples: int,
    thinning: int,
    cap: int,
    rng: np.random.Generator,
) -> tuple[Ints, Ints, Floats, int]:
    """LCMCR's ``Initializes`` (start, warm-up, relabelling), burn-in and thinned sampling:
    the kept ``n0``, classes in use and ``alpha``, and the number of ``n0`` redraws."""
    n_cells, n_lists = x.shape
    n = 0
    for c in range(n_cells):
        n += freq[c]
    log_lam = np.empty((n_lists, k_max, 2))
    for j in range(n_lists):
        on = 0
        for c in range(n_cells):
            on += freq[c] * x[c, j]
        for k in range(k_max):  # the list's observed share; an empty or full list gives log 0
            log_lam[j, k, 1] = math.log(on / n) if on > 0 else -math.inf
            log_lam[j, k, 0] = math.log1p(-on / n) if on < n else -math.inf
    log_nu = np.empty(k_max)
    ones = np.empty(k_max)
    for k in range(k_max):
        ones[k] = 1.0
    _sticks(rng, ones, ones, log_nu)
    count_z = np.zeros((n_cells, k_max), dtype=np.int64)
    count0 = np.zeros(k_max, dtype=np.int64)
    state = np.empty(2)
    state[0] = 0.3 / k_max
    state[1] = 0.0
    unseen = np.empty(samples, dtype=np.int64)
    used = np.empty(samples, dtype=np.int64)
    alpha = np.empty(samples)
    redrawn = 0
    for i in range(warmup + burnin + samples * thinning):
        if i == warmup:  # permute_latent_classes_by_nu: the largest class first
            _relabel(log_nu, log_lam, count_z, count0)
        k_used, again = _sweep(
            rng, x, freq, log_nu, log_lam, count_z, count0, state, i >= warmup, prior, n, cap
        )
        redrawn += again
        kept = i + 1 - warmup - burnin
        if kept > 0 and kept % thinning == 0:
            unseen[kept // thinning - 1] = int(state[1])
            used[kept // thinning - 1] = k_used
            alpha[kept // thinning - 1] = state[0]
    return unseen, used, alpha, redrawn
