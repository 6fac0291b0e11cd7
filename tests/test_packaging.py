"""The distribution installs every package folder under its import name."""

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def declared_packages():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    return set(config["packages"]), config["package-dir"]


def folder_of(package, package_dir):
    for prefix in sorted(package_dir, key=len, reverse=True):
        if package == prefix or package.startswith(prefix + "."):
            rest = package[len(prefix):].lstrip(".")
            return ROOT / package_dir[prefix] / Path(*rest.split(".")) if rest else ROOT / package_dir[prefix]
    return ROOT / Path(*package.split("."))


def test_every_package_folder_is_declared():
    packages, package_dir = declared_packages()
    found = set()
    for top, name in (("wsad_core", "wsad_core"), ("app", "wsad_studio"), ("resources", "wsad_core.resources")):
        for init in (ROOT / top).rglob("__init__.py"):
            rel = init.parent.relative_to(ROOT / top)
            if rel.parts and rel.parts[0] == "resources" and top == "wsad_core":
                continue  # a local link to resources/, not a package of its own
            found.add(".".join([name, *rel.parts]))
    assert found == packages
    for package in packages:
        assert (folder_of(package, package_dir) / "__init__.py").is_file(), package


def test_library_code_reaches_resources_through_the_package():
    offenders = [
        str(path.relative_to(ROOT))
        for path in (ROOT / "wsad_core").rglob("*.py")
        if "resources/" in path.read_text() and "importlib" not in path.read_text()
    ]
    assert offenders == []
