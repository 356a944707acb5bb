"""A synthetic population of trafficking victims with known truth, and the files it yields.

:func:`generate` draws a hidden population per year and the reports each organisation makes
about the victims it sees (with the spelling, coding and date variants real files show; a
difficulty level sets how many share a name and how often names and dates vary);
:func:`write` writes each organisation's raw files and the truth beside them. The model and
its calibration: ``docs/methods/synthetic.md``.
"""

from victim_monitor.synthetic.config import DIFFICULTIES, NamePools, SyntheticConfig, VariantRates
from victim_monitor.synthetic.files import SyntheticFiles, write
from victim_monitor.synthetic.population import LISTS, Population, generate
from victim_monitor.synthetic.reports import RAW_COLUMNS
from victim_monitor.synthetic.summary import PopulationSummary

__all__ = [
    "DIFFICULTIES",
    "LISTS",
    "RAW_COLUMNS",
    "NamePools",
    "Population",
    "PopulationSummary",
    "SyntheticConfig",
    "SyntheticFiles",
    "VariantRates",
    "generate",
    "write",
]
