"""The analyst's text: Markdown with TOML front matter, its numbers resolved and checked.

An editorial file holds one language. Its front matter (between ``+++`` lines) gives the title,
edition, date and years; its body is split into sections by first-level headings that end in a
section key, ``# Aanbevelingen {#recommendations}``. Numbers enter the text in three ways:

* ``{{ victims_by_year[2018] }}``: a placeholder, replaced by the published figure;
* ``{{ victims_by_year[2018] = 668 }}``: a literal bound to a figure, printed as written and
  checked against that figure (VM803 when it differs);
* a plain literal, ``668``: checked against every published figure (VM802 when none states
  it). Years and the numbers listed in ``plain_numbers`` (ages in group names) are not figures.

A placeholder that names nothing is VM804; one that needs a hidden cell is VM805. Text between
``{% optional %}`` and ``{% end %}`` lines (with an optional ``{% else %}``) says less instead:
when one of its figures is suppressed or not estimable the block is left out (its ``else`` part
printed instead), so a small publication gives a shorter factsheet rather than none. Each
sentence is then held to the evidence rules of ``evidence.py`` (VM808-VM813).
"""

from __future__ import annotations

import datetime as dt
import re
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from itertools import pairwise
from pathlib import Path

from victim_monitor.problems import Problem
from victim_monitor.published import Finding
from victim_monitor.reporting import codes
from victim_monitor.reporting.codes import (
    EDITORIAL_MALFORMED,
    HIDDEN_FIGURE,
    NUMBER_DIFFERS,
    NUMBER_UNSUPPORTED,
    ROUNDING_DIFFERS,
    UNKNOWN_FIGURE,
)
from victim_monitor.reporting.evidence import Sentence, check
from victim_monitor.reporting.figures import Figure, FigureError, Figures, Kind, Lang
from victim_monitor.rounding import round_percent, round_significant

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
_BLOCK = re.compile(r"^\s*\{%\s*(optional|else|end)\s*%\}\s*$")
_BLOCK_MARK = re.compile(r"\{%.*?%\}")


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
    dropped: tuple[str, ...] = ()  # optional blocks left out, and why

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
    dropped: list[str] = field(default_factory=list)
    _text: str = ""
    _base: int = 0  # where the line being checked starts in ``_text``
    _kept: list[str] = field(default_factory=list)  # the raw lines kept (optional blocks out)
    _rows: list[int] = field(default_factory=list)
    _at: int = 0  # where the line being checked starts in the kept text
    _mentions: list[tuple[int, Figure | None, str]] = field(default_factory=list)
    _missing: list[str] | None = None  # inside an optional block: the figures it lacks
    _failed: list[int] = field(default_factory=list)  # where placeholders failed (kept text)
    _lines: list[str] = field(default_factory=list)
    _starts: list[int] = field(default_factory=list)
    _first: int = 0
    forced: dict[int, str] = field(default_factory=dict)  # blocks (first row) left out, why
    block_of: dict[int, int] = field(default_factory=dict)  # row: its innermost block's row
    _in_block: int | None = None

    def fail(self, kind: object, message: str, line: int, sentence: str) -> None:
        assert callable(kind)
        problem = kind(f'{message}, in "{sentence}"', file=str(self.path), row=line)
        self.problems.append(problem)

    def resolve(self, text: str, first_line: int) -> str:
        """Replace placeholders and check every literal number of ``text``; optional blocks
        whose figures are not all published are left out (blocks may nest)."""
        self._text, self._kept, self._rows, self._mentions = text, [], [], []
        self._failed = []
        self._lines = text.split("\n")
        self._starts = [0]
        for line in self._lines:
            self._starts.append(self._starts[-1] + len(line) + 1)
        self._first = first_line
        self.block_of = {}
        return "\n".join(self._run(0, len(self._lines)))

    def _run(self, i: int, end: int) -> list[str]:
        """Lines ``i`` to ``end`` (exclusive), resolved, blocks handled."""
        out: list[str] = []
        while i < end:
            marker = _BLOCK.match(self._lines[i])
            if marker is None:
                out.append(self._kept_line(i))
                i += 1
                continue
            if marker[1] != "optional":
                self._malformed(i, f"{{% {marker[1]} %}} without {{% optional %}}")
                i += 1
                continue
            middle, stop = self._block(i, end)
            main = (i + 1, stop if middle is None else middle)
            alt = (stop, stop) if middle is None else (middle + 1, stop)
            out += self._optional(main, alt)
            i = stop + 1
        return out

    def _malformed(self, i: int, message: str) -> None:
        self.fail(EDITORIAL_MALFORMED, message, self._first + i, self._lines[i].strip())

    def _block(self, i: int, end: int) -> tuple[int | None, int]:
        """Where the optional block opened at line ``i`` has its else (if any) and its end."""
        depth, middle = 0, None
        for j in range(i + 1, end):
            marker = _BLOCK.match(self._lines[j])
            if marker is None:
                continue
            if marker[1] == "optional":
                depth += 1
            elif marker[1] == "end" and depth:
                depth -= 1
            elif marker[1] == "end":
                return middle, j
            elif depth == 0 and middle is None:
                middle = j
            elif depth == 0:
                self._malformed(j, "a second {% else %} in one {% optional %} block")
        self._malformed(i, "{% optional %} without its {% end %}")
        return middle, end

    def _optional(self, main: tuple[int, int], alt: tuple[int, int]) -> list[str]:
        state = (len(self._kept), len(self._mentions), len(self._failed), len(self.dropped))
        numbers, outer, outer_block = self.numbers, self._missing, self._in_block
        self._missing, self._in_block = [], self._first + main[0] - 1
        forced = self.forced.get(self._in_block)
        out = [] if forced else self._run(*main)
        missing, self._missing, self._in_block = self._missing, outer, outer_block
        if forced:
            missing = [forced]
        if not missing:
            return out
        kept, mentions, failed, dropped = state
        del self._kept[kept:], self._rows[kept:], self._mentions[mentions:]
        del self._failed[failed:], self.dropped[dropped:]
        self.numbers = numbers
        where = f"line {self._first + main[0]}"
        why = "; ".join(dict.fromkeys(missing))
        self.dropped.append(f"{self.path.name} {where}: left out ({why})")
        return self._run(*alt)

    def _kept_line(self, i: int) -> str:
        line, row = self._lines[i], self._first + i
        if self._in_block is not None:
            self.block_of[row] = self._in_block
        self._base = self._starts[i]
        self._at = sum(len(k) + 1 for k in self._kept)
        resolved = self._line(line, row)
        self._kept.append(line)
        self._rows.append(row)
        return resolved

    def sentences(self) -> list[Sentence]:
        """The sentences of the text last resolved (optional blocks left out), with figures."""
        text = "\n".join(self._kept)
        bounds = [0, *(m.end() for m in _SENTENCE_END.finditer(text)), len(text)]
        starts = [0]
        for line in self._kept:
            starts.append(starts[-1] + len(line) + 1)
        spans = [(a, b) for a, b in pairwise(bounds) if text[a:b].strip()]
        out: list[Sentence] = []
        for a, b in spans:
            raw = text[a:b]
            mine = [(at, f, lit) for at, f, lit in self._mentions if a <= at < b]
            complete = not any(a <= at < b for at in self._failed)
            figures = tuple(f for _, f, _ in mine if f is not None)
            scope = figures
            if raw.lstrip().startswith("#"):  # a heading speaks for its section
                end = text.find("\n#", b)
                scope = tuple(
                    f
                    for at, f, _ in self._mentions
                    if f is not None and a <= at < (end if end >= 0 else len(text))
                )
            para_start = text.rfind("\n\n", 0, a) + 1
            para_end = text.find("\n\n", b)
            row = self._rows[max(i for i, s in enumerate(starts[:-1]) if s <= a + _lead(raw))]
            out.append(
                Sentence(
                    _words(raw),
                    row,
                    figures,
                    tuple(lit for _, f, lit in mine if f is None),
                    _words(text[para_start : para_end if para_end >= 0 else len(text)]),
                    scope,
                    complete,
                )
            )
        return out

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
            if exc.absent and self._missing is not None:
                self._missing.append(str(exc))
                return "?"
            self._failed.append(self._at + at)
            kind = HIDDEN_FIGURE if exc.absent else UNKNOWN_FIGURE
            self.fail(kind, str(exc), row, sentence)
            return "?"
        self.numbers += 1
        self._mentions.append((self._at + at, figure, ""))
        if not literal.strip():
            return figure.display(self.lang)
        parsed = self._parse(literal.strip())
        if parsed is None:
            self.fail(UNKNOWN_FIGURE, f"not a number after '=': {literal.strip()!r}", row, sentence)
        elif not figure.matches(*parsed):
            kind = ROUNDING_DIFFERS if figure.matches_unrounded(*parsed) else NUMBER_DIFFERS
            self.fail(
                kind,
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
            stated = [f for f in self.universe if f.matches(value, percent, decimals)]
            if stated and all(f.kind is not Kind.COUNT for f in stated):
                self._mentions.append((self._at + offset + match.start(), None, match.group(0)))
            if stated:
                continue
            if any(f.matches_unrounded(value, percent, decimals) for f in self.universe):
                self.fail(
                    ROUNDING_DIFFERS,
                    f"{match.group(0).strip()} is a published figure rounded otherwise than the "
                    "rule (estimates to two significant digits, percentages whole); write a "
                    "placeholder",
                    row,
                    self._sentence(offset + match.start()),
                )
                continue
            self.fail(
                NUMBER_UNSUPPORTED,
                f"{match.group(0).strip()} is not a published figure; write a placeholder "
                "{{ table[keys] }} or correct the number",
                row,
                self._sentence(offset + match.start()),
            )


def _lead(raw: str) -> int:
    """Characters of white space before a sentence's first word."""
    return len(raw) - len(raw.lstrip())


def _words(raw: str) -> str:
    """A sentence's words on one line: placeholders as their bound literal or '#'."""
    text = _PLACEHOLDER.sub(lambda m: m["body"].partition("=")[2].strip() or "#", raw)
    return _MARKUP_START.sub("", " ".join(text.split()))


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
    return _MARKUP_START.sub("", " ".join(_BLOCK_MARK.sub("", text[start:end]).split()))


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


def _resolve_checked(checker: _Checker, key: str, body: str, first: int) -> str:
    """A section resolved and held to the evidence rules. A sentence in an optional block that
    breaks a rule (a change the figures of this publication do not carry) leaves its block
    out, as a missing figure does; elsewhere the breach is an error."""
    state = (len(checker.problems), checker.numbers, len(checker.dropped))
    checker.forced = {}
    for _ in range(8):  # each pass leaves out at least one more block; a few suffice
        markdown = checker.resolve(body, first)
        breaches = check(checker.sentences(), key, checker.figures.published, checker.lang)
        blocks = {checker.block_of.get(b.row): b for b in breaches}
        blocks.pop(None, None)
        if not blocks:
            break
        for start, breach in blocks.items():
            assert start is not None
            checker.forced[start] = f"{breach.message}"
        del checker.problems[state[0] :], checker.dropped[state[2] :]
        checker.numbers = state[1]
    for breach in breaches:
        checker.fail(getattr(codes, breach.code), breach.message, breach.row, breach.sentence)
    return markdown


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
    sections: dict[str, Section] = {}
    for key, title, body, first in raw_sections:
        heading = checker.resolve(title, first - 1)
        sections[key] = Section(key, heading, _resolve_checked(checker, key, body, first))
    return Editorial(
        path, lang, meta, sections, tuple(problems + checker.problems), checker.numbers,
        tuple(checker.dropped),
    )  # fmt: skip


def check_findings(findings: Sequence[Finding], figures: Figures, lang: Lang) -> list[Problem]:
    """The generated findings the factsheet prints, held to the text's rounding rule (VM814).

    A finding's numbers are published counts (or means of them), estimates, or percentages of
    its own change or coverage; each must be printed as the factsheet prints the same fact
    (3.100 not 3.170; 63% not 65%), so that text, annex and tables never disagree.
    """
    universe = list(figures.universe())
    problems: list[Problem] = []
    for finding in findings:
        text = finding.text(lang)
        for match in _NUMBER[lang].finditer(text):
            value, percent, decimals = _value(match, lang)
            if not percent and _is_year(match.group(1)):
                continue
            if _finding_states(finding, value, percent, decimals, universe):
                continue
            other = any(f.matches_unrounded(value, percent, decimals) for f in universe)
            kind = ROUNDING_DIFFERS if other or percent else NUMBER_UNSUPPORTED
            problems.append(
                kind(
                    f"finding {finding.id}: {match.group(0)} is not printed by the rule, in "
                    f'"{text}"'
                )
            )
    return problems


def _finding_states(
    finding: Finding, value: float, percent: bool, decimals: int, universe: list[Figure]
) -> bool:
    n = finding.numbers
    if not percent and _finding_states(finding, value, True, decimals, universe):
        return True  # "8.0 to 15.7%": the first end of a percentage range has no sign
    if percent:
        wanted = []
        if n.get("from"):
            wanted.append(round_percent(abs(n["to"] / n["from"] - 1)))
        if "coverage_low" in n and "coverage_high" in n:
            places = 1 if min(n["coverage_low"], n["coverage_high"]) < 0.1 else 0
            wanted += [round_percent(n["coverage_low"], "down", places),
                       round_percent(n["coverage_high"], "up", places)]  # fmt: skip
        return any(abs(w - value) < 1e-9 for w in wanted)
    if any(f.matches(value, percent, decimals) for f in universe):
        return True
    own = [n.get("from"), n.get("to"), n.get("registered")]
    ends = [round_significant(n["low"], direction="down")] if "coverage_low" in n else []
    ends += [round_significant(n["high"], direction="up")] if "coverage_high" in n else []
    return any(v is not None and round(v) == value for v in own) or value in ends
