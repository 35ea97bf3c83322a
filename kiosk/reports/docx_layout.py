"""The page of an official document (GB/T 9704-2012 《党政机关公文格式》) in python-docx.

* A4; margins 37 mm top, 35 mm bottom, 28 mm left, 26 mm right (版心 156 × 225 mm).
* Title in 方正小标宋简体 2号 (22 pt); body in 仿宋_GB2312 3号 (16 pt); level-one headings in
  黑体 3号; Latin letters and digits in Times New Roman. Word picks a CJK run's font from
  ``w:eastAsia``, so every run sets it; the font table names a fallback (``w:altName``: 小标宋,
  仿宋) for a machine without the GB2312 fonts. Fonts are named, never embedded.
* The grid of the standard (§5.2.1), 22 lines of 28 characters: a line grid of 225 mm / 22 =
  28.95 pt (``w:docGrid`` type ``lines``) and an exact 28.95 pt line spacing, and characters
  condensed by 0.25 pt (``w:spacing`` −5 twentieths): 28 × 15.75 pt fill the 156 mm line with
  a 3号 (16 pt) font that has square CJK glyphs. A character grid (``linesAndChars``) would say
  the same to Word, but LibreOffice puts each 16 pt character in two 15.79 pt cells.
* Page numbers "— 1 —" in 宋体 4号 at the foot, odd pages right, even pages left.
"""

from __future__ import annotations

import re
from copy import deepcopy

from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING, WD_TAB_ALIGNMENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor

from kiosk.i18n import FULL_WIDTH
from kiosk.text_safety import escape_controls

TITLE_FONT, TITLE_ALT = "方正小标宋简体", "小标宋"
BODY_FONT, BODY_ALT = "仿宋_GB2312", "仿宋"
HEADING_FONT = "黑体"
PAGE_NUMBER_FONT = "宋体"
LATIN_FONT = "Times New Roman"
TITLE_SIZE = Pt(22)  # 2号
BODY_SIZE = Pt(16)  # 3号
NOTE_SIZE = Pt(14)  # 4号: 版记, page numbers
TABLE_SIZE = Pt(12)  # 小四: tables with many columns
LINES_PER_PAGE, CHARS_PER_LINE = 22, 28
TEXT_WIDTH_MM, TEXT_HEIGHT_MM = 156, 225
# 28 characters in 156 mm: 15.79 pt each, so a 16 pt character is condensed by 0.25 pt
CONDENSE_TWIPS = -5
# 225 mm / 22 = 28.99 pt, rounded down to the 28.95 pt (579 twips) of the usual templates, so 22
# lines always fit the text height
LINE_PITCH = Pt(28.95)
RED = RGBColor(0xC0, 0x00, 0x00)
_CJK = re.compile(r"[\u4e00-\u9fff]")


def clean(text) -> str:
    """Text for a Word run: every control character shown as a visible escape (``\\x1b``, as in
    every other export; most are not even allowed in XML); python-docx escapes ``<``, ``>`` and
    ``&`` itself, so data stays data."""
    return escape_controls("" if text is None else str(text))


def document_text(text: str) -> str:
    """A line the office wrote for the document itself (its addressees, 抄送) with the printed
    punctuation of a Chinese document, as the catalogue's texts get it (kiosk.i18n.printed); data
    from the records (names, departments, titles, reasons) is never changed."""
    from kiosk.i18n import current_language

    if current_language() != "zh" or not _CJK.search(text):
        return text
    return text.translate(FULL_WIDTH)


def new_document():
    """An empty A4 document with the GB/T 9704 margins, grid, fonts and page numbers."""
    from docx import Document

    document = Document()
    section = document.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    section.header_distance, section.footer_distance = Mm(15), Mm(25)
    _document_grid(section)
    normal = document.styles["Normal"]
    set_font(normal, BODY_FONT, BODY_SIZE)
    condensed = OxmlElement("w:spacing")
    condensed.set(qn("w:val"), str(CONDENSE_TWIPS))
    normal.element.get_or_add_rPr().append(condensed)
    fmt = normal.paragraph_format
    fmt.space_before = fmt.space_after = Pt(0)
    fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    fmt.line_spacing = LINE_PITCH
    _font_fallbacks(document)
    _page_numbers(document, section)
    return document


def _document_grid(section) -> None:
    sect = section._sectPr
    grid = sect.find(qn("w:docGrid"))
    if grid is None:
        grid = OxmlElement("w:docGrid")
        sect.append(grid)
    grid.set(qn("w:type"), "lines")
    grid.set(qn("w:linePitch"), str(round(LINE_PITCH.pt * 20)))


def set_font(target, east_asian: str, size=None, *, bold: bool | None = None, color=None) -> None:
    """Font of a run or a style: ``east_asian`` for CJK (``w:eastAsia``), Times New Roman for
    Latin letters and digits."""
    font = target.font
    font.name = LATIN_FONT
    if size is not None:
        font.size = size
    if bold is not None:
        font.bold = bold
    if color is not None:
        font.color.rgb = color
    rpr = getattr(target, "_r", None)
    rpr = (rpr if rpr is not None else target.element).get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attribute in ("w:ascii", "w:hAnsi", "w:cs"):
        fonts.set(qn(attribute), LATIN_FONT)
    fonts.set(qn("w:eastAsia"), east_asian)


def _font_fallbacks(document) -> None:
    """Name the official fonts in the font table with the fallback Word should use without them."""
    from docx.opc.constants import RELATIONSHIP_TYPE as RT

    table = next((rel.target_part for rel in document.part.rels.values()
                  if rel.reltype == RT.FONT_TABLE), None)
    if table is None:
        return
    from docx.oxml import parse_xml

    root = parse_xml(table.blob)
    for name, alt in ((TITLE_FONT, TITLE_ALT), (BODY_FONT, BODY_ALT), (HEADING_FONT, None),
                      (PAGE_NUMBER_FONT, None)):
        font = OxmlElement("w:font")
        font.set(qn("w:name"), name)
        if alt:
            alt_name = OxmlElement("w:altName")
            alt_name.set(qn("w:val"), alt)
            font.append(alt_name)
        charset = OxmlElement("w:charset")
        charset.set(qn("w:val"), "86")  # GB2312
        font.append(charset)
        root.append(font)
    from lxml import etree

    table._blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def _page_numbers(document, section) -> None:
    document.settings.odd_and_even_pages_header_footer = True
    for footer, align in ((section.footer, WD_ALIGN_PARAGRAPH.RIGHT),
                          (section.even_page_footer, WD_ALIGN_PARAGRAPH.LEFT)):
        paragraph = footer.paragraphs[0]
        paragraph.alignment = align
        paragraph.paragraph_format.line_spacing_rule = WD_LINE_SPACING.SINGLE
        set_font(paragraph.add_run("— "), PAGE_NUMBER_FONT, NOTE_SIZE)
        _field(paragraph, "PAGE")
        set_font(paragraph.add_run(" —"), PAGE_NUMBER_FONT, NOTE_SIZE)
        # one character in from the edge, as the standard asks
        if align == WD_ALIGN_PARAGRAPH.RIGHT:
            paragraph.paragraph_format.right_indent = NOTE_SIZE
        else:
            paragraph.paragraph_format.left_indent = NOTE_SIZE


def _field(paragraph, code: str) -> None:
    run = paragraph.add_run()
    set_font(run, PAGE_NUMBER_FONT, NOTE_SIZE)
    for kind, text in (("begin", None), (None, f" {code} "), ("separate", None), (None, "1"),
                       ("end", None)):
        if kind:
            element = OxmlElement("w:fldChar")
            element.set(qn("w:fldCharType"), kind)
        elif text.strip() == code:
            element = OxmlElement("w:instrText")
            element.set(qn("xml:space"), "preserve")
            element.text = text
        else:
            element = OxmlElement("w:t")
            element.text = text
        run._r.append(element)


# -- paragraphs -----------------------------------------------------------------------------------

def title(document, text: str, *, color=None, after: bool = True):
    paragraph = document.add_paragraph()
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    fmt = paragraph.paragraph_format
    fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    fmt.line_spacing = LINE_PITCH
    set_font(paragraph.add_run(clean(text)), TITLE_FONT, TITLE_SIZE, color=color)
    if after:
        document.add_paragraph()
    return paragraph


def body(document, text: str, *, indent: bool = True, align=None, font: str = BODY_FONT,
         size=BODY_SIZE):
    """A body paragraph, first line indented two characters (the standard's 首行缩进2字)."""
    paragraph = document.add_paragraph()
    if indent:
        paragraph.paragraph_format.first_line_indent = Pt(size.pt * 2)
    if align is not None:
        paragraph.alignment = align
    set_font(paragraph.add_run(clean(text)), font, size)
    return paragraph


def heading(document, text: str):
    """A level-one heading (一、…): 黑体 3号, indented like body text, kept with what follows."""
    paragraph = body(document, text, font=HEADING_FONT)
    paragraph.paragraph_format.keep_with_next = True
    return paragraph


def split_line(document, left: str, right: str, *, size=BODY_SIZE, indent_chars: int = 1):
    """One line with ``left`` at the left and ``right`` flush right (a right tab), each one
    character (an ideographic space) in from the edge, so a border on it spans the text width."""
    paragraph = document.add_paragraph()
    paragraph.paragraph_format.tab_stops.add_tab_stop(Mm(TEXT_WIDTH_MM), WD_TAB_ALIGNMENT.RIGHT)
    pad = "\u3000" * indent_chars
    text = pad + clean(left) + "\t" + clean(right) + pad
    set_font(paragraph.add_run(text), BODY_FONT, size)
    return paragraph


def rule(paragraph, *, where: str = "bottom", color: str = "000000", eighths: int = 8) -> None:
    """A horizontal line across the text width, as a paragraph border (分隔线)."""
    ppr = paragraph._p.get_or_add_pPr()
    borders = ppr.find(qn("w:pBdr"))
    if borders is None:
        borders = OxmlElement("w:pBdr")
        ppr.append(borders)
    line = OxmlElement(f"w:{where}")
    for key, value in (("w:val", "single"), ("w:sz", str(eighths)), ("w:space", "1"),
                       ("w:color", color)):
        line.set(qn(key), value)
    borders.append(line)


def table(document, headers: list[str], rows: list[list[str]], *, numeric: set[int] = frozenset(),
          wide: dict[int, float] | None = None):
    """A ruled table in 仿宋 小四 with a 黑体 header row repeated on every page, as wide as the
    text; ``wide`` gives some columns a share of the width (the others share the rest evenly).

    The header and the first data row are built through python-docx; every further row is a copy
    of that first row's XML with its texts replaced (python-docx spends ~1 ms a cell otherwise:
    a year's study record went from 0.57 s to a few ms of table building).
    """
    grid = document.add_table(rows=2 if rows else 1, cols=len(headers))
    grid.style = "Table Grid"
    grid.alignment = WD_TABLE_ALIGNMENT.CENTER
    grid.autofit = False
    widths = _widths(len(headers), wide or {})
    for column, width in zip(grid.columns, widths, strict=True):
        column.width = width  # the table grid (LibreOffice reads this one) …
    for row in grid.rows:
        for cell, width in zip(row.cells, widths, strict=True):
            cell.width = width  # … and each cell (Word reads these)
        row.height = Mm(7)  # at least: room around 小四 text
        keep = OxmlElement("w:cantSplit")  # a row never breaks across two pages
        keep.set(qn("w:val"), "true")
        row._tr.get_or_add_trPr().append(keep)
    for cell, text in zip(grid.rows[0].cells, headers, strict=True):
        _cell(cell, text, HEADING_FONT, WD_ALIGN_PARAGRAPH.CENTER)
    repeat = OxmlElement("w:tblHeader")
    repeat.set(qn("w:val"), "true")
    grid.rows[0]._tr.get_or_add_trPr().append(repeat)
    if rows:
        for i, cell in enumerate(grid.rows[1].cells):
            align = WD_ALIGN_PARAGRAPH.RIGHT if i in numeric else WD_ALIGN_PARAGRAPH.LEFT
            _cell(cell, "-", BODY_FONT, align)
        model = grid.rows[1]._tr
        last = model
        for values in rows[1:]:
            copy = deepcopy(model)
            _fill(copy, values)
            last.addnext(copy)
            last = copy
        _fill(model, rows[0])
    return grid


def _fill(tr, values: list[str]) -> None:
    for tc, value in zip(tr.iterchildren(qn("w:tc")), values, strict=True):
        text = tc.find(".//" + qn("w:t"))
        text.text = clean(value)
        text.set(qn("xml:space"), "preserve")


def _widths(count: int, wide: dict[int, float]) -> list:
    """Column widths in EMU: ``wide`` columns get their share of the text width, the rest split
    what is left evenly."""
    total = Mm(TEXT_WIDTH_MM)
    rest = (1 - sum(wide.values())) / max(1, count - len(wide))
    return [int(total * wide.get(i, rest)) for i in range(count)]


def _cell(cell, text: str, font: str, align) -> None:
    cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
    paragraph = cell.paragraphs[0]
    paragraph.alignment = align
    fmt = paragraph.paragraph_format
    fmt.line_spacing_rule = WD_LINE_SPACING.SINGLE
    fmt.first_line_indent = Pt(0)
    _off_grid(paragraph)
    set_font(paragraph.add_run(clean(text)), font, TABLE_SIZE)


def _off_grid(paragraph) -> None:
    """Let a small-type paragraph keep its own line height instead of the page's 28.95 pt grid."""
    snap = OxmlElement("w:snapToGrid")
    snap.set(qn("w:val"), "0")
    paragraph._p.get_or_add_pPr().append(snap)


def chinese_date(iso: str) -> str:
    """``2026-12-01…`` → ``2026年12月1日`` (the standard's date: Arabic numerals, no leading 0);
    in an English document, ``2026-12-01``."""
    from kiosk.i18n import current_language

    if current_language() != "zh":
        return iso[:10]
    return f"{int(iso[:4])}年{int(iso[5:7])}月{int(iso[8:10])}日"
