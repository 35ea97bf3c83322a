"""Reports as Markdown, for pasting into a document or a chat: bulletin first, then the tables."""

from __future__ import annotations

from kiosk.i18n import t
from kiosk.reports.bulletin import bulletin_parts, percent
from kiosk.reports.tables import Table


def cell_text(table: Table, row: int, column: int, value) -> str:
    """How a value reads in a text rendering: rates as ``75.0%``, hours without noise."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return t("report.yes") if value else t("report.no")
    if isinstance(value, float) and table.is_percent(row, column):
        return percent(value)
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def _md_escape(text: str) -> str:
    """Data as Markdown text: ``\\`` and ``|`` escaped for tables, and ``&``, ``<``, ``>`` as
    entities, so a name like ``<img src=x onerror=…>`` is shown, never rendered as HTML."""
    return (text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            .replace("\\", "\\\\").replace("|", "\\|").replace("\n", " "))


def markdown_table(table: Table) -> str:
    lines = ["| " + " | ".join(_md_escape(h) for h in table.headers) + " |",
             "|" + "|".join("---" for _ in table.headers) + "|"]
    for r, row in enumerate(table.rows):
        lines.append("| " + " | ".join(_md_escape(cell_text(table, r, c, v))
                                       for c, v in enumerate(row)) + " |")
    return "\n".join(lines)


def markdown_report(title: str, tables: list[Table], bulletin: str | None = None,
                    preface: list[str] = ()) -> str:
    parts = [f"# {_md_escape(title)}", ""]
    parts += list(preface)
    if bulletin:  # its own title ("…学习情况通报") is the section heading: shown once
        title_line, head, body = bulletin_parts(bulletin)
        parts += [f"## {_md_escape(title_line)}", ""]
        if head:
            parts += [_md_escape(" ".join(head)), ""]
        for line in body:
            parts += [_md_escape(line), ""]
    for table in tables:
        parts += [f"## {_md_escape(table.title)}", "", markdown_table(table), ""]
    return "\n".join(parts) + "\n"
