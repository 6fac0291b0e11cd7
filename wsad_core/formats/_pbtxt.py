"""Tokenizer for the protobuf text format subset used by label maps."""

from __future__ import annotations

import string
from typing import NamedTuple

from wsad_core.errors import FormatError
from wsad_core.formats._fields import PathLike

_PUNCTUATION = "{}:"
# Separators protobuf text format allows between fields; they carry no meaning here.
_SEPARATORS = ",;"
_SIMPLE_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "\\": "\\", '"': '"', "'": "'"}


class Token(NamedTuple):
    """A lexical token: ``kind`` is ``"{"``, ``"}"``, ``":"``, ``"string"`` or ``"word"``."""

    kind: str
    value: str
    line: int

    @property
    def text(self) -> str:
        """How the token reads in an error message."""
        return repr(self.value) if self.kind == "string" else self.value


def _read_string(text: str, start: int, line: int, path: PathLike | None) -> tuple[str, int]:
    """Decode the quoted string whose opening quote is at ``start``; return (value, end index)."""
    quote = text[start]
    out: list[str] = []
    i = start + 1
    while i < len(text):
        char = text[i]
        if char == quote:
            return "".join(out), i + 1
        if char == "\n":
            break
        if char == "\\":
            escape = text[i + 1 : i + 2]
            if escape in _SIMPLE_ESCAPES:
                out.append(_SIMPLE_ESCAPES[escape])
                i += 2
                continue
            hex_digits = text[i + 2 : i + 4]
            if escape == "x" and len(hex_digits) == 2 and all(c in string.hexdigits for c in hex_digits):
                out.append(chr(int(hex_digits, 16)))
                i += 4
                continue
            raise FormatError(path, f"unsupported escape sequence '\\{escape}' in string", row=line)
        out.append(char)
        i += 1
    raise FormatError(path, "unterminated string", row=line)


def tokenize(text: str, path: PathLike | None = None) -> list[Token]:
    """Split pbtxt ``text`` into tokens, dropping whitespace and ``#`` comments."""
    tokens: list[Token] = []
    line = 1
    i = 0
    n = len(text)
    while i < n:
        char = text[i]
        if char == "\n":
            line += 1
            i += 1
        elif char.isspace() or char in _SEPARATORS:
            i += 1
        elif char == "#":
            end = text.find("\n", i)
            i = n if end < 0 else end
        elif char in _PUNCTUATION:
            tokens.append(Token(char, char, line))
            i += 1
        elif char in "\"'":
            value, i = _read_string(text, i, line, path)
            tokens.append(Token("string", value, line))
        else:
            start = i
            while i < n and not (text[i].isspace() or text[i] in _PUNCTUATION + _SEPARATORS + "#\"'"):
                i += 1
            tokens.append(Token("word", text[start:i], line))
    return tokens
