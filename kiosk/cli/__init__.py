"""The ``kiosk`` command: one argparse tree, one module per command group.

Every leaf command accepts the common options (``--db``, ``--lang``) after its own words.
Errors become one translated line on stderr and an exit code (1 refused, 2 usage); an unexpected
exception is written with its traceback to the log file, never to the terminal.
"""

from __future__ import annotations

import argparse
import gc
import importlib
import logging
import os
import sys

from kiosk.cli.lean import command_word

CONSOLE_SCRIPT = os.path.basename(sys.argv[0]) == "kiosk"
if CONSOLE_SCRIPT:  # the console script: no cyclic garbage collection while the modules load
    # (their objects all live on; ~2 ms of start-up): main() turns it back on once the
    # command's modules are imported
    gc.disable()

import db  # noqa: E402, F401  # before anything imports Peewee: without the server drivers (db.drivers)
from kiosk.cli.context import CommandError, run_guarded  # noqa: E402
from kiosk.i18n import t  # noqa: E402

GROUPS = ["setup", "screens", "host", "staff", "session", "signin", "leave", "export", "keys",
          "badge", "report", "sync", "backup", "doctor", "service",
          "credit", "card"]
GROUPS.append("fleet")
# command word → the group module that registers it, so ``kiosk signin …`` imports only what it
# runs (start-up time; tests/test_robustness_cli.py checks this map against the full parser)
COMMAND_GROUPS = {"init": "setup", "run": "screens", "demo": "screens", "host": "host",
                  "staff": "staff", "session": "session", "signin": "signin", "leave": "leave",
                  "export": "export", "keys": "keys", "badge": "badge", "report": "report",
                  "sync": "sync", "backup": "backup", "restore": "backup", "doctor": "doctor",
                  "service": "service",
                  "credit": "credit", "card": "card"}
GROUPS.append("admin")  # (own lines: the lists above are everyone's to extend)
COMMAND_GROUPS["admin"] = "admin"
COMMAND_GROUPS["fleet"] = "fleet"
GROUPS.append("centre")
COMMAND_GROUPS["centre"] = "centre"


class Formatter(argparse.HelpFormatter):
    """argparse's help layout, sized to the terminal without importing shutil (start-up time:
    argparse builds a formatter for every option it adds, and shutil brings bz2, lzma, zlib)."""

    def __init__(self, prog: str, indent_increment: int = 2, max_help_position: int = 24,
                 width: int | None = None) -> None:
        super().__init__(prog, indent_increment, max_help_position,
                         terminal_columns() - 2 if width is None else width)  # as argparse does

    usage_prefix: str | None = None  # set when help is asked for (kiosk.cli.help_text)

    def add_usage(self, usage, actions, groups, prefix=None):  # type: ignore[no-untyped-def]
        if prefix is None:
            prefix = Formatter.usage_prefix
        return super().add_usage(usage, actions, groups, prefix)

    def _split_lines(self, text, width):  # type: ignore[no-untyped-def]
        """argparse counts characters; a Chinese character takes two columns, so zh help is
        wrapped by display width (between any two wide characters, or at a space)."""
        if text.isascii():
            return super()._split_lines(text, width)
        return wrap_wide(" ".join(text.split()), width)


NO_LINE_START = "\uff0c\u3002\u3001\uff1b\uff1a\uff01\uff1f\uff09\u300d\u300f\u300b,.;:!?)"


def wrap_wide(text: str, width: int) -> list[str]:
    """``text`` in lines of at most ``width`` terminal columns (wide characters count two)."""
    from unicodedata import east_asian_width

    lines: list[str] = []
    line, used, space = "", 0, -1  # space: where the line can break back to, in ``line``
    for char in text:
        cells = 2 if east_asian_width(char) in "WF" else 1
        if used + cells > width and line:
            cut = space if space > 0 and cells == 1 and char != " " else len(line)
            if cut == len(line) and char in NO_LINE_START and len(line) > 1:
                cut -= 1  # "，" or "）" never opens a line: the character before it goes along
            lines.append(line[:cut].rstrip())
            line = line[cut:].lstrip()
            used = sum(2 if east_asian_width(c) in "WF" else 1 for c in line)
            space = -1
        if char == " " and not line:
            continue
        line += char
        used += cells
        if char == " " or cells == 2:
            space = len(line)
    if line.strip():
        lines.append(line.rstrip())
    return lines


def terminal_columns() -> int:
    """``shutil.get_terminal_size().columns``: $COLUMNS, else the terminal's width, else 80."""
    try:
        columns = int(os.environ.get("COLUMNS", 0))
    except ValueError:
        columns = 0
    if columns <= 0:
        try:
            columns = os.get_terminal_size(sys.__stdout__.fileno()).columns
        except (AttributeError, ValueError, OSError):
            columns = 0
    return columns or 80


class Parser(argparse.ArgumentParser):
    """argparse that reports a usage error in one line and exits 2."""

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("formatter_class", Formatter)
        super().__init__(*args, **kwargs)

    def error(self, message: str) -> None:  # type: ignore[override]
        from db.database import redact_text  # a mistyped --db URL must not echo its password
        from kiosk.cli.usage_errors import translated  # in the user's language (finding 21)

        sys.stderr.write(f"{self.prog}: {redact_text(translated(message))}\n")
        raise SystemExit(2)


def common_options() -> argparse.ArgumentParser:
    """``--db`` and ``--lang``, accepted after a command's own words (and before them).

    ``SUPPRESS`` keeps a leaf command from overwriting a value given before the command word.
    """
    common = Parser(add_help=False)
    common.add_argument("--db", metavar="URL", default=argparse.SUPPRESS,
                        help="database URL (default: SQLite in KIOSK_HOME)")
    common.add_argument("--lang", choices=["zh", "en"], default=argparse.SUPPRESS,
                        help="language of messages")
    return common


def build_parser(command: str | None = None) -> Parser:
    """The whole command tree, or (with ``command``) only the group that registers it."""
    parser = Parser(prog="kiosk", description="Study-session attendance kiosk")
    parser.add_argument("--version", action="version", version="study-kiosk 0.1.0")
    parser.add_argument("--db", metavar="URL", help="database URL (default: SQLite in KIOSK_HOME)")
    parser.add_argument("--lang", choices=["zh", "en"], help="language of messages")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=Parser)
    commands.required = True
    common = common_options()
    for name in [COMMAND_GROUPS[command]] if command in COMMAND_GROUPS else GROUPS:
        try:
            module = importlib.import_module(f"kiosk.cli.{name}")
        except ModuleNotFoundError as exc:
            if exc.name == f"kiosk.cli.{name}":
                continue
            raise
        module.register(commands, common)
    if command in COMMAND_GROUPS and command not in commands.choices:
        return build_parser()
    return parser


def main(argv: list[str] | None = None) -> int:
    logging.getLogger().addHandler(logging.NullHandler())
    words = sys.argv[1:] if argv is None else argv
    parser = build_parser(command_word(words))
    Formatter.usage_prefix = None
    if any(w in ("-h", "--help") for w in words) or not words:  # help in the user's language
        from kiosk.cli import help_text
        from kiosk.i18n import set_language

        set_language(help_text.language(words))
        help_text.translate(parser)
    if CONSOLE_SCRIPT and not gc.isenabled():
        # the modules just loaded live as long as the process: freeze them first, so the
        # collection that re-enabling soon triggers does not walk all of them (~5-15 ms)
        gc.freeze()
    gc.enable()
    if not any(w in ("-h", "--help") for w in words) and words:
        from kiosk.cli.help_text import language  # a usage error speaks the user's language too
        from kiosk.i18n import set_language

        set_language(language(words))
    args = parser.parse_args(argv)
    code = run_guarded(args)
    if CONSOLE_SCRIPT and argv is None:
        # the process ends here: spare the interpreter's final collections a walk through every
        # object of every loaded module (~10 ms of a short command; the database and the log
        # are already closed, atexit and the flushing of stdout still run)
        gc.freeze()
    sys.exit(code)


__all__ = ["main", "build_parser", "CommandError", "t"]
