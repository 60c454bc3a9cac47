"""The API's JSON parser: a bounded body and a bounded nesting depth.

DRF's own parser reads the whole stream and hands it to `json.load`, which
recurses once per nesting level: 5,000 nested brackets (10 KB) raised
RecursionError (HTTP 500). This one reads at most API_MAX_BODY_BYTES and
counts the nesting before decoding.
"""

from __future__ import annotations

import re

from django.conf import settings
from rest_framework import parsers
from rest_framework.exceptions import ParseError
from rest_framework.utils import json

from core.api.exceptions import BodyTooLarge, JsonTooDeep
from core.numbers import parse_int

# Far beyond any body the API takes, far below Python's recursion limit.
MAX_JSON_DEPTH = 64

# A JSON string (escapes included) and the brackets that open or close a level.
# A string never closed runs to the end of the text, and nothing is given back
# (possessive quantifiers): a body of escaped quotes made every quote a new
# start scanning to the end, time growing with the square of the body (a
# 64 KB body held the worker's interpreter lock for 14 s).
_STRING = re.compile(r'"(?:[^"\\]++|\\.)*+(?:"|\\?\Z)', re.DOTALL)
_BRACKET = re.compile(r"[\[\]{}]")


def json_depth(text: str, *, limit: int) -> int:
    """The nesting depth of the JSON `text`, counted up to `limit + 1`.

    Brackets inside strings do not count; malformed text is left to the
    decoder, which reports it.
    """
    depth = deepest = 0
    for bracket in _BRACKET.finditer(_STRING.sub('""', text)):
        depth += 1 if bracket.group() in "[{" else -1
        if depth > deepest:
            deepest = depth
            if deepest > limit:
                break
    return deepest


class JSONParser(parsers.JSONParser):
    """JSON bodies up to API_MAX_BODY_BYTES nested up to MAX_JSON_DEPTH levels.

    Raises BodyTooLarge (413), JsonTooDeep or ParseError (400).
    """

    def parse(self, stream, media_type=None, parser_context=None):
        limit = settings.API_MAX_BODY_BYTES
        request = (parser_context or {}).get("request")
        declared = parse_int(request.META.get("CONTENT_LENGTH")) if request is not None else None
        if declared is not None and declared > limit:
            raise BodyTooLarge()
        raw = stream.read(limit + 1)
        if len(raw) > limit:
            raise BodyTooLarge()
        encoding = (parser_context or {}).get("encoding", settings.DEFAULT_CHARSET)
        try:
            text = raw.decode(encoding)
        except (UnicodeDecodeError, LookupError) as exc:
            raise ParseError(f"JSON parse error - {exc}") from None
        if json_depth(text, limit=MAX_JSON_DEPTH) > MAX_JSON_DEPTH:
            raise JsonTooDeep(f"JSON nested deeper than {MAX_JSON_DEPTH} levels")
        parse_constant = json.strict_constant if self.strict else None
        try:
            return json.loads(text, parse_constant=parse_constant)
        except ValueError as exc:
            raise ParseError(f"JSON parse error - {exc}") from None
        except RecursionError:  # cannot happen below MAX_JSON_DEPTH; never a 500
            raise JsonTooDeep() from None
