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


def test_plugin_code_imports_nothing_of_the_host():
    """`grep -rn "from clinic" assessments treatments` lists nothing: the host is reached
    through `assessments.host` (its settings-driven getters and services)."""
    importing = []
    for path in plugin_files("*.py"):
        for number, line in enumerate(path.read_text().splitlines(), 1):
            if re.match(r"\s*(from clinic\b|import clinic\b)", line):
                importing.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert not importing, importing


def test_plugin_templates_name_no_host_url_or_template():
    named = []
    for path in plugin_files("templates/**/*.html"):
        text = path.read_text()
        for pattern in (r"url ['\"]clinic:", r"load [^%]*clinic_tags", r"['\"]partials/"):
            if re.search(pattern, text):
                named.append(f"{path.relative_to(ROOT)}: {pattern}")
    assert not named, named
