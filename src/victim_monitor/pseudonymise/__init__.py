"""The pseudonymising encoder that reporting organisations run on their own machine.

It turns a raw file with clear names and birth dates into a submission (format v1) that
holds only keyed pseudonyms, a hardened Bloom filter and coded facts. The key stays with the
organisations; the register never has it. See ``docs/encoder.md``.

Typical use::

    key = read_key(Path("monitor.key"))
    result = encode_file(Path("raw.csv"), key, Path("submission.csv"))
    print(result.summary())
"""

from victim_monitor.pseudonymise.bloom import BLOOM_BITS, dice
from victim_monitor.pseudonymise.columns import (
    RAW_COLUMNS,
    REQUIRED_RAW_COLUMNS,
    SUBMISSION_COLUMNS,
    EncodedRow,
)
from victim_monitor.pseudonymise.encoder import EncodeResult, encode_file
from victim_monitor.pseudonymise.key import (
    Key,
    KeyExistsError,
    KeyFileError,
    generate_key,
    read_key,
    write_key,
)
from victim_monitor.pseudonymise.rows import RowEncoder, RowResult, encode_rows

__all__ = [
    "BLOOM_BITS",
    "RAW_COLUMNS",
    "REQUIRED_RAW_COLUMNS",
    "SUBMISSION_COLUMNS",
    "EncodeResult",
    "EncodedRow",
    "Key",
    "KeyExistsError",
    "KeyFileError",
    "RowEncoder",
    "RowResult",
    "dice",
    "encode_file",
    "encode_rows",
    "generate_key",
    "read_key",
    "write_key",
]
