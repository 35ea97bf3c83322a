"""Dropping badge signatures from text that is stored, logged or exported.

A badge payload is ``SK1.<staff_id>.<version>.<signature>``; whoever holds the full text can print
that person's badge, so it is a secret. The event log keeps only ``SK1.<staff_id>.<version>`` —
enough to tell which badge was scanned — for accepted and rejected scans alike, including forged
and altered payloads (an altered payload may still carry a real signature).

Pure text functions (no database): the ledger applies :func:`drop_badge_signatures` to every
event it writes, migration ``m0009`` to the rows written before it, the kiosk to its file log.
"""

from __future__ import annotations

import re

# "SK1." (any case) and the run of payload-like characters after it (base64url, the dots that
# separate the parts, and the characters of other base64 spellings a tampered copy might use)
# — in either width: a keyboard in 全角 mode types ＳＫ１．… and the kiosk reads it as the badge
# (patterns, compiled by ``re`` at their first use and cached there: an accepted scan's event
# has no input to scrub, and every command imports this module — start-up time)
_PAYLOAD = r"[SsＳｓ][KkＫｋ][1１][.．]([A-Za-z0-9_.\-+/=Ａ-Ｚａ-ｚ０-９＿．－＋／＝]*)"
# a run this long of base64url characters is no staff ID (at most 32) and could be a signature (86)
_LONG_TOKEN = r"[A-Za-z0-9_\-Ａ-Ｚａ-ｚ０-９＿－]{40,}"
# full-width ASCII forms (U+FF01–U+FF5E) to ASCII, applied to a payload's own characters only
# (a note's full-width punctuation — （），— is ordinary Chinese text and stays as it is)
_WIDTH_FOLD = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)}
MAX_ID = 32
MAX_VERSION_DIGITS = 9
PLACEHOLDER = "…"


def drop_badge_signatures(text: str, *, scanned: bool = False) -> str:
    """``text`` with every badge payload cut to ``SK1.<staff_id>.<version>``; for ``scanned``
    input (what a scanner or keyboard delivered) also any other signature-sized token — a bare
    signature without its prefix — replaced by ``…``.

    Idempotent: applying it twice changes nothing more.
    """
    if not text:
        return text
    text = re.sub(_PAYLOAD, _keep_claim, text)
    return re.sub(_LONG_TOKEN, _drop_token, text) if scanned else text


def _drop_token(match: re.Match) -> str:
    """A long base64url run goes, unless it is all digits (a signature never is: it would take
    86 of base64's 10 digit values in a row; a held-down key or a long number is kept)."""
    token = match.group(0)
    return token if token.isascii() and token.isdigit() else PLACEHOLDER


def _keep_claim(match: re.Match) -> str:
    """``SK1.<id>.<version>`` from one payload-like run: everything after the last part that reads
    as a version number goes (the signature and anything glued to it)."""
    prefix = match.group(0)[:4].translate(_WIDTH_FOLD)
    run = match.group(1).translate(_WIDTH_FOLD)
    parts = run.split(".")
    for i in range(len(parts) - 1, 0, -1):
        version = parts[i]
        if version.isdigit() and len(version) <= MAX_VERSION_DIGITS:
            staff_id = ".".join(parts[:i])
            if staff_id and len(staff_id) <= MAX_ID:
                return f"{prefix}{staff_id}.{version}"
            break
    # not even a claim: keep a short run as it is (too short to hold a signature), else its head
    return f"{prefix}{run}" if len(run) <= MAX_ID else f"{prefix}{run[:MAX_ID]}{PLACEHOLDER}"
