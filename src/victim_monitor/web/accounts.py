"""Accounts of the registry workspace: roles, users, argon2 password hashes.

Roles follow need-to-know: a *reporter* belongs to one organisation and sees only its own
submissions; *staff* see all submissions, the review queue and persons; an *analyst* publishes;
an *admin* manages users and organisations and reads the audit trail, but no person-level data.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import Connection, Engine, func, select
from sqlalchemy.exc import IntegrityError

from victim_monitor.registry.organisations import OrganisationCodeError, organisation_code
from victim_monitor.storage.schema import organisations, web_sessions, web_users
from victim_monitor.vocab import Label
from victim_monitor.web import passwords

MIN_PASSWORD = passwords.MIN_LENGTH
# Usernames: ASCII letters, digits, '.', '-', '_' after NFKC, starting with a letter or digit,
# so that no two users look alike (a Cyrillic 'а' is not an 'a') and none starts a formula.
_USERNAME = re.compile(r"[a-z0-9][a-z0-9._-]{0,63}")
USERNAME_RULE = Label(
    "Een gebruikersnaam heeft 1-64 letters (a-z), cijfers, '.', '-' of '_' en begint met een "
    "letter of cijfer.",
    "A username is 1-64 letters (a-z), digits, '.', '-' or '_', starting with a letter or digit.",
)

_hasher = PasswordHasher()


@lru_cache(maxsize=2)
def _dummy_hash(hasher: PasswordHasher) -> str:
    """No one's password, hashed with ``hasher``'s parameters on first use (not at import).

    Verifying an unknown user's password against it keeps login time the same either way.
    """
    return hasher.hash("not a password of anyone")


class Role(StrEnum):
    REPORTER = "reporter"
    STAFF = "staff"
    ANALYST = "analyst"
    ADMIN = "admin"


ROLE_LABELS = {
    Role.REPORTER: Label("Melder (organisatie)", "Reporter (organisation)"),
    Role.STAFF: Label("Medewerker registratie", "Registry staff"),
    Role.ANALYST: Label("Analist", "Analyst"),
    Role.ADMIN: Label("Beheerder", "Administrator"),
}


class AccountError(ValueError):
    """An account cannot be made or changed; the message says why, in Dutch and English."""

    def __init__(self, message: Label | str) -> None:
        self.label = message if isinstance(message, Label) else Label(message, message)
        super().__init__(self.label.en)


def username_key(text: str) -> str:
    """The form a username is stored and looked up in: NFKC, trimmed, lower case."""
    return unicodedata.normalize("NFKC", text).strip().lower()


def check_username(text: str) -> str:
    """The username ``text`` stands for, or AccountError when it breaks the rule."""
    username = username_key(text)
    if not _USERNAME.fullmatch(username):
        raise AccountError(USERNAME_RULE)
    return username


@dataclass(frozen=True, slots=True)
class User:
    """A workspace user (never with the password hash)."""

    id: int
    username: str
    display_name: str
    role: Role
    organisation: str | None
    active: bool


def _user(row: object) -> User:
    return User(
        id=int(row.id),  # type: ignore[attr-defined]
        username=row.username,  # type: ignore[attr-defined]
        display_name=row.display_name,  # type: ignore[attr-defined]
        role=Role(row.role),  # type: ignore[attr-defined]
        organisation=row.organisation_code,  # type: ignore[attr-defined]
        active=bool(row.active),  # type: ignore[attr-defined]
    )


def check_password(password: str, username: str) -> None:
    """AccountError (in both languages) when ``password`` breaks the password policy."""
    found = passwords.problem(password, username)
    if found is not None:
        raise AccountError(found)


def create_user(
    engine: Engine,
    username: str,
    password: str,
    role: Role | str,
    *,
    organisation: str | None = None,
    display_name: str = "",
) -> User:
    """Add a user; a reporter needs an organisation in the register, other roles none.

    Hashes the password (argon2, tens of milliseconds): call it from a worker thread in a
    server.
    """
    role = Role(role)
    username = check_username(username)
    check_password(password, username)
    try:
        organisation = organisation_code(organisation) if organisation else None
    except OrganisationCodeError as exc:
        raise AccountError(exc.label) from exc
    if (role is Role.REPORTER) != (organisation is not None):
        raise AccountError(
            Label(
                "Een melder hoort bij precies één organisatie, andere rollen bij geen.",
                "A reporter belongs to exactly one organisation; other roles to none.",
            )
        )
    with engine.begin() as conn:
        if organisation is not None and not conn.scalar(
            select(organisations.c.code).where(organisations.c.code == organisation)
        ):
            raise AccountError(
                Label(
                    f"Organisatie {organisation} staat niet in het register.",
                    f"Organisation {organisation} is not in the register.",
                )
            )
        try:
            new_id = conn.execute(
                web_users.insert().values(
                    username=username,
                    display_name=display_name.strip()[:200] or username,
                    role=role.value,
                    organisation_code=organisation,
                    password_hash=_hasher.hash(password),
                    active=True,
                    created_at=dt.datetime.now(dt.UTC),
                )
            ).inserted_primary_key
        except IntegrityError as exc:
            raise AccountError(
                Label(
                    f"Gebruikersnaam {username} is al in gebruik.",
                    f"Username {username} is taken.",
                )
            ) from exc
    assert new_id is not None
    return User(int(new_id[0]), username, display_name or username, role, organisation, True)


def authenticate(engine: Engine, username: str, password: str) -> User | None:
    """The active user with this name and password, or None (in the same time either way).

    A password longer than any that can be set is wrong without a hash (so the bound is the
    same at login as when setting one). Verifies with argon2 (tens of milliseconds): call it
    from a worker thread in a server.
    """
    if len(password) > passwords.MAX_LENGTH:
        return None
    with engine.connect() as conn:
        row = conn.execute(
            select(web_users).where(web_users.c.username == username_key(username)[:64])
        ).first()
    try:
        _hasher.verify(row.password_hash if row is not None else _dummy_hash(_hasher), password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return None
    if row is None or not row.active:
        return None
    if _hasher.check_needs_rehash(row.password_hash):
        with engine.begin() as conn:
            conn.execute(
                web_users.update()
                .where(web_users.c.id == row.id)
                .values(password_hash=_hasher.hash(password))
            )
    return _user(row)


def get_user(engine: Engine, user_id: int) -> User | None:
    with engine.connect() as conn:
        row = conn.execute(select(web_users).where(web_users.c.id == user_id)).first()
    return None if row is None else _user(row)


def list_users(engine: Engine) -> tuple[User, ...]:
    with engine.connect() as conn:
        return tuple(_user(r) for r in conn.execute(select(web_users).order_by(web_users.c.id)))


def _no_user(user_id: int) -> AccountError:
    return AccountError(Label(f"Geen gebruiker #{user_id}.", f"No user #{user_id}."))


def _end_sessions(conn: Connection, user_id: int) -> int:
    # Counted by a query first: rowcount of a DELETE need not be reported by every driver.
    count = conn.scalar(
        select(func.count()).select_from(web_sessions).where(web_sessions.c.user_id == user_id)
    )
    conn.execute(web_sessions.delete().where(web_sessions.c.user_id == user_id))
    return int(count or 0)


def end_sessions(engine: Engine, user_id: int) -> int:
    """End every session of a user (their browsers are logged out); how many were ended."""
    with engine.begin() as conn:
        if conn.scalar(select(web_users.c.id).where(web_users.c.id == user_id)) is None:
            raise _no_user(user_id)
        return _end_sessions(conn, user_id)


def set_active(engine: Engine, user_id: int, active: bool) -> User:
    """Block or unblock a user. Blocking ends their sessions, so unblocking revives none."""
    with engine.begin() as conn:
        done = conn.execute(
            web_users.update().where(web_users.c.id == user_id).values(active=active)
        ).rowcount
        if not active:
            _end_sessions(conn, user_id)
    user = get_user(engine, user_id)
    if not done or user is None:
        raise _no_user(user_id)
    return user


def set_password(engine: Engine, user_id: int, password: str) -> None:
    """Give a user a new password (under the policy) and end all their sessions.

    Every browser logged in with the old password is logged out; a route changing the
    password of the user in front of it starts them a new session. Hashes with argon2: call
    it from a worker thread in a server.
    """
    user = get_user(engine, user_id)
    if user is None:
        raise _no_user(user_id)
    check_password(password, user.username)
    digest = _hasher.hash(password)
    with engine.begin() as conn:
        done = conn.execute(
            web_users.update().where(web_users.c.id == user_id).values(password_hash=digest)
        ).rowcount
        _end_sessions(conn, user_id)
    if not done:
        raise _no_user(user_id)
