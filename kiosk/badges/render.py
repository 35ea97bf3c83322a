"""Badge artwork: one PNG or SVG per person, or one printable A4 HTML sheet.

The sheet is a single self-contained file — inline SVG QR codes, no fonts, scripts or images
fetched from anywhere — so it prints the same in an office with no internet. A4 portrait holds
2 × 5 badges of 90 × 54 mm (the usual badge-holder size) butted edge to edge, with crop marks in
the margins so one guillotine cut per line separates them.

QR codes use error correction M (15 %): a 98-character payload then needs version 6
(41 × 41 modules), i.e. about 1 mm a module on a 44 mm code — comfortable for a cheap scanner.
"""

from __future__ import annotations

import html
import io
from collections.abc import Iterable
from dataclasses import dataclass

import qrcode
from qrcode.constants import ERROR_CORRECT_M

from kiosk.i18n import t

QUIET_ZONE = 4  # modules; the QR standard's minimum
BADGE_W, BADGE_H = 90.0, 54.0  # mm
COLS, ROWS = 2, 5
PAGE_W, PAGE_H = 210.0, 297.0  # A4 portrait, mm
MARGIN_X = (PAGE_W - COLS * BADGE_W) / 2
MARGIN_Y = (PAGE_H - ROWS * BADGE_H) / 2
CJK_FONTS = ('"Noto Sans CJK SC", "Source Han Sans SC", "Microsoft YaHei", "PingFang SC", '
             '"WenQuanYi Micro Hei", SimHei, sans-serif')


@dataclass(frozen=True)
class BadgeFace:
    """What one badge shows."""

    staff_id: str
    name: str
    department: str
    payload: str
    title: str = ""


def qr_code(payload: str, box_size: int = 10) -> qrcode.QRCode:
    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, border=QUIET_ZONE, box_size=box_size)
    code.add_data(payload)
    code.make(fit=True)
    return code


def qr_version(payload: str) -> int:
    return qr_code(payload).version


def png_bytes(payload: str, box_size: int = 10) -> bytes:
    """The QR code alone as a PNG (black on white, quiet zone included)."""
    from qrcode.image.pil import PilImage

    image = qr_code(payload, box_size).make_image(image_factory=PilImage)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def _qr_path(payload: str) -> tuple[str, int]:
    """One SVG path of horizontal runs (compact: a few KB per code) and the side in modules."""
    matrix = qr_code(payload).get_matrix()  # includes the quiet zone
    parts: list[str] = []
    for y, row in enumerate(matrix):
        x = 0
        while x < len(row):
            if row[x]:
                start = x
                while x < len(row) and row[x]:
                    x += 1
                parts.append(f"M{start} {y}h{x - start}v1h-{x - start}z")
            else:
                x += 1
    return "".join(parts), len(matrix)


def qr_svg(payload: str, size: str = "100%", *, standalone: bool = False) -> str:
    """The QR code as an ``<svg>`` element; ``standalone`` adds the namespace a file needs."""
    path, side = _qr_path(payload)
    ns = ' xmlns="http://www.w3.org/2000/svg"' if standalone else ""
    return (f'<svg{ns} viewBox="0 0 {side} {side}" width="{size}" height="{size}" '
            f'shape-rendering="crispEdges" role="img" aria-label="{html.escape(payload)}">'
            f'<rect width="{side}" height="{side}" fill="#fff"/>'
            f'<path d="{path}" fill="#000"/></svg>')


def badge_svg(face: BadgeFace, office: str) -> str:
    """One person's badge as a standalone SVG file: the QR code with name and department below."""
    path, side = _qr_path(face.payload)
    scale = 60 / side  # the code is 60 mm wide; text below it
    lines = [(office, 4.2, "#444"), (face.name, 9, "#000"), (face.department, 5, "#222"),
             (face.staff_id, 4.2, "#444")]
    text, y = [], 60 + 2
    for value, size, colour in lines:
        if not value:
            continue
        y += size + 1.5
        text.append(f'<text x="35" y="{y:.1f}" font-size="{size}" fill="{colour}" '
                    f'text-anchor="middle" font-family=\'{CJK_FONTS}\'>{html.escape(value)}</text>')
    height = y + 4
    return ('<?xml version="1.0" encoding="UTF-8"?>\n'
            f'<svg xmlns="http://www.w3.org/2000/svg" width="70mm" height="{height:.1f}mm" '
            f'viewBox="0 0 70 {height:.1f}">'
            f'<rect width="70" height="{height:.1f}" fill="#fff"/>'
            f'<g transform="translate(5 1) scale({scale:.6f})" shape-rendering="crispEdges">'
            f'<path d="{path}" fill="#000"/></g>{"".join(text)}</svg>\n')


def _crop_marks() -> str:
    """Short lines in the page margins on every cut line (none inside the printed area)."""
    xs = [MARGIN_X + i * BADGE_W for i in range(COLS + 1)]
    ys = [MARGIN_Y + j * BADGE_H for j in range(ROWS + 1)]
    gap, length = 1.5, min(MARGIN_X, MARGIN_Y) - 3
    lines = []
    for x in xs:
        lines.append((x, MARGIN_Y - gap - length, x, MARGIN_Y - gap))
        lines.append((x, PAGE_H - MARGIN_Y + gap, x, PAGE_H - MARGIN_Y + gap + length))
    for y in ys:
        lines.append((MARGIN_X - gap - length, y, MARGIN_X - gap, y))
        lines.append((PAGE_W - MARGIN_X + gap, y, PAGE_W - MARGIN_X + gap + length, y))
    body = "".join(f'<line x1="{a:.1f}" y1="{b:.1f}" x2="{c:.1f}" y2="{d:.1f}"/>'
                   for a, b, c, d in lines)
    return (f'<svg class="marks" viewBox="0 0 {PAGE_W:g} {PAGE_H:g}" width="{PAGE_W:g}mm" '
            f'height="{PAGE_H:g}mm" stroke="#000" stroke-width="0.2">{body}</svg>')


def _badge_cell(face: BadgeFace, office: str, index: int) -> str:
    col, row = index % COLS, index // COLS
    left, top = MARGIN_X + col * BADGE_W, MARGIN_Y + row * BADGE_H
    e = html.escape
    return (f'<div class="badge" style="left:{left:.1f}mm;top:{top:.1f}mm" '
            f'data-staff-id="{e(face.staff_id)}" data-payload="{e(face.payload)}">'
            f'<div class="qr">{qr_svg(face.payload)}</div>'
            f'<div class="text"><div class="office">{e(office)}</div>'
            f'<div class="name">{e(face.name)}</div>'
            f'<div class="dept">{e(face.department)}</div>'
            f'<div class="title">{e(face.title)}</div>'
            f'<div class="sid">{e(face.staff_id)}</div></div></div>')


def html_sheet(faces: Iterable[BadgeFace], office: str, lang: str | None = None) -> str:
    """All badges on A4 pages, 10 a page, ready to print at 100 % scale."""
    faces = list(faces)
    per_page = COLS * ROWS
    pages = []
    for start in range(0, len(faces), per_page):
        cells = "".join(_badge_cell(f, office, i) for i, f in enumerate(faces[start:start + per_page]))
        pages.append(f'<section class="page">{_crop_marks()}{cells}</section>')
    title = html.escape(t("badges.sheet_title", lang=lang, office=office or "").strip())
    hint = html.escape(t("badges.sheet_hint", lang=lang, count=len(faces)))
    html_lang = "en" if lang == "en" else "zh-CN"
    return f"""<!DOCTYPE html>
<html lang="{html_lang}"><head><meta charset="utf-8"><title>{title}</title>
<style>
@page {{ size: A4 portrait; margin: 0; }}
* {{ box-sizing: border-box; }}
html, body {{ margin: 0; padding: 0; background: #888; }}
body {{ font-family: {CJK_FONTS}; -webkit-print-color-adjust: exact; print-color-adjust: exact; }}
.hint {{ color: #fff; font-size: 12px; padding: 6px 12px; }}
.page {{ position: relative; width: {PAGE_W:g}mm; height: {PAGE_H:g}mm; margin: 0 auto 8mm;
  background: #fff; overflow: hidden; page-break-after: always; break-after: page; }}
.page:last-child {{ page-break-after: auto; break-after: auto; }}
.marks {{ position: absolute; left: 0; top: 0; }}
.badge {{ position: absolute; width: {BADGE_W:g}mm; height: {BADGE_H:g}mm; display: flex;
  align-items: center; padding: 3mm; outline: 0.1mm dotted #ccc; }}
.qr {{ width: 46mm; height: 46mm; flex: none; }}
.qr svg {{ display: block; }}
.text {{ flex: 1; min-width: 0; padding-left: 2.5mm; overflow: hidden; }}
.office {{ font-size: 2.6mm; color: #444; margin-bottom: 2mm; }}
.name {{ font-size: 7mm; font-weight: bold; line-height: 1.15; word-break: break-all; }}
.dept {{ font-size: 3.6mm; margin-top: 1.5mm; }}
.title {{ font-size: 3mm; color: #333; margin-top: 0.8mm; }}
.sid {{ font-size: 3mm; color: #444; margin-top: 2mm; font-family: monospace; }}
@media print {{ html, body {{ background: #fff; }} .hint {{ display: none; }}
  .page {{ margin: 0; }} .badge {{ outline: none; }} }}
</style></head><body>
<div class="hint">{hint}</div>
{"".join(pages)}
</body></html>
"""
