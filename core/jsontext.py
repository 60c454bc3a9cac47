"""JSON text in one way, through `orjson` (several times faster than the
standard library's `json`, which search pages feel: every page decodes the
sites' answers and encodes and decodes its stored search state).

Pure: no I/O. Output is compact UTF-8 (no \\u escapes). Where orjson and
`json` differ, `json`'s behaviour is kept:
- `loads` accepts what `json.loads` accepts: NaN, Infinity and a number
  beyond a double (which orjson refuses) are read by `json.loads`; anything
  that is not JSON raises ValueError.
- `dumps` refuses dates and dataclasses as `json.dumps` does, and writes
  non-string keys as strings.
One difference remains: an integer beyond 64 bits is read as a float (JSON
numbers past 2**53 are unsafe in JavaScript, so no vendor API sends them;
`dumps` refuses to write one).
"""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any

import orjson

_DUMP = orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS


def dumps(value: Any) -> str:
    """`value` as JSON text, object keys in their own order (a document read
    back gives the text it was read from: `core.fields` compares the two to
    tell whether it changed)."""
    return dumps_bytes(value).decode()


def dumps_bytes(value: Any) -> bytes:
    """`dumps` as UTF-8 bytes: what is encrypted or sent needs no decoding
    into text and encoding back (the search state is 40 KB of Cyrillic)."""
    try:
        return orjson.dumps(value, option=_DUMP)
    except TypeError:
        # Non-string keys (`json` writes them as strings) cost orjson twice
        # as much on every document: asked for only when met.
        return orjson.dumps(value, option=_DUMP | orjson.OPT_NON_STR_KEYS)


def loads(text: str | bytes) -> Any:
    """The value JSON `text` (text, or UTF-8 bytes) holds. Raises ValueError
    when it is not JSON."""
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError:
        # NaN, Infinity, a huge exponent, an escaped lone surrogate (a broken
        # emoji: as U+FFFD, or the value could never be written out again); or raises
        return _whole_characters(json.loads(text))


def _whole_characters(value: Any) -> Any:
    """`value` with every lone UTF-16 surrogate in its strings as U+FFFD."""
    if isinstance(value, str):
        if any("\ud800" <= c <= "\udfff" for c in value):
            return value.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
        return value
    if isinstance(value, list):
        return [_whole_characters(v) for v in value]
    if isinstance(value, dict):
        return {_whole_characters(k): _whole_characters(v) for k, v in value.items()}
    return value


def isoformat(value: date) -> str:
    """`value.isoformat()` of a date or datetime, the same text written by
    orjson (RFC 3339) at a fraction of the instructions: a search writes a
    few hundred (its cards' stored form, their merge keys, its answer).
    An offset with seconds, which RFC 3339 cannot write, and a type orjson
    does not take are left to `isoformat`."""
    if isinstance(value, datetime):
        offset = value.utcoffset()
        if offset is not None and (offset.seconds % 60 or offset.microseconds):
            return value.isoformat()
    try:
        return orjson.dumps(value)[1:-1].decode()
    except TypeError:
        return value.isoformat()
