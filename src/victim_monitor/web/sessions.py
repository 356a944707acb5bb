"""Server-side sessions: the cookie holds a random token, the database only its SHA-256.

A stolen database therefore yields no usable session, and logging out or blocking a user ends
a session at once (a signed cookie could not be revoked).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from sqlalchemy import Engine, select

from victim_monitor.storage.schema import web_sessions, web_users
from victim_monitor.web.accounts import User, _user

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


def lookup(engine: Engine, token: str | None) -> User | None:
    """The active user of a live session, or None."""
    if not token or len(token) > 100:
        return None
    query = (
        select(web_users, web_sessions.c.expires_at)
        .join(web_sessions, web_sessions.c.user_id == web_users.c.id)
        .where(web_sessions.c.token_sha256 == _digest(token))
    )
    with engine.connect() as conn:
        row = conn.execute(query).first()
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
