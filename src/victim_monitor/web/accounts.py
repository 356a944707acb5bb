"""Accounts of the registry workspace: roles, users, argon2 password hashes.

Roles follow need-to-know: a *reporter* belongs to one organisation and sees only its own
submissions; *staff* see all submissions, the review queue and persons; an *analyst* publishes;
an *admin* manages users and organisations and reads the audit trail, but no person-level data.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import Engine, select
from sqlalchemy.exc import IntegrityError

from victim_monitor.storage.schema import organisations, web_users
from victim_monitor.vocab import Label

MIN_PASSWORD = 12

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
    """An account cannot be made or changed; the message says why."""


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


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise AccountError(f"a password needs at least {MIN_PASSWORD} characters")


def create_user(
    engine: Engine,
    username: str,
    password: str,
    role: Role | str,
    *,
    organisation: str | None = None,
    display_name: str = "",
) -> User:
    """Add a user; a reporter needs an organisation in the register, other roles none."""
    role = Role(role)
    username = username.strip().lower()
    if (
        not username
        or len(username) > 64
        or not username.replace(".", "").replace("-", "").replace("_", "").isalnum()
    ):
        raise AccountError("a username is 1-64 letters, digits, '.', '-' or '_'")
    _check_password(password)
    organisation = organisation.strip().upper() if organisation else None
    if (role is Role.REPORTER) != (organisation is not None):
        raise AccountError("a reporter belongs to exactly one organisation; other roles to none")
    with engine.begin() as conn:
        if organisation is not None and not conn.scalar(
            select(organisations.c.code).where(organisations.c.code == organisation)
        ):
            raise AccountError(f"organisation {organisation!r} is not in the register")
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
            raise AccountError(f"username {username!r} is taken") from exc
    assert new_id is not None
    return User(int(new_id[0]), username, display_name or username, role, organisation, True)


def authenticate(engine: Engine, username: str, password: str) -> User | None:
    """The active user with this name and password, or None (in the same time either way)."""
    with engine.connect() as conn:
        row = conn.execute(
            select(web_users).where(web_users.c.username == username.strip().lower())
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


def set_active(engine: Engine, user_id: int, active: bool) -> User:
    """Block or unblock a user (blocking ends their sessions at the next request)."""
    with engine.begin() as conn:
        done = conn.execute(
            web_users.update().where(web_users.c.id == user_id).values(active=active)
        ).rowcount
    user = get_user(engine, user_id)
    if not done or user is None:
        raise AccountError(f"no user #{user_id}")
    return user


def set_password(engine: Engine, user_id: int, password: str) -> None:
    _check_password(password)
    with engine.begin() as conn:
        done = conn.execute(
            web_users.update()
            .where(web_users.c.id == user_id)
            .values(password_hash=_hasher.hash(password))
        ).rowcount
    if not done:
        raise AccountError(f"no user #{user_id}")
