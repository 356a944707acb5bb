"""The words of change, in one place: the rules that write sentences and the check that reads them.

A change word says which way a count went and sometimes by how much ("bijna gehalveerd",
"ruim vervijfvoudigd"). The findings rules (``rules.py``) pick the word from a ratio with
:func:`multiple`; the factsheet's evidence check (``reporting/evidence.py``) finds the words in
the analyst's text with :func:`change_words` and asks :func:`supports` whether the ratio of the
figures they describe allows them. One vocabulary, so a word the rules would not write for a
ratio is also refused in the text. Thresholds: ``docs/methods/findings.md``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from victim_monitor.vocab import Label

Direction = Literal["up", "down"]

EXACT = 0.05  # "verdubbeld" within 5% of 2 (1.9-2.1); outside it, "meer dan verdubbeld"
HALVED = (0.47, 0.53)  # ratio of last to first called "halved"
NEARLY_HALVED = (0.53, 0.65)  # "nearly halved" (above the first, up to the second)

_FOLD_NL = {2: "verdubbeld", 3: "verdrievoudigd", 4: "verviervoudigd", 5: "vervijfvoudigd",
            6: "verzesvoudigd", 7: "verzevenvoudigd", 8: "verachtvoudigd",
            9: "vernegenvoudigd", 10: "vertienvoudigd"}  # fmt: skip
_FOLD_EN = {2: "doubled", 3: "tripled", 4: "quadrupled", 5: "fivefold", 6: "sixfold",
            7: "sevenfold", 8: "eightfold", 9: "ninefold", 10: "tenfold"}  # fmt: skip


def multiple(ratio: float) -> tuple[Label, int, bool] | None:
    """The multiplier phrase for a rise by ``ratio`` (at least 1.9), with k and "more than".

    ``verdubbeld`` / ``doubled`` within 5% of 2; above that ``meer dan verdubbeld`` / ``more
    than doubled``; from 3 on ``ruim verdrievoudigd`` / ``more than tripled``. Above ten-fold
    the phrase stays "more than tenfold".
    """
    k = round(ratio)
    if 2 <= k <= 10 and abs(ratio - k) <= EXACT * k:
        return _fold(k, False), k, False
    k = min(int(ratio), 10)
    if k < 2:
        return None
    return _fold(k, True), k, True


def _fold(k: int, more: bool) -> Label:
    nl, en = _FOLD_NL[k], _FOLD_EN[k]
    if k >= 5:
        en = f"increased {'more than ' if more else ''}{en}"
    elif more:
        en = f"more than {en}"
    if more:
        nl = f"{'meer dan' if k == 2 else 'ruim'} {nl}"
    return Label(nl, en)


@dataclass(frozen=True, slots=True)
class ChangeWord:
    """A word of change found in a sentence: its direction and what it says of the ratio."""

    text: str
    direction: Direction
    k: float | None = None  # the multiplier it names (2 for doubled, 0.5 for halved)
    qualifier: Literal["", "more", "nearly"] = ""
    view: bool = False  # "verslechtert", "improves": about the share in view, not a count


_NL_FOLD = "|".join(_FOLD_NL.values())
_EN_FOLD = "|".join(v for v in _FOLD_EN.values())
_WORDS: dict[str, list[tuple[re.Pattern[str], Direction]]] = {
    "nl": [
        (re.compile(r"\b(?:(bijna|meer dan|ruim) )?gehalveerd\b"), "down"),
        (re.compile(rf"\b(?:(meer dan|ruim|bijna) )?({_NL_FOLD})\b"), "up"),
        (re.compile(r"\bverslechter\w*"), "down"),
        (re.compile(r"\bverbeter\w*"), "up"),
        (re.compile(r"\b(?:daal\w*|gedaald|afgenomen|afname|nam\b[^.]*?\baf|neemt\b[^.]*?\baf"
                    r"|verminder\w*|minder|uit beeld)\b"), "down"),
        (re.compile(r"\b(?:steeg|stegen|stijg\w*|gestegen|toegenomen|toename|nam\b[^.]*?\btoe"
                    r"|neemt\b[^.]*?\btoe)\b"), "up"),
    ],
    "en": [
        (re.compile(r"\b(?:(nearly|almost|more than) )?halved\b"), "down"),
        (re.compile(rf"\b(?:(more than|nearly|almost) )?(?:increased (?:(more than) )?)?"
                    rf"({_EN_FOLD})\b"), "up"),
        (re.compile(r"\b(?:worse\w*|getting worse|deteriorat\w*)"), "down"),
        (re.compile(r"\b(?:better|improv\w*)"), "up"),
        (re.compile(r"\b(?:fell|fallen|falls?|falling|decrease\w*|declin\w*|dropp?\w*|fewer"
                    r"|less|out of view)\b"), "down"),
        (re.compile(r"\b(?:rose|risen|rises?|rising|increase[sd]?|increasing|grew|grown"
                    r"|grows?)\b"), "up"),
    ],
}  # fmt: skip
_K = {w: k for k, w in _FOLD_NL.items()} | {w: k for k, w in _FOLD_EN.items()}
_QUALIFIER = {"bijna": "nearly", "nearly": "nearly", "almost": "nearly", "meer dan": "more",
              "ruim": "more", "more than": "more"}  # fmt: skip


def change_words(text: str, lang: str) -> list[ChangeWord]:
    """The words of change in ``text`` (lower-cased), left to right, overlaps dropped."""
    lower = text.lower()
    found: list[tuple[int, int, ChangeWord]] = []
    for pattern, direction in _WORDS["nl" if lang == "nl" else "en"]:
        for m in pattern.finditer(lower):
            if any(s < m.end() and m.start() < e for s, e, _ in found):
                continue  # "meer dan verdubbeld" is one word, not also "meer"
            found.append((m.start(), m.end(), _word(m, direction)))
    return [w for _, _, w in sorted(found, key=lambda f: f[0])]


_VIEW = re.compile(r"verslechter|verbeter|worse|deteriorat|better|improv")


def _word(m: re.Match[str], direction: Direction) -> ChangeWord:
    if _VIEW.match(m.group(0)):
        return ChangeWord(m.group(0), direction, view=True)
    groups = [g for g in m.groups() if g]
    qualifier = next((_QUALIFIER[g] for g in groups if g in _QUALIFIER), "")
    if "halved" in m.group(0) or "gehalveerd" in m.group(0):
        return ChangeWord(m.group(0), direction, 0.5, qualifier)  # type: ignore[arg-type]
    fold = next((_K[g] for g in groups if g in _K), None)
    return ChangeWord(m.group(0), direction, fold, qualifier)  # type: ignore[arg-type]


def supports(word: ChangeWord, direction: str, ratio: float) -> bool:
    """Whether a change of ``ratio`` whose trend is ``direction`` (up, down, none) allows the word.

    The direction must be the trend's (noise is no change); a multiplier must fit the ratio as
    :func:`multiple` and the halving rules would word it.
    """
    if direction != word.direction:
        return False
    if word.k is None:
        return True
    if word.k == 0.5:
        if word.qualifier == "nearly":
            return NEARLY_HALVED[0] < ratio <= NEARLY_HALVED[1]
        if word.qualifier == "more":
            return ratio < HALVED[0]
        return HALVED[0] <= ratio <= HALVED[1]
    if word.qualifier == "more":
        return ratio > word.k * (1 + EXACT) or (ratio > word.k and multiple(ratio) is not None)
    if word.qualifier == "nearly":
        return word.k * 0.8 <= ratio < word.k
    return abs(ratio - word.k) <= EXACT * word.k


# Words that draw a conclusion or name a cause. Counts of registered victims show what was
# registered, not why: "worden dus minder ondersteund" is not something a count can say.
CAUSAL = {
    "nl": re.compile(r"\b(?:dus|daardoor|hierdoor|daarom|bijgevolg|als gevolg van|"
                     r"komt (?:dat |dit )?(?:door|doordat|omdat)|leidt tot|leidde tot|"
                     r"veroorzaakt|wat betekent)\b"),
    "en": re.compile(r"\b(?:thus|therefore|hence|consequently|as a result|because of|due to|"
                     r"caused by|leads? to|led to|which means)\b"),
}  # fmt: skip
# "per jaar": a statement about every year (or their average) of the years it names.
PER_YEAR = {
    "nl": re.compile(r"\b(?:per jaar|jaarlijks|elk jaar|ieder jaar)\b"),
    "en": re.compile(r"\b(?:per year|a year|each year|every year|annually|yearly)\b"),
}
# A count of victims is a count of those registered: the sentence must say so.
REGISTERED = {
    "nl": re.compile(r"(?:geregistreerd|gemeld|in beeld|registratie|meldpunt)"),
    "en": re.compile(r"(?:registered|reported|in view|registration|reporting cent)"),
}
