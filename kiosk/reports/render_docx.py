"""The 学习情况通报 as a Word document in the official layout (see :mod:`docx_layout`).

Its parts, top to bottom, as the office's clerk prints it: the masthead (版头: the bulletin's
name in red, 第N期, the issuing office and the date, a red rule), the title, the addressees
(主送), the body in four numbered parts — 一、总体情况 (the month's figures, "截至X月X日" while the
month runs), 二、各部门学习情况 (the ranking and a per-department table), 三、缺席人员 (named),
四、需要关注的同志 (the warnings) — the signature block (落款: office and date) and the colophon
(版记: 抄送 and 印发 between rules). Every figure and sentence comes from the report model and
:func:`kiosk.reports.bulletin.bulletin_sections`, so the Word bulletin says what the Markdown,
HTML and JSON say.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from docx.enum.text import WD_ALIGN_PARAGRAPH

from kiosk.i18n import printed_punctuation, t
from kiosk.reports import docx_layout as page
from kiosk.reports.bulletin import bulletin_sections, issue_line, percent


@dataclass(frozen=True)
class Distribution:
    """Who the bulletin goes to and who prints it (config ``[office] bulletin_to``,
    ``bulletin_cc``, ``bulletin_issuer``; defaults in the translation table)."""

    to: str = ""
    cc: str = ""
    issuer: str = ""

    @classmethod
    def from_config(cls, raw: dict) -> Distribution:
        """From the ``[office]`` table of config.toml (``Settings.raw``)."""
        office = raw.get("office", {}) if isinstance(raw, dict) else {}
        office = office if isinstance(office, dict) else {}
        return cls(to=str(office.get("bulletin_to", "")), cc=str(office.get("bulletin_cc", "")),
                   issuer=str(office.get("bulletin_issuer", "")))


def monthly_docx(report: dict, distribution: Distribution = Distribution()) -> bytes:
    """The bulletin as Word: the catalogue's texts with a printed document's punctuation, the
    records' own text (names, departments) exactly as stored."""
    with printed_punctuation():
        return _monthly_docx(report, distribution)


def _monthly_docx(report: dict, distribution: Distribution) -> bytes:
    year, month = (int(part) for part in report["month"].split("-"))
    office = report.get("office") or ""
    issuer = (distribution.issuer or office).strip()
    date = page.chinese_date(report["as_of"])
    document = page.new_document()
    core = document.core_properties
    core.title = page.clean(t("report.bulletin.title", office=office).strip())
    core.author = page.clean(issuer)
    _masthead(document, report, year, issuer, date)
    page.title(document, t("records.docx.title", year=year, month=month))
    page.body(document, page.document_text(distribution.to) or t("records.docx.to"), indent=False)
    sections = bulletin_sections(report)
    numbered = [("summary", sections["summary"])]
    if report["departments"]:
        numbered.append(("departments", sections["ranking"]))
    if sections["absentees"]:
        numbered.append(("absentees", sections["absentees"]))
    if sections["attention"]:
        numbered.append(("attention", sections["attention"]))
    for number, (part, paragraphs) in enumerate(numbered, 1):
        page.heading(document, t("records.docx.heading", number=t(f"records.docx.n{number}"),
                                 text=t(f"records.docx.part.{part}")))
        for text in paragraphs:
            page.body(document, text)
        if part == "departments":
            _department_table(document, report["departments"])
    _signature(document, office or issuer, date)
    _colophon(document, page.document_text(distribution.cc) or t("records.docx.cc"), issuer, date)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _masthead(document, report: dict, year: int, issuer: str, date: str) -> None:
    page.title(document, t("report.bulletin.title", office=report.get("office") or "").strip(),
               color=page.RED, after=False)
    if report["issue"] is not None:
        page.body(document, issue_line(report), indent=False, align=WD_ALIGN_PARAGRAPH.CENTER)
    # without [office] name / bulletin_issuer the line carries the date alone, never a bare "编"
    compiled = t("records.docx.compiled_by", issuer=issuer) if issuer.strip() else ""
    line = page.split_line(document, compiled, date)
    page.rule(line, color="C00000", eighths=12)
    document.add_paragraph()


def _department_table(document, departments: list[dict]) -> None:
    columns = ("rank", "department", "expected", "attended", "late", "excused", "absent", "rate")
    rows = [[str(d["rank"]), d["department"], str(d["expected"]), str(d["attended"]),
             str(d["late"]), str(d["excused"]), str(d["absent"]), percent(d["rate"])]
            for d in sorted(departments, key=lambda d: d["rank"])]
    page.table(document, [t(f"report.col.{c}") for c in columns], rows,
               numeric={0, 2, 3, 4, 5, 6, 7}, wide={0: 0.08, 1: 0.26, 7: 0.14})


def _signature(document, office: str, date: str) -> None:
    """落款: the office and the date, right-aligned, two characters in from the right edge."""
    document.add_paragraph()
    for text in (office, date):
        if text:
            paragraph = page.body(document, text, indent=False, align=WD_ALIGN_PARAGRAPH.RIGHT)
            paragraph.paragraph_format.right_indent = page.BODY_SIZE * 2
            paragraph.paragraph_format.keep_with_next = True  # never alone above the colophon


def _colophon(document, cc: str, issuer: str, date: str) -> None:
    """版记: 抄送 and the printing office with the date, between a top and a bottom rule."""
    copy = page.split_line(document, t("records.docx.cc_line", cc=cc), "", size=page.NOTE_SIZE)
    page.rule(copy, where="top", eighths=8)
    page.rule(copy, where="bottom", eighths=4)
    copy.paragraph_format.keep_with_next = True
    printed = page.split_line(document, issuer, t("records.docx.printed", date=date),
                              size=page.NOTE_SIZE)
    page.rule(printed, where="bottom", eighths=8)
