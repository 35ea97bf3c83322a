"""argparse's usage errors in the user's language (zh or en), still one line and exit 2.

argparse words its errors in English; the common ones are recognised by their shape and said
again from the translation table, with the option names and values kept exactly as typed.
Anything unrecognised is shown as argparse wrote it (never lost, never a traceback).
"""

from __future__ import annotations

import re

from kiosk.i18n import t

PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"unrecognized arguments: (?P<args>.*)"), "usage.unrecognized"),
    (re.compile(r"the following arguments are required: (?P<args>.*)"), "usage.required"),
    (re.compile(r"argument (?P<arg>\S+): invalid choice: (?P<value>.*) \(choose from (?P<choices>.*)\)"),
     "usage.invalid_choice"),
    (re.compile(r"argument (?P<arg>\S+): invalid (?P<kind>int|float) value: (?P<value>.*)"),
     "usage.invalid_number"),
    (re.compile(r"argument (?P<arg>\S+): expected one argument"), "usage.expected_one"),
    (re.compile(r"argument (?P<arg>\S+): not allowed with argument (?P<other>\S+)"),
     "usage.not_allowed_with"),
)


def translated(message: str) -> str:
    """``message`` (one of argparse's) in the current language, or as it is when unknown."""
    for pattern, key in PATTERNS:
        found = pattern.fullmatch(message.strip())
        if found:
            fields = found.groupdict()
            if "arg" in fields and fields["arg"] in ("COMMAND", "ACTION"):
                key = "usage.invalid_command" if key == "usage.invalid_choice" else key
            if "kind" in fields:
                fields["kind"] = t(f"usage.kind.{fields['kind']}")
            return t(key, **fields)
    return message
