"""Bilingual words of the factsheet that are not editorial: categories, captions, notes."""

from __future__ import annotations

from victim_monitor.tables.categories import category_label
from victim_monitor.vocab import Label

# Shorter form-group names for chart legends; the data tables use the full labels.
SHORT: dict[str, Label] = {
    "domestic_sexual": Label("Binnenlands seksueel", "Domestic sexual"),
    "cross_border_sexual_non_african": Label(
        "Grensoverschr. seksueel (niet-Afrikaans)", "Cross-border sexual (non-African)"
    ),
    "cross_border_sexual_african": Label(
        "Grensoverschr. seksueel (Afrikaans)", "Cross-border sexual (African)"
    ),
    "labour": Label("Arbeid", "Labour"),
    "criminal": Label("Crimineel", "Criminal"),
}

HIDDEN_MARK = "×"

WORDS: dict[str, Label] = {
    "hidden": Label("niet gepubliceerd", "not published"),
    "rounded_note": Label(
        "Cijfers zijn afgerond op veelvouden van {base}.",
        "Figures are rounded to multiples of {base}.",
    ),
    "data_table": Label("Cijfers bij de grafiek", "Data for the chart"),
    "year": Label("Jaar", "Year"),
    "estimate": Label("Schatting", "Estimate"),
    "registered": Label("In beeld", "Registered"),
    "coverage": Label("Aandeel in beeld", "Share registered"),
    "interval": Label("Interval", "Interval"),
    "coverage_short": Label("Aandeel", "Share"),
    "coverage_note": Label(
        "Schatting met {level} interval, afgerond; aandeel = in beeld / schatting.",
        "Estimate with {level} interval, rounded; share = registered / estimate.",
    ),
    "line_chart": Label("Lijndiagram", "Line chart"),
    "bar_chart": Label("Staafdiagram", "Bar chart"),
    "interval_chart": Label("Puntdiagram met intervallen", "Dot chart with intervals"),
    "in_year": Label("in", "in"),
    "to": Label("tot", "to"),
    "per_year": Label("per jaar", "per year"),
}


def category(dimension: str, code: str) -> Label:
    """The label of a category code of a published table's dimension."""
    return category_label(dimension, code)
