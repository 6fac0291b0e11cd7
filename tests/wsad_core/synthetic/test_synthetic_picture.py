"""The documentation picture: a grid of demo frames with boxes and labels."""

from __future__ import annotations

import cv2

from wsad_core.synthetic.picture import main


def test_picture_is_written(tmp_path, capsys) -> None:
    out = tmp_path / "pictures" / "world.png"
    main([str(out)])
    image = cv2.imread(str(out))
    assert image is not None and image.shape == (2 * (120 * 2 + 4), 2 * (160 * 2 + 4), 3)
    assert str(out) in capsys.readouterr().out
