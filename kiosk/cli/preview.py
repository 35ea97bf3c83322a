"""Printing an import preview (``--dry-run``): every change and every problem with its line."""

from __future__ import annotations

from kiosk.cli.context import Context
from kiosk.i18n import t
from kiosk.previews import Preview


def change_lines(preview: Preview) -> list[str]:
    """One translated line per change and per problem, in file order (the console shows these)."""
    entries: list[tuple[int, int, str]] = []
    for c in preview.changes:
        if c.action == "unchanged":
            continue
        text = t(f"preview.{c.action}", line=c.line, key=c.key, label=c.label)
        if c.fields:
            text += t("preview.fields", fields=t("admin.list_sep").join(
                t("preview.field", field=t(f"field.{f}"), old=old or "∅", new=new or "∅")
                for f, old, new in c.fields))
        entries.append((c.line, 0, text))
    for line, message in preview.problems:
        entries.append((line, 1, t("preview.problem", line=line, message=message) if line
                        else t("preview.problem_file", message=message)))
    return [text for _, _, text in sorted(entries, key=lambda e: (e[0], e[1]))]


def summary(preview: Preview) -> str:
    key = "preview.summary" if preview.writable else "preview.summary_refused"
    return t(key, added=preview.count("added"), updated=preview.count("updated"),
             unchanged=preview.count("unchanged"), problems=len(preview.problems))


def print_preview(ctx: Context, preview: Preview) -> int:
    """Print the preview; exit 0 when the import would go through, 1 when it would be refused."""
    if ctx.args.json:
        ctx.json(preview.as_json())
    else:
        for line in change_lines(preview):
            ctx.out(line)
        ctx.out(summary(preview))
    return 0 if preview.writable else 1
