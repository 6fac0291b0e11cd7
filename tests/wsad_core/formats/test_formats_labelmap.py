from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from wsad_core.errors import FormatError
from wsad_core.formats import (
    LabelMapEntry,
    format_label_map,
    parse_label_map,
    read_label_map,
    read_vocabulary,
    write_label_map,
)

E = LabelMapEntry


def test_parses_multiline_items_with_unknown_fields_and_comments() -> None:
    text = """# AVA actions
item {
  name: "bend/bow (at the waist)"  # trailing comment
  id: 1
  label_type: PERSON_MOVEMENT
}
item {
  name: "talk to (e.g., self, a person, a group)"
  id: 79
}
"""
    assert parse_label_map(text) == [
        E(1, "bend/bow (at the waist)"),
        E(79, "talk to (e.g., self, a person, a group)"),
    ]


def test_accepts_label_id_display_name_single_quotes_and_one_line_items() -> None:
    text = "item { name: 'sit' label_id: 11 }\nitem { display_name: \"stand\" id: 12 }"
    assert parse_label_map(text) == [E(11, "sit"), E(12, "stand")]


def test_name_wins_over_display_name_in_either_order() -> None:
    text = 'item { display_name: "Shown" id: 1 name: "/m/01g317" }'
    assert parse_label_map(text) == [E(1, "/m/01g317")]


def test_accepts_official_ava_label_blocks_and_skips_nested_messages() -> None:
    text = """label {
  name: "sit"
  label_id: 11
  keypoints { id: 0 label: "nose" }
  frequency: 3, extra: 'x';
}"""
    assert parse_label_map(text) == [E(11, "sit")]


def test_hash_inside_a_string_is_not_a_comment_and_escapes_decode() -> None:
    text = r'item { name: "a # b \"q\" \\ \x41" id: 2 }'
    assert parse_label_map(text) == [E(2, 'a # b "q" \\ A')]


def test_empty_text_gives_empty_map() -> None:
    assert parse_label_map("# nothing here\n\n") == []


@pytest.mark.parametrize(
    ("text", "row", "field", "words"),
    [
        ('item {\n  name: "sit"\n}\n', 1, "id", "no id"),
        ("\nitem {\n  id: 3\n}\n", 2, "name", "no name"),
        ('item {\n  name: "sit"\n  id: 1.5\n}\n', 3, "id", "integer"),
        ('item {\n  name: "sit"\n  label_id: "1"\n}\n', 3, "label_id", "integer"),
        ('item {\n  name: "sit"\n  id: -4\n}\n', 3, "id", "negative"),
        ('item { name: "sit" id: 1 }\nitem {\n  name: "stand"\n  id: 1\n}', 4, "id", "duplicate id 1"),
        ('item { name: "sit" id: 1 }\n\nitem { name: "sit" id: 2 }', 3, "name", "duplicate name"),
        ('item { name: "" id: 1 }', 1, "name", "empty"),
        ("item { name: sit id: 1 }", 1, "name", "quoted"),
        ('item {\n  name: "a"\n  id: 1\n  label_id: 2\n}', 4, "label_id", "repeated"),
    ],
)
def test_item_errors_name_row_and_field(write_file, check_error, text, row, field, words) -> None:
    path = write_file("map.pbtxt", text)
    with pytest.raises(FormatError) as info:
        read_label_map(path)
    check_error(info.value, path, row, field)
    assert words in str(info.value)


@pytest.mark.parametrize(
    ("text", "row", "words"),
    [
        ('item { name: "a" id: 1 }\n\nitem {\n  name: "b"\n  id: 2\n', 3, "never closed"),
        ('item { name: "a" id: 1 }\n}\n', 2, "without a matching"),
        ('item { name: "a" id: 1\n  extra { x: 1 }\n', 1, "never closed"),
        ('item { name: "a\n id: 1 }', 1, "unterminated"),
        ('name: "a"\n', 1, "expected 'item {'"),
        ('item name: "a"', 1, "expected '{'"),
        ('item { name: "a" id: 1 }\nitem', 2, "expected '{'"),
        ('item { name: "a" id: 1 }\nitem { { }', 2, "field name"),
        ('item { name: "a\\q" id: 1 }', 1, "escape"),
    ],
)
def test_structure_errors_name_the_line(write_file, check_error, text, row, words) -> None:
    path = write_file("bad.pbtxt", text)
    with pytest.raises(FormatError) as info:
        read_label_map(path)
    check_error(info.value, path, row)
    assert words in str(info.value)


def test_write_is_canonical_and_escapes(tmp_path) -> None:
    path = tmp_path / "out.pbtxt"
    write_label_map([E(3, 'say "hi"'), E(1, "back\\slash")], path)
    assert path.read_text(encoding="utf-8") == (
        'item {\n  name: "say \\"hi\\""\n  id: 3\n}\nitem {\n  name: "back\\\\slash"\n  id: 1\n}\n'
    )
    assert read_label_map(path) == [E(3, 'say "hi"'), E(1, "back\\slash")]


def test_write_refuses_maps_that_would_not_read_back() -> None:
    with pytest.raises(ValueError):
        format_label_map([E(1, "a"), E(1, "b")])
    with pytest.raises(ValueError):
        format_label_map([E(1, "a"), E(2, "a")])
    with pytest.raises(ValueError):
        format_label_map([E(1, " ")])


names = st.text(min_size=1, max_size=20).filter(lambda s: s.strip() != "")


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.integers(0, 10_000), max_size=8, unique=True),
    st.lists(names, min_size=8, max_size=8, unique=True),
)
def test_write_read_round_trip(ids, labels) -> None:
    entries = [E(i, n) for i, n in zip(ids, labels)]
    assert parse_label_map(format_label_map(entries)) == entries


def test_read_missing_file_is_a_format_error(tmp_path, check_error) -> None:
    path = tmp_path / "missing.pbtxt"
    with pytest.raises(FormatError) as info:
        read_label_map(path)
    check_error(info.value, path)


def test_read_vocabulary_skips_blanks_and_comments(write_file) -> None:
    path = write_file("vocab.txt", "\ufeff# my classes\nsit\n\n  stand  \n# walk\npick up, then drop\n")
    assert read_vocabulary(path) == ["sit", "stand", "pick up, then drop"]


def test_read_vocabulary_duplicate_names_the_row(write_file, check_error) -> None:
    path = write_file("vocab.txt", "sit\nstand\n\n sit\n")
    with pytest.raises(FormatError) as info:
        read_vocabulary(path)
    check_error(info.value, path, 4, "name")
    assert "line 1" in str(info.value)
