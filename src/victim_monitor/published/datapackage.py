"""The publication as a Frictionless data package: ``datapackage.json`` beside its CSV files.

A resource per published CSV file with its Table Schema (Data Package v2,
https://datapackage.org): field names and types, descriptions and category labels from the
table's definition, the SHA-256 and size of the file, and what an empty value means. In the
tables an empty ``value`` is a suppressed cell (outcome ``suppressed``); the package says so in
the field, in ``missingValues`` and in the custom ``disclosure`` property, which also carries
the disclosure policy and the audit's counts. The JSON files and the workbook are not
resources: they are not flat tables (``manifest.json`` lists them).
"""

from __future__ import annotations

import csv
import hashlib
from collections.abc import Mapping
from typing import Any

from victim_monitor.published.model import OUTCOMES, TOTAL, Publication, PublishedTable
from victim_monitor.published.sdmx import CONFIDENTIAL, DATAFLOWS, SEX, Dataflow

PROFILE = "https://datapackage.org/profiles/2.0/datapackage.json"
# Open data, reusable with attribution. The default of every publication; change it here.
LICENCE = {
    "name": "CC-BY-4.0",
    "path": "https://creativecommons.org/licenses/by/4.0/",
    "title": "Creative Commons Attribution 4.0 International",
}
DIALECT = {"header": True, "delimiter": ",", "lineTerminator": "\n", "quoteChar": '"',
           "doubleQuote": True}  # fmt: skip
KEYWORDS = ("human trafficking", "mensenhandel", "victims", "slachtoffers",
            "multiple systems estimation", "Eurostat THB")  # fmt: skip
SUPPRESSED = (
    "Empty when the cell is suppressed (outcome 'suppressed'): not published, to protect "
    "victims. Whether it was hidden because it is small or to protect another cell is not "
    "published."
)

ESTIMATE_FIELDS: dict[str, tuple[str, str]] = {
    "method": ("string", "The estimation method of this row (estimates.json method_labels); "
               "for comparison with the published method, not for use in place of it"),
    "year": ("string", "The year of first report"),
    "registered": ("integer", "Registered victims: the published count of the year "
                   "(victims_by_year); empty when that cell is suppressed"),
    "estimate": ("number", "Estimated number of victims, rounded; empty when not estimable"),
    "low": ("number", "Lower limit of the estimate's interval"),
    "high": ("number", "Upper limit of the estimate's interval"),
    "interval_method": ("string", "How the interval was made"),
    "coverage": ("number", "Share of the estimated victims that is registered: "
                 "registered / estimate"),
    "coverage_low": ("number", "Lower limit of the coverage (registered / high)"),
    "coverage_high": ("number", "Upper limit of the coverage (registered / low)"),
    "model": ("string", "The model the estimate comes from"),
    "warnings": ("string", "The estimation's warnings as VM5xx codes joined by ';' "
                 "(docs/errors.md)"),
    "not_estimable": ("string", "Why there is no estimate, a reason code "
                      "(docs/methods/estimation.md); empty when there is one"),
    "basis": ("string", "'year': estimated on that year's persons; 'pooled_years': from the "
              "registered share over all years; 'published': an estimate published before, "
              "for the year or a period holding it"),
    "source": ("string", "Where the estimate was published (a publication made from "
               "published figures)"),
}  # fmt: skip
TREND_FIELDS: dict[str, tuple[str, str]] = {
    "id": ("string", "table/dim=code;dim=code/from years/to years"),
    "table": ("string", "The published table of the counts"),
    "key": ("string", "The non-year categories of the counts, as dim=code;dim=code"),
    "from": ("string", "The years of the first period, joined by '+'"),
    "to": ("string", "The years of the second period, joined by '+'"),
    "from_value": ("number", "Mean count per year over the first period"),
    "to_value": ("number", "Mean count per year over the second period"),
    "ratio": ("number", "to_value / from_value"),
    "low": ("number", "Lower limit of the ratio's interval"),
    "high": ("number", "Upper limit of the ratio's interval"),
    "change": ("number", "Relative change, ratio - 1"),
    "direction": ("string", "'up' or 'down' when the whole interval lies above or below 1, "
                  "else 'none'"),
    "source": ("string", "Where the period's mean was published (a publication made from "
               "published figures)"),
}  # fmt: skip
NOT_AVAILABLE = (
    "Empty too when the publication was made from published figures and none was published "
    "for the cell (outcome 'not_available'): not known, not zero."
)
SOURCE_FIELD = {
    "name": "source", "type": "string", "title": "Source",
    "description": "Where the figure was published before: a publication made from published "
    "figures (victim-monitor publish --from-figures) names the source of every cell",
}  # fmt: skip


def data_package(pub: Publication, csvs: Mapping[str, str]) -> dict[str, Any]:
    """The descriptor of ``datapackage.json`` for the CSV files ``csvs`` (path -> text)."""
    resources = []
    flows = {flow.path: flow for flow in DATAFLOWS}
    for path, text in csvs.items():
        if path.startswith("tables/"):
            table = pub.tables[path.removeprefix("tables/").removesuffix(".csv")]
            resources.append(_table_resource(pub, table, path, text))
        elif path in flows:
            resources.append(_sdmx_resource(pub, flows[path], path, text))
        else:
            resources.append(_other_resource(pub, path, text))
    first, last = pub.years[0], pub.years[-1]
    return {
        "$schema": PROFILE,
        "name": f"victim-monitor-{first}-{last}",
        "title": pub.title.en,
        "description": (
            f"{pub.title.en}: registered victims of human trafficking {first}-{last}, "
            "protected by disclosure control, with estimates of the number not registered, "
            f"trends and the Eurostat THB tables as SDMX-CSV.\n\n{pub.title.nl}."
        ),
        "keywords": list(KEYWORDS),
        "licenses": [LICENCE],
        "sources": [_source(pub)],
        "disclosure": {
            "note": SUPPRESSED,
            "outcomes": {k: {"nl": v.nl, "en": v.en} for k, v in pub.outcomes.items()},
            "policy": dict(pub.policy),
            "audit": dict(pub.audit),
            "source": dict(pub.source) or {"snapshot": pub.snapshot},
        },
        "software": pub.software,
        "resources": resources,
    }


def _source(pub: Publication) -> dict[str, str]:
    if pub.source.get("kind") == "published_figures":  # publish --from-figures
        return {
            "title": "Figures published before, each cell with its source (the 'source' "
            f"column); figures file {pub.source.get('figures', '')}",
            "version": pub.snapshot,
        }
    return {
        "title": "Reports of presumed victims by the reporting organisations, "
        "pseudonymised at the source and linked into persons (victim-monitor register)",
        "version": pub.snapshot,
    }


def _resource(path: str, text: str, **info: Any) -> dict[str, Any]:
    data = text.encode("utf-8")
    return {
        **info,
        "path": path,
        "type": "table",
        "scheme": "file",
        "format": "csv",
        "mediatype": "text/csv",
        "encoding": "utf-8",
        "bytes": len(data),
        "hash": f"sha256:{hashlib.sha256(data).hexdigest()}",
        "dialect": dict(DIALECT),
    }


def _table_resource(
    pub: Publication, table: PublishedTable, path: str, text: str
) -> dict[str, Any]:
    fixed = "".join(f" Every cell has {d} = {c}." for d, c in table.fixed.items())
    fields = [_dimension(table, d) for d in table.dimensions]
    fields.append(
        {"name": "value", "type": "integer", "title": "Value",
         "description": f"{table.counting_label.en}. {SUPPRESSED} {NOT_AVAILABLE}",
         "constraints": {"minimum": 0}}
    )  # fmt: skip
    fields.append(
        {"name": "outcome", "type": "string", "title": "Outcome",
         "description": "What disclosure control did with the cell",
         "constraints": {"required": True, "enum": list(OUTCOMES)},
         "categories": [{"value": o, "label": pub.outcomes[o].en if o in pub.outcomes else o}
                        for o in OUTCOMES]}
    )  # fmt: skip
    if text.split("\n", 1)[0].endswith(",source"):
        fields.append(dict(SOURCE_FIELD))
    return _resource(
        path,
        text,
        name=table.name,
        title=table.title.en,
        description=f"{table.definition.en}{fixed}\n\n{table.title.nl}. {table.definition.nl}",
        schema={
            "fields": fields,
            "missingValues": [{"value": "", "label": "suppressed"}],
            "primaryKey": list(table.dimensions),
        },
    )


def _dimension(table: PublishedTable, dimension: str) -> dict[str, Any]:
    codes = list(table.categories[dimension])
    label = table.dimension_labels[dimension]
    margin = f" '{TOTAL}' is the margin (all categories)." if dimension in table.margins else ""
    overlap = (
        " Not additive: a victim counts under every category that applies."
        if dimension in table.overlapping
        else ""
    )
    return {
        "name": dimension,
        "type": "string",
        "title": label.en,
        "description": f"{label.en} ({label.nl}), as a category code.{margin}{overlap}",
        "constraints": {"required": True, "enum": codes},
        "categories": [{"value": c, "label": table.labels[dimension][c].en} for c in codes],
    }


def _sdmx_resource(pub: Publication, flow: Dataflow, path: str, text: str) -> dict[str, Any]:
    table = pub.tables[flow.table]
    codes = {
        "DATAFLOW": [flow.dataflow],
        "sex": sorted(set(SEX.values())),
        flow.concept: sorted(set(flow.codes.values())),
        "TIME_PERIOD": list(table.categories["year"]),
    }
    fields = []
    for name in flow.columns:
        field: dict[str, Any] = {"name": name, "type": "string"}
        if name == "OBS_VALUE":
            field.update(type="integer", constraints={"minimum": 0},
                         description=f"The published count. {SUPPRESSED}")  # fmt: skip
        elif name == "OBS_FLAG":
            field.update(constraints={"enum": [CONFIDENTIAL]},
                         description="'c' (confidential) when the cell is suppressed")  # fmt: skip
        else:
            field["constraints"] = {"required": True}
            if name in codes:
                field["constraints"]["enum"] = codes[name]
        fields.append(field)
    return _resource(
        path,
        text,
        name=flow.code,
        title=f"{table.title.en}, as Eurostat's {flow.code} (SDMX-CSV)",
        description=(
            f"The published table {table.name} in the columns and code lists of Eurostat's "
            f"dataset {flow.code}; the mapping and its limits are in docs/methods/publication.md."
        ),
        schema={
            "fields": fields,
            "missingValues": [""],
            "primaryKey": list(flow.columns[:-2]),
        },
    )


def _other_resource(pub: Publication, path: str, text: str) -> dict[str, Any]:
    name = path.removesuffix(".csv")
    header = next(csv.reader([text.split("\n", 1)[0]]))
    specs = TREND_FIELDS if name == "trends" else ESTIMATE_FIELDS
    fields: list[dict[str, Any]] = [
        {"name": c, "type": specs[c][0], "description": specs[c][1]} for c in header
    ]
    for field in fields:
        if field["name"] == "direction":
            field["constraints"] = {"enum": ["up", "down", "none"]}
        if field["name"] in ("year", "id", "method"):
            field["constraints"] = {"required": True}
    note = pub.estimation.get("note", {})
    descriptions = {
        "trends": "Changes in published counts between two years or periods, with "
        f"{pub.trend_level:.0%} intervals for the ratio of counts.",
        "estimates": f"Estimated number of victims per year. {note.get('en', '')}".strip(),
        "estimates-sensitivity": "Each year's estimate by the other methods, for comparison.",
    }
    keys = {"trends": ["id"], "estimates": ["year"], "estimates-sensitivity": ["method", "year"]}
    return _resource(
        path,
        text,
        name=name,
        title=name.replace("-", " ").capitalize(),
        description=descriptions[name],
        schema={"fields": fields, "missingValues": [""], "primaryKey": keys[name]},
    )
