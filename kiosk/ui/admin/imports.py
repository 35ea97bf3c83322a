"""The import flow both the roster and the plan use: a file, then its preview, then the write.

Nothing is written until the admin has seen every change and every problem (``kiosk.previews``,
the same lines ``--dry-run`` prints) and pressed Enter on the preview; a file with problems is
only previewed (the import is all or nothing, so it would be refused anyway).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from kiosk.i18n import t
from kiosk.lifecycle import Refused
from kiosk.previews import Preview, change_lines, summary
from kiosk.ui.admin.widgets import Field

TABLE_SUFFIXES = (".csv", ".xlsx")
MAX_NAMED = 8


def folder_tables(folder: Path) -> str:
    """A folder typed where a file belongs: the CSV/XLSX files in it, to type one of them."""
    try:
        names = sorted(p.name for p in folder.iterdir()
                       if p.suffix.lower() in TABLE_SUFFIXES and p.is_file())
    except OSError:
        names = []
    if not names:
        return t("console.folder_no_tables", path=folder)
    shown = t("admin.list_sep").join(names[:MAX_NAMED]) + ("…" if len(names) > MAX_NAMED else "")
    return t("console.folder_tables", path=folder, count=len(names), names=shown)


def import_flow(section, title: str, preview: Callable[[Path], Preview],
                apply: Callable[[Path], str]) -> None:
    """Ask for the file; show its preview; on Enter, import it."""
    def read(values: dict[str, str]) -> tuple[Path, Preview]:
        text = values["file"].strip()
        if not text:
            raise Refused(t("console.file_required"))
        path = Path(text).expanduser()
        if path.is_dir():  # a clerk who knows the stick, not the file's name: name them
            raise Refused(folder_tables(path))
        if not path.is_file():
            raise Refused(t("cli.file_not_found", path=path))
        return path, preview(path)

    def show(result: object) -> None:
        path, found = result
        lines = change_lines(found) or [t("console.preview.no_changes")]
        body = "\n".join([*lines, "", summary(found)])

        def write(_: dict[str, str]) -> str:
            if not found.writable:
                raise Refused(t("console.preview.refused", count=len(found.problems)))
            return apply(path)

        if found.writable:
            section.open_form(t("console.preview.title", name=path.name), [], write, body=body)
        else:  # all or nothing: Enter could only be refused, so the dialog does not offer it
            section.open_form(t("console.preview.title_problems", name=path.name), [], write,
                              body=body, hint=t("console.preview.problems_hint"))

    section.open_form(title, [Field("file", t("console.file"), placeholder=t("console.file_hint"))],
                      read, then=show)
