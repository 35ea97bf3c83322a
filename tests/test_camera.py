"""The webcam path on real OpenCV and zxing-cpp: a generated video of badges (rotated 15°, on a
noisy background, MJPG-compressed) is read in the worker thread; each payload comes out once and
signs in with method ``camera``; a source that cannot be opened or a missing extra is reported
through ``on_error`` and never raised."""

from __future__ import annotations

import sys
from pathlib import Path
from zoneinfo import ZoneInfo

import cv2
import numpy as np
import pytest

from db.models import SignInEvent
from kiosk.badges import keys, render
from kiosk.badges.camera import CameraReader, decode_frame, parse_source
from kiosk.badges.payload import sign
from kiosk.desk import SignInDesk
from tests.conftest import wall
from tests.test_badges import admin  # noqa: F401  (a fixture)

W, H, FPS = 640, 480, 15


def badge_frame(payload: str | None, rng: np.random.Generator, angle: float = 15.0):
    """A camera-like frame: blurred noise, a white card with the QR code, rotated, sensor noise."""
    background = rng.integers(0, 256, (H // 8, W // 8, 3), dtype=np.uint8)
    frame = cv2.resize(background, (W, H), interpolation=cv2.INTER_LINEAR)
    if payload is not None:
        modules = np.array(render.qr_code(payload).get_matrix(), dtype=np.uint8)
        qr = np.where(modules, 0, 255).astype(np.uint8)
        qr = cv2.resize(qr, (qr.shape[1] * 5, qr.shape[0] * 5), interpolation=cv2.INTER_NEAREST)
        size = qr.shape[0]
        top, left = (H - size) // 2, (W - size) // 2 + int(rng.integers(-60, 60))
        frame[top:top + size, left:left + size] = cv2.cvtColor(qr, cv2.COLOR_GRAY2BGR)
        centre = (left + size / 2, top + size / 2)
        rotation = cv2.getRotationMatrix2D(centre, angle, 1.0)
        frame = cv2.warpAffine(frame, rotation, (W, H), borderMode=cv2.BORDER_REFLECT)
    noise = rng.normal(0, 10, frame.shape)
    return np.clip(frame.astype(np.float32) + noise, 0, 255).astype(np.uint8)


def script(payloads: list[str]) -> list[str | None]:
    """Each badge held up for 6 frames with 3 empty frames between; the first one shown again."""
    shown: list[str | None] = []
    for text in [*payloads, payloads[0]]:
        shown += [text] * 6 + [None] * 3
    return shown


def write_video(path: Path, shown: list[str | None]) -> Path:
    rng = np.random.default_rng(7)
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"MJPG"), FPS, (W, H))
    assert writer.isOpened()
    for i, text in enumerate(shown):
        writer.write(badge_frame(text, rng, angle=15.0 if i % 2 else -14.0))
    writer.release()
    return path


def collect(source, **kw) -> tuple[list[str], list[str], CameraReader]:
    payloads: list[str] = []
    errors: list[str] = []
    reader = CameraReader(source, payloads.append, errors.append, **kw)
    reader.start()
    assert reader.join(timeout=30)
    return payloads, errors, reader


@pytest.fixture
def badge_texts(admin, home):  # noqa: F811
    key = keys.load_signing_key(home)
    return [sign(key, staff_id, 1) for staff_id in ("A1001", "B2001", "B2002")]


def test_video_of_badges_yields_each_payload_once_and_signs_in(admin, badge_texts, tmp_path):  # noqa: F811
    video = write_video(tmp_path / "badges.avi", script(badge_texts))
    payloads, errors, reader = collect(str(video), dedupe_seconds=3.0)
    assert errors == [] and reader.frames == 36
    assert payloads == badge_texts  # in order, once each: the repeat of the first is ignored
    desk = SignInDesk(admin, kiosk_id="door-cam", tz=ZoneInfo("Asia/Shanghai"))
    outcomes = [desk.sign_in(text, method="camera", at=wall("2026-11-28 08:55")) for text in payloads]
    assert [(o.result, o.staff_id) for o in outcomes] == [
        ("present", "A1001"), ("present", "B2001"), ("present", "B2002")]
    assert SignInEvent.select().where(SignInEvent.method == "camera").count() == 3


def test_a_badge_shown_again_after_the_dedupe_window_counts_again(badge_texts, tmp_path):
    video = write_video(tmp_path / "badges.avi", script(badge_texts[:2]))
    seen: list[str] = []
    reader = CameraReader(str(video), seen.append, lambda key: None, dedupe_seconds=0.5)
    reader.clock = lambda: reader.frames / FPS  # video time: the repeat comes 1.2 s later
    reader.start()
    assert reader.join(timeout=30)
    assert seen == [badge_texts[0], badge_texts[1], badge_texts[0]]


def test_image_sequence_source(badge_texts, tmp_path):
    rng = np.random.default_rng(3)
    for i, text in enumerate([None, badge_texts[1], badge_texts[1], None]):
        cv2.imwrite(str(tmp_path / f"frame_{i:03d}.png"), badge_frame(text, rng))
    payloads, errors, _ = collect(str(tmp_path / "frame_%03d.png"))
    assert (payloads, errors) == ([badge_texts[1]], [])


def test_decode_one_frame(badge_texts):
    frame = badge_frame(badge_texts[0], np.random.default_rng(1))
    assert decode_frame(frame) == [badge_texts[0]]
    assert decode_frame(cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY)) == [badge_texts[0]]
    assert decode_frame(badge_frame(None, np.random.default_rng(1))) == []


@pytest.mark.parametrize("source", ["/nonexistent/cam.avi", 97, "97"])
def test_a_source_that_cannot_open_is_reported_not_raised(source):
    payloads, errors, _ = collect(source)
    assert (payloads, errors) == ([], ["camera.cannot_open"])


def test_a_file_that_is_no_video_is_reported(tmp_path):
    bogus = tmp_path / "notes.avi"
    bogus.write_text("not a video", encoding="utf-8")
    payloads, errors, _ = collect(str(bogus))
    assert (payloads, errors) == ([], ["camera.cannot_open"])


def test_missing_extra_is_reported(monkeypatch, tmp_path):
    monkeypatch.setitem(sys.modules, "zxingcpp", None)  # `import zxingcpp` now raises ImportError
    payloads, errors, _ = collect(str(tmp_path / "x.avi"))
    assert errors == ["camera.missing_extra"]


def test_a_failing_handler_does_not_stop_the_reader(badge_texts, tmp_path):
    video = write_video(tmp_path / "badges.avi", script(badge_texts[:2]))
    seen: list[str] = []

    def on_payload(text: str) -> None:
        seen.append(text)
        raise RuntimeError("screen went away")

    reader = CameraReader(str(video), on_payload, lambda key: None)
    reader.start()
    assert reader.join(timeout=30)
    assert seen == badge_texts[:2]


def test_stop_ends_the_thread_and_parse_source():
    assert parse_source("0") == 0 and parse_source(" 2 ") == 2 and parse_source("cam.avi") == "cam.avi"
    reader = CameraReader("/nonexistent.avi", lambda t: None, lambda k: None)
    reader.start()
    reader.stop()
    assert not reader.running
