"""Webcam badge reading: frames from OpenCV, QR codes decoded by zxing-cpp, in a worker thread.

Both libraries are the optional extra ``kiosk[camera]`` and are imported only inside the worker,
so a kiosk without them starts as fast as ever and, if asked to use a camera, reports
``camera.missing_extra`` through ``on_error`` instead of failing. Every problem (no extra, a
camera that will not open, one that stops delivering frames) becomes one ``on_error(key)`` call
with a translation key; nothing is raised into the caller. ``on_payload`` and ``on_error`` run in
the worker thread: a Textual screen should hop back with ``app.call_from_thread``.
"""

from __future__ import annotations

import logging
import os
import re
import threading
import time
from collections.abc import Callable
from pathlib import Path

log = logging.getLogger("kiosk.camera")

ERROR_MISSING_EXTRA = "camera.missing_extra"
ERROR_CANNOT_OPEN = "camera.cannot_open"
ERROR_FAILED = "camera.failed"
MAX_DEVICE_MISSES = 30  # consecutive failed reads (about a second) before a device counts as lost


def parse_source(text: str | int) -> int | str:
    """``kiosk run --camera 0`` means device 0; anything else is a video file or image pattern."""
    if isinstance(text, int):
        return text
    return int(text) if text.strip().isdigit() else text


def decode_frame(frame, zxingcpp_module=None) -> list[str]:
    """The texts of all QR codes in one BGR or grayscale frame (numpy array)."""
    zxingcpp = zxingcpp_module
    if zxingcpp is None:
        import zxingcpp
    results = zxingcpp.read_barcodes(frame, formats=zxingcpp.BarcodeFormat.QRCode)
    return [r.text for r in results if r.valid and r.text]


class CameraReader:
    """Reads a camera or video in a daemon thread and reports each new QR text once."""

    def __init__(self, source: int | str, on_payload: Callable[[str], None],
                 on_error: Callable[[str], None], dedupe_seconds: float = 3.0,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.source = parse_source(source)
        self.on_payload = on_payload
        self.on_error = on_error
        self.dedupe_seconds = dedupe_seconds
        self.clock = clock
        self.frames = 0
        self._last_seen: dict[str, float] = {}
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def start(self) -> None:
        if self.running:
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="camera-reader", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 2.0) -> None:
        self._stop.set()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(timeout)

    def join(self, timeout: float | None = None) -> bool:
        """Wait for the reader to finish (end of a video file, error or stop); True if it did."""
        if self._thread is not None:
            self._thread.join(timeout)
        return not self.running

    # -- the worker -----------------------------------------------------------------------------
    def _run(self) -> None:
        try:
            self._read_loop()
        except Exception:  # the last line of defence: the kiosk must keep running
            log.exception("camera reader failed")
            self._report(ERROR_FAILED)

    def _read_loop(self) -> None:
        os.environ.setdefault("OPENCV_LOG_LEVEL", "SILENT")  # never scribble on the kiosk screen
        try:
            import cv2
            import zxingcpp
        except ImportError as exc:
            log.warning("camera extra missing: %s", exc)
            self._report(ERROR_MISSING_EXTRA)
            return
        _silence(cv2)
        if isinstance(self.source, str) and not _file_source_exists(self.source):
            self._report(ERROR_CANNOT_OPEN)
            return
        capture = cv2.VideoCapture(self.source)
        try:
            if not capture.isOpened():
                self._report(ERROR_CANNOT_OPEN)
                return
            self._frames(capture, zxingcpp)
        finally:
            capture.release()

    def _frames(self, capture, zxingcpp) -> None:
        misses = 0
        is_device = isinstance(self.source, int)
        while not self._stop.is_set():
            ok, frame = capture.read()
            if not ok or frame is None:
                if not is_device:  # end of the video file or image sequence
                    if self.frames == 0:
                        self._report(ERROR_CANNOT_OPEN)
                    return
                misses += 1
                if misses >= MAX_DEVICE_MISSES:
                    self._report(ERROR_FAILED)
                    return
                time.sleep(0.03)
                continue
            misses = 0
            self.frames += 1
            for text in decode_frame(frame, zxingcpp):
                if self._is_new(text):
                    self._deliver(text)

    def _is_new(self, text: str) -> bool:
        """A code still in view (or back within ``dedupe_seconds``) is the same presentation."""
        now = self.clock()
        last = self._last_seen.get(text)
        self._last_seen[text] = now
        if len(self._last_seen) > 512:  # forget codes not seen for a while
            horizon = now - self.dedupe_seconds
            self._last_seen = {k: v for k, v in self._last_seen.items() if v >= horizon}
        return last is None or now - last > self.dedupe_seconds

    def _deliver(self, text: str) -> None:
        try:
            self.on_payload(text)
        except Exception:
            log.exception("camera on_payload handler failed")

    def _report(self, key: str) -> None:
        try:
            self.on_error(key)
        except Exception:
            log.exception("camera on_error handler failed")


def _silence(cv2) -> None:
    try:
        cv2.utils.logging.setLogLevel(cv2.utils.logging.LOG_LEVEL_SILENT)
    except AttributeError:
        pass


_PATTERN = re.compile(r"%0?\d*d")


def _file_source_exists(source: str) -> bool:
    """A plain path must exist; an image-sequence pattern (``frame_%03d.png``) is left to OpenCV."""
    if _PATTERN.search(source) or "://" in source:
        return True
    return Path(source).expanduser().exists()
