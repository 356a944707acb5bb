"""``victim-monitor keygen`` and ``encode``: the organisations' side, over
:mod:`victim_monitor.pseudonymise`."""

from __future__ import annotations

from pathlib import Path

import click

from victim_monitor.cli.options import json_option
from victim_monitor.cli.output import echo_file_result
from victim_monitor.cli.progress import counter


@click.command()
@click.option(
    "--out", "out", type=click.Path(path_type=Path), required=True, help="Key file to create."
)
def keygen(out: Path) -> None:
    """Make a pseudonymisation key (held by the organisations, never by the register)."""
    from victim_monitor.pseudonymise import KeyExistsError, KeyFileError, generate_key, write_key

    key = generate_key()
    try:
        write_key(key, out)
    except KeyExistsError as exc:
        raise click.ClickException(f"{out} exists; a key is never overwritten") from exc
    except KeyFileError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(
        f"wrote key {key.key_id} to {out} (keep it secret; share it only with "
        "organisations that report to the same register)"
    )


def _parse_map(pairs: tuple[str, ...]) -> dict[str, str]:
    mapping: dict[str, str] = {}
    for pair in pairs:
        raw, sep, standard = pair.partition("=")
        if not sep or not raw.strip() or not standard.strip():
            raise click.BadParameter(f"{pair!r}: write --map raw_column=standard_column")
        mapping[raw.strip()] = standard.strip()
    return mapping


@click.command()
@click.argument("raw", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--key-file", type=click.Path(path_type=Path, dir_okay=False), required=True)
@click.option(
    "--out",
    type=click.Path(path_type=Path, dir_okay=False),
    required=True,
    help="Submission to write (.csv, .jsonl or .json).",
)
@click.option(
    "--map",
    "maps",
    multiple=True,
    metavar="RAW=STANDARD",
    help="Read column RAW as the standard column STANDARD (repeatable).",
)
@json_option
def encode(raw: Path, key_file: Path, out: Path, maps: tuple[str, ...], as_json: bool) -> None:
    """Turn a raw file with clear names into a pseudonymised submission."""
    from victim_monitor.pseudonymise import KeyFileError, encode_file, read_key

    try:
        key = read_key(key_file)
    except KeyFileError as exc:
        raise click.ClickException(str(exc)) from exc
    with counter(f"encoding {raw.name}") as progress:
        try:
            result = encode_file(raw, key, out, column_map=_parse_map(maps), progress=progress)
        except ValueError as exc:  # the output would overwrite the input, or cannot be made
            raise click.ClickException(str(exc)) from exc
    echo_file_result(result, as_json)
