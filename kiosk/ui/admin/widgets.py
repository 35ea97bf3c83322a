"""The console's building blocks: a form dialog (also a confirmation or a preview), a hint bar.

Data is text, never markup: the text widgets are the kiosk's own (``kiosk.ui.plain``: strings
shown literally, control characters replaced), so ``王[/]五`` or ``[@click=app.quit]`` in a name is
shown as typed and does nothing. Each Enter is one submission: a form submits once per
Enter and ignores further Enters while its action runs (in a thread, off the UI). What a paste
or a burst brings after that Enter never reaches the screen under the form (FINDINGS #30): an
add form takes each further line as one more submission of itself (a new form, the line typed
into it, checked like the first); every other form leaves it unused and says so.
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

from kiosk.i18n import Words, again, t
from kiosk.lifecycle import Refused
from kiosk.ui.plain import DataTable, Label, Static, clean
from kiosk.ui.safe_app import burst_rows, row_cells

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

    The keys that came in the same burst as the submitting Enter are kept until the action has
    answered. Done, with ``again`` (an add form): ``again(rows)`` opens a fresh form for the
    further lines; it fills its fields with the next line's cells (split at Tab, not typed: no
    key can land in the wrong field or screen however slow the machine) and submits it, and so
    on, each checked on its own; a refused line stays in its form with the reason, and the
    lines after it are left unused, said so. Any other form leaves them unused and says how
    many — never typed into the list under it (where Enter edits the highlighted person). A
    burst's Tab past the last field is a line with more cells than the form has: refused.
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
                Binding("tab", "next_field", show=False),
                Binding("ctrl+t", "offer", show=False, priority=True)]

    def __init__(self, title: str, fields: list[Field], action: Action, *,
                 body: str = "", hint: str = "", follow: Follow | None = None,
                 again: Callable[[list], None] | None = None, rows: list | None = None) -> None:
        super().__init__()
        self.again = again
        self.rows = list(rows or [])  # pasted lines still to come, one form each (see above)
        self.overflow = False  # a burst tabbed past the last field: more cells than fields
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
        if self.rows:
            self.call_after_refresh(self._next_row)

    def _next_row(self) -> None:
        """The next pasted line, into this fresh form: its cells fill the fields in order (a
        blank cell keeps the field's start value) and its Enter submits."""
        row, self.rows = self.rows[0], self.rows[1:]
        read = row_cells(row)
        cells, submit = read if read is not None else ([], False)
        for f, cell in zip(self.fields, cells, strict=False):
            if cell.strip():
                self.query_one(f"#field-{f.name}", Input).value = cell
        wide = len(cells) > len(self.fields) and any(c.strip() for c in cells[len(self.fields):])
        if read is None or wide:  # refused, and the lines after it are left (said)
            unused, self.rows = len(self.rows), []
            self._refused(t("console.burst_row_keys") if read is None else
                          t("console.burst_row_cells", count=len(cells), fields=len(self.fields)),
                          unused=unused)
        elif submit:
            self.action_submit()

    def action_next_field(self) -> None:
        """Tab; in a burst, a Tab past the last field means the line has more cells than the
        form has fields (a wider spreadsheet): wrapping round would type them over the first
        fields, so the line is refused at its Enter instead."""
        inputs = list(self.query(Input))
        held = getattr(self.app, "keys_held", None)
        if inputs and self.focused is inputs[-1] and held is not None and held():
            self.overflow = True
            return
        self.focus_next()

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
        capture = getattr(self.app, "capture_burst", None)
        if capture is not None:  # what came with this Enter waits for the answer (FINDINGS #30)
            capture()
        if self.overflow:
            self.overflow = False
            self.call_later(self._answered, None,
                            t("console.burst_row_cells_typed", fields=len(self.fields)))
            return
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
            self.app.call_from_thread(self._answered, None, str(exc), exc.offer)
            return
        except Refused as exc:
            self.app.call_from_thread(self._answered, None, str(exc))
            return
        except Exception as exc:  # a screen never ends on an error: say so, keep the form
            self.app.log_error(exc)
            self.app.call_from_thread(self._answered, None, t("console.failed"))
            return
        self.app.call_from_thread(self._answered, True if result is None else result)

    async def _answered(self, result: object, refusal: str = "",
                        offer: Offer | None = None) -> None:
        """The action's answer, once the burst its Enter came in is over (all of it kept)."""
        over = getattr(self.app, "burst_over", None)
        rows = self.rows + (burst_rows(await over()) if over is not None else [])
        self.rows = []
        self.busy = False
        if not self.is_attached:
            return
        if result is None:
            self._refused(refusal, offer, unused=len(rows))
        elif rows and self.again is not None:
            self.dismiss(result)
            self.again(rows)  # a fresh form for the next line, and the ones after it
        else:
            if rows and not isinstance(result, str):  # (a preview's file): said as a notice
                self.app.notify(t("console.burst_unused", count=len(rows)), severity="warning")
            self.dismiss(_with_unused(result, len(rows)) if rows else result)

    def _refused(self, message: str, offer: Offer | None = None, unused: int = 0) -> None:
        if unused:
            message = t("sep").join([message, t("console.burst_unused_refused", count=unused)])
        self.query_one("#form-error", Label).update(message)
        self._set_offer(offer)

    def action_cancel(self) -> None:
        if not self.busy:
            self.dismiss(None)


def _with_unused(result: object, count: int) -> object:
    """A form's text result, followed by how many pasted lines were left unused (the status
    line says both)."""
    if isinstance(result, str):
        return Words(lambda: t("sep").join([again(result), t("console.burst_unused", count=count)]))
    return result


class HintBar(Static):
    """The keys of the section, one line (translated, recomposed on a language switch)."""

    DEFAULT_CSS = """
    HintBar { height: auto; max-height: 2; background: $panel; color: $text; padding: 0 1; }
    """
