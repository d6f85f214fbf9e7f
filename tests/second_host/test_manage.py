"""Carebook's manage.py migrates a new database from zero and checks the project, in a
process of its own (the suite's database is migrated by the test runner). Migrating skips
the checks: `test_check_passes` runs them."""

import os
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def manage(*args: str, database: Path) -> subprocess.CompletedProcess:
    env = os.environ | {
        "DATABASE_URL": f"sqlite:///{database}",
        # Whatever makes the plugin importable here (the wheel, or the source tree).
        "PYTHONPATH": os.pathsep.join(sys.path),
    }
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=HERE,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_migrate_from_zero_and_back_to_zero_of_the_roles(tmp_path):
    database = tmp_path / "carebook.sqlite3"
    done = manage("migrate", "--noinput", "--skip-checks", database=database)
    assert done.returncode == 0, done.stderr
    assert "Applying carebook.0002_create_roles... OK" in done.stdout
    # The roles migration has a reverse.
    back = manage("migrate", "carebook", "0001", "--noinput", "--skip-checks", database=database)
    assert back.returncode == 0, back.stderr
    assert "Unapplying carebook.0002_create_roles... OK" in back.stdout


def test_check_passes(tmp_path):
    done = manage("check", "--fail-level", "WARNING", database=tmp_path / "carebook.sqlite3")
    assert done.returncode == 0, done.stderr
