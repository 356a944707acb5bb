"""The analyst's text: Markdown with TOML front matter, its numbers resolved and checked.

An editorial file holds one language. Its front matter (between ``+++`` lines) gives the title,
edition, date and years; its body is split into sections by first-level headings that end in a
section key, ``# Aanbevelingen {#recommendations}``. Numbers enter the text in three ways:

* ``{{ victims_by_year[2018] }}``: a placeholder, replaced by the published figure;
* ``{{ victims_by_year[2018] = 668 }}``: a literal bound to a figure, printed as written and
  checked against that figure (VM803 when it differs);
* a plain literal, ``668``: checked against every published figure (VM802 when none states
  it). Years and the numbers listed in ``plain_numbers`` (ages in group names) are not figures.

A placeholder that names nothing is VM804; one that needs a hidden cell is VM805.
"""

from __future__ import annotations

import datetime as dt
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from victim_monitor.problems import Problem
from victim_monitor.reporting.codes import (
    EDITORIAL_MALFORMED,
    HIDDEN_FIGURE,
    NUMBER_DIFFERS,
    NUMBER_UNSUPPORTED,
    UNKNOWN_FIGURE,
)
from victim_monitor.reporting.figures import Figure, FigureError, Figures, Lang

REQUIRED_SECTIONS = ("intro", "headlines", "approach", "recommendations")
OPTIONAL_SECTIONS = ("colophon",)
REQUIRED_META = ("lang", "title", "edition", "date", "years")

_SECTION = re.compile(r"^# (?P<title>.+?)\s*\{#(?P<key>[a-z_]+)\}\s*$")
_PLACEHOLDER = re.compile(r"\{\{(?P<body>.*?)\}\}")
# A number: thousands groups and decimals in the language's notation, maybe a percentage.
_NUMBER = {
    "nl": re.compile(r"(?<![\w/.,])(\d{1,3}(?:\.\d{3})+|\d+)(,\d+)?(\s?%)?(?![\w/]|[.,]\d)"),
    "en": re.compile(r"(?<![\w/.,])(\d{1,3}(?:,\d{3})+|\d+)(\.\d+)?(\s?%)?(?![\w/]|[.,]\d)"),
}
_LIST_MARKER = re.compile(r"^\s*\d+[.)]\s")  # "1. " starts an ordered list item: no figure
_SENTENCE_END = re.compile(r"[.!?](?=\s|$)|\n\s*\n|\n(?=\s*(?:#|[-*+] |\d+[.)] ))")
_MARKUP_START = re.compile(r"^(?:#+|[-*+]|\d+[.)])\s+")


@dataclass(frozen=True, slots=True)
class Section:
    """One section of editorial text: its heading and its Markdown, numbers resolved."""

    key: str
    title: str
    markdown: str


@dataclass(frozen=True)
class Editorial:
    """An editorial file, checked: metadata, sections, and every problem found."""

    path: Path
    lang: Lang
    meta: Mapping[str, object]
    sections: Mapping[str, Section]
    problems: tuple[Problem, ...] = ()
    numbers: int = 0  # figures printed from placeholders and literals checked

    @property
    def ok(self) -> bool:
        return not self.problems

    def text(self, key: str) -> str:
        return str(self.meta.get(key, ""))

    @property
    def date(self) -> dt.date:
        value = self.meta["date"]
        return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))


@dataclass
class _Checker:
    path: Path
    lang: Lang
    figures: Figures
    plain: frozenset[float]
    universe: list[Figure]
    problems: list[Problem] = field(default_factory=list)
    numbers: int = 0
    _text: str = ""
    _base: int = 0  # where the line being checked starts in ``_text``

    def fail(self, kind: object, message: str, line: int, sentence: str) -> None:
        assert callable(kind)
        problem = kind(f'{message}, in "{sentence}"', file=str(self.path), row=line)
        self.problems.append(problem)

    def resolve(self, text: str, first_line: int) -> str:
        """Replace placeholders and check every literal number of ``text``."""
        out: list[str] = []
        self._text, self._base = text, 0
        for number, line in enumerate(text.split("\n")):
            out.append(self._line(line, first_line + number))
            self._base += len(line) + 1
        return "\n".join(out)

    def _sentence(self, at: int) -> str:
        return _sentence(self._text, self._base + at)

    def _line(self, line: str, row: int) -> str:
        marker = _LIST_MARKER.match(line)
        last = marker.end() if marker else 0
        pieces: list[str] = [line[:last]]
        for match in _PLACEHOLDER.finditer(line):
            self._literals(line, line[last : match.start()], last, row)
            pieces.append(line[last : match.start()])
            pieces.append(self._placeholder(match.group("body"), line, match.start(), row))
            last = match.end()
        self._literals(line, line[last:], last, row)
        pieces.append(line[last:])
        return "".join(pieces)

    def _placeholder(self, body: str, line: str, at: int, row: int) -> str:
        reference, _, literal = body.partition("=")
        sentence = self._sentence(at)
        try:
            figure = self.figures.evaluate(reference)
        except FigureError as exc:
            kind = HIDDEN_FIGURE if exc.hidden else UNKNOWN_FIGURE
            self.fail(kind, str(exc), row, sentence)
            return "?"
        self.numbers += 1
        if not literal.strip():
            return figure.display(self.lang)
        parsed = self._parse(literal.strip())
        if parsed is None:
            self.fail(UNKNOWN_FIGURE, f"not a number after '=': {literal.strip()!r}", row, sentence)
        elif not figure.matches(*parsed):
            self.fail(
                NUMBER_DIFFERS,
                f"{literal.strip()} is written, {reference.strip()} is {figure.display(self.lang)}",
                row,
                sentence,
            )
        return literal.strip()

    def _parse(self, text: str) -> tuple[float, bool, int] | None:
        match = _NUMBER[self.lang].fullmatch(text)
        return None if match is None else _value(match, self.lang)

    def _literals(self, line: str, chunk: str, offset: int, row: int) -> None:
        for match in _NUMBER[self.lang].finditer(chunk):
            value, percent, decimals = _value(match, self.lang)
            digits = match.group(1)
            if not percent and (value in self.plain or _is_year(digits)):
                continue
            self.numbers += 1
            if not any(f.matches(value, percent, decimals) for f in self.universe):
                self.fail(
                    NUMBER_UNSUPPORTED,
                    f"{match.group(0).strip()} is not a published figure; write a placeholder "
                    "{{ table[keys] }} or correct the number",
                    row,
                    self._sentence(offset + match.start()),
                )


def _value(match: re.Match[str], lang: Lang) -> tuple[float, bool, int]:
    whole, fraction, percent = match.group(1), match.group(2) or "", match.group(3)
    group = "." if lang == "nl" else ","
    number = float(whole.replace(group, "") + ("." + fraction[1:] if fraction else ""))
    return number, percent is not None, max(len(fraction) - 1, 0)


def _is_year(digits: str) -> bool:
    return len(digits) == 4 and digits.isdigit() and 1900 <= int(digits) <= 2100


def _sentence(text: str, at: int) -> str:
    """The sentence of ``text`` around position ``at``, on one line (for messages)."""
    starts = [m.end() for m in _SENTENCE_END.finditer(text, 0, at)]
    start = starts[-1] if starts else 0
    end_match = _SENTENCE_END.search(text, at)
    end = end_match.end() if end_match else len(text)
    return _MARKUP_START.sub("", " ".join(text[start:end].split()))


def _split(text: str, path: Path) -> tuple[dict[str, object], list[tuple[str, str, str, int]]]:
    """Front matter and (key, title, body, first line) per section."""
    lines = text.split("\n")
    if not lines or lines[0].strip() != "+++":
        raise ValueError("the file must start with front matter between '+++' lines")
    try:
        end = next(i for i in range(1, len(lines)) if lines[i].strip() == "+++")
    except StopIteration:
        raise ValueError("the front matter has no closing '+++' line") from None
    try:
        meta = tomllib.loads("\n".join(lines[1:end]))
    except tomllib.TOMLDecodeError as exc:
        raise ValueError(f"front matter is not valid TOML: {exc}") from exc
    sections: list[tuple[str, str, str, int]] = []
    current: tuple[str, str, int] | None = None
    body: list[str] = []
    for number in range(end + 1, len(lines)):
        match = _SECTION.match(lines[number])
        if match:
            if current is not None:
                sections.append(_section(current, body))
            current, body = (match["key"], match["title"], number + 2), []
        elif current is None:
            if lines[number].strip():
                raise ValueError(f"line {number + 1}: text before the first '# Title {{#key}}'")
        else:
            body.append(lines[number])
    if current is not None:
        sections.append(_section(current, body))
    return meta, sections


def _section(head: tuple[str, str, int], body: list[str]) -> tuple[str, str, str, int]:
    """(key, title, body, line of the body's first line), blank lines around it dropped."""
    key, title, first = head
    while body and not body[0].strip():
        body, first = body[1:], first + 1
    while body and not body[-1].strip():
        body = body[:-1]
    return key, title, "\n".join(body), first


def check_editorial(path: Path, figures: Figures) -> Editorial:
    """Read ``path``, resolve its placeholders and check every number against ``figures``."""
    try:
        meta, raw_sections = _split(path.read_text("utf-8"), path)
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        problem = EDITORIAL_MALFORMED(str(exc), file=str(path))
        return Editorial(path, "en", {}, {}, (problem,))
    problems: list[Problem] = []
    missing = [k for k in REQUIRED_META if k not in meta]
    if missing:
        problems.append(EDITORIAL_MALFORMED(f"front matter lacks {missing}", file=str(path)))
    lang_value = meta.get("lang")
    lang: Lang = "nl" if lang_value == "nl" else "en"
    if lang_value not in ("nl", "en"):
        problems.append(EDITORIAL_MALFORMED("lang must be 'nl' or 'en'", file=str(path)))
    keys = [key for key, *_ in raw_sections]
    for key in keys:
        if key not in REQUIRED_SECTIONS + OPTIONAL_SECTIONS or keys.count(key) > 1:
            allowed = ", ".join(REQUIRED_SECTIONS + OPTIONAL_SECTIONS)
            problems.append(
                EDITORIAL_MALFORMED(
                    f"section {{#{key}}} unknown or repeated ({allowed})", file=str(path)
                )
            )
    for key in REQUIRED_SECTIONS:
        if key not in keys:
            problems.append(EDITORIAL_MALFORMED(f"no section {{#{key}}}", file=str(path)))
    plain = meta.get("plain_numbers", [])
    checker = _Checker(
        path,
        lang,
        figures,
        frozenset(float(n) for n in plain) if isinstance(plain, list) else frozenset(),
        list(figures.universe()),
    )
    title_lines = {"title", "subtitle", "edition"}
    for key in sorted(title_lines & set(meta)):
        meta[key] = checker.resolve(str(meta[key]), 1)
    sections = {
        key: Section(key, checker.resolve(title, first - 1), checker.resolve(body, first))
        for key, title, body, first in raw_sections
    }
    return Editorial(
        path, lang, meta, sections, tuple(problems + checker.problems), checker.numbers
    )
