"""Key files: the browser accepts exactly the key files ``read_key`` accepts."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest

from tests.web_encoder.harness import Node
from victim_monitor.pseudonymise import KeyFileError, read_key

GOOD = base64.b64encode(bytes(range(32))).decode("ascii")
LONG = base64.b64encode(bytes(range(48))).decode("ascii")
RAW = base64.b64encode(b"case_reference,first_name,last_name,birth_date,sex,report_date\n"
                       b"K1,Anna,Berg,1990,F,2021-03-04\n").decode("ascii")  # fmt: skip

KEY_FILES = {
    "as keygen writes it": f"victim-monitor-key v1\n# key_id x\n# Keep secret.\n{GOOD}\n",
    "CRLF and blank lines": f"\r\nvictim-monitor-key v1\r\n\r\n  {GOOD}  \r\n",
    "longer key": f"victim-monitor-key v1\n{LONG}\n",
    "no header": f"{GOOD}\n",
    "wrong header": f"victim-monitor-key v2\n{GOOD}\n",
    "two key lines": f"victim-monitor-key v1\n{GOOD}\n{GOOD}\n",
    "no key line": "victim-monitor-key v1\n# only a comment\n",
    "not base64": "victim-monitor-key v1\nnot*base64!\n",
    "padding after a whole group": f"victim-monitor-key v1\n{LONG}=\n",
    "too much padding": f"victim-monitor-key v1\n{GOOD}=\n",
    "padding missing": f"victim-monitor-key v1\n{GOOD[:-1]}\n",
    "too short": f"victim-monitor-key v1\n{base64.b64encode(bytes(16)).decode()}\n",
    "not ASCII": f"victim-monitor-key v1\n# sleutel é\n{GOOD}\n",
    "empty": "",
}


@pytest.mark.parametrize("name", list(KEY_FILES))
def test_same_key_files_accepted(node: Node, tmp_path: Path, name: str) -> None:
    text = KEY_FILES[name]
    path = tmp_path / "monitor.key"
    path.write_bytes(text.encode("utf-8"))
    answer = node.ask(
        {"op": "encode", "raw": RAW, "keyText": text, "options": {"today": "2024-06-01"}}
    )
    try:
        key = read_key(path)
    except KeyFileError:
        assert answer.get("error", {}).get("name") == "KeyFileError", answer
    else:
        assert "error" not in answer, answer
        assert answer["summary"]["key_id"] == key.key_id
