"""The study record (学习档案) in json, md, html, xlsx and docx: one layout as titled tables
(:class:`~kiosk.reports.tables.Table`), laid out by the same renderers as the other reports,
closed by the lines the person and their department head sign."""

from __future__ import annotations

import io

from kiosk.i18n import printed_punctuation, t
from kiosk.reports.tables import Table
from kiosk.text_safety import clean_data, clean_document, json_text

FORMATS = ("json", "md", "html", "xlsx", "docx")


def person_document(record: dict, fmt: str) -> bytes:
    if fmt == "json":  # control characters as \u escapes: the same text, nothing raw
        return (json_text(record, indent=2) + "\n").encode("utf-8")
    record = clean_data(record)  # every other format shows text as it is: escape controls first
    if fmt == "docx":  # the catalogue's texts with a printed document's punctuation
        with printed_punctuation():
            return _docx(record, _title(record), person_tables(record))
    title = _title(record)
    tables = person_tables(record)
    meta = t("report.generated", time=record["generated_at"].replace("T", " ")[:19])
    if fmt == "md":
        from kiosk.reports.render_text import markdown_report

        text = markdown_report(title, tables, None, [meta, ""])
        return clean_document(text + "\n" + "\n\n".join(signature_lines()) + "\n").encode("utf-8")
    if fmt == "html":
        from kiosk.reports.render_html import html_document, person_charts

        return clean_document(html_document(title, bulletin=None, tables=tables,
                                            charts=person_charts(record), meta=meta,
                                            closing=signature_lines())).encode("utf-8")
    if fmt == "xlsx":
        from kiosk.reports.render_sheets import xlsx_report

        return xlsx_report(tables, title)
    raise ValueError(f"unknown record format {fmt!r}")


def _title(record: dict) -> str:
    return t("records.person.title", year=record["year"], name=record["person"]["name"])


def signature_lines() -> list[str]:
    return [t("records.person.sign_self"), t("records.person.sign_head")]


def person_tables(record: dict) -> list[Table]:
    """基本情况, 年度目标, 学习记录, 请假记录, 学时/成果登记 — in that order."""
    person, summary = record["person"], record["summary"]
    items = [("staff_id", person["staff_id"]), ("name", person["name"]),
             ("department", person["department"]), ("groups", "、".join(person["groups"])),
             ("title_col", person["title"]), ("year", record["year"]),
             ("credit_hours", summary["credit_hours"]), ("session_hours", summary["session_hours"]),
             ("credit_hours_outside", summary["credit_hours_outside"]),
             ("expected", summary["expected"]), ("attended", summary["attended"]),
             ("late", summary["late"]), ("excused", summary["excused"]),
             ("absent", summary["absent"]), ("visitors", summary["visited"]),
             ("articles", summary["articles"])]
    profile = Table(key="profile", title=t("records.section.profile"),
                    headers=[t("report.col.item"), t("report.col.value")],
                    rows=[[t(f"records.person.{k}"), v] for k, v in items])
    targets = Table(key="targets", title=t("report.section.targets"),
                    headers=[t(f"report.col.{c}") for c in ("target", "required", "achieved", "met",
                                                             "shortfall", "per_month_needed")],
                    rows=[[x["name"], f"{x['required']:g} {t('report.metric.' + x['metric'])}",
                           x["achieved"], t("report.yes") if x["met"] else t("report.no"),
                           x["shortfall"], x["per_month_needed"]] for x in record["targets"]])
    sessions = Table(key="person_sessions", title=t("records.section.sessions"),
                     headers=[t("records.col.date"), t("records.col.kind"), t("records.col.title"),
                              t("report.col.status"), t("records.col.hours")],
                     rows=[[s["date"], t(f"kind.{s['kind']}"), s["title"],
                            t(f"status.{s['status']}"), s["hours"]] for s in record["sessions"]])
    leaves = Table(key="leaves", title=t("records.section.leaves"),
                   headers=[t("records.col.date"), t("records.col.title"), t("records.col.reason")],
                   rows=[[x["date"], x["title"], x["reason"]] for x in record["leaves"]])
    credits = Table(key="credits", title=t("records.section.credits"),
                    headers=[t("records.col.date"), t("records.col.kind"), t("records.col.title"),
                             t("records.col.hours")],
                    rows=[[c["date"], t(f"records.credit_kind.{c['kind']}"), c["title"], c["hours"]]
                          for c in record["credits"]])
    return [profile, targets, sessions, leaves, credits]


def _docx(record: dict, title: str, tables: list[Table]) -> bytes:
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    from kiosk.reports import docx_layout as page
    from kiosk.reports.render_text import cell_text

    document = page.new_document()
    document.core_properties.title = page.clean(title)
    page.title(document, title)
    if record.get("office"):
        page.body(document, record["office"], indent=False, align=WD_ALIGN_PARAGRAPH.CENTER)
    for number, table in enumerate(tables, 1):
        page.heading(document, t("records.docx.heading", number=t(f"records.docx.n{number}"),
                                 text=table.title))
        if not table.rows:
            page.body(document, t("records.person.none"))
            continue
        rows = [[cell_text(table, r, c, v) for c, v in enumerate(row)]
                for r, row in enumerate(table.rows)]
        numeric = {c for c, v in enumerate(table.rows[0]) if isinstance(v, int | float)
                   and not isinstance(v, bool)}
        page.table(document, table.headers, rows, numeric=numeric, wide=_wide(table.key))
    document.add_paragraph()
    for line in signature_lines():
        page.body(document, line, indent=False)
        document.add_paragraph()
    page.body(document, t("report.generated", time=record["generated_at"].replace("T", " ")[:16]),
              indent=False, align=WD_ALIGN_PARAGRAPH.RIGHT, size=page.NOTE_SIZE)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _wide(key: str) -> dict[int, float] | None:
    """The title column gets the room in the record's tables."""
    return {"person_sessions": {0: 0.16, 1: 0.22, 2: 0.38, 3: 0.12},
            "credits": {0: 0.16, 1: 0.22, 2: 0.48},
            "leaves": {0: 0.17, 1: 0.43},
            "targets": {0: 0.3},
            "profile": {0: 0.4}}.get(key)
