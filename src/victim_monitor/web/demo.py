"""Demo accounts: one user per role, with fresh random passwords printed for the person trying it.

Only for the demo register: a real deployment makes its users through the admin pages.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine

from victim_monitor.web import passwords
from victim_monitor.web.accounts import Role, create_user, list_users, set_active, set_password

# (username, role, organisation, display name)
ACCOUNTS: tuple[tuple[str, Role, str | None, str], ...] = (
    ("politie", Role.REPORTER, "POL", "Demo reporter (Politie)"),
    ("registratie", Role.STAFF, None, "Demo registry staff"),
    ("analist", Role.ANALYST, None, "Demo analyst"),
    ("beheer", Role.ADMIN, None, "Demo administrator"),
)


@dataclass(frozen=True, slots=True)
class DemoUser:
    username: str
    password: str
    role: Role
    organisation: str | None

    def line(self) -> str:
        org = f" ({self.organisation})" if self.organisation else ""
        return f"  {self.role.value + org:<16} {self.username:<12} {self.password}"


def create_demo_users(engine: Engine) -> tuple[DemoUser, ...]:
    """Create the demo users, or give existing ones a new password (and unblock them)."""
    existing = {u.username: u for u in list_users(engine)}
    made: list[DemoUser] = []
    for username, role, organisation, name in ACCOUNTS:
        password = _password(username)
        if username in existing:
            set_password(engine, existing[username].id, password)
            set_active(engine, existing[username].id, True)
        else:
            create_user(
                engine, username, password, role, organisation=organisation, display_name=name
            )
        made.append(DemoUser(username, password, role, organisation))
    return tuple(made)


def _password(username: str) -> str:
    """16 random characters that the password policy accepts (it refuses almost none)."""
    while True:
        password = secrets.token_urlsafe(12)
        if passwords.problem(password, username) is None:
            return password


def summary(users: tuple[DemoUser, ...], url: str, serve_command: str | None = None) -> str:
    """The demo users; ``serve_command`` says how to serve when the demo does not."""
    where = f"Web application: {url}  (workspace: {url}nl/login)"
    if serve_command is not None:
        where = f"Web application: not served; start it, then open {url}\n  {serve_command}"
    lines = [where, "Demo users (role, username, password):"]
    return "\n".join([*lines, *(u.line() for u in users)])


def serve_demo(
    database_url: str,
    release_dir: Path,
    *,
    port: int,
    serve: bool,
    echo: Callable[[str], None],
    factsheet_dir: Path | None = None,
) -> tuple[DemoUser, ...]:
    """Make the demo users, print them, and (unless ``serve`` is false) serve until stopped."""
    from victim_monitor.registry.register import open_register
    from victim_monitor.web.serve import run
    from victim_monitor.web.settings import WebSettings

    engine = open_register(database_url)
    users = create_demo_users(engine)
    engine.dispose()
    url = f"http://127.0.0.1:{port}/"
    echo("")
    command = None
    if not serve:
        port_option = f" --port {port}" if port != 8000 else ""
        command = (
            f"VICTIM_MONITOR_FACTSHEET_DIR={factsheet_dir or release_dir.parent} "
            "VICTIM_MONITOR_SECURE_COOKIES=0 "
            f"victim-monitor serve --database {database_url} --release {release_dir}{port_option}"
        )
    echo(summary(users, url, command))
    if serve:
        settings = WebSettings(
            database_url,
            release_dir=release_dir,
            secure_cookies=False,
            factsheet_dir=factsheet_dir or release_dir.parent,
        )
        echo(f"serving {release_dir} on {url} (Ctrl+C stops)")
        run(settings, "127.0.0.1", port, 1)
    return users
