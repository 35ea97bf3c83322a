"""Monthly report with the study bulletin, and annual target progress, in five formats.

:mod:`kiosk.reports.model` computes one JSON-ready dict from the aggregate queries in
:mod:`db.reports`; the renderers only lay that dict out, so every format carries the same figures.
"""

from __future__ import annotations

from kiosk.i18n import t
from kiosk.reports.model import ReportOptions, annual, monthly
from kiosk.text_safety import clean_data, clean_document, json_text

FORMATS = ("csv", "xlsx", "md", "html", "json")
MONTHLY_FORMATS = (*FORMATS, "docx")


def monthly_document(report: dict, fmt: str, distribution=None) -> bytes:
    """The monthly report rendered as ``fmt`` (one of :data:`MONTHLY_FORMATS`); ``docx`` is the
    bulletin alone as an official document (``distribution``: its addressees and printer)."""
    from kiosk.reports.tables import monthly_tables

    if fmt == "docx":
        from kiosk.reports.render_docx import Distribution, monthly_docx

        return monthly_docx(clean_data(report), distribution or Distribution())

    year, month = (int(p) for p in report["month"].split("-"))
    title = t("report.monthly.title", year=year, month=month)
    if fmt == "json":
        public = {k: v for k, v in report.items() if k != "detail"}
        return (json_text(public, indent=2) + "\n").encode("utf-8")
    tables = monthly_tables(report, detail=fmt in ("csv", "xlsx"))
    meta = t("report.generated", time=report["generated_at"].replace("T", " ")[:19])
    return _render(fmt, title, tables, bulletin=report["bulletin"], meta=meta, report=report)


def annual_document(report: dict, fmt: str) -> bytes:
    from kiosk.reports.tables import annual_tables

    title = t("report.annual.title", year=report["year"])
    if fmt == "json":
        return (json_text(report, indent=2) + "\n").encode("utf-8")
    summary = report["summary"]
    preface = [t("report.annual.summary", people=summary["people"], on_track=summary["on_track"],
                 behind=summary["behind"], months=report["months_left"])]
    meta = t("report.generated", time=report["generated_at"].replace("T", " ")[:19])
    return _render(fmt, title, annual_tables(report), bulletin=None, meta=meta, preface=preface,
                   report=report)


def _render(fmt: str, title: str, tables, *, bulletin: str | None, meta: str,
            preface: list[str] = (), report: dict | None = None) -> bytes:
    if fmt == "csv":
        from kiosk.reports.render_sheets import csv_report

        return csv_report(tables)
    if fmt == "xlsx":
        from kiosk.reports.render_sheets import xlsx_report

        return xlsx_report(tables, title)
    if fmt == "md":
        from kiosk.reports.render_text import markdown_report

        lead = [meta, ""] + ([*preface, ""] if preface else [])
        return clean_document(markdown_report(title, tables, bulletin, lead)).encode("utf-8")
    if fmt == "html":
        from kiosk.reports.render_html import annual_charts, html_document, monthly_charts

        if report is None:
            charts = []
        else:
            charts = monthly_charts(report) if "month" in report else annual_charts(report)
        return clean_document(html_document(title, bulletin=bulletin, tables=tables, charts=charts,
                                            meta=meta, preface=preface)).encode("utf-8")
    raise ValueError(f"unknown report format {fmt!r}")


__all__ = ["FORMATS", "MONTHLY_FORMATS", "ReportOptions", "annual", "annual_document", "monthly",
           "monthly_document"]
