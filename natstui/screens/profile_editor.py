"""The profile editor: every profile field, validated as you type, inline secrets masked.

Dismisses with `EditResult(profile, original_name)` on save, or None on cancel. Saving to disk
is the caller's job (a thread worker in the profiles screen): this screen does no I/O.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.screen import Screen
from textual.widgets import Checkbox, Footer, Input, Label, Select, Static

from natstui.core.profile import AuthKind, Profile
from natstui.core.textsafe import printable
from natstui.profile_form import (
    PLAIN_IS_FILE,
    FormValues,
    form_to_profile,
    is_inline,
    profile_to_form,
    validate,
)
from natstui.profile_form import widget_for_field as widget_id
from natstui.profile_toml import KIND_SECRETS, SECRET_KEYS, FieldError
from natstui.widgets.safe import safe_text

SECRET_LABELS = {
    "password": "password",
    "token": "token",
    "nkey_seed": "nkey seed",
    "creds": "creds",
    "jwt": "user JWT",
    "seed": "user seed",
}
SECRET_HINTS = {
    "inline": "value (hidden), env://VAR or file://PATH",
    "file": "path to the file, or env://VAR",
}


@dataclass(frozen=True)
class EditResult:
    """What the editor hands back: the new profile, and the name it had (None when new)."""

    profile: Profile
    original_name: str | None


class ProfileEditor(Screen[EditResult | None]):
    """Edit or create a profile."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "save", "Save", priority=True),
        Binding("ctrl+r", "reveal", "Reveal secrets", priority=True),
        Binding("escape", "cancel", "Cancel"),
    ]
    DEFAULT_CSS = """
    ProfileEditor VerticalScroll { padding: 0 1; }
    ProfileEditor .section { text-style: bold; margin-top: 1; color: $accent; }
    ProfileEditor Horizontal { height: auto; }
    ProfileEditor .field-label { width: 24; padding-top: 1; }
    ProfileEditor Input { width: 1fr; }
    ProfileEditor Select { width: 22; }
    ProfileEditor Input.invalid { border: tall $error; }
    ProfileEditor #form-error { height: auto; min-height: 1; color: $error; padding: 0 1; }
    ProfileEditor #form-error.ok { color: $success; }
    ProfileEditor .hidden { display: none; }
    """

    def __init__(self, profile: Profile | None, *, title: str = "Edit profile") -> None:
        super().__init__()
        self._original = profile.name if profile is not None and title == "Edit profile" else None
        self._values: FormValues = profile_to_form(profile or Profile(name=""))
        self._title = title
        self._revealed = False
        self._ready = False  # ignore the Changed events the inputs post while mounting

    # --- layout ---------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        yield Static(safe_text(self._title), classes="section")
        with VerticalScroll():
            yield from self._text_row("name", "name")
            yield from self._text_row("description", "description")
            yield from self._text_row("servers", "servers (comma-separated)")
            yield from self._text_row("connect_timeout", "connect timeout (s)")
            yield from self._text_row("inbox_prefix", "inbox prefix")
            yield from self._text_row("subscriptions", "default subscriptions")
            yield from self._text_row("monitor_urls", "HTTP monitoring URLs")
            yield Static("Authentication", classes="section")
            yield from self._auth_rows("auth")
            yield Static("TLS", classes="section")
            yield from self._tls_rows()
            yield Static("System account credentials (for $SYS monitoring)", classes="section")
            yield from self._auth_rows("sys")
        yield Static("", id="form-error")
        yield Footer()

    def _text_row(self, wid: str, label: str, *, password: bool = False) -> ComposeResult:
        with Horizontal(id=f"{wid}-row"):
            yield Label(label, classes="field-label")
            yield Input(value=str(self._values.get(wid) or ""), id=wid, password=password)

    def _auth_rows(self, prefix: str) -> ComposeResult:
        kinds = [(k.value, k.value) for k in AuthKind]
        with Horizontal():
            yield Label("kind", classes="field-label")
            yield Select(
                kinds,
                value=self._values.get(f"{prefix}-kind") or "none",
                allow_blank=False,
                id=f"{prefix}-kind",
            )
        yield from self._text_row(f"{prefix}-user", "user")
        for attr in SECRET_KEYS:
            text = str(self._values.get(f"{prefix}-{attr}") or "")
            with Horizontal(id=f"{prefix}-{attr}-row", classes="secret-row"):
                yield Label(SECRET_LABELS[attr], classes="field-label")
                yield Input(
                    value=text,
                    id=f"{prefix}-{attr}",
                    password=is_inline(attr, text),
                    placeholder=SECRET_HINTS["file" if attr in PLAIN_IS_FILE else "inline"],
                    classes="secret",
                )

    def _tls_rows(self) -> ComposeResult:
        with Horizontal():
            yield Checkbox("TLS required", bool(self._values.get("tls-enabled")), id="tls-enabled")
            yield Checkbox(
                "verify certificate", bool(self._values.get("tls-verify", True)), id="tls-verify"
            )
            yield Checkbox(
                "handshake first",
                bool(self._values.get("tls-handshake_first")),
                id="tls-handshake_first",
            )
        yield from self._text_row("tls-ca_file", "CA file")
        yield from self._text_row("tls-cert_file", "client cert file")
        yield from self._text_row("tls-key_file", "client key file")
        yield from self._text_row("tls-server_name", "TLS server name")

    def on_mount(self) -> None:
        self._refresh_visibility()
        self._validate()
        self.query_one("#name", Input).focus()
        self.call_after_refresh(self._set_ready)

    def _set_ready(self) -> None:
        self._ready = True

    # --- form state -----------------------------------------------------------------------
    def values(self) -> FormValues:
        """Current form values keyed by widget id."""
        values: FormValues = {}
        for widget in self.query("Input, Select, Checkbox"):
            if widget.id is None:
                continue
            value: Any = getattr(widget, "value", None)
            values[widget.id] = None if value is Select.NULL else value
        return values

    def _refresh_visibility(self) -> None:
        values = self.values()
        for prefix in ("auth", "sys"):
            kind = AuthKind(values.get(f"{prefix}-kind") or "none")
            self.query_one(f"#{prefix}-user-row").set_class(
                kind is not AuthKind.USER_PASSWORD, "hidden"
            )
            for attr in SECRET_KEYS:
                row = self.query_one(f"#{prefix}-{attr}-row")
                row.set_class(attr not in KIND_SECRETS[kind], "hidden")

    def _validate(self) -> FieldError | None:
        error = validate(self.values())
        for widget in self.query("Input.invalid"):
            widget.remove_class("invalid")
        status = self.query_one("#form-error", Static)
        if error is None:
            status.update("✓ valid")
            status.add_class("ok")
            return None
        status.remove_class("ok")
        status.update(safe_text(f"✗ {error.field}: {error.message}"))
        for widget in self.query(f"#{widget_id(error.field)}"):
            widget.add_class("invalid")
        return error

    @on(Input.Changed)
    def _input_changed(self, event: Input.Changed) -> None:
        if not self._ready:
            return
        if event.input.has_class("secret"):
            self._mask(event.input)
        self._validate()

    @on(Checkbox.Changed)
    def _checkbox_changed(self) -> None:
        if self._ready:
            self._validate()

    @on(Select.Changed)
    def _select_changed(self) -> None:
        if not self._ready:
            return
        self._refresh_visibility()
        self._validate()

    def _mask(self, field: Input) -> None:
        """Inline secret values are masked (unless revealed); references never need to be."""
        attr = (field.id or "").split("-", 1)[-1]
        field.password = is_inline(attr, field.value) and not self._revealed

    # --- actions --------------------------------------------------------------------------
    def action_reveal(self) -> None:
        """Toggle showing inline secrets in clear (they are masked by default)."""
        self._revealed = not self._revealed
        for field in self.query("Input.secret").results(Input):
            self._mask(field)
        self.notify(
            "secrets shown" if self._revealed else "secrets hidden", timeout=2, markup=False
        )

    def action_save(self) -> None:
        error = self._validate()
        if error is not None:
            self.notify(
                printable(f"{error.field}: {error.message}"),
                title="Not saved",
                severity="error",
                markup=False,
            )
            return
        self.dismiss(EditResult(form_to_profile(self.values()), self._original))

    def action_cancel(self) -> None:
        self.dismiss(None)
