"""Start-up: the command's first word, so ``kiosk signin …`` builds (and imports) only its group.

(The server drivers are no longer this module's concern: Peewee is imported without them for
every command, and a server URL loads its own — see db.drivers.)
"""

from __future__ import annotations


def command_word(words: list[str]) -> str | None:
    """The command's first word, skipping options given before it (``kiosk --db URL staff …``)."""
    skip = False
    for word in words:
        if skip:
            skip = False
        elif word in ("--db", "--lang"):
            skip = True
        elif not word.startswith("-"):
            return word
    return None
