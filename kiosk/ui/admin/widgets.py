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

__all__ = ["Action", "DataTable", "Field", "FormDialog", "HintBar", "Label", "Offer", "Offered",
           "Static", "clean"]


@dataclass(frozen=True)
class Field:
    """One line of a form: ``name`` (the key in the values), translated ``label``, start value."""

    name: str
    label: str
    value: str = ""
    placeholder: str = ""
    # a field a reader types into (a card tap = digits + Enter): emptied after each submission,
    # so the next tap is a scan of its own, never appended to the last one (SPEC §7)
    scan: bool = False
    # what to type there, said under the form while the field has the focus (a pre-filled
    # value hides the placeholder)
    hint: str = ""


Action = Callable[[dict[str, str]], object]
# a form's follow-up: the field just changed and all values → new values for other fields
Follow = Callable[[str, dict[str, str]], dict[str, str]]


@dataclass(frozen=True)
class Offer:
    """The console's own way past a refusal (e.g. move a card from its holder): ``hint`` names
    the key (Ctrl+T); the key asks ``title``/``body`` first, then runs ``action``."""

    hint: str
    title: str
    body: str
    action: Action


class Offered(Refused):
    """A refusal the form can resolve itself: the message, and the :class:`Offer`."""

    def __init__(self, message: str, offer: Offer) -> None:
        super().__init__(message)
        self.offer = offer


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
    FormDialog .form-row Input > .input--placeholder { color: $text-muted; text-style: italic; }
    FormDialog .form-fields { height: auto; }
    FormDialog .form-body { height: auto; max-height: 14; }
    FormDialog #form-error { color: $error; text-style: bold; height: auto; width: 100%; }
    FormDialog .form-hint { color: $text-muted; width: 100%; height: auto; }
    """
    BINDINGS = [Binding("escape", "cancel", show=False), Binding("enter", "submit", show=False),
                Binding("ctrl+t", "offer", show=False, priority=True)]

    def __init__(self, title: str, fields: list[Field], action: Action, *,
                 body: str = "", hint: str = "", follow: Follow | None = None) -> None:
        super().__init__()
        self.form_title = title
        self.fields = fields
        self.action = action
        self.body = body
        self.hint = hint or t("console.form_hint" if fields else "console.confirm_hint")
        self.follow = follow
        self.offer: Offer | None = None
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
            if any(f.hint for f in self.fields):
                yield Label("", classes="form-hint", id="form-field-hint")
            yield Label("", id="form-error")
            yield Label(self.hint, classes="form-hint", id="form-hint")

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

    def on_descendant_focus(self, event) -> None:
        hints = {f"field-{f.name}": t("console.field_hint", label=f.label, hint=f.hint)
                 if f.hint else "" for f in self.fields}
        for label in self.query("#form-field-hint").results(Label):
            label.update(hints.get(getattr(event.widget, "id", None) or "", ""))

    @on(Input.Changed)
    def _changed(self, event: Input.Changed) -> None:
        """A field the clerk changed may carry others along (a session's end follows its start)."""
        event.stop()
        name = (event.input.id or "").removeprefix("field-")
        if self.follow is None or self.busy or not event.input.has_focus:
            return
        for other, value in self.follow(name, self.values()).items():
            self.query_one(f"#field-{other}", Input).value = value

    def action_submit(self) -> None:
        if self.busy:
            return
        self.busy = True
        values = self.values()
        for f in self.fields:  # one tap, one scan: the next tap starts from an empty field
            if f.scan:
                self.query_one(f"#field-{f.name}", Input).value = ""
        self._set_offer(None)
        self.query_one("#form-error", Label).update(t("console.working"))
        self._run(values)

    def _set_offer(self, offer: Offer | None) -> None:
        self.offer = offer
        if self.is_attached:
            self.query_one("#form-hint", Label).update(offer.hint if offer else self.hint)

    def action_offer(self) -> None:
        """Ctrl+T: the way past the last refusal (asked first); done, this form closes with it."""
        offer = self.offer
        if offer is None or self.busy:
            return

        def finished(result: object) -> None:
            if result is not None and self.is_attached:
                self.dismiss(result)

        self.app.push_screen(FormDialog(offer.title, [], offer.action, body=offer.body),
                             callback=finished)

    @work(thread=True, exclusive=True, exit_on_error=False, group="form")
    def _run(self, values: dict[str, str]) -> None:
        try:
            with self.app.db.connection_context():
                result = self.action(values)
        except Offered as exc:
            self.app.call_from_thread(self._refused, str(exc), exc.offer)
            return
        except Refused as exc:
            self.app.call_from_thread(self._refused, str(exc))
            return
        except Exception as exc:  # a screen never ends on an error: say so, keep the form
            self.app.log_error(exc)
            self.app.call_from_thread(self._refused, t("console.failed"))
            return
        self.app.call_from_thread(self._done, result)

    def _refused(self, message: str, offer: Offer | None = None) -> None:
        self.busy = False
        if self.is_attached:
            self.query_one("#form-error", Label).update(message)
            self._set_offer(offer)

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
