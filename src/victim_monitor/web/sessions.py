"""Server-side sessions: the cookie holds a random token, the database only its SHA-256.

A stolen database therefore yields no usable session, and logging out, blocking a user, a
password change or an admin's "end sessions" deletes sessions at once (a signed cookie could
not be revoked; :func:`victim_monitor.web.accounts.end_sessions`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from sqlalchemy import Engine, bindparam, func, select
from starlette.responses import Response

from victim_monitor.storage.schema import web_sessions, web_users
from victim_monitor.web.accounts import User, _user
from victim_monitor.web.settings import WebSettings

COOKIE = "vm_session"


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("ascii", "replace")).hexdigest()


def start(engine: Engine, user: User, hours: int) -> str:
    """A new session for ``user``; returns the token for the cookie."""
    token = secrets.token_urlsafe(32)
    now = dt.datetime.now(dt.UTC)
    with engine.begin() as conn:
        # Expired sessions are cleared as new ones start, so the table stays small.
        conn.execute(web_sessions.delete().where(web_sessions.c.expires_at < now))
        conn.execute(
            web_sessions.insert().values(
                token_sha256=_digest(token),
                user_id=user.id,
                created_at=now,
                expires_at=now + dt.timedelta(hours=hours),
            )
        )
    return token


def set_cookie(response: Response, token: str, settings: WebSettings) -> None:
    """Give the browser the cookie of a new session (``token`` from :func:`start`)."""
    response.set_cookie(
        COOKIE,
        token,
        httponly=True,
        samesite="strict",
        secure=settings.secure_cookies,
        max_age=settings.session_hours * 3600,
    )


# Every workspace request looks its session up: the statement is built once (building it and
# its cache key anew took twice as long as running it).
_LOOKUP = (
    select(
        web_users.c.id,
        web_users.c.username,
        web_users.c.display_name,
        web_users.c.role,
        web_users.c.organisation_code,
        web_users.c.active,
        web_sessions.c.expires_at,
    )
    .join(web_sessions, web_sessions.c.user_id == web_users.c.id)
    .where(web_sessions.c.token_sha256 == bindparam("digest"))
)


def lookup(engine: Engine, token: str | None) -> User | None:
    """The active user of a live session, or None."""
    if not token or len(token) > 100:
        return None
    with engine.connect() as conn:
        row = conn.execute(_LOOKUP, {"digest": _digest(token)}).first()
    if row is None or not row.active:
        return None
    expires = row.expires_at if row.expires_at.tzinfo else row.expires_at.replace(tzinfo=dt.UTC)
    if expires < dt.datetime.now(dt.UTC):
        return None
    return _user(row)


def end(engine: Engine, token: str | None) -> None:
    if token:
        with engine.begin() as conn:
            conn.execute(web_sessions.delete().where(web_sessions.c.token_sha256 == _digest(token)))


def live_counts(engine: Engine) -> dict[int, int]:
    """How many unexpired sessions each user has (users without any are left out)."""
    query = (
        select(web_sessions.c.user_id, func.count())
        .where(web_sessions.c.expires_at >= dt.datetime.now(dt.UTC))
        .group_by(web_sessions.c.user_id)
    )
    with engine.connect() as conn:
        return {int(user_id): int(n) for user_id, n in conn.execute(query)}
