"""Make a Rich/Textual SVG screenshot show CJK correctly and load nothing from the network.

Rich's ``export_svg`` sizes each text run as ``len(text)`` cells (``textLength``), so every wide
character (汉字, full-width punctuation) is squeezed into half its cell, and its style block pulls
Fira Code from a CDN. This rewrites each ``textLength`` to the run's real cell width and replaces
the ``@font-face`` rules with local fonts that carry CJK glyphs. Used for docs/kiosk.svg (the
README's screenshot):  python docs/svg_fix.py docs/kiosk.svg
"""

from __future__ import annotations

import html
import re
import sys
from pathlib import Path

from rich.cells import cell_len

FONTS = ('"Sarasa Mono SC", "Noto Sans Mono CJK SC", "Source Han Mono SC", "WenQuanYi Zen Hei Mono", '
         '"DejaVu Sans Mono", "Menlo", "Consolas", monospace')
FONT_FACE = re.compile(r"\s*@font-face\s*\{[^}]*\}", re.S)
FAMILY = re.compile(r"font-family:\s*[^;]+;")
TEXT = re.compile(r'(<text\b[^>]*?\btextLength=")([\d.]+)("[^>]*>)(.*?)(</text>)', re.S)
CHAR_WIDTH = re.compile(r'<text\b[^>]*?\bx="([\d.]+)"[^>]*?\btextLength="([\d.]+)"[^>]*>(.*?)</text>',
                        re.S)


def char_width(svg: str) -> float:
    """The width of one cell: from the first run of narrow characters."""
    for _x, length, text in CHAR_WIDTH.findall(svg):
        plain = html.unescape(text)
        if plain and cell_len(plain) == len(plain):
            return float(length) / len(plain)
    raise ValueError("no narrow text run to measure a cell by")


def fix(svg: str) -> str:
    width = char_width(svg)
    svg = FONT_FACE.sub("", svg)
    svg = FAMILY.sub(f"font-family: {FONTS};", svg)

    def run(match: re.Match) -> str:
        cells = cell_len(html.unescape(match.group(4)))
        return f"{match.group(1)}{cells * width:g}{match.group(3)}{match.group(4)}{match.group(5)}"

    return TEXT.sub(run, svg)


if __name__ == "__main__":
    for name in sys.argv[1:]:
        path = Path(name)
        path.write_text(fix(path.read_text(encoding="utf-8")), encoding="utf-8")
