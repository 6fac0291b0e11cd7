import os
from pathlib import Path

import pytest

VTEST = Path("/usr/share/doc/opencv-doc/examples/data/vtest.avi")


@pytest.fixture(scope="session")
def pedestrians_video() -> Path:
    """Real pedestrians (Debian's opencv-doc); CI installs it, so there it must exist."""
    if not VTEST.exists():
        if os.environ.get("CI"):
            pytest.fail(f"{VTEST} is missing: .ci/run installs Debian's opencv-doc")
        pytest.skip(f"{VTEST} not installed (apt-get install opencv-doc)")
    return VTEST
