"""1,000 sign-ins through the real SignInDesk vs raw sqlite3 doing the same durable work.

Raw baseline, per scan: look the person up, update their attendance row (insert for a visitor),
insert the event, one ``BEGIN IMMEDIATE … COMMIT`` with WAL + ``synchronous=FULL`` (fsync'd).
Measured twice: in one process (the service vs raw loops) and as whole processes
(``kiosk signin --from-file FILE`` vs a raw python script reading the same file). Each side runs
on its own byte-identical copy of the same prepared database; rounds alternate the order and the
best round of each side is compared (the machine is shared and noisy).

    python bench/scans.py [--scans 1000] [--rounds 3] [--cards]

With ``--cards`` every person holds a work card and each scan is a card's 10-digit number (what a
keyboard-mode reader types); the raw baseline then looks the person up by ``staff.card`` instead of
``staff.key``. The kiosk tries a staff ID first, so a card scan costs it one extra indexed read.

The process row runs the ``kiosk`` script next to this interpreter: run the benchmark with the
interpreter of a regular install (``pip install .``, which precompiles bytecode) to time what
users run; with ``PYTHONDONTWRITEBYTECODE`` set, an editable install compiles every changed
project module on each start.
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from homes import (  # noqa: E402
    clone_home,
    kiosk_command,
    kiosk_env,
    machine,
    prepare_home,
    staff_ids,
    table,
)

RAW_SCRIPT = r'''
import datetime as dt, sqlite3, sys, time, uuid
db, path = sys.argv[1], sys.argv[2]
con = sqlite3.connect(db, isolation_level=None, timeout=15)
con.execute("PRAGMA journal_mode=wal"); con.execute("PRAGMA synchronous=FULL")
con.execute("PRAGMA foreign_keys=1"); con.execute("PRAGMA busy_timeout=15000")
now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
sid, title, start, late_after = con.execute(
    "SELECT id, title, start, late_after FROM study_session WHERE start <= ? AND end >= ? "
    "ORDER BY start LIMIT 1", (str(now + dt.timedelta(minutes=30)), str(now))).fetchone()
late_from = dt.datetime.fromisoformat(start) + dt.timedelta(minutes=late_after)
out = sys.stdout
by = "card" if len(sys.argv) > 3 else "key"
for line in open(path, encoding="utf-8").read().split("\n"):
    key = line.strip().upper()
    if not key:
        continue
    at = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    event_id = str(uuid.uuid4())
    con.execute("BEGIN IMMEDIATE")
    row = con.execute("SELECT key, staff_id, name, department, active, badge_version FROM staff "
                      f"WHERE {by} = ?", (int(key) if by == "card" else key,)).fetchone()
    key = row[0]
    status = "late" if at > late_from else "present"
    cur = con.execute("UPDATE attendance SET status=?, signed_in_at=?, method=?, kiosk_id=?, "
                      "event_id=? WHERE session_id=? AND staff_id=? AND signed_in_at IS NULL",
                      (status, str(at), "id", "kiosk-1", event_id, sid, key))
    if not cur.rowcount:
        con.execute("INSERT INTO attendance (session_id, staff_id, expected, status, signed_in_at, "
                    "early_leave, method, kiosk_id, event_id) VALUES (?,?,0,?,?,0,?,?,?)",
                    (sid, key, status, str(at), "id", "kiosk-1", event_id))
    con.execute("INSERT INTO sign_in_event (id, seq, kiosk_id, at, method, result, reason, staff_key, "
                "session_id, input, note, actor) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
                (event_id, time.time_ns() // 1000, "kiosk-1", str(at), "id", status, "", key, sid,
                 "", "", ""))
    con.execute("COMMIT")
    out.write(f"签到成功: {row[2]} · {row[3]} · {title} · {at:%H:%M}\n")
'''


def card_of(staff_id: str) -> int:
    """The work card bound to a bench person (``--cards``): a 32-bit number from the ID."""
    return (int(staff_id.lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ") or 0) * 2654435761) % 2**32 or 1


def bind_cards(db: Path) -> None:
    con = sqlite3.connect(db)
    with con:
        for (key,) in con.execute("SELECT key FROM staff").fetchall():
            con.execute("UPDATE staff SET card = ? WHERE key = ?", (card_of(key), key))
    con.close()


def raw_loop(db: Path, lines: list[str], cards: bool = False) -> float:
    """The raw in-process baseline (same SQL as RAW_SCRIPT); returns seconds."""
    import datetime as dt
    import uuid

    con = sqlite3.connect(db, isolation_level=None, timeout=15)
    for pragma in ("journal_mode=wal", "synchronous=FULL", "foreign_keys=1", "busy_timeout=15000"):
        con.execute(f"PRAGMA {pragma}")
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    sid, start, late_after = con.execute(
        "SELECT id, start, late_after FROM study_session WHERE start <= ? AND end >= ? "
        "ORDER BY start LIMIT 1", (str(now + dt.timedelta(minutes=30)), str(now))).fetchone()
    late_from = dt.datetime.fromisoformat(start) + dt.timedelta(minutes=late_after)
    began = time.perf_counter()
    for line in lines:
        key = line.strip().upper()
        at = dt.datetime.now(dt.UTC).replace(tzinfo=None)
        event_id = str(uuid.uuid4())
        con.execute("BEGIN IMMEDIATE")
        key = con.execute("SELECT key, staff_id, name, department, active, badge_version FROM staff "
                          f"WHERE {'card' if cards else 'key'} = ?",
                          (int(key) if cards else key,)).fetchone()[0]
        status = "late" if at > late_from else "present"
        cur = con.execute("UPDATE attendance SET status=?, signed_in_at=?, method=?, kiosk_id=?, "
                          "event_id=? WHERE session_id=? AND staff_id=? AND signed_in_at IS NULL",
                          (status, str(at), "id", "kiosk-1", event_id, sid, key))
        if not cur.rowcount:
            con.execute("INSERT INTO attendance (session_id, staff_id, expected, status, "
                        "signed_in_at, early_leave, method, kiosk_id, event_id) "
                        "VALUES (?,?,0,?,?,0,?,?,?)",
                        (sid, key, status, str(at), "id", "kiosk-1", event_id))
        con.execute("INSERT INTO sign_in_event (id, seq, kiosk_id, at, method, result, reason, "
                    "staff_key, session_id, input, note, actor) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
                    (event_id, time.time_ns() // 1000, "kiosk-1", str(at), "id", status, "", key,
                     sid, "", "", ""))
        con.execute("COMMIT")
    elapsed = time.perf_counter() - began
    con.close()
    return elapsed


def service_loop(db: Path, lines: list[str], cards: bool = False) -> float:
    """The real SignInDesk on a bound database; returns seconds."""
    from zoneinfo import ZoneInfo

    from db import database
    from kiosk.desk import SignInDesk

    handle = database.bind(f"sqlite:///{db}")
    desk = SignInDesk(handle, kiosk_id="kiosk-1", tz=ZoneInfo("Asia/Shanghai"))
    began = time.perf_counter()
    for line in lines:
        outcome = desk.sign_in(line)
        if outcome.result not in ("present", "late") or (outcome.method == "card") != cards:
            raise SystemExit(f"unexpected outcome {outcome.result} {outcome.reason} for {line!r}")
    elapsed = time.perf_counter() - began
    handle.close()
    return elapsed


def signed_in(db: Path) -> int:
    con = sqlite3.connect(db)
    count = con.execute("SELECT COUNT(*) FROM attendance WHERE signed_in_at IS NOT NULL").fetchone()[0]
    con.close()
    return count


def run_process(cmd: list[str], env: dict) -> float:
    began = time.perf_counter()
    done = subprocess.run(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    elapsed = time.perf_counter() - began
    if done.returncode != 0:
        raise SystemExit(f"{cmd[:3]} failed ({done.returncode}): {done.stderr.decode()[-500:]}")
    return elapsed


def textual_imported(env: dict) -> bool:
    """Does ``kiosk signin`` import textual (or other heavy modules)? via ``-X importtime``."""
    code = "import sys; from kiosk.cli import main; sys.argv=['kiosk','signin','--help']; main()"
    done = subprocess.run([sys.executable, "-X", "importtime", "-c", code], env=env,
                          stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    modules = {line.split("|")[-1].strip().split(".")[0] for line in done.stderr.splitlines()
               if line.startswith("import time:")}
    return "textual" in modules, sorted(m for m in modules & {"textual", "rich", "openpyxl", "PIL",
                                                              "qrcode", "cv2", "zxingcpp"})


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scans", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--cards", action="store_true", help="scan work cards, not staff IDs")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-scans-") as tmp:
        tmp_path = Path(tmp)
        master = tmp_path / "master"
        prepare_home(master, staff=args.scans)
        lines = staff_ids(args.scans)
        if args.cards:
            bind_cards(master / "kiosk.db")
            lines = [f"{card_of(sid):010d}" for sid in lines]
        scan_file = tmp_path / "scans.txt"
        scan_file.write_text("\n".join(lines) + "\n", encoding="utf-8")
        raw_script = tmp_path / "raw_signin.py"
        raw_script.write_text(RAW_SCRIPT, encoding="utf-8")

        times: dict[str, list[float]] = {"service": [], "raw": [], "cli": [], "raw_proc": []}
        for round_no in range(args.rounds):
            order = ["service", "raw"] if round_no % 2 == 0 else ["raw", "service"]
            for side in order:
                home = clone_home(master, tmp_path / side)
                loop = service_loop if side == "service" else raw_loop
                times[side].append(loop(home / "kiosk.db", lines, args.cards))
                assert signed_in(home / "kiosk.db") == args.scans, side
            order = ["cli", "raw_proc"] if round_no % 2 == 0 else ["raw_proc", "cli"]
            for side in order:
                home = clone_home(master, tmp_path / side)
                env = kiosk_env(home)
                if side == "cli":
                    cmd = kiosk_command() + ["signin", "--from-file", str(scan_file)]
                else:
                    cmd = [sys.executable, str(raw_script), str(home / "kiosk.db"), str(scan_file)]
                    cmd += ["cards"] if args.cards else []
                times[side].append(run_process(cmd, env))
                assert signed_in(home / "kiosk.db") == args.scans, side
        has_textual, heavy = textual_imported(kiosk_env(master))

    def row(name, ours, base):
        return (name, f"{min(times[ours]):.3f}", f"{statistics.median(times[ours]):.3f}",
                f"{min(times[base]):.3f}", f"{statistics.median(times[base]):.3f}",
                f"{min(times[ours]) / min(times[base]):.2f}×",
                f"{statistics.median(times[ours]) / statistics.median(times[base]):.2f}×")

    n = args.scans
    what = "work-card" if args.cards else "staff-ID"
    print(f"scans: {n} {what} sign-ins, {args.rounds} rounds — {machine()}")
    print(table([
        row(f"in-process SignInDesk vs raw sqlite3 ({n} scans)", "service", "raw"),
        row(f"process: kiosk signin --from-file vs raw script ({n} lines)", "cli", "raw_proc"),
    ], ("benchmark", "ours best s", "ours median s", "raw best s", "raw median s", "ratio best",
        "ratio median")))
    print(f"per scan: service {min(times['service']) / n * 1e6:.0f} µs, "
          f"raw {min(times['raw']) / n * 1e6:.0f} µs")
    print(f"kiosk signin imports textual: {'YES' if has_textual else 'no'}; "
          f"other heavy modules: {', '.join(heavy) or 'none'}")
    target = 1.2
    ok = (min(times["service"]) / min(times["raw"]) <= target
          and min(times["cli"]) / min(times["raw_proc"]) <= target and not has_textual)
    print(f"target ≤ {target}×: {'met' if ok else 'MISSED'}")
    return 0


if __name__ == "__main__":
    os.environ.setdefault("KIOSK_LANG", "zh")
    sys.exit(main())
