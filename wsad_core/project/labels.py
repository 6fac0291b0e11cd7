"""The label vocabulary: names, integer ids used in AVA files, colours and shortcut keys."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from wsad_core.errors import ProjectError
from wsad_core.formats import BUILTIN_LABEL_MAPS, builtin_label_map, read_label_map
from wsad_core.project.records import LabelRecord
from wsad_core.project.schema import AnnotatedFrame, ClipLabel, GtBox, Label, Video

# Distinct, readable on dark and light video frames; cycled when there are more labels.
PALETTE = (
    "#e6194b", "#3cb44b", "#ffe119", "#4363d8", "#f58231", "#911eb4", "#46f0f0", "#f032e6",
    "#bcf60c", "#fabebe", "#008080", "#e6beff", "#9a6324", "#fffac8", "#800000", "#aaffc3",
    "#808000", "#ffd8b1", "#000075", "#808080",
)
# Keys 1-9 then letters; i/o (in/out marks) and the studio's transport keys stay free.
SHORTCUT_KEYS = tuple("123456789") + tuple(c for c in "abcdefghjklmnpqrstuvwxyz")


def to_record(label: Label) -> LabelRecord:
    return LabelRecord(label.id, label.name, label.external_id, label.color, label.shortcut)


def list_labels(session: Session) -> list[LabelRecord]:
    labels = session.scalars(select(Label).order_by(Label.external_id, Label.id))
    return [to_record(label) for label in labels]


def get_label(session: Session, name: str) -> Label:
    label = session.scalar(select(Label).where(Label.name == name))
    if label is None:
        raise ProjectError(f"unknown label {name!r} (see `wsad labels list`)")
    return label


def labels_by_external_id(session: Session) -> dict[int, Label]:
    return {label.external_id: label for label in session.scalars(select(Label))}


def label_map_entries(source: str | Path) -> list[tuple[int, str]]:
    """(id, name) pairs of a built-in label map (e.g. ``ava-v2.2``) or of a pbtxt file."""
    path = Path(source)
    if path.exists():
        entries = read_label_map(path)
    elif str(source) in BUILTIN_LABEL_MAPS:
        entries = builtin_label_map(str(source))
    else:
        raise ProjectError(
            f"{source}: no such label map file, nor a built-in one ({', '.join(BUILTIN_LABEL_MAPS)})"
        )
    return [(entry.id, entry.name) for entry in entries]


def _clean_name(name: str) -> str:
    cleaned = " ".join(name.split())
    if not cleaned:
        raise ProjectError("a label name cannot be empty")
    if ";" in cleaned:
        raise ProjectError(f"label {name!r}: ';' separates labels in clip-label files")
    return cleaned


def _free_shortcut(session: Session) -> str | None:
    taken = set(session.scalars(select(Label.shortcut).where(Label.shortcut.is_not(None))))
    return next((key for key in SHORTCUT_KEYS if key not in taken), None)


def add_label(
    session: Session,
    name: str,
    *,
    external_id: int | None = None,
    color: str | None = None,
    shortcut: str | None = None,
) -> Label:
    """Add one label; the AVA-style integer id, colour and key are chosen when not given."""
    name = _clean_name(name)
    if session.scalar(select(Label).where(Label.name == name)) is not None:
        raise ProjectError(f"label {name!r} already exists")
    if external_id is None:
        external_id = (session.scalar(select(func.max(Label.external_id))) or 0) + 1
    elif session.scalar(select(Label).where(Label.external_id == external_id)) is not None:
        raise ProjectError(f"label id {external_id} is already used (label {name!r})")
    if shortcut is not None:
        set_shortcut_check(session, shortcut, name)
    else:
        shortcut = _free_shortcut(session)
    count = session.scalar(select(func.count()).select_from(Label)) or 0
    label = Label(
        name=name,
        external_id=external_id,
        color=color or PALETTE[count % len(PALETTE)],
        shortcut=shortcut,
    )
    session.add(label)
    session.flush()
    return label


def set_shortcut_check(session: Session, shortcut: str, name: str) -> None:
    if len(shortcut) != 1 or not shortcut.isalnum():
        raise ProjectError(f"label {name!r}: a shortcut is one letter or digit, not {shortcut!r}")
    owner = session.scalar(select(Label).where(Label.shortcut == shortcut))
    if owner is not None and owner.name != name:
        raise ProjectError(f"shortcut {shortcut!r} is already used by label {owner.name!r}")


def add_label_map(session: Session, entries: Iterable[tuple[int, str]]) -> list[Label]:
    """Add the entries of a label map that the vocabulary lacks; clashes are errors.

    An entry whose name and id both match an existing label is already there; a name
    with another id, or an id with another name, would make AVA files ambiguous.
    """
    added = []
    for external_id, name in entries:
        name = _clean_name(name)
        by_name = session.scalar(select(Label).where(Label.name == name))
        by_id = session.scalar(select(Label).where(Label.external_id == external_id))
        if by_name is not None and by_name is by_id:
            continue
        if by_name is not None:
            raise ProjectError(
                f"label {name!r} has id {by_name.external_id} in the project, {external_id} in the map"
            )
        if by_id is not None:
            raise ProjectError(
                f"label id {external_id} is {by_id.name!r} in the project, {name!r} in the map"
            )
        added.append(add_label(session, name, external_id=external_id))
    return added


def update_label(
    session: Session,
    name: str,
    *,
    new_name: str | None = None,
    color: str | None = None,
    shortcut: str | None = None,
) -> Label:
    label = get_label(session, name)
    if new_name is not None and _clean_name(new_name) != label.name:
        new_name = _clean_name(new_name)
        if session.scalar(select(Label).where(Label.name == new_name)) is not None:
            raise ProjectError(f"label {new_name!r} already exists")
        label.name = new_name
    if color is not None:
        label.color = color
    if shortcut is not None:
        set_shortcut_check(session, shortcut, label.name)
        label.shortcut = shortcut
    session.flush()
    return label


def remove_label(session: Session, name: str) -> None:
    """Remove a label nobody uses; a label on clips or ground truth is never dropped silently."""
    label = get_label(session, name)
    clips = session.scalar(select(func.count()).where(ClipLabel.label_id == label.id)) or 0
    boxes = session.scalar(select(func.count()).where(GtBox.label_id == label.id)) or 0
    if clips or boxes:
        raise ProjectError(
            f"label {name!r} is used by {clips} clip(s) and {boxes} ground-truth box(es); "
            "remove it from them first"
        )
    session.delete(label)
    session.flush()


@dataclass(frozen=True)
class FrameBox:
    """One ground-truth box of an annotated frame; coordinates are normalised to [0, 1]."""

    frame: int
    x1: float
    y1: float
    x2: float
    y2: float
    label: str | None
    person_id: int | None


def ground_truth_boxes(session: Session, video_id: int) -> dict[int, list[FrameBox]]:
    """A video's annotated frames (by frame index) and their boxes; a frame without boxes maps
    to an empty list, since "annotated, nobody acting" differs from "not annotated"."""
    query = (
        select(
            AnnotatedFrame.frame, GtBox.x1, GtBox.y1, GtBox.x2, GtBox.y2, Label.name, GtBox.person_id
        )
        .outerjoin(GtBox, GtBox.annotated_frame_id == AnnotatedFrame.id)
        .outerjoin(Label, Label.id == GtBox.label_id)
        .where(AnnotatedFrame.video_id == video_id, AnnotatedFrame.frame.is_not(None))
        .order_by(AnnotatedFrame.frame, GtBox.person_id, Label.name)
    )
    frames: dict[int, list[FrameBox]] = {}
    for frame, x1, y1, x2, y2, name, person_id in session.execute(query):
        boxes = frames.setdefault(frame, [])
        if x1 is not None:
            boxes.append(FrameBox(frame, x1, y1, x2, y2, name, person_id))
    return frames


@dataclass(frozen=True)
class GtPerson:
    """One person on an annotated frame: their box (normalised) and every action they do there."""

    box: tuple[float, float, float, float]
    labels: tuple[str, ...]


def ground_truth_people(session: Session, video_names: Iterable[str]) -> dict[tuple[str, int], list[GtPerson]]:
    """The people on every annotated frame of the named videos, by (video name, frame).

    AVA stores one row per (box, action), so a person's rows are merged: by person id, or by
    the box itself where the file gave none. An annotated frame with nobody maps to an empty
    list ("annotated, nobody acting" differs from "not annotated").
    """
    query = (
        select(Video.name, AnnotatedFrame.frame, GtBox.person_id, GtBox.x1, GtBox.y1, GtBox.x2, GtBox.y2, Label.name)
        .join(AnnotatedFrame, AnnotatedFrame.video_id == Video.id)
        .outerjoin(GtBox, GtBox.annotated_frame_id == AnnotatedFrame.id)
        .outerjoin(Label, Label.id == GtBox.label_id)
        .where(Video.name.in_(list(video_names)), AnnotatedFrame.frame.is_not(None))
        .order_by(Video.name, AnnotatedFrame.frame, GtBox.id)
    )
    frames: dict[tuple[str, int], dict[object, tuple[tuple[float, ...], list[str]]]] = {}
    for video, frame, person, x1, y1, x2, y2, label in session.execute(query):
        people = frames.setdefault((video, frame), {})
        if x1 is None:
            continue
        box = (x1, y1, x2, y2)
        _, labels = people.setdefault(person if person is not None else box, (box, []))
        if label is not None and label not in labels:
            labels.append(label)
    return {
        key: [GtPerson(box, tuple(labels)) for box, labels in people.values()]
        for key, people in frames.items()
    }


def set_label_shortcut(session: Session, name: str, shortcut: str | None) -> Label:
    """Give a label its key, or take its key away (None); a key another label has is an error."""
    label = get_label(session, name)
    if shortcut is not None:
        set_shortcut_check(session, shortcut, label.name)
    label.shortcut = shortcut
    session.flush()
    return label
