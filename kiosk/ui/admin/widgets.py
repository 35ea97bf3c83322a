"""The console's building blocks: a form dialog (also a confirmation or a preview), a hint bar.

Data is text, never markup: the text widgets are the kiosk's own (``kiosk.ui.plain``: strings
shown literally, control characters replaced), so ``王[/]五`` or ``[@click=app.quit]`` in a name is
shown as typed and does nothing. Each Enter is one submission: a form submits once per
Enter and ignores further Enters while its action runs (in a thread, off the UI).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Input

from kiosk.i18n import t
from kiosk.lifecycle import Refused
from kiosk.ui.plain import DataTable, Label, Static, clean

__all__ = ["Action", "DataTable", "Field", "FormDialog", "HintBar", "Label", "Static", "clean"]


@dataclass(frozen=True)
class Field:
    """One line of a form: ``name`` (the key in the values), translated ``label``, start value."""

    name: str
    label: str
    value: str = ""
    placeholder: str = ""


Action = Callable[[dict[str, str]], object]


class FormDialog(ModalScreen[object]):
    """A form (or, without fields, a confirmation): Enter submits, Tab moves, Escape cancels.

    ``action(values)`` runs in a thread; what it returns is the dialog's result. A
    :class:`Refused` (or any error) keeps the dialog open with the message, so nothing typed is
    lost. While it runs, further Enters are ignored: each Enter is one submission.
    """

    DEFAULT_CSS = """
    FormDialog { align: center middle; background: $background 70%; }
    FormDialog > Vertical {
        width: 76; max-width: 100%; height: auto; max-height: 100%;
        border: thick $accent; background: $surface; padding: 0 1;
    }
    FormDialog .form-title { text-style: bold; width: 100%; margin-bottom: 1; }
    FormDialog .form-row { height: 1; }
    FormDialog .form-label { width: 14; color: $text-muted; }
    FormDialog .form-row Input, FormDialog .form-row Input:focus {
        width: 1fr; height: 1; border: none; padding: 0 1; background: $boost;
    }
    FormDialog .form-row Input:focus { background: $accent 40%; }
    FormDialog .form-fields { height: auto; }
    FormDialog .form-body { height: auto; max-height: 14; }
    FormDialog #form-error { color: $error; text-style: bold; height: auto; width: 100%; }
    FormDialog .form-hint { color: $text-muted; }
    """
    BINDINGS = [Binding("escape", "cancel", show=False), Binding("enter", "submit", show=False)]

    def __init__(self, title: str, fields: list[Field], action: Action, *,
                 body: str = "", hint: str = "") -> None:
        super().__init__()
        self.form_title = title
        self.fields = fields
        self.action = action
        self.body = body
        self.hint = hint or t("console.form_hint" if fields else "console.confirm_hint")
        self.busy = False

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(self.form_title, classes="form-title")
            if self.body:
                with VerticalScroll(classes="form-body"):
                    yield Static(self.body, id="form-body")
            with Vertical(classes="form-fields"):
                for f in self.fields:
                    with Horizontal(classes="form-row"):
                        yield Label(f.label, classes="form-label")
                        yield Input(clean(f.value), placeholder=f.placeholder,
                                    id=f"field-{f.name}")
            yield Label("", id="form-error")
            yield Label(self.hint, classes="form-hint")

    def on_mount(self) -> None:
        fields = list(self.query(Input))
        for field in fields:
            field.cursor_blink = getattr(self.app, "cursor_blink", True)
        if fields:
            fields[0].focus()

    def values(self) -> dict[str, str]:
        return {f.name: self.query_one(f"#field-{f.name}", Input).value for f in self.fields}

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_submit()

    def action_submit(self) -> None:
        if self.busy:
            return
        self.busy = True
        self.query_one("#form-error", Label).update(t("console.working"))
        self._run(self.values())

    @work(thread=True, exclusive=True, exit_on_error=False, group="form")
    def _run(self, values: dict[str, str]) -> None:
        try:
            with self.app.db.connection_context():
                result = self.action(values)
        except Refused as exc:
            self.app.call_from_thread(self._refused, str(exc))
            return
        except Exception as exc:  # a screen never ends on an error: say so, keep the form
            self.app.log_error(exc)
            self.app.call_from_thread(self._refused, t("console.failed"))
            return
        self.app.call_from_thread(self._done, result)

    def _refused(self, message: str) -> None:
        self.busy = False
        if self.is_attached:
            self.query_one("#form-error", Label).update(message)

    def _done(self, result: object) -> None:
        self.busy = False
        if self.is_attached:
            self.dismiss(True if result is None else result)

    def action_cancel(self) -> None:
        if not self.busy:
            self.dismiss(None)


class HintBar(Static):
    """The keys of the section, one line (translated, recomposed on a language switch)."""

    DEFAULT_CSS = """
    HintBar { height: auto; max-height: 2; background: $panel; color: $text; padding: 0 1; }
    """
