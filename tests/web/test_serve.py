"""``victim-monitor serve`` wires its options into the app's settings (uvicorn not started)."""

from __future__ import annotations

import gc
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from victim_monitor.cli import main
from victim_monitor.web import serve
from victim_monitor.web.settings import WebSettings


@pytest.mark.parametrize(("host", "secure"), [("127.0.0.1", False), ("0.0.0.0", True)])
def test_serve_options_reach_the_settings(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, host: str, secure: bool
) -> None:
    seen: dict[str, Any] = {}

    def fake_run(settings: WebSettings, host: str, port: int, workers: int) -> None:
        seen.update(settings=settings, host=host, port=port, workers=workers)

    monkeypatch.setattr(serve, "run", fake_run)
    monkeypatch.delenv("VICTIM_MONITOR_SECURE_COOKIES", raising=False)
    url = f"sqlite:///{tmp_path / 'r.db'}"
    result = CliRunner().invoke(
        main,
        ["serve", "--host", host, "--port", "8123", "--workers", "2", "--database", url,
         "--release", str(tmp_path / "pub")],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert f"http://{host}:8123/" in result.output
    settings: WebSettings = seen["settings"]
    assert (settings.database_url, settings.release_dir) == (url, tmp_path / "pub")
    assert settings.secure_cookies is secure
    assert (seen["port"], seen["workers"]) == (8123, 2)


def test_bad_settings_are_usage_errors(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VICTIM_MONITOR_SECURE_COOKIES", "maybe")
    result = CliRunner().invoke(main, ["serve"])
    assert result.exit_code == 2
    assert "VICTIM_MONITOR_SECURE_COOKIES" in result.output


def test_a_served_worker_keeps_its_start_up_objects_out_of_the_collector() -> None:
    gc.unfreeze()
    try:
        app = object()
        assert serve.frozen(app) is app
        # Everything alive now (the imported modules' objects among it) is frozen: a full
        # collection no longer walks it.
        assert gc.get_freeze_count() > 10_000
    finally:
        gc.unfreeze()
