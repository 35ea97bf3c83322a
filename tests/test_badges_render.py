"""The printable badge sheet and SVG badges: every active person's QR (decoded from the inline SVG
by zxing-cpp) and name, A4 pages of 10 with crop marks, nothing fetched from the network."""

from __future__ import annotations

import html
import re

import numpy as np
import pytest
import zxingcpp

from db.models import Staff
from db.roster import StaffRecord, upsert_staff
from kiosk.badges import render
from tests.test_badges import admin, rebind, run_kiosk  # noqa: F401  (admin is a fixture)

PATH_RUN = re.compile(r"M(\d+) (\d+)h(\d+)v1h-\d+z")
SVG_PATH = re.compile(r'<svg[^>]*viewBox="0 0 (\d+) \1"[^>]*>.*?<path d="([^"]+)"', re.S)


def raster(side: int, path: str, scale: int = 4):
    """Draw our SVG path of module runs into a grayscale image (what a printer would make)."""
    image = np.full((side, side), 255, dtype=np.uint8)
    for x, y, w in PATH_RUN.findall(path):
        image[int(y), int(x):int(x) + int(w)] = 0
    return np.kron(image, np.ones((scale, scale), dtype=np.uint8))


def decode_svgs(text: str) -> list[str]:
    found = []
    for side, path in SVG_PATH.findall(text):
        results = zxingcpp.read_barcodes(raster(int(side), path), formats=zxingcpp.BarcodeFormat.QRCode)
        assert len(results) == 1
        found.append(results[0].text)
    return found


@pytest.fixture
def bigger_office(admin, home):  # noqa: F811
    with admin.atomic():
        upsert_staff([StaffRecord(f"D{i:03d}", f"D{i:03d}", name, "综合科<&>")
                      for i, name in enumerate(["司马相如", "欧阳修", "诸葛亮", "上官婉儿", "Zoë O'Neil",
                                                "令狐冲", "慕容复", "东方不败", "独孤求败", "西门吹雪",
                                                "公孙胜", "皇甫嵩", "尉迟恭", "长孙无忌", "宇文泰",
                                                "夏侯惇", "钟离春", "端木赐", "轩辕一", "呼延灼"])])
    (home / "config.toml").write_text('[office]\nname = "某市人民政府办公室"\n', encoding="utf-8")
    return admin


def test_html_sheet_holds_every_active_person_and_loads_nothing(bigger_office, home, tmp_path, capsys):
    code, out, err = run_kiosk(capsys, "badge", "make", "--out", str(tmp_path / "sheet"), "--format", "html")
    assert code == 0, err
    sheet = (tmp_path / "sheet" / "badges.html").read_text(encoding="utf-8")
    rebind(home)
    active = list(Staff.select().where(Staff.active))
    assert len(active) == 24
    payloads = {}
    for person in active:
        code, printed, _ = run_kiosk(capsys, "badge", "payload", person.staff_id)
        payloads[person.staff_id] = printed.strip()
        assert html.escape(person.name) in sheet
    assert sorted(decode_svgs(sheet)) == sorted(payloads.values())
    assert "欧阳娜娜" not in sheet  # the inactive C3001
    assert "某市人民政府办公室" in sheet and "综合科&lt;&amp;&gt;" in sheet
    assert sheet.count('class="page"') == 3  # 24 badges, 10 a page
    assert "size: A4" in sheet and sheet.count("<line ") == 3 * 2 * (3 + 6)  # crop marks each page
    lowered = sheet.lower()
    assert not re.search(r"https?:", lowered) and "//" not in lowered.replace("<!--", "")
    for loader in ("<script", "<link", "<img", "<iframe", "@import", "url(", "src=", "href="):
        assert loader not in lowered, loader


def test_sheet_to_stdout_and_department_filter(bigger_office, capsys):
    code, out, _ = run_kiosk(capsys, "badge", "make", "--department", "财务科", "--out", "-",
                             "--format", "html")
    assert code == 0 and out.startswith("<!DOCTYPE html>")
    assert {t.split(".")[1] for t in decode_svgs(out)} == {"B2001", "B2002"}


def test_svg_badge_files_decode_and_carry_the_name(bigger_office, tmp_path, capsys):
    code, _, _ = run_kiosk(capsys, "badge", "make", "D000", "D004", "--out", str(tmp_path / "svg"),
                           "--format", "svg")
    assert code == 0
    text = (tmp_path / "svg" / "D004.svg").read_text(encoding="utf-8")
    assert text.startswith("<?xml") and "Zoë O&#x27;Neil" in text
    path = re.search(r'<path d="([^"]+)"', text).group(1)
    side = max(int(y) for _, y, _ in PATH_RUN.findall(path)) + 1 + render.QUIET_ZONE
    results = zxingcpp.read_barcodes(raster(side, path), formats=zxingcpp.BarcodeFormat.QRCode)
    assert results[0].text == run_kiosk(capsys, "badge", "payload", "D004")[1].strip()


def test_typical_payload_needs_qr_version_6_at_level_m():
    payload = "SK1.A1001.1." + "x" * 86
    assert render.qr_version(payload) == 6
    assert render.qr_version("SK1." + "Z" * 32 + ".999999999." + "x" * 86) == 7
