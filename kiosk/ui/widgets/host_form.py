"""The form behind a host action (leave, 补签, undo): staff ID, a required reason, and for a
补签 an optional arrival time. It dismisses the typed values, or None on Esc."""

from __future__ import annotations

import re
from dataclasses import dataclass

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Input

from kiosk.i18n import t
from kiosk.ui.plain import Button, Label

TIME = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")


@dataclass(frozen=True)
class HostForm:
    kind: str  # leave | manual | undo
    staff: str
    reason: str
    time: str = ""  # HH:MM (manual only), "" for now


class HostActionForm(ModalScreen[HostForm | None]):
    BINDINGS = [Binding("escape", "cancel", show=False)]

    def __init__(self, kind: str, staff: str = "", *, typed: HostForm | None = None,
                 error: str = "") -> None:
        """``typed`` and ``error``: the form again after a refusal, with what was typed and why."""
        super().__init__()
        self.kind = kind
        self.staff = typed.staff if typed is not None else staff
        self.typed = typed
        self.error = error

    def compose(self) -> ComposeResult:
        with Vertical(classes="host-form"):
            yield Label(t(f"host.form.{self.kind}"), classes="host-form-title")
            yield Label(t("host.form.staff"))
            yield Input(self.staff, id="form-staff", max_length=64)
            yield Label(t("host.form.reason"))
            yield Input(self.typed.reason if self.typed else "", id="form-reason", max_length=500)
            if self.kind == "manual":
                yield Label(t("host.form.time"))
                yield Input(self.typed.time if self.typed else "", id="form-time", max_length=5,
                            placeholder="HH:MM")
            yield Label(self.error, id="form-error")
            with Horizontal(classes="host-form-buttons"):
                yield Button(t("host.form.cancel"), id="form-cancel")
                yield Button(t("host.form.ok"), id="form-ok", variant="primary")

    def on_mount(self) -> None:
        self.query_one("#form-reason" if self.staff else "#form-staff", Input).focus()

    @on(Input.Submitted)
    @on(Button.Pressed, "#form-ok")
    def submit(self) -> None:
        staff = self.query_one("#form-staff", Input).value.strip()
        reason = self.query_one("#form-reason", Input).value.strip()
        time = self.query_one("#form-time", Input).value.strip() if self.kind == "manual" else ""
        error = self.query_one("#form-error", Label)
        if not staff:
            error.update(t("host.form.need_staff"))
            self.query_one("#form-staff", Input).focus()
        elif not reason:
            error.update(t("host.form.need_reason"))
            self.query_one("#form-reason", Input).focus()
        elif time and not TIME.match(time):
            error.update(t("host.form.bad_time"))
            self.query_one("#form-time", Input).focus()
        else:
            self.dismiss(HostForm(self.kind, staff, reason, time))

    @on(Button.Pressed, "#form-cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)
