"""Reports as ONE self-contained, printable HTML file (A4): inline CSS, inline SVG charts.

Nothing is loaded from anywhere — no scripts, fonts, images or style sheets by URL — and every
piece of text from the database is escaped, so a name like ``<script>`` prints as itself.
"""

from __future__ import annotations

from html import escape

from kiosk.i18n import current_language, t
from kiosk.reports.bulletin import bulletin_parts
from kiosk.reports.charts import rate_bars, trend_columns
from kiosk.reports.render_text import cell_text
from kiosk.reports.tables import Table

CSS = """
@page { size: A4; margin: 14mm 12mm; }
* { box-sizing: border-box; }
body { font-family: "Noto Sans CJK SC", "Source Han Sans SC", "Microsoft YaHei", "PingFang SC",
       "SimSun", sans-serif; font-size: 10.5pt; color: #111; margin: 0 auto; max-width: 1180px;
       padding: 8mm 12px; line-height: 1.5; }
h1 { font-size: 16pt; text-align: center; margin: 0 0 4mm; }
h2 { font-size: 12pt; border-bottom: 1px solid #888; margin: 6mm 0 2mm; padding-bottom: 1mm; }
.bulletin { border: 1px solid #bbb; padding: 3mm 5mm; }
.bulletin p { margin: 1.5mm 0; text-indent: 2em; }
.bulletin h2 { text-align: center; border-bottom: none; margin-top: 2mm; }
.bulletin p.head { text-indent: 0; text-align: center; font-weight: bold; }
.meta { color: #555; font-size: 9pt; text-align: right; }
table { border-collapse: collapse; width: 100%; font-size: 9pt; page-break-inside: auto; }
thead { display: table-header-group; }
tr { page-break-inside: avoid; }
th, td { border: 1px solid #999; padding: 1mm 1.5mm; text-align: left; vertical-align: top; }
th { background: #e4e9f0; word-break: keep-all; overflow-wrap: normal; }
.wide { overflow-x: auto; }
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
.charts { display: flex; flex-wrap: wrap; gap: 4mm; }
.charts figure { margin: 0; flex: 1 1 85mm; }
section { page-break-inside: auto; }
.signatures p { margin: 10mm 0 0; }
@media print { body { padding: 0; max-width: none; } h2 { page-break-after: avoid; }
               .wide { overflow: visible; } }
"""


def html_table(table: Table) -> str:
    head = "".join(f"<th>{escape(h)}</th>" for h in table.headers)
    body = []
    for r, row in enumerate(table.rows):
        cells = []
        for c, value in enumerate(row):
            kind = ' class="num"' if isinstance(value, int | float) and not isinstance(value, bool) \
                else ""
            cells.append(f"<td{kind}>{escape(cell_text(table, r, c, value))}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    return (f"<table><thead><tr>{head}</tr></thead>"
            f"<tbody>{''.join(body)}</tbody></table>")


def html_document(title: str, *, bulletin: str | None, tables: list[Table], charts: list[str],
                  meta: str = "", preface: list[str] = (), closing: list[str] = ()) -> str:
    lang = "zh-CN" if current_language() == "zh" else "en"
    parts = ["<!DOCTYPE html>", f'<html lang="{lang}"><head><meta charset="utf-8">',
             '<meta name="viewport" content="width=device-width, initial-scale=1">',
             f"<title>{escape(title)}</title><style>{CSS}</style></head><body>",
             f"<h1>{escape(title)}</h1>"]
    if meta:
        parts.append(f'<p class="meta">{escape(meta)}</p>')
    parts += [f"<p>{escape(line)}</p>" for line in preface]
    if bulletin:
        title_line, head, body = bulletin_parts(bulletin)  # its title is the heading: once
        paragraphs = [f'<p class="head">{escape(line)}</p>' for line in head]
        paragraphs += [f"<p>{escape(line)}</p>" for line in body]
        parts.append(f'<section class="bulletin"><h2 class="head">{escape(title_line)}</h2>'
                     + "".join(paragraphs) + "</section>")
    if charts:
        parts.append('<div class="charts">'
                     + "".join(f"<figure>{svg}</figure>" for svg in charts) + "</div>")
    for table in tables:
        parts.append(f"<section><h2>{escape(table.title)}</h2>"
                     f'<div class="wide">{html_table(table)}</div></section>')
    if closing:  # signature lines
        parts.append('<section class="signatures">'
                     + "".join(f"<p>{escape(line)}</p>" for line in closing) + "</section>")
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"


def monthly_charts(report: dict) -> list[str]:
    empty = t("report.chart.empty")
    departments = [(d["department"], d["rate"]) for d in report["departments"]]
    trend = [(b["month"][5:], b["rate"]) for b in report["trend"]]
    return [rate_bars(t("report.chart.dept_rate"), departments, empty),
            trend_columns(t("report.chart.trend"), trend, empty)]


def annual_charts(report: dict) -> list[str]:
    """Per target: the people it applies to by progress band, and each person's progress (those
    furthest behind first, at most :data:`PEOPLE_IN_CHART`), so the page shows who needs what."""
    from kiosk.reports.charts import progress_bars

    empty = t("report.chart.empty")
    charts = []
    for target in report["targets"]:
        rows = [(p, x) for p in report["people"] for x in p["targets"] if x["name"] == target["name"]]
        rows.sort(key=lambda px: (_fraction(px[1]), px[0]["staff_id"]))
        bands = [0] * len(BANDS)
        for _, x in rows:
            bands[_band(_fraction(x))] += 1
        total = len(rows) or 1
        charts.append(progress_bars(
            t("records.chart.bands", target=target["name"]),
            [(t(f"records.chart.band.{band}"), count / total, str(count))
             for band, count in zip(BANDS, bands, strict=True)], empty))
        shown = rows[:PEOPLE_IN_CHART]
        title = t("records.chart.people", target=target["name"], shown=len(shown), total=len(rows))
        charts.append(progress_bars(title, [(p["name"], _fraction(x), _progress_text(x))
                                            for p, x in shown], empty))
    return charts


def person_charts(record: dict) -> list[str]:
    """One person's progress toward each of their targets."""
    from kiosk.reports.charts import progress_bars

    items = [(x["name"], _fraction(x), _progress_text(x)) for x in record["targets"]]
    return [progress_bars(t("records.chart.person"), items, t("report.chart.empty"))]


PEOPLE_IN_CHART = 30
BANDS = ("none", "quarter", "half", "most", "met")


def _fraction(progress: dict) -> float:
    required = float(progress["required"])
    return 1.0 if required <= 0 else min(1.0, float(progress["achieved"]) / required)


def _band(fraction: float) -> int:
    if fraction >= 1:
        return 4
    return 0 if fraction <= 0 else min(3, 1 + int(fraction * 3))


def _progress_text(progress: dict) -> str:
    unit = t(f"report.metric.{progress['metric']}")
    return f"{progress['achieved']:g} / {progress['required']:g} {unit}"
