"""API tokens: how an organisation's own system proves who it is when it submits a file.

A token is ``vmt_`` and 43 characters of :func:`secrets.token_urlsafe` (256 random bits),
shown once when it is made. The register keeps only its SHA-256: with that much entropy no
password hash is needed (no guess can reach a preimage), a look-up is one indexed read, and
the command line and every worker agree on it without sharing a secret (an HMAC under the
server's secret would tie tokens to a setting the command line may not have). The first
:data:`PREFIX_LENGTH` characters are kept in clear, so that an admin and the organisation can
tell tokens apart; 210 unknown bits remain.

A token belongs to one organisation; it may expire and may be revoked (the row stays, with who
revoked it and when). Making and revoking write the audit trail here, so the admin page and
the command line cannot forget it; each use is audited by the API (:mod:`.api_upload`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import secrets
from dataclasses import dataclass
from typing import Any, Literal

from sqlalchemy import Engine, select

from victim_monitor.problems import ProblemError, Severity, define
from victim_monitor.registry.intake import UNKNOWN_ORGANISATION
from victim_monitor.storage.schema import api_tokens, organisations
from victim_monitor.web import audit

UNKNOWN_TOKEN = define("VM320", Severity.ERROR, "No such API token")

SCHEME = "vmt_"
PREFIX_LENGTH = 12  # "vmt_" and 8 characters of the random part, kept in clear
TOKEN_PATTERN = re.compile(r"vmt_[A-Za-z0-9_-]{43}")
MAX_NAME = 100
MAX_EXPIRY_DAYS = 3650  # ten years: a token that should never expire is given none
# A token's last use is written at most once a minute: a write (SQLite's write lock) per
# request would make every request wait behind a running intake. The audit trail has each use.
LAST_USED_STEP = dt.timedelta(minutes=1)

Refusal = Literal["", "malformed", "unknown", "revoked", "expired"]


@dataclass(frozen=True, slots=True)
class ApiToken:
    """One token as the register keeps it (never the token itself)."""

    id: int
    organisation: str
    name: str
    prefix: str
    created_at: dt.datetime
    created_by: str
    expires_at: dt.datetime | None
    last_used_at: dt.datetime | None
    revoked_at: dt.datetime | None
    revoked_by: str | None

    def state(self, now: dt.datetime | None = None) -> Refusal:
        """Why the token is refused now: "" while it may be used, "revoked" or "expired"."""
        if self.revoked_at is not None:
            return "revoked"
        if self.expires_at is not None and self.expires_at <= (now or _now()):
            return "expired"
        return ""

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "organisation": self.organisation,
            "name": self.name,
            "prefix": self.prefix,
            "created_at": _shown(self.created_at),
            "created_by": self.created_by,
            "expires_at": _shown(self.expires_at),
            "last_used_at": _shown(self.last_used_at),
            "revoked_at": _shown(self.revoked_at),
            "revoked_by": self.revoked_by,
            "state": self.state() or "active",
        }


@dataclass(frozen=True, slots=True)
class NewToken:
    """A token just made: ``secret`` is the only copy of the token; it is not kept."""

    token: ApiToken
    secret: str


@dataclass(frozen=True, slots=True)
class TokenCheck:
    """What a presented token turned out to be: the token (when known) and why it is refused."""

    token: ApiToken | None
    refused: Refusal

    @property
    def ok(self) -> bool:
        return self.token is not None and not self.refused


@dataclass(frozen=True, slots=True)
class Actor:
    """Who made or revoked a token, for the audit trail: a user on a screen, or the CLI."""

    name: str
    role: str
    screen: str


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _aware(at: dt.datetime | None) -> dt.datetime | None:
    # SQLite gives back what it was given without its zone; every time stored here is UTC.
    return at if at is None or at.tzinfo else at.replace(tzinfo=dt.UTC)


def _shown(at: dt.datetime | None) -> str | None:
    return None if at is None else at.isoformat(timespec="seconds")


def digest(presented: str) -> str:
    """The stored form of a token: its SHA-256, hex."""
    return hashlib.sha256(presented.encode("ascii", "replace")).hexdigest()


def _token(row: Any) -> ApiToken:
    return ApiToken(
        id=int(row.id),
        organisation=row.organisation_code,
        name=row.name,
        prefix=row.prefix,
        created_at=_aware(row.created_at) or _now(),
        created_by=row.created_by,
        expires_at=_aware(row.expires_at),
        last_used_at=_aware(row.last_used_at),
        revoked_at=_aware(row.revoked_at),
        revoked_by=row.revoked_by,
    )


def _event(engine: Engine, by: Actor, action: str, token: ApiToken, **detail: Any) -> None:
    audit.append(
        engine,
        actor=by.name,
        role=by.role,
        action=action,
        record=f"api_token:{token.id}",
        screen=by.screen,
        detail={"organisation": token.organisation, "prefix": token.prefix, **detail},
    )


def create_token(
    engine: Engine,
    organisation: str,
    *,
    by: Actor,
    name: str = "",
    expires_days: int | None = None,
) -> NewToken:
    """A new token for ``organisation`` (VM301 when it is not in the register), audited.

    The token exists only once its creation is in the audit trail: if the append fails, the
    row is taken out again and the error raised.
    """
    code = organisation.strip().upper()
    if expires_days is not None and not 1 <= expires_days <= MAX_EXPIRY_DAYS:
        raise ValueError(f"a token expires after 1 to {MAX_EXPIRY_DAYS} days, or never")
    label = " ".join(name.split())[:MAX_NAME]  # no control characters, one line
    secret = SCHEME + secrets.token_urlsafe(32)
    now = _now()
    values = {
        "organisation_code": code,
        "name": label,
        "prefix": secret[:PREFIX_LENGTH],
        "token_sha256": digest(secret),
        "created_at": now,
        "created_by": by.name[:64],
        "expires_at": None if expires_days is None else now + dt.timedelta(days=expires_days),
    }
    with engine.begin() as conn:
        if conn.scalar(select(organisations.c.code).where(organisations.c.code == code)) is None:
            problem = UNKNOWN_ORGANISATION(
                f"organisation {code!r} is not in the register (`victim-monitor status` "
                "lists the codes)"
            )
            raise ProblemError([problem])
        conn.execute(api_tokens.insert().values(**values))
        query = select(api_tokens).where(api_tokens.c.token_sha256 == values["token_sha256"])
        row = conn.execute(query).one()
    token = _token(row)
    try:
        _event(engine, by, "create_api_token", token, name=label, expires=_shown(token.expires_at))
    except BaseException:
        with engine.begin() as conn:
            conn.execute(api_tokens.delete().where(api_tokens.c.id == token.id))
        raise
    return NewToken(token, secret)


def list_tokens(engine: Engine, organisation: str | None = None) -> list[ApiToken]:
    """Every token (only ``organisation``'s when given), by organisation, newest first."""
    query = select(api_tokens).order_by(api_tokens.c.organisation_code, api_tokens.c.id.desc())
    if organisation is not None:
        query = query.where(api_tokens.c.organisation_code == organisation.upper())
    with engine.connect() as conn:
        return [_token(row) for row in conn.execute(query)]


def get_token(engine: Engine, token_id: int) -> ApiToken | None:
    with engine.connect() as conn:
        row = conn.execute(select(api_tokens).where(api_tokens.c.id == token_id)).first()
    return None if row is None else _token(row)


def revoke_token(engine: Engine, token_id: int, *, by: Actor) -> ApiToken:
    """Revoke a token for good (VM320 when there is none), audited; revoking twice is a no-op
    that keeps the first revocation."""
    now = _now()
    with engine.begin() as conn:
        updated = conn.execute(
            api_tokens.update()
            .where(api_tokens.c.id == token_id, api_tokens.c.revoked_at.is_(None))
            .values(revoked_at=now, revoked_by=by.name[:64])
        ).rowcount
    token = get_token(engine, token_id)
    if token is None:
        raise ProblemError([UNKNOWN_TOKEN(f"there is no API token {token_id}")])
    if updated:  # the revocation stands even if its event fails: refusing is the safe side
        _event(engine, by, "revoke_api_token", token)
    return token


def check_token(engine: Engine, presented: str | None) -> TokenCheck:
    """The token ``presented`` stands for, and whether it may be used now.

    A well-formed, known, live token has its last use set to now (to the minute). Nothing is
    read from the database for a string that is not shaped like a token.
    """
    if presented is None or not TOKEN_PATTERN.fullmatch(presented):
        return TokenCheck(None, "malformed")
    with engine.connect() as conn:
        row = conn.execute(
            select(api_tokens).where(api_tokens.c.token_sha256 == digest(presented))
        ).first()
    if row is None:
        return TokenCheck(None, "unknown")
    token = _token(row)
    now = _now()
    refused = token.state(now)
    last = token.last_used_at
    if not refused and (last is None or now - last >= LAST_USED_STEP):
        with engine.begin() as conn:
            conn.execute(
                api_tokens.update().where(api_tokens.c.id == token.id).values(last_used_at=now)
            )
    return TokenCheck(token, refused)
