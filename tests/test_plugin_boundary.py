"""The plugin stays a plugin: `assessments` and `treatments` reach the host only through
their contract (`assessments.host`), in their code and in their migrations."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PLUGIN = ("assessments", "treatments")


def plugin_files(pattern: str) -> list[Path]:
    return sorted(path for app in PLUGIN for path in (ROOT / app).rglob(pattern))


def test_plugin_migrations_name_the_host_models_by_their_settings():
    named = []
    for path in plugin_files("migrations/0*.py"):
        text = path.read_text()
        for match in re.finditer(r"""['"]clinic[.'"]""", text):
            line = text.count("\n", 0, match.start()) + 1
            named.append(f"{path.relative_to(ROOT)}:{line}")
    assert not named, (
        "A plugin migration names our host's app: use host.VISIT_MODEL (and the others) and "
        f"*host.swappable_dependencies() instead: {named}"
    )
