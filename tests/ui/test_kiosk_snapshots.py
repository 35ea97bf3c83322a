"""Snapshots of the kiosk at 80×24 and 160×50 with a frozen clock and the cursor blink off.

Regenerate after an intended change with ``pytest tests/ui/test_kiosk_snapshots.py --snapshot-update``
and look at the SVGs before committing them.
"""

from __future__ import annotations

import pytest

from tests.conftest import make_office
from tests.ui.kiosk_office import kiosk, steady_field


def steady(*scans: str):
    async def run_before(pilot) -> None:
        field = await steady_field(pilot)
        for text in scans:
            field.value = text
            await pilot.press("enter")
            await pilot.pause()
    return run_before


@pytest.mark.parametrize("size", [(80, 24), (160, 50)])
def test_idle_screen(db, home, snap_compare, size):
    make_office(db)
    app, _ = kiosk(db, home, at="2026-11-28 08:55")
    assert snap_compare(app, terminal_size=size, run_before=steady())


@pytest.mark.parametrize("size", [(80, 24), (160, 50)])
def test_confirmation(db, home, snap_compare, size):
    make_office(db)
    app, _ = kiosk(db, home, at="2026-11-28 09:07")
    assert snap_compare(app, terminal_size=size, run_before=steady("A1001"))


def test_refusal_in_english(db, home, snap_compare):
    make_office(db)
    app, _ = kiosk(db, home, at="2026-11-28 12:00", lang="en")
    assert snap_compare(app, terminal_size=(80, 24), run_before=steady("A1001"))
