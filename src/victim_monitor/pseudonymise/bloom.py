"""The hardened record-level Bloom filter (``bloom`` column) and its Dice similarity.

Steps, each explained with references in ``docs/encoder.md``:

1. CLK (Schnell, Bachteler & Reiher 2011): one 1024-bit filter per report; every bigram of
   the padded first name and last name, and the birth day, month and year as tokens, set
   ``k`` bits whose positions come from HMAC-SHA256 under a key derived from the key, with a
   label per field (independent "random hashing", not double hashing).
2. XOR-folding (Schnell, Borgs & Encheva 2016): the two 512-bit halves are XOR-ed, so a set
   bit can no longer be traced back to one q-gram's position.
3. Balancing (Schnell & Borgs 2016, after Berger 1961): the folded filter is followed by its
   complement and the 1024 bits are shuffled by a permutation derived from the key; every
   filter then has exactly 512 of 1024 bits set, whatever the name.

Bits are numbered as a bit string: bit 0 is the most significant bit of the first byte. The
result is written as padded base64 of its 128 bytes, so linkage can read it as sixteen
big-endian 64-bit integers and take Dice with ``bit_count`` in SQL.
"""

from __future__ import annotations

import base64
import binascii
import itertools
from collections.abc import Iterator, Sequence
from functools import reduce
from operator import add, or_
from typing import cast

import numpy as np

from victim_monitor.pseudonymise.dates import PartialDate
from victim_monitor.pseudonymise.key import Key, derive
from victim_monitor.pseudonymise.pseudonyms import SEPARATOR, KeyedHash

CLK_BITS = 1024
FOLDED_BITS = CLK_BITS // 2
BLOOM_BITS = 2 * FOLDED_BITS  # after balancing
BLOOM_BYTES = BLOOM_BITS // 8
CLK_BYTES = CLK_BITS // 8
Q = 2
PAD = "_"  # cannot occur in a normalised name
# Bits per item. A name gives 5-10 bigrams, a birth date 3 tokens: the date tokens get twice
# the bits so that a full date weighs about as much as one name in the Dice similarity.
K_NAME = 20
K_DATE = 40

_POSITION_MASK = CLK_BITS - 1  # CLK_BITS is a power of two: 16-bit chunks mod it are unbiased
_HALF = (1 << FOLDED_BITS) - 1
_BLOOM_LABEL = b"victim-monitor/v1/bloom"
_PERMUTATION_LABEL = b"victim-monitor/v1/bloom-permutation"
_CACHE_LIMIT = 1 << 17


def keyed_permutation(secret: bytes, n: int) -> list[int]:
    """A permutation of range(n) from a secret: Fisher-Yates driven by an HMAC stream.

    The stream is HMAC-SHA256(secret, counter as 4 bytes big-endian) for counter 0, 1, ...,
    read as 16-bit big-endian numbers. For i from n-1 down to 1, the first number below
    65536 - 65536 % (i+1) gives j = number % (i+1) (rejection keeps it unbiased); swap i, j.
    """
    hasher = KeyedHash(secret)

    def numbers() -> Iterator[int]:
        for counter in itertools.count():
            block = hasher.digest(counter.to_bytes(4, "big"))
            for at in range(0, len(block), 2):
                yield int.from_bytes(block[at : at + 2], "big")

    stream = numbers()
    order = list(range(n))
    for i in range(n - 1, 0, -1):
        bound = i + 1
        limit = 65536 - 65536 % bound
        number = next(stream)
        while number >= limit:
            number = next(stream)
        j = number % bound
        order[i], order[j] = order[j], order[i]
    return order


class _Field:
    """The CLK bit masks of one field's items, under one key, remembered as they are made."""

    __slots__ = ("_hash", "_k", "_label", "_masks", "_names")

    def __init__(self, hasher: KeyedHash, label: bytes, k: int) -> None:
        self._hash, self._label, self._k = hasher, label, k
        self._masks: dict[str, int] = {}
        self._names: dict[str, int] = {}  # whole names repeat more than name pairs do

    def mask(self, token: str) -> int:
        """The ``k`` bits of one item (positions may repeat), from 16-bit HMAC chunks.

        Chunk i of HMAC(K_bloom, label || 0x1F || token || 0x1F || byte(i // 16)) gives
        position i; the positions of different items are independent (no double hashing).
        """
        found = self._masks.get(token)
        if found is not None:
            return found
        message = self._label + SEPARATOR + token.encode("utf-8") + SEPARATOR
        blocks = range((self._k + 15) // 16)
        chunks = b"".join(self._hash.digest(message + bytes([i])) for i in blocks)
        mask = 0
        for i in range(self._k):
            position = int.from_bytes(chunks[2 * i : 2 * i + 2], "big") & _POSITION_MASK
            mask |= 1 << (CLK_BITS - 1 - position)  # bit-string order: position 0 is the top bit
        if len(self._masks) >= _CACHE_LIMIT:
            self._masks.clear()  # bound memory on pathological input; only speed is lost
        self._masks[token] = mask
        return mask

    def bigram_bits(self, name: str) -> int:
        """The OR of the masks of all bigrams of the padded name."""
        bits = self._names.get(name)
        if bits is not None:
            return bits
        padded = f"{PAD}{name}{PAD}"
        grams = list(map(add, padded, padded[1:]))  # the bigrams (Q = 2), in order
        found = list(map(self._masks.get, grams))
        if None in found:  # some bigram not seen yet under this key
            found = [self.mask(gram) for gram in grams]
        bits = reduce(or_, cast("list[int]", found))
        if len(self._names) >= _CACHE_LIMIT:
            self._names.clear()
        self._names[name] = bits
        return bits


class BloomEncoder:
    """Builds hardened filters under one key; remembers item masks (names and dates repeat)."""

    __slots__ = (
        "_births",
        "_day",
        "_first",
        "_flip",
        "_fold_at",
        "_last",
        "_month",
        "_names",
        "_order",
        "_year",
    )

    def __init__(self, key: Key) -> None:
        hasher = KeyedHash(derive(key, _BLOOM_LABEL))
        self._first = _Field(hasher, b"first_name", K_NAME)
        self._last = _Field(hasher, b"last_name", K_NAME)
        self._year = _Field(hasher, b"birth_year", K_DATE)
        self._month = _Field(hasher, b"birth_month", K_DATE)
        self._day = _Field(hasher, b"birth_day", K_DATE)
        self._names: dict[tuple[str, str], int] = {}
        self._births: dict[PartialDate, int] = {}  # birth dates repeat; three masks each
        # Output bit i is bit order[i] of (folded filter, then its complement).
        order = keyed_permutation(derive(key, _PERMUTATION_LABEL), BLOOM_BITS)
        self._order = np.array(order, dtype=np.intp)
        # The same, read from the folded filter alone: bit order[i] % 512, flipped when
        # order[i] falls in the complement (for a block of filters at once).
        self._fold_at = self._order % FOLDED_BITS
        self._flip = (self._order >= FOLDED_BITS).astype(np.uint8)

    def clk(self, first: str, last: str, birth: PartialDate | None) -> int:
        """The unhardened CLK as an integer (0 when nothing is known)."""
        bits = self.name_bits(first, last)
        if birth is not None:
            bits |= self.birth_bits(birth)
        return bits

    def birth_bits(self, birth: PartialDate) -> int:
        """The CLK bits of a birth date's year, month and day tokens (those that are known)."""
        found = self._births.get(birth)
        if found is None:
            found = self._year.mask(f"{birth.year:04d}")
            if birth.month is not None:
                found |= self._month.mask(f"{birth.month:02d}")
            if birth.day is not None:
                found |= self._day.mask(f"{birth.day:02d}")
            if len(self._births) >= _CACHE_LIMIT:
                self._births.clear()
            self._births[birth] = found
        return found

    def name_bits(self, first: str, last: str) -> int:
        """The CLK bits of a name pair's bigrams (0 when neither name is known)."""
        bits = self._names.get((first, last))
        if bits is None:
            bits = (self._first.bigram_bits(first) if first else 0) | (
                self._last.bigram_bits(last) if last else 0
            )
            if len(self._names) >= _CACHE_LIMIT:
                self._names.clear()
            self._names[(first, last)] = bits
        return bits

    def harden(self, clk: int) -> bytes:
        """XOR-fold, append the complement, permute: the 128 bytes that are published."""
        folded = (clk >> FOLDED_BITS) ^ (clk & _HALF)
        balanced = (folded << FOLDED_BITS) | (folded ^ _HALF)
        bits = np.unpackbits(np.frombuffer(balanced.to_bytes(BLOOM_BYTES, "big"), np.uint8))
        return bytes(np.packbits(bits[self._order]).tobytes())

    def encode_many(self, clks: Sequence[int]) -> list[str]:
        """:meth:`harden` and base64 of a block of CLKs at once ("" for an empty CLK).

        The same bytes as one at a time; NumPy's call overhead, which is most of the cost of
        one filter, is paid once per block.
        """
        if not clks:
            return []
        raw = b"".join([clk.to_bytes(CLK_BYTES, "big") for clk in clks])
        clk_bytes = np.frombuffer(raw, np.uint8).reshape(len(clks), CLK_BYTES)
        folded_bytes = clk_bytes[:, : CLK_BYTES // 2] ^ clk_bytes[:, CLK_BYTES // 2 :]
        # Rows are whole bytes, so unpacking and packing them flat gives the same bits as
        # row by row, and is several times faster than NumPy's packbits along an axis.
        folded = np.unpackbits(folded_bytes.reshape(-1)).reshape(len(clks), FOLDED_BITS)
        hardened = np.packbits((folded[:, self._fold_at] ^ self._flip).reshape(-1)).tobytes()
        b64 = binascii.b2a_base64
        return [
            b64(hardened[at : at + BLOOM_BYTES], newline=False).decode("ascii") if clk else ""
            for at, clk in zip(range(0, len(hardened), BLOOM_BYTES), clks, strict=True)
        ]

    def encode(self, first: str, last: str, birth: PartialDate | None) -> str:
        """Base64 of the hardened filter, or empty when there is no name and no birth date.

        An empty filter is not encoded: balancing would turn it into one constant string
        shared by every unnamed report, which would then all look alike.
        """
        clk = self.clk(first, last, birth)
        if not clk:
            return ""
        return base64.b64encode(self.harden(clk)).decode("ascii")


def decode(filter_b64: str) -> int:
    """A filter from its base64 text, as an integer; ValueError if it is not one."""
    try:
        raw = base64.b64decode(filter_b64, validate=True)
    except (binascii.Error, ValueError):
        raise ValueError("not a base64 Bloom filter") from None
    return int.from_bytes(raw, "big")


def dice(a: str, b: str) -> float:
    """Dice coefficient 2|A∩B| / (|A|+|B|) of two base64 filters; 0.0 if either is empty.

    On balanced filters (512 bits set each) this is 1 - (Hamming distance of the folded
    filters) / 512: unrelated reports score about 0.5, not 0.
    """
    if not a or not b:
        return 0.0
    if len(a) != len(b):
        raise ValueError("Bloom filters of different lengths cannot be compared")
    x, y = decode(a), decode(b)
    total = x.bit_count() + y.bit_count()
    return 0.0 if total == 0 else 2 * (x & y).bit_count() / total
