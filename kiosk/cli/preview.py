"""Printing an import preview (``--dry-run``): every change and every problem with its line."""

from __future__ import annotations

from kiosk.cli.context import Context
from kiosk.previews import Preview, change_lines, summary


def print_preview(ctx: Context, preview: Preview) -> int:
    """Print the preview; exit 0 when the import would go through, 1 when it would be refused."""
    if ctx.args.json:
        ctx.json(preview.as_json())
    else:
        for line in change_lines(preview):
            ctx.out(line)
        ctx.out(summary(preview))
    return 0 if preview.writable else 1
