"""The codebase's own rules, checked like behaviour: layering (import-linter) and ruff."""

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _tool(name: str) -> str:
    path = Path(sys.executable).parent / name
    return str(path) if path.exists() else (shutil.which(name) or name)


def test_layers_are_kept():
    """db/ imports neither kiosk nor textual; only kiosk.ui imports textual."""
    result = subprocess.run([_tool("lint-imports")], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_ruff_clean():
    result = subprocess.run([_tool("ruff"), "check", "."], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_textual_contract_covers_every_kiosk_module():
    import tomllib

    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    contract = next(c for c in config["tool"]["importlinter"]["contracts"]
                    if c["name"].startswith("Only kiosk.ui"))
    modules = {f"kiosk.{p.stem}" for p in (ROOT / "kiosk").iterdir()
               if (p.suffix == ".py" and p.stem != "__init__")
               or (p.is_dir() and (p / "__init__.py").exists())}
    assert modules - {"kiosk.ui"} == set(contract["source_modules"])


def test_no_two_migrations_share_a_number():
    """Two engineers landing migration 0018 the same hour: a centre that applied one would have
    skipped the other for good (versions are read from the file names)."""
    from db import migrations

    versions = [m.version for m in migrations.available()]
    assert len(versions) == len(set(versions)), sorted(versions)
    assert versions == list(range(1, len(versions) + 1))  # numbered without a gap
