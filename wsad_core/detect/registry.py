"""The detector registry: one name per detector family, so a new one is a file and a line."""

from __future__ import annotations

from collections.abc import Callable

from wsad_core.detect.base import DetectorOptions, PersonDetector
from wsad_core.errors import WsadError

DetectorFactory = Callable[[DetectorOptions], PersonDetector]
_FACTORIES: dict[str, DetectorFactory] = {}
_DESCRIPTIONS: dict[str, str] = {}

#: Detectors that need no download; named in errors about missing weights.
OFFLINE_DETECTORS = ("hog", "precomputed")


def register_detector(name: str, description: str) -> Callable[[DetectorFactory], DetectorFactory]:
    def add(factory: DetectorFactory) -> DetectorFactory:
        _FACTORIES[name] = factory
        _DESCRIPTIONS[name] = description
        return factory

    return add


def available_detectors() -> dict[str, str]:
    """Registered detector names and what they are (``precomputed`` reads box files instead)."""
    _load_builtin()
    return {**dict(sorted(_DESCRIPTIONS.items())), "precomputed": "person boxes from a CSV file"}


def create_detector(name: str, options: DetectorOptions | None = None) -> PersonDetector:
    _load_builtin()
    factory = _FACTORIES.get(name)
    if factory is None:
        known = ", ".join(available_detectors())
        raise WsadError(f"unknown detector {name!r} (available: {known})")
    return factory(options or DetectorOptions())


def _load_builtin() -> None:
    """Import the built-in detector modules, which register themselves."""
    from wsad_core.detect import detectron2_backend, hog, torchvision_frcnn  # noqa: F401
