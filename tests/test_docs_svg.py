"""The README's screenshot (docs/kiosk.svg) shows CJK at full width and loads nothing remote."""

from __future__ import annotations

import html
import importlib.util
import re
from pathlib import Path

from rich.cells import cell_len

ROOT = Path(__file__).resolve().parents[1]
SVG = ROOT / "docs" / "kiosk.svg"


def svg_fix():
    spec = importlib.util.spec_from_file_location("svg_fix", ROOT / "docs" / "svg_fix.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_screenshot_loads_nothing_from_the_network():
    text = SVG.read_text(encoding="utf-8")
    assert "@font-face" not in text and "url(\"http" not in text and "@import" not in text
    assert not re.search(r"(src|href)\s*[=:]\s*[\"']?https?:", text)


def test_every_text_run_is_as_wide_as_its_cells():
    text = SVG.read_text(encoding="utf-8")
    width = svg_fix().char_width(text)
    runs = re.findall(r'<text\b[^>]*?\btextLength="([\d.]+)"[^>]*>(.*?)</text>', text, re.S)
    wide = [(float(length), html.unescape(body)) for length, body in runs
            if cell_len(html.unescape(body)) != len(html.unescape(body))]
    assert wide, "the screenshot shows Chinese text"
    for length, body in wide:
        assert abs(length - cell_len(body) * width) < 0.01, body


def test_the_fix_doubles_a_squeezed_cjk_run():
    squeezed = ('<svg><style>@font-face { src: url("https://cdn.example/x.woff2"); }'
                '.m { font-family: Fira Code, monospace; }</style>'
                '<text x="0" textLength="24.4">ab</text><text x="0" textLength="24.4">学习</text></svg>')
    fixed = svg_fix().fix(squeezed)
    assert 'textLength="48.8">学习' in fixed and 'textLength="24.4">ab' in fixed
    assert "https" not in fixed and "Noto Sans Mono CJK SC" in fixed
