"""The password policy: length, not the username, no repeated pattern, not a common password.

Follows NIST SP 800-63B (5.1.1.2): a minimum length and a generous maximum, no composition
rules, and a check against passwords known to be common or context-specific. The maximum is
the same when a password is set and when it is checked at login, so that every password that
can be set can also be used. The list of common passwords ships with the package
(``data/common-passwords.txt``, its provenance in its header); nothing is fetched at run time.
"""

from __future__ import annotations

import string
import unicodedata
from collections.abc import Iterator
from functools import lru_cache
from importlib import resources

from victim_monitor.vocab import Label

MIN_LENGTH = 12  # NIST's 8 is for a second factor's company; a register of victims asks more
MAX_LENGTH = 1024  # long passphrases fit; the login form sends at most this many characters
# A name this short inside a password is chance, not a weakness ("ana" in "banana...").
MIN_NAME_IN_PASSWORD = 4
# Digits, punctuation and spaces added at either end of a common word do not hide it.
_EDGES = string.digits + string.punctuation + string.whitespace
_LEET = str.maketrans("@4310$5!7", "aaeiossit")

TOO_SHORT = Label(
    f"Een wachtwoord heeft minstens {MIN_LENGTH} tekens.",
    f"A password needs at least {MIN_LENGTH} characters.",
)
TOO_LONG = Label(
    f"Een wachtwoord heeft hoogstens {MAX_LENGTH} tekens.",
    f"A password has at most {MAX_LENGTH:,} characters.",
)
BLANK = Label(
    "Een wachtwoord kan niet alleen uit spaties bestaan.", "A password cannot be only spaces."
)
REPEATED = Label(
    "Een wachtwoord kan niet één teken of een kort patroon herhalen.",
    "A password cannot repeat one character or a short pattern.",
)
HAS_USERNAME = Label(
    "Een wachtwoord kan de gebruikersnaam niet bevatten.",
    "A password cannot contain the username.",
)
COMMON = Label(
    "Dit wachtwoord is te gewoon: het staat, eventueel met cijfers of tekens erbij, in een "
    "lijst van veelgebruikte wachtwoorden.",
    "This password is too common: it is on a list of frequently used passwords, perhaps "
    "with digits or symbols added.",
)


@lru_cache(maxsize=1)
def common_passwords() -> frozenset[str]:
    """The shipped list, read once on first use."""
    text = resources.files("victim_monitor.web").joinpath("data/common-passwords.txt")
    lines = text.read_text("utf-8").splitlines()
    return frozenset(line for line in lines if line and not line.startswith("# "))


def _fold(text: str) -> str:
    return unicodedata.normalize("NFKC", text).casefold()


def _period(text: str) -> str:
    """The shortest unit that ``text`` repeats (``text`` itself when it repeats none)."""
    # text is a repetition exactly when it occurs in itself doubled, short of the ends.
    found = (text + text).find(text, 1)
    return text[:found] if 0 < found < len(text) else text


def _variants(folded: str) -> Iterator[str]:
    """The password, and the common word it may hide behind spaces, digits, symbols or a loop."""
    joined = "".join(folded.split())
    yield folded
    yield joined
    for word in {folded, joined, _period(folded), _period(joined)}:
        core = word.strip(_EDGES)
        if len(core) >= MIN_NAME_IN_PASSWORD:
            yield core
            yield core.translate(_LEET)
            yield core.translate(_LEET).strip(_EDGES)


def problem(password: str, username: str = "") -> Label | None:
    """Why ``password`` may not be set for ``username``, or None when it may."""
    if len(password) < MIN_LENGTH:
        return TOO_SHORT
    if len(password) > MAX_LENGTH:
        return TOO_LONG
    if not password.strip():
        return BLANK
    folded = _fold(password)
    if len(_period(folded)) <= 4:
        return REPEATED
    name = _fold(username.strip())
    if name and (folded == name or (len(name) >= MIN_NAME_IN_PASSWORD and name in folded)):
        return HAS_USERNAME
    listed = common_passwords()
    if any(variant in listed for variant in _variants(folded)):
        return COMMON
    return None
