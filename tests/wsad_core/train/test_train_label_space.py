import pytest

from wsad_core.errors import WsadError
from wsad_core.project import Project
from wsad_core.train import make_config
from wsad_core.train.setup import label_space


def test_the_label_space_is_the_vocabulary_or_a_subset(tmp_path):
    with Project.create(tmp_path / "p") as project:
        project.add_label_map("ava-v2.2")
        assert len(label_space(project, make_config())) == 80
        evaluated = label_space(project, make_config(["data.label_map=ava-v2.2-eval"]))
        assert len(evaluated) == 60 and "bend/bow (at the waist)" in evaluated and "crawl" not in evaluated
        assert label_space(project, make_config(["data.labels=[sit,stand]"])) == ["sit", "stand"]
        with pytest.raises(WsadError, match="outside the label space: fly"):
            label_space(project, make_config(["data.labels=[sit,fly]"]))
