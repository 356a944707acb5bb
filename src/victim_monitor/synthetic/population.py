"""The hidden population: true victims per year with their facts, and who saw them.

:func:`generate` is pure and deterministic given the seed: the same configuration gives the
same persons and reports, byte for byte once written.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import numpy as np
import numpy.typing as npt
import pandas as pd

from victim_monitor import vocab
from victim_monitor.synthetic import parameters as par
from victim_monitor.synthetic.capture import Stratum, capture
from victim_monitor.synthetic.config import SyntheticConfig
from victim_monitor.synthetic.names import TrueNames, draw_names
from victim_monitor.synthetic.recording import Reporter, reporters
from victim_monitor.synthetic.reports import ReportFrame, iso_dates, make_reports
from victim_monitor.synthetic.summary import PopulationSummary, summarise

LISTS = ("P", "K", "I", "R", "O", "Z")

#: Ages within the minor group (12-17), weighted towards 15-17.
MINOR_AGES = (np.arange(12, 18), np.array([0.05, 0.08, 0.14, 0.20, 0.25, 0.28]))


@dataclass(frozen=True)
class Population:
    """A synthetic population with known truth.

    ``persons``: one row per true victim, hidden or registered (columns in
    ``docs/methods/synthetic.md``). ``reports``: one row per organisation report, with the
    raw columns as that organisation recorded them and the true ``person_id``.
    """

    config: SyntheticConfig
    persons: pd.DataFrame
    reports: pd.DataFrame

    def summary(self) -> PopulationSummary:
        """Registered and true counts per year, form group, list, and list overlaps."""
        return summarise(self.persons, self.reports)


def generate(config: SyntheticConfig | None = None) -> Population:
    """Draw a hidden population and the reports organisations make about it."""
    config = SyntheticConfig() if config is None else config
    rng = np.random.default_rng(config.seed)
    facts = _facts(config, rng)
    orgs = reporters()
    stratum = Stratum(
        year=facts["year"],
        form=facts["form"],
        age=facts["age_index"],
        dublin=facts["dublin_claimant"] == "yes",
        border_crossed=facts["border_crossed"] == "yes",
        non_eu=np.isin(facts["nationality_group"], ["african", "other_non_eu"]),
        visibility=facts["visibility"],
        orientation=facts["orientation"],
    )
    seen = capture(stratum, orgs, rng, config.heterogeneity)
    _aftermath(facts, seen[:, [r.code for r in orgs].index("POL")], rng)
    # Difficulty draws come from their own stream: the standard population stays as it was.
    extra = np.random.default_rng([config.seed, 12])
    names = draw_names(facts["nationality"], facts["sex"] == "female", rng, config.names, extra)
    frame = ReportFrame(facts=facts, names=names, seen=seen, reporters=orgs)
    reports, first_date = make_reports(frame, config, rng, extra)
    persons = _persons_table(facts, names, seen, orgs, reports, first_date)
    return Population(config=config, persons=persons, reports=reports)


def _choice(
    rng: np.random.Generator, weights: dict[str, float], size: int
) -> npt.NDArray[np.object_]:
    keys = np.array(list(weights), dtype=object)
    p = np.array(list(weights.values()), dtype=float)
    return keys[rng.choice(len(keys), size=size, p=p / p.sum())]


@cache
def _nationality_group(alpha2: str) -> str:
    return str(vocab.nationality_group(alpha2))


def _facts(config: SyntheticConfig, rng: np.random.Generator) -> dict[str, np.ndarray]:
    """True facts of every person, as parallel arrays (vectorised per year and form)."""
    years: list[npt.NDArray[np.int64]] = []
    forms: list[npt.NDArray[np.int64]] = []
    for y in config.years:
        sizes = par.TRUE_VICTIMS[par.PARAMETER_YEARS[par.year_index(y)]]
        for f, size in enumerate(sizes):
            count = round(size * config.scale)
            years.append(np.full(count, y, dtype=np.int64))
            forms.append(np.full(count, f, dtype=np.int64))
    year = np.concatenate(years)
    form = np.concatenate(forms)
    n = len(year)

    shares = np.array(par.AGE_SHARES)[form]
    u = rng.random(n)
    age_index = np.where(u < shares[:, 0], 0, np.where(u < shares.sum(axis=1), 1, 2))
    u = rng.random(n)
    female = u < np.array(par.FEMALE_SHARE)[form]
    sex = np.where(female, "female", "male").astype(object)
    sex[rng.random(n) < par.OTHER_SEX_SHARE] = "other_unknown"

    nationality = np.empty(n, dtype=object)
    for f, weights in enumerate(par.NATIONALITIES):
        idx = np.flatnonzero(form == f)
        nationality[idx] = _choice(rng, weights, idx.size)
    nat_group = np.array([_nationality_group(c) for c in nationality], dtype=object)
    dutch, african = nat_group == "dutch", nat_group == "african"
    non_eu = np.isin(nat_group, ["african", "other_non_eu"])

    # when the victim came into view of the world (a day in the year), and ages
    start = (year - 1970).astype("datetime64[Y]").astype("datetime64[D]")
    days = ((year - 1969).astype("datetime64[Y]").astype("datetime64[D]") - start).astype(np.int64)
    event = start + (rng.random(n) * days).astype(np.int64)
    age_years = np.where(
        age_index == 0,
        rng.choice(MINOR_AGES[0], size=n, p=MINOR_AGES[1]),
        np.where(
            age_index == 1,
            rng.integers(18, 23, n),
            23 + np.minimum(rng.gamma(2.0, 6.0, n), 42.0).astype(np.int64),
        ),
    )
    birth = event - (age_years * 365.25 + rng.random(n) * 364).astype(np.int64)

    by_year = np.array(config.years)
    african_share = np.array([par.for_year(par.DUBLIN_SHARE_AFRICAN, y) for y in config.years])
    other_share = np.array([par.for_year(par.DUBLIN_SHARE_OTHER_NON_EU, y) for y in config.years])
    at = np.searchsorted(np.sort(by_year), year)
    order = np.argsort(by_year)
    dublin_share = np.where(
        (form == par.CBA) & african,
        african_share[order][at],
        np.where(non_eu, other_share[order][at], 0.0),
    )
    dublin = (rng.random(n) < dublin_share) & (age_index > 0)

    sexual = form <= par.CBA
    border = np.where(
        form == par.DS,
        False,
        np.where(sexual, True, ~dutch & (rng.random(n) < par.FOREIGN_BORDER_SHARE)),
    )
    kinds = np.where(sexual, "sexual", np.where(form == par.LAB, "labour", "criminal"))
    kinds = kinds.astype(object)
    u = rng.random(n)
    kinds[sexual & (u < par.EXTRA_LABOUR_SHARE_SEXUAL)] = "sexual;labour"
    kinds[(form == par.CRIM) & (u < par.EXTRA_LABOUR_SHARE_CRIMINAL)] = "labour;criminal"
    kinds[(form == par.LAB) & (u < par.OTHER_KIND_SHARE_LABOUR)] = "labour;other"
    kinds[(form == par.LAB) & (u > 1 - par.ORGAN_REMOVAL_SHARE_LABOUR)] = "labour;organ_removal"

    sector = np.where(sexual, "sex_industry", "criminal_activities").astype(object)
    labour = np.flatnonzero(form == par.LAB)
    sector[labour] = _choice(rng, par.LABOUR_SECTORS, labour.size)

    country = np.full(n, "NL", dtype=object)
    abroad = np.flatnonzero(dublin & (form == par.CBA))
    country[abroad] = _choice(rng, par.DUBLIN_EXPLOITATION_COUNTRIES, abroad.size)
    dutch_abroad = np.flatnonzero(dutch & border)
    country[dutch_abroad] = _choice(rng, {"DE": 0.5, "BE": 0.5}, dutch_abroad.size)

    facts: dict[str, np.ndarray] = {
        "year": year,
        "form": form,
        "age_index": age_index,
        "event_date": event,
        "birth_date": birth,
        "sex": sex,
        "nationality": nationality,
        "nationality_group": nat_group,
        "exploitation": kinds,
        "border_crossed": np.where(border, "yes", "no").astype(object),
        "sector": sector,
        "country_of_exploitation": country,
        "dublin_claimant": np.where(dublin, "yes", "no").astype(object),
        "visibility": rng.standard_normal(n),
        "orientation": rng.standard_normal(n),
    }
    _check_form_rule(facts)
    return facts


def _check_form_rule(facts: dict[str, np.ndarray]) -> None:
    """The vocabulary's form rule must give each person the form they were drawn in."""
    combos = pd.DataFrame(
        {k: facts[k] for k in ("exploitation", "border_crossed", "nationality_group", "form")}
    ).drop_duplicates()
    for kinds, border, group, form in combos.itertuples(index=False):
        derived = vocab.form_group(
            frozenset(vocab.ExploitationKind(k) for k in str(kinds).split(";")),
            vocab.YesNoUnknown(border),
            vocab.NationalityGroup(group),
        )
        if derived != par.FORMS[int(form)]:
            raise AssertionError(f"form rule gives {derived} for {kinds}/{border}/{group}")


def _aftermath(
    facts: dict[str, np.ndarray], police: npt.NDArray[np.bool_], rng: np.random.Generator
) -> None:
    """Police report and residence permit follow from who saw the victim."""
    dublin = facts["dublin_claimant"] == "yes"
    p_report = np.where(
        police,
        np.where(dublin, par.POLICE_REPORT_IF_SEEN_DUBLIN, par.POLICE_REPORT_IF_SEEN),
        par.POLICE_REPORT_IF_UNSEEN,
    )
    reported = rng.random(len(police)) < p_report
    facts["police_report"] = np.where(reported, "yes", "no").astype(object)
    # Permits under the trafficking scheme (B8/3) need a police report; since 2018 Dublin
    # claimants are refused more often (factsheet: the scheme was narrowed for them).
    non_eu = np.isin(facts["nationality_group"], ["african", "other_non_eu"])
    late = (facts["year"] >= 2018) & dublin
    u = rng.random(len(police))
    granted = np.where(late, 0.2, 0.5)
    refused = np.where(late, 0.45, 0.15)
    with_report = np.where(
        u < granted, "granted", np.where(u < granted + refused, "refused", "applied")
    )
    without = np.where(u < 0.85, "none", np.where(u < 0.95, "applied", "refused"))
    permit = np.where(reported, with_report, without)
    facts["residence_permit"] = np.where(non_eu, permit, "none").astype(object)


def _age_on(birth: np.ndarray, day: np.ndarray) -> npt.NDArray[np.int64]:
    """Whole years between two date arrays."""
    by, bm, bd = _ymd(birth)
    dy, dm, dd = _ymd(day)
    before = (dm < bm) | ((dm == bm) & (dd < bd))
    age: npt.NDArray[np.int64] = (dy - by - before).astype(np.int64)
    return age


def _ymd(dates: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    years = dates.astype("datetime64[Y]")
    months = dates.astype("datetime64[M]")
    return (
        years.astype(np.int64) + 1970,
        (months - years).astype(np.int64) + 1,
        (dates - months).astype(np.int64) + 1,
    )


def _persons_table(
    facts: dict[str, np.ndarray],
    names: TrueNames,
    seen: npt.NDArray[np.bool_],
    orgs: tuple[Reporter, ...],
    reports: pd.DataFrame,
    first_date: np.ndarray,
) -> pd.DataFrame:
    """The truth: one row per person, hidden or registered."""
    n = len(facts["year"])
    registered = seen.any(axis=1)
    reference = np.where(registered, first_date, facts["event_date"])
    age = _age_on(facts["birth_date"], reference)
    age_group = np.array([str(vocab.age_group(a)) for a in range(121)], dtype=object)
    lists = np.array([o.estimation_list for o in orgs])
    history = np.full(n, "", dtype=object)
    for letter in LISTS:
        on_list = seen[:, lists == letter].any(axis=1)
        history[on_list] = history[on_list] + letter
    counts = reports["person_id"].value_counts()
    person_id = np.arange(1, n + 1)
    forms = np.array([str(f) for f in par.FORMS], dtype=object)
    return pd.DataFrame(
        {
            "person_id": person_id,
            "year": facts["year"],
            "reference_date": iso_dates(reference),
            "sex": facts["sex"],
            "birth_date": iso_dates(facts["birth_date"]),
            "age": age,
            "age_group": age_group[np.clip(age, 0, 120)],
            "nationality": facts["nationality"],
            "nationality_group": facts["nationality_group"],
            "exploitation": facts["exploitation"],
            "border_crossed": facts["border_crossed"],
            "form_group": forms[facts["form"]],
            "sector": facts["sector"],
            "country_of_exploitation": facts["country_of_exploitation"],
            "dublin_claimant": facts["dublin_claimant"],
            "residence_permit": facts["residence_permit"],
            "police_report": facts["police_report"],
            "visibility": np.round(facts["visibility"], 6),
            "orientation": np.round(facts["orientation"], 6),
            "registered": registered,
            "capture_history": history,
            "n_reports": counts.reindex(person_id, fill_value=0).to_numpy(),
            "name_origin": names.origin,
            "first_name": names.first,
            "second_given_name": names.second,
            "last_name": names.last,
        }
    )
