"""DRF's JSON renderer, writing through orjson where that gives the same JSON.

`OrjsonRenderer` writes what `rest_framework.renderers.JSONRenderer` writes
(compact, UTF-8, U+2028 and U+2029 escaped, every type orjson does not know
to DRF's encoder: datetimes, dates, decimals, lazy texts) at a fraction of
its cost: the standard library's encoder, with DRF's Python `default`, took
a twentieth of an API search's CPU for its twenty cards. Whatever orjson
refuses goes to DRF's renderer: an integer past 64 bits, a key that is not
a string, a one-shot iterator (so nothing is consumed before DRF's turn),
anything DRF's encoder refuses (DRF then refuses it too); and so does a
pretty-printed answer (`Accept: application/json; indent=4`).

For answers that hold no float and no Enum: orjson writes NaN as null where
DRF refuses it, some floats in another form (1e-05 as 1e-5), and a plain
Enum by its value where DRF refuses it. The search answers hold none of
these (`recruiting.api.search_answer`), and they use it.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

import orjson
from rest_framework import renderers
from rest_framework.utils import encoders

_OPTIONS = (
    orjson.OPT_PASSTHROUGH_DATETIME  # to DRF's encoder: its format ("Z" for UTC)
    | orjson.OPT_PASSTHROUGH_DATACLASS  # refused by DRF's encoder, as by json
)
_ENCODER = encoders.JSONEncoder()


def _default(value: Any) -> Any:
    """What DRF's encoder makes of `value`; a one-shot iterator is refused
    (DRF's renderer reads it, whole, once orjson has given up)."""
    if isinstance(value, Iterator):
        raise TypeError("a one-shot iterator: DRF's renderer writes it")
    return _ENCODER.default(value)


_SEPARATORS = ("\u2028".encode(), "\u2029".encode())


class OrjsonRenderer(renderers.JSONRenderer):
    """`JSONRenderer`'s JSON through orjson (see the module)."""

    def render(
        self,
        data: Any,
        accepted_media_type: str | None = None,
        renderer_context: Mapping[str, Any] | None = None,
    ) -> bytes:
        if (
            data is None
            or self.ensure_ascii
            or not self.compact
            or self.get_indent(accepted_media_type or "", renderer_context or {}) is not None
        ):
            return super().render(data, accepted_media_type, renderer_context)
        try:
            out = orjson.dumps(data, default=_default, option=_OPTIONS)
        except orjson.JSONEncodeError:
            return super().render(data, accepted_media_type, renderer_context)
        if _SEPARATORS[0] in out or _SEPARATORS[1] in out:  # as DRF: JavaScript-safe
            out = out.replace(_SEPARATORS[0], b"\\u2028").replace(_SEPARATORS[1], b"\\u2029")
        return out
