"""Label maps: AVA / TF-object-detection ``pbtxt`` files, plain vocabularies, built-in maps.

The pbtxt reader understands the subset of protobuf text format that label maps
use: top-level ``item { ... }`` (or ``label { ... }``, as in the official AVA
action lists) blocks holding ``name`` / ``display_name`` strings and an
``id`` / ``label_id`` integer. Other fields, including nested messages, are
skipped so that maps written for other tools still load.
"""

from __future__ import annotations

import functools
import importlib.resources
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from wsad_core.errors import FormatError
from wsad_core.formats._fields import PathLike, parse_int, read_text
from wsad_core.formats._pbtxt import Token, tokenize

_BLOCK_NAMES = ("item", "label")
_ID_FIELDS = ("id", "label_id")
_NAME_FIELDS = ("name", "display_name")

_BUILTIN_FILES = {
    "ava-v2.2": "ava_v2.2_action_list.pbtxt",
    "ava-v2.2-eval": "ava_v2.2_action_list_eval60.pbtxt",
    "ucf101-24": "ucf101_24.pbtxt",
}
BUILTIN_LABEL_MAPS: tuple[str, ...] = tuple(_BUILTIN_FILES)


@dataclass(frozen=True)
class LabelMapEntry:
    """One class of a label map."""

    id: int
    name: str


class _Parser:
    def __init__(self, tokens: list[Token], path: PathLike | None) -> None:
        self.tokens = tokens
        self.path = path
        self.pos = 0

    def error(self, message: str, line: int, field: str | None = None) -> FormatError:
        return FormatError(self.path, message, row=line, field=field)

    def next(self, opened_on: int) -> Token:
        """Consume one token; running out means a ``{`` opened on ``opened_on`` never closed."""
        if self.pos >= len(self.tokens):
            raise self.error("unbalanced braces: '{' is never closed", opened_on)
        token = self.tokens[self.pos]
        self.pos += 1
        return token

    def peek_is(self, kind: str) -> bool:
        return self.pos < len(self.tokens) and self.tokens[self.pos].kind == kind

    def parse(self) -> list[LabelMapEntry]:
        entries: list[LabelMapEntry] = []
        id_lines: dict[int, int] = {}
        name_lines: dict[str, int] = {}
        while self.pos < len(self.tokens):
            token = self.tokens[self.pos]
            self.pos += 1
            if token.kind == "}":
                raise self.error("unbalanced braces: '}' without a matching '{'", token.line)
            if token.kind != "word" or token.value not in _BLOCK_NAMES:
                raise self.error(f"expected 'item {{', got {token.text}", token.line)
            if self.peek_is(":"):
                self.pos += 1
            if not self.peek_is("{"):
                line = self.tokens[self.pos].line if self.pos < len(self.tokens) else token.line
                raise self.error(f"expected '{{' after {token.value!r}", line)
            brace = self.tokens[self.pos]
            self.pos += 1
            entry, id_line, name_line = self.parse_item(token.line, brace.line)
            if entry.id in id_lines:
                raise self.error(
                    f"duplicate id {entry.id} (first used on line {id_lines[entry.id]})",
                    id_line,
                    "id",
                )
            if entry.name in name_lines:
                raise self.error(
                    f"duplicate name {entry.name!r} (first used on line {name_lines[entry.name]})",
                    name_line,
                    "name",
                )
            id_lines[entry.id] = id_line
            name_lines[entry.name] = name_line
            entries.append(entry)
        return entries

    def parse_item(self, item_line: int, open_line: int) -> tuple[LabelMapEntry, int, int]:
        # slot ("id", "name", "display_name") -> (field name as written, value token)
        values: dict[str, tuple[str, Token]] = {}
        while True:
            key = self.next(open_line)
            if key.kind == "}":
                break
            if key.kind != "word":
                raise self.error(f"expected a field name, got {key.text}", key.line)
            if self.peek_is(":"):
                self.pos += 1
            value = self.next(open_line)
            if value.kind == "{":
                self.skip_message(value.line)
                continue
            if value.kind not in ("word", "string"):
                raise self.error(f"expected a value, got {value.text}", value.line, key.value)
            if key.value in _ID_FIELDS or key.value in _NAME_FIELDS:
                slot = "id" if key.value in _ID_FIELDS else key.value
                if slot in values:
                    raise self.error("field repeated within one item", key.line, key.value)
                values[slot] = (key.value, value)
        return self.build_entry(values, item_line)

    def skip_message(self, open_line: int) -> None:
        depth = 1
        while depth:
            token = self.next(open_line)
            depth += {"{": 1, "}": -1}.get(token.kind, 0)

    def build_entry(
        self, values: dict[str, tuple[str, Token]], item_line: int
    ) -> tuple[LabelMapEntry, int, int]:
        named = values.get("name") or values.get("display_name")
        if named is None:
            raise self.error("item has no name (or display_name)", item_line, "name")
        if "id" not in values:
            raise self.error("item has no id (or label_id)", item_line, "id")
        name_field, name_token = named
        if name_token.kind != "string":
            message = f"name must be a quoted string, got {name_token.text}"
            raise self.error(message, name_token.line, name_field)
        if not name_token.value.strip():
            raise self.error("name is empty", name_token.line, name_field)
        id_field, id_token = values["id"]
        if id_token.kind != "word":
            raise self.error(f"expected an integer, got {id_token.text}", id_token.line, id_field)
        label_id = parse_int(id_token.value, self.path, id_token.line, id_field)
        if label_id < 0:
            raise self.error(f"id must not be negative, got {label_id}", id_token.line, id_field)
        return LabelMapEntry(label_id, name_token.value), id_token.line, name_token.line


def parse_label_map(text: str, path: PathLike | None = None) -> list[LabelMapEntry]:
    """Parse pbtxt label-map text; ``path`` is only used in error messages.

    Entries keep the file's order. ``name`` wins over ``display_name`` when an
    item has both. Ids must be unique non-negative integers, names unique and non-empty.
    """
    return _Parser(tokenize(text, path), path).parse()


def read_label_map(path: PathLike) -> list[LabelMapEntry]:
    """Read a pbtxt label-map file."""
    return parse_label_map(read_text(path), path)


def _quote(name: str) -> str:
    out = []
    for char in name:
        if char in '\\"':
            out.append("\\" + char)
        elif char == "\n":
            out.append("\\n")
        elif char == "\t":
            out.append("\\t")
        elif char == "\r":
            out.append("\\r")
        elif ord(char) < 0x20 or ord(char) == 0x7F:
            out.append(f"\\x{ord(char):02x}")
        else:
            out.append(char)
    return '"' + "".join(out) + '"'


def format_label_map(entries: Iterable[LabelMapEntry]) -> str:
    """Canonical pbtxt text for ``entries``; raises ``ValueError`` if they would not read back."""
    entries = list(entries)
    ids = [entry.id for entry in entries]
    names = [entry.name for entry in entries]
    if len(set(ids)) != len(ids) or len(set(names)) != len(names):
        raise ValueError("label map entries must have unique ids and unique names")
    for entry in entries:
        if entry.id < 0 or not entry.name.strip():
            raise ValueError(f"invalid label map entry {entry!r}")
    return "".join(f"item {{\n  name: {_quote(e.name)}\n  id: {e.id}\n}}\n" for e in entries)


def write_label_map(entries: Iterable[LabelMapEntry], path: PathLike) -> None:
    """Write ``entries`` as canonical pbtxt (``item { name: "..." id: N }``), UTF-8."""
    text = format_label_map(entries)
    Path(path).write_text(text, encoding="utf-8")


def read_vocabulary(path: PathLike) -> list[str]:
    """Read a custom vocabulary: one label name per line.

    Surrounding whitespace is stripped; blank lines and lines starting with ``#``
    are ignored. A repeated name is an error, since it would silently merge two classes.
    """
    names: list[str] = []
    first_line: dict[str, int] = {}
    for line_number, line in enumerate(read_text(path).splitlines(), start=1):
        name = line.strip()
        if not name or name.startswith("#"):
            continue
        if name in first_line:
            raise FormatError(
                path,
                f"duplicate name {name!r} (first on line {first_line[name]})",
                row=line_number,
                field="name",
            )
        first_line[name] = line_number
        names.append(name)
    return names


@functools.cache
def _load_builtin(name: str) -> tuple[LabelMapEntry, ...]:
    resource = importlib.resources.files("wsad_core.resources").joinpath("label_maps", _BUILTIN_FILES[name])
    return tuple(parse_label_map(resource.read_text(encoding="utf-8"), str(resource)))


def builtin_label_map(name: str) -> list[LabelMapEntry]:
    """Return a label map shipped with wsad-studio; ``name`` is one of :data:`BUILTIN_LABEL_MAPS`.

    Raises ``ValueError`` for an unknown name.
    """
    if name not in _BUILTIN_FILES:
        choices = ", ".join(BUILTIN_LABEL_MAPS)
        raise ValueError(f"unknown built-in label map {name!r}; choose one of {choices}")
    return list(_load_builtin(name))
