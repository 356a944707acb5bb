"""Run the browser encoder under Node.js beside the Python encoder, and compare them.

One Node process per test session answers JSON requests line by line (``driver.mjs``), so
that a property test can compare thousands of files without starting Node for each.
"""

from __future__ import annotations

import base64
import json
import os
import shutil
import subprocess
import tempfile
import threading
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from victim_monitor.pseudonymise import Key, encode_file

DRIVER = Path(__file__).with_name("driver.mjs")
ENCODER = Path(__file__).resolve().parents[2] / "src/victim_monitor/web/static/encoder"
CHROMIUM = Path("/usr/bin/chromium")
CSP = "default-src 'self'; script-src 'self'; object-src 'none'"
TODAY = date(2024, 6, 1)


def node_binary() -> str | None:
    """The Node.js binary (``node`` on the path, or Debian's /usr/bin/node), if any."""
    found = shutil.which("node")
    if found is None and os.access("/usr/bin/node", os.X_OK):
        found = "/usr/bin/node"
    return found


class Node:
    """A running driver.mjs: ``ask(request)`` sends one request and returns its answer."""

    def __init__(self, binary: str) -> None:
        self._process = subprocess.Popen(
            [binary, str(DRIVER)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            encoding="utf-8",
        )

    def ask(self, request: Mapping[str, Any]) -> dict[str, Any]:
        assert self._process.stdin is not None
        assert self._process.stdout is not None
        self._process.stdin.write(json.dumps(request) + "\n")
        self._process.stdin.flush()
        line = self._process.stdout.readline()
        if not line:
            raise RuntimeError("the Node driver stopped")
        answer: dict[str, Any] = json.loads(line)
        return answer

    def close(self) -> None:
        if self._process.stdin is not None:
            self._process.stdin.close()
        self._process.wait(timeout=10)


@dataclass(frozen=True)
class Outcome:
    """One encoder's result on one raw file, in a form both encoders can give."""

    output: bytes | None
    summary: dict[str, Any]
    problems: list[dict[str, Any]]
    progress: list[int]  # the row counts reported to the progress callback


def python_encode(
    raw: bytes,
    key: Key,
    tmp: Path,
    *,
    column_map: Mapping[str, str] | None = None,
    fmt: str = "csv",
    today: date = TODAY,
) -> Outcome:
    """What ``victim-monitor encode`` makes of these bytes."""
    raw_path = tmp / "raw.csv"
    raw_path.write_bytes(raw)
    out = tmp / f"submission.{fmt}"
    out.unlink(missing_ok=True)
    progress: list[int] = []
    result = encode_file(
        raw_path, key, out, column_map=column_map, today=today, progress=progress.append
    )
    summary = result.as_dict()
    for name in ("out", "problems"):
        del summary[name]
    output = out.read_bytes() if result.ok else None
    return Outcome(output, summary, [p.as_dict() for p in result.problems], progress)


def node_encode(
    node: Node,
    raw: bytes,
    key: Key,
    file: str,
    *,
    column_map: Mapping[str, str] | None = None,
    fmt: str = "csv",
    today: date = TODAY,
    key_text: str | None = None,
) -> Outcome:
    """What the browser encoder makes of the same bytes (``file`` as the raw file's name)."""
    request: dict[str, Any] = {
        "op": "encode",
        "raw": base64.b64encode(raw).decode("ascii"),
        "options": {
            "fileName": file,
            "format": fmt,
            "today": today.isoformat(),
            "columnMap": list((column_map or {}).items()),
        },
    }
    if key_text is None:
        request["secret"] = base64.b64encode(key.secret).decode("ascii")
    else:
        request["keyText"] = key_text
    answer = node.ask(request)
    if "error" in answer:
        raise RuntimeError(f"browser encoder failed: {answer['error']}")
    output = None if answer["output"] is None else base64.b64decode(answer["output"])
    return Outcome(output, answer["summary"], answer["problems"], answer["progress"])


def assert_same(
    node: Node,
    raw: bytes,
    key: Key,
    tmp: Path,
    *,
    column_map: Mapping[str, str] | None = None,
    fmt: str = "csv",
    today: date = TODAY,
) -> Outcome:
    """Encode with both; the bytes, the summary and every problem must be equal."""
    expected = python_encode(raw, key, tmp, column_map=column_map, fmt=fmt, today=today)
    got = node_encode(
        node, raw, key, str(tmp / "raw.csv"), column_map=column_map, fmt=fmt, today=today
    )
    assert got.problems == expected.problems
    assert got.summary == expected.summary
    assert got.output == expected.output
    assert got.progress == expected.progress
    return expected


def ask_many(node: Node, op: str, inputs: Sequence[Any]) -> list[Any]:
    """Run a helper of the browser encoder (fold, valueKey, metaphone, nameKeys) on inputs."""
    answer = node.ask({"op": op, "inputs": list(inputs)})
    if "error" in answer:
        raise RuntimeError(f"browser encoder failed: {answer['error']}")
    outputs: list[Any] = answer["outputs"]
    return outputs


class _Handler(SimpleHTTPRequestHandler):
    extensions_map = {  # noqa: RUF012 (overrides the base class's attribute)
        ".js": "text/javascript",
        ".html": "text/html",
        ".ico": "image/x-icon",
        "": "text/plain",
    }

    def end_headers(self) -> None:
        self.send_header("Content-Security-Policy", CSP)
        super().end_headers()

    def log_message(self, format: str, *args: Any) -> None:
        pass


@contextmanager
def serving_encoder() -> Iterator[str]:
    """Serve an empty page and the encoder at /encoder/ on 127.0.0.1 (a secure context) under
    a strict Content-Security-Policy; yields the page's URL."""
    with tempfile.TemporaryDirectory() as tmp:
        site = Path(tmp)
        (site / "encoder").symlink_to(ENCODER)
        (site / "index.html").write_text("<!doctype html><title>encoder</title>", "utf-8")
        (site / "favicon.ico").write_bytes(b"")
        server = ThreadingHTTPServer(("127.0.0.1", 0), partial(_Handler, directory=str(site)))
        threading.Thread(target=server.serve_forever, daemon=True).start()
        try:
            yield f"http://127.0.0.1:{server.server_port}/index.html"
        finally:
            server.shutdown()
            server.server_close()


# For page.evaluate: encode base64 raw bytes with a key file's text, in the page.
ENCODE_IN_PAGE = """async ([raw, keyText, fileName]) => {
  const { encodeFile } = await import("/encoder/encoder.js");
  const bytes = Uint8Array.from(atob(raw), (c) => c.charCodeAt(0));
  const started = performance.now();
  const result = await encodeFile(bytes, keyText, { fileName, today: "2024-06-01" });
  const seconds = (performance.now() - started) / 1000;
  let output = null;
  if (result.output) {
    output = btoa(Array.from(result.output, (b) => String.fromCharCode(b)).join(""));
  }
  const secure = isSecureContext;
  return { output, summary: result.summary, problems: result.problems, secure, seconds };
}"""
