"""The wheel holds every package of the three apps and all their files: setuptools takes
only the packages pyproject.toml names, and of their other files only those its
package-data patterns match (CI builds and installs the wheel itself: .ci/run)."""

import functools
import tomllib
from glob import glob
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
APPS = ("assessments", "treatments", "clinic")
SETUPTOOLS = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]


def _files(app: str) -> list[Path]:
    return [
        path
        for path in (ROOT / app).rglob("*")
        if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc"
    ]


@functools.cache
def _package_data(folder: Path, patterns: tuple[str, ...]) -> set[Path]:
    """Matched as setuptools matches them: globs from the package's folder."""
    return {
        folder / name
        for pattern in patterns
        for name in glob(pattern, root_dir=folder, recursive=True)
    }


def test_every_package_of_the_apps_is_listed():
    packages = {
        ".".join(init.parent.relative_to(ROOT).parts)
        for app in APPS
        for init in (ROOT / app).rglob("__init__.py")
    }
    assert packages - set(SETUPTOOLS["packages"]) == set(), "add them to [tool.setuptools]"
    assert set(SETUPTOOLS["packages"]) - packages == set(), "no such package"


def test_every_file_that_is_not_python_is_package_data():
    patterns = tuple(SETUPTOOLS["package-data"]["*"])
    listed = set(SETUPTOOLS["packages"])
    left_out = []
    for app in APPS:
        for path in _files(app):
            if path.suffix == ".py":
                continue
            # The package a data file belongs to is its nearest folder that is one.
            folder = path.parent
            while ".".join(folder.relative_to(ROOT).parts) not in listed:
                folder = folder.parent
            if path not in _package_data(folder, patterns):
                left_out.append(str(path.relative_to(ROOT)))
    assert left_out == [], "not in the wheel: add a package-data pattern or move them"


def test_templates_and_static_files_are_in_their_app():
    for app in APPS:
        assert (ROOT / app / "templates" / app).is_dir()
        assert (ROOT / app / "static" / app).is_dir()
