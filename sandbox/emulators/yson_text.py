"""Just enough text YSON for the YT emulator to read what clients send.

`yt.wrapper` sends its command parameters (`X-YT-Parameters`) and formats
(`X-YT-Output-Format`) as text YSON by default (`X-YT-Header-Format:
<format=text>yson`). After the YSON reference (yt/docs/en/_includes/
user-guide/storage/yson.md): maps `{k=v;...}`, lists `[a;b]`, strings quoted
or bare, integers (`1`, `1u`), doubles, `%true`/`%false`, the entity `#`,
and attributes `<a=b>` in front of a value (returned as
`{"$attributes": {...}, "$value": value}`, the JSON form YT uses).
"""

from __future__ import annotations

import re
from typing import Any

_BARE = re.compile(r"[A-Za-z_][A-Za-z0-9_.\-]*")
_NUMBER = re.compile(r"[+-]?(\d+\.\d*([eE][+-]?\d+)?|\d+[eE][+-]?\d+|\d+u?|\.\d+)")
_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\"}


class YsonError(ValueError):
    pass


def loads(text: str) -> Any:
    parser = _Parser(text)
    value = parser.value()
    parser.skip()
    if parser.pos != len(text):
        raise YsonError(f"unexpected {text[parser.pos : parser.pos + 10]!r}")
    return value


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0

    def skip(self) -> None:
        while self.pos < len(self.text) and self.text[self.pos].isspace():
            self.pos += 1

    def peek(self) -> str:
        self.skip()
        return self.text[self.pos] if self.pos < len(self.text) else ""

    def expect(self, char: str) -> None:
        if self.peek() != char:
            raise YsonError(f"expected {char!r} at {self.pos}")
        self.pos += 1

    def value(self) -> Any:
        if self.peek() == "<":
            attributes = self.items("<", ">")
            return {"$attributes": attributes, "$value": self.value()}
        char = self.peek()
        if char == "{":
            return self.items("{", "}")
        if char == "[":
            return self.sequence()
        if char == '"':
            return self.string()
        if char == "#":
            self.pos += 1
            return None
        if char == "%":
            for word, value in (("%true", True), ("%false", False)):
                if self.text.startswith(word, self.pos):
                    self.pos += len(word)
                    return value
            raise YsonError(f"bad literal at {self.pos}")
        if match := _NUMBER.match(self.text, self.pos):
            self.pos = match.end()
            token = match.group(0)
            if token.endswith("u"):
                return int(token[:-1])
            return float(token) if any(c in token for c in ".eE") else int(token)
        if match := _BARE.match(self.text, self.pos):
            self.pos = match.end()
            return match.group(0)
        raise YsonError(f"unexpected {char!r} at {self.pos}")

    def key(self) -> str:
        key = self.value()
        if not isinstance(key, str):
            raise YsonError(f"a map key must be a string at {self.pos}")
        return key

    def items(self, opening: str, closing: str) -> dict[str, Any]:
        self.expect(opening)
        result: dict[str, Any] = {}
        while self.peek() != closing:
            key = self.key()
            self.expect("=")
            result[key] = self.value()
            if self.peek() == ";":
                self.pos += 1
        self.expect(closing)
        return result

    def sequence(self) -> list[Any]:
        self.expect("[")
        result = []
        while self.peek() != "]":
            result.append(self.value())
            if self.peek() == ";":
                self.pos += 1
        self.expect("]")
        return result

    def string(self) -> str:
        self.expect('"')
        out = []
        while self.pos < len(self.text):
            char = self.text[self.pos]
            self.pos += 1
            if char == '"':
                return _text("".join(out))
            if char == "\\":
                escaped = self.text[self.pos : self.pos + 1]
                if escaped == "x":
                    out.append(chr(int(self.text[self.pos + 1 : self.pos + 3], 16)))
                    self.pos += 3
                    continue
                out.append(_ESCAPES.get(escaped, escaped))
                self.pos += 1
                continue
            out.append(char)
        raise YsonError("unterminated string")


def _text(value: str) -> str:
    # `\xNN` escapes are bytes: a UTF-8 string escaped byte by byte reads back as text.
    try:
        return value.encode("latin1").decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return value


def dumps(value: Any) -> str:
    """Text YSON of a JSON-like value (for answers in `<format=text>yson`)."""
    if value is None:
        return "#"
    if isinstance(value, bool):
        return "%true" if value else "%false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        escaped = value.replace("\\", "\\\\").replace('"', '\\"')
        return f'"{escaped}"'
    if isinstance(value, list):
        return "[" + ";".join(dumps(item) for item in value) + "]"
    if isinstance(value, dict):
        return "{" + ";".join(f"{dumps(str(k))}={dumps(v)}" for k, v in value.items()) + "}"
    raise TypeError(f"cannot write {type(value).__name__} as YSON")
