"""``kiosk --help`` in the user's language (zh or en), like every other message.

argparse's own words ("usage:", "options", "show this help message and exit") and our commands'
one-line helps are replaced from the translation table when help is asked for; nothing of this
runs for an ordinary command (start-up time: the table's other catalogues stay unloaded).
"""

from __future__ import annotations

import argparse

from kiosk.i18n import TABLE, language_from_environment, normalise, t

OPTION_KEYS = {"-h": "help.opt.help", "--version": "help.opt.version", "--db": "help.opt.db",
               "--lang": "help.opt.lang", "--json": "help.opt.json"}


def language(words: list[str]) -> str:
    """``--lang X`` / ``--lang=X`` among the words, else the environment's language."""
    for i, word in enumerate(words):
        if word == "--lang" and i + 1 < len(words):
            return normalise(words[i + 1])
        if word.startswith("--lang="):
            return normalise(word.split("=", 1)[1])
    return language_from_environment()


def translate(parser: argparse.ArgumentParser, path: str = "") -> None:
    """Translate ``parser`` and every sub-command's parser below it, where the table has words."""
    if not path:
        from kiosk.cli import Formatter

        Formatter.usage_prefix = t("help.usage")
        parser.description = t("help.description")
    commands = any(isinstance(a, argparse._SubParsersAction) for a in parser._actions)
    for group in parser._action_groups:
        if group.title == "positional arguments":
            group.title = t("help.commands" if commands else "help.positionals")
        elif group.title in ("options", "optional arguments"):
            group.title = t("help.options")
    for action in parser._actions:
        key = next((OPTION_KEYS[o] for o in action.option_strings if o in OPTION_KEYS), None)
        key = key or _own_option_key(path, action.dest)
        if key:
            action.help = t(key)
        if isinstance(action, argparse._SubParsersAction):
            for choice in action._choices_actions:
                name = f"help.cmd.{path}{choice.dest}"
                if name in TABLE:
                    choice.help = t(name)
            for word, sub in action.choices.items():
                translate(sub, f"{path}{word}.")


def _own_option_key(path: str, dest: str) -> str | None:
    """A command's own option: ``help.opt.<command path>.<dest>``, else the same key under the
    top command (``help.opt.service.user`` serves ``service unit`` and ``service install``)."""
    if not path:
        return None
    top = path.split(".", 1)[0]
    for name in (f"help.opt.{path}{dest}", f"help.opt.{top}.{dest}"):
        if TABLE.get(name) is not None:
            return name
    return None
