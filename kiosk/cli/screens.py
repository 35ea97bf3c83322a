"""``kiosk run`` (the full-screen kiosk) and ``kiosk demo`` (a demo office, then the kiosk).

Textual is imported inside the handlers only, so ``kiosk signin`` and friends start fast and
never load the UI.
"""

from __future__ import annotations

import gc
import os
import sys
from collections.abc import Callable
from pathlib import Path

from kiosk.cli.context import CommandError, Context
from kiosk.i18n import t


def register(commands, common) -> None:
    p = commands.add_parser("run", parents=[common], help="the full-screen sign-in kiosk")
    p.add_argument("--kiosk-id", metavar="ID", help="this kiosk's id in the event log")
    p.add_argument("--qr-only", action="store_true", help="accept QR badges only, not typed IDs")
    p.add_argument("--camera", nargs="?", const="0", metavar="DEVICE_INDEX|VIDEO_FILE",
                   help="also read QR badges from a webcam (default device 0) or a video file")
    p.set_defaults(handler=run)
    p = commands.add_parser("demo", parents=[common],
                            help="fill KIOSK_HOME with a demo office and start the kiosk")
    p.add_argument("--no-run", action="store_true", help="fill the demo data only")
    p.set_defaults(handler=demo, qr_only=False, camera=None, kiosk_id=None)


def camera_source(value: str | None) -> int | str | None:
    """``--camera 1`` is a device index, anything else a video file or image pattern.

    A source that cannot be opened is not refused here: the kiosk starts and says so on screen,
    so a camera unplugged at boot never keeps the typed-ID and scanner paths from working.
    """
    if value is None:
        return None
    text = value.strip()
    if not text:
        raise CommandError(t("run.bad_camera", value=value), code=2)
    return int(text) if text.isdigit() else str(Path(text).expanduser())


def run(ctx: Context, hint: str | Callable[[], str] = "") -> int:
    args = ctx.args
    source = camera_source(args.camera)
    db = ctx.database()
    if not (sys.stdin.isatty() and sys.stdout.isatty()) and not os.environ.get("KIOSK_ALLOW_NO_TTY"):
        raise CommandError(t("run.not_a_terminal"))
    given = (args.kiosk_id or "").strip()[:64] or None
    settings = ctx.settings.with_overrides(kiosk_id=given)
    from kiosk import door_identity, timefmt

    settings = door_identity.ensure_kiosk_id(settings, given)  # first start: a unique id
    from kiosk.ui.today import PlanPreload

    # no garbage collections while Textual loads and the first frame is drawn (start-up time):
    # the kiosk turns the collector back on once the first frame is on screen
    gc.disable()
    # today's sessions are read while Textual imports, so the title is in the first frame
    preload = PlanPreload(db, settings.tz, timefmt.utc_now)
    from kiosk.ui.app import build_app

    app = build_app(settings, db, qr_only=args.qr_only, camera_source=source, plan=preload.take())
    app.status_hint = hint
    from kiosk import backups

    daily = backups.start_daily(settings)
    try:
        return run_app(app, ctx)
    finally:
        if daily is not None:
            daily.stop.set()


def _demo_home_only(ctx: Context) -> None:
    """Refuse a home holding real data; else mark it as the demo's and log into it."""
    from db import migrations
    from kiosk import demo_home
    from kiosk.cli.log_file import move_logging

    db = ctx.database(require_schema=False) if demo_home.existing_database(ctx.settings) else None
    try:
        demo_home.check(ctx.settings, db)
    except demo_home.RealHome as exc:
        raise CommandError(t("demo.real_home", home=ctx.settings.home, found=exc.found)) from None
    move_logging(ctx.settings.home)
    import logging

    logging.getLogger("kiosk.demo").info("demo office in %s", ctx.settings.home)
    db = ctx.database(require_schema=False)
    migrations.upgrade(db)
    demo_home.mark(ctx.settings)


RUN_PAGE_CACHE_KIB = 2000  # SQLite's own default; a one-off command keeps db/'s larger one


def bound_page_cache(ctx: Context) -> None:
    """The SQLite page cache of every connection of a full-screen app that runs for months.

    Each connection's cache keeps the pages it has touched, up to its size: the kiosk's
    connection touches every page its own sign-ins append, so its resident memory grew with the
    database, ~0.55 MiB per 1,000 scans toward db/'s 16 MB per connection, however many
    connections (FINDINGS #36; bench/scan_memory.py: flat with a small cache). A scan reads a
    handful of index pages, which SQLite's default cache holds many times over.
    """
    if ctx.settings.is_sqlite:
        ctx.database(require_schema=False).pragma("cache_size", -RUN_PAGE_CACHE_KIB,
                                                  permanent=True)


def run_app(app, ctx: Context) -> int:
    """Run a full-screen app; an error that ends it is logged and exits 1, never 0.

    Textual catches an unhandled exception, closes the screen and returns from ``run()`` as if
    all were well: left alone, a crashed kiosk would exit 0 and a supervisor would read it as a
    deliberate stop. Its traceback goes to the log (not the screen of the door: Textual's own
    print of it is caught), and the terminal gets one line naming the log.

    So would a SIGINT from outside (a supervisor script, ``timeout -s INT``; at the door Ctrl+C
    is a key): asyncio turns it into the main task's cancellation, which Textual swallows. It
    closes the app as a quit does and exits 130, as TERM and HUP already end it with 143/129.
    """
    import io
    import logging
    import signal
    import threading

    from rich.console import Console

    log = logging.getLogger("kiosk.cli")
    previous_hook = threading.excepthook
    threading.excepthook = _log_thread_crash
    caught = io.StringIO()
    app.error_console = Console(file=caught, markup=False, highlight=False, width=100)
    bound_page_cache(ctx)  # (every connection opened from now on, and the one open now)
    interrupted: list[int] = []
    previous_int = signal.signal(signal.SIGINT, lambda signum, frame: _interrupt(app, interrupted))
    try:
        app.run()
    finally:
        threading.excepthook = previous_hook
        signal.signal(signal.SIGINT, previous_int)
    if interrupted:
        log.warning("the %s was stopped by SIGINT", app.__class__.__name__)
        return 128 + signal.SIGINT
    error = getattr(app, "_exception", None)
    if error is None and not app.return_code:
        return 0
    stopped = getattr(app, "stop_message", None)
    if error is None and stopped:  # a stop the app chose and explained (the database file gone)
        raise CommandError(stopped)
    if error is not None:
        log.error("the %s stopped on an unhandled error", app.__class__.__name__,
                  exc_info=(type(error), error, error.__traceback__))
    else:
        log.error("the %s stopped with code %s: %s", app.__class__.__name__, app.return_code,
                  caught.getvalue()[-2000:])
    raise CommandError(t("run.crashed", kind=error.__class__.__name__ if error else app.return_code,
                         log=ctx.settings.home / "logs" / "kiosk.log"))


def _interrupt(app, interrupted: list[int]) -> None:
    """SIGINT: close the running app (in its loop, as its quit would); outside it, the usual
    KeyboardInterrupt (exit 130 from the CLI's guard)."""
    import asyncio

    interrupted.append(1)
    try:
        loop = asyncio.get_running_loop()  # (a handler runs in the main thread: the app's loop)
    except RuntimeError:
        raise KeyboardInterrupt from None
    loop.call_soon_threadsafe(app.exit)


def _log_thread_crash(args) -> None:
    import logging

    logging.getLogger("kiosk.cli").error(
        "unhandled error in thread %s", getattr(args.thread, "name", "?"),
        exc_info=(args.exc_type, args.exc_value, args.exc_traceback))


def demo(ctx: Context) -> int:
    from kiosk import demo as demo_office

    ctx = demo_office.demo_context(ctx)
    try:
        _demo_home_only(ctx)
        demo_office.fill(ctx)
        if ctx.args.no_run:
            return 0
        ctx = demo_office.demo_context(ctx)  # re-read: the demo's config.toml names the office
        ctx.out(t("demo.starting"))
        return run(ctx, hint=demo_office.screen_hint(ctx.settings))
    finally:
        ctx.close()
