"""Profiles screen: list, new, edit, duplicate, delete, import natscli contexts, doctor, connect.

Dismisses with the Profile to connect to, or None. File work (load, save, delete, import) runs
in a thread worker and reports back by message; a broken profile file is shown, never written.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import replace
from functools import partial
from pathlib import Path
from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Static

from natstui.config import (
    ConfigError,
    LoadedConfig,
    ago,
    config_path,
    delete_profile,
    load,
    read_last_used,
    record_last_used,
)
from natstui.config import save_profile as store_profile
from natstui.contexts import import_contexts
from natstui.core.profile import Profile
from natstui.core.textsafe import printable
from natstui.screens.confirm import ConfirmScreen
from natstui.screens.doctor import DoctorScreen
from natstui.screens.profile_editor import EditResult, ProfileEditor
from natstui.widgets.safe import safe_text
from natstui.widgets.worker_errors import ReportsWorkerErrors

# Short columns first: long server lists and descriptions run off to the right.
COLUMNS = ("Name", "Auth", "TLS", "Last used", "Servers", "Description")


def profile_row(
    profile: Profile, last_used: float | None = None, now: float = 0.0
) -> tuple[str, ...]:
    """The table cells for a profile: nothing secret (auth summary names references only)."""
    tls = "plaintext"
    if profile.tls_wanted:
        tls = "TLS" if profile.tls.verify else "TLS (NO VERIFY)"
        if profile.tls.cert_file:
            tls += " +client cert"
    return (
        profile.name,
        profile.auth.summary(),
        tls,
        ago(last_used, now),
        ", ".join(profile.servers),
        profile.description,
    )


class ProfilesScreen(ReportsWorkerErrors, Screen[Profile | None]):
    """Saved profiles; Enter connects."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "connect", "Connect", show=True),
        Binding("n", "new", "New"),
        Binding("e", "edit", "Edit"),
        Binding("c", "duplicate", "Duplicate"),
        Binding("x,delete", "delete", "Delete"),
        Binding("i", "import_contexts", "Import nats contexts"),
        Binding("d", "doctor", "Doctor"),
        Binding("escape", "dismiss_none", "Back"),
    ]
    DEFAULT_CSS = """
    ProfilesScreen #profiles-file { height: 1; padding: 0 1; color: $text-muted; }
    ProfilesScreen #profiles-errors { height: auto; padding: 0 1; color: $error; }
    ProfilesScreen #profiles-errors.empty { display: none; }
    ProfilesScreen #profiles-empty { height: auto; padding: 1 2; }
    ProfilesScreen #profiles-empty.hidden { display: none; }
    ProfilesScreen DataTable { height: 1fr; }
    """

    class StoreLoaded(Message):
        """The store was (re)read; `note` says what just happened, `error` what failed."""

        def __init__(
            self,
            loaded: LoadedConfig,
            last_used: dict[str, float],
            note: str = "",
            error: str = "",
        ) -> None:
            super().__init__()
            self.loaded, self.last_used = loaded, last_used
            self.note, self.error = note, error

    def __init__(self, config_path: Path | None = None) -> None:
        super().__init__()
        self.path = config_path
        self.loaded: LoadedConfig | None = None

    @property
    def store_path(self) -> Path:
        return self.path or config_path(None)

    def compose(self) -> ComposeResult:
        yield Static(
            safe_text(f"Profiles — {self.store_path} — Enter connects"), id="profiles-file"
        )
        yield Static("", id="profiles-errors", classes="empty")
        table: DataTable[str] = DataTable(
            id="profiles-table", cursor_type="row", zebra_stripes=True
        )
        table.add_columns(*COLUMNS)
        yield table
        yield Static("", id="profiles-empty")
        yield Footer()

    def on_mount(self) -> None:
        self._run_io(lambda: "")
        self._take_focus()

    def _take_focus(self) -> None:
        # Pushed while the main screen is still mounting, this screen can inherit a focus
        # pointing into the screen below (its tabs): keys would then never reach us.
        focused = self.focused
        if focused is None or focused.screen is not self:
            self.query_one(DataTable).focus()

    # --- file work in a thread -------------------------------------------------------------
    def _run_io(self, operation: Callable[[], str]) -> None:
        self._io(operation)

    @work(thread=True, exclusive=True, group="profiles-io", exit_on_error=False)
    def _io(self, operation: Callable[[], str]) -> None:
        note, error = "", ""
        try:
            note = operation()
        except ConfigError as exc:
            error = str(exc)
        path = self.store_path
        self.post_message(self.StoreLoaded(load(path), read_last_used(path), note, error))

    @on(StoreLoaded)
    def _show_store(self, event: StoreLoaded) -> None:
        self.loaded = event.loaded
        self._fill_table(event.loaded, event.last_used)
        self._take_focus()
        self._show_problems(event.loaded)
        if event.note:
            self.notify(printable(event.note), timeout=4, markup=False)
        if event.error:
            self.notify(printable(event.error), title="Error", severity="error", markup=False)

    def _fill_table(self, loaded: LoadedConfig, last_used: dict[str, float]) -> None:
        table: DataTable[str] = self.query_one(DataTable)
        selected = self.selected_name()
        table.clear()
        now = time.time()
        for profile in loaded.profiles.values():
            cells = profile_row(profile, last_used.get(profile.name), now)
            table.add_row(*(printable(c) for c in cells), key=profile.name)
        names = list(loaded.profiles)
        if selected in names:
            table.move_cursor(row=names.index(selected))
        empty = self.query_one("#profiles-empty", Static)
        empty.update("No saved profiles. Press n for a new one, i to import natscli contexts.")
        empty.set_class(bool(names), "hidden")

    def _show_problems(self, loaded: LoadedConfig) -> None:
        box = self.query_one("#profiles-errors", Static)
        lines = [f"⚠ {w}" for w in loaded.warnings] + [f"✗ {e}" for e in loaded.errors]
        if not loaded.writable:
            lines.append("The file will not be changed by natstui until it loads cleanly.")
        box.update(safe_text("\n".join(lines), keep_newlines=True))
        box.set_class(not lines, "empty")

    # --- selection helpers -------------------------------------------------------------------
    def selected_name(self) -> str | None:
        table: DataTable[str] = self.query_one(DataTable)
        if table.row_count == 0:
            return None
        row_key, _ = table.coordinate_to_cell_key(table.cursor_coordinate)
        return str(row_key.value) if row_key.value is not None else None

    def selected(self) -> Profile | None:
        name = self.selected_name()
        return self.loaded.get(name) if self.loaded is not None and name else None

    def _writable(self) -> bool:
        if self.loaded is not None and not self.loaded.writable:
            self.notify(
                "The profile file has errors: fix it by hand first "
                "(natstui will not overwrite it).",
                severity="error",
                markup=False,
            )
            return False
        return True

    # --- actions -----------------------------------------------------------------------------
    @on(DataTable.RowSelected)
    def _row_selected(self) -> None:
        self.action_connect()

    def action_connect(self) -> None:
        profile = self.selected()
        if profile is not None:
            # An app-level thread worker: it must outlive this screen, which closes right away.
            self.app.run_worker(
                partial(record_last_used, self.store_path, profile.name, time.time()),
                thread=True,
                group="profiles-last-used",
                exit_on_error=False,
            )
            self.dismiss(profile)

    def action_new(self) -> None:
        if self._writable():
            self.app.push_screen(ProfileEditor(None, title="New profile"), self._after_edit)

    def action_edit(self) -> None:
        profile = self.selected()
        if profile is not None and self._writable():
            self.app.push_screen(ProfileEditor(profile), self._after_edit)

    def action_duplicate(self) -> None:
        profile = self.selected()
        if profile is None or not self._writable():
            return
        copy = replace(profile, name=self._free_name(f"{profile.name}-copy"))
        self.app.push_screen(ProfileEditor(copy, title="New profile"), self._after_edit)

    def _free_name(self, base: str) -> str:
        taken = set(self.loaded.profiles) if self.loaded else set()
        name, n = base, 2
        while name in taken:
            name, n = f"{base}{n}", n + 1
        return name

    def _after_edit(self, result: EditResult | None) -> None:
        if result is None:
            return
        profile, original = result.profile, result.original_name
        taken = set(self.loaded.profiles) if self.loaded else set()
        if profile.name != original and profile.name in taken:
            self.notify(
                f"A profile named {profile.name!r} already exists.", severity="error", markup=False
            )
            self.app.push_screen(ProfileEditor(profile, title="New profile"), self._after_edit)
            return
        path = self.store_path

        def save() -> str:
            store_profile(path, profile, replace_name=original)
            return f"Saved profile {profile.name!r}"

        self._run_io(save)

    def action_delete(self) -> None:
        name = self.selected_name()
        if name is None or not self._writable():
            return
        path = self.store_path

        def delete() -> str:
            delete_profile(path, name)
            return f"Deleted profile {name!r}"

        def confirmed(yes: bool | None) -> None:
            if yes:
                self._run_io(delete)

        self.app.push_screen(
            ConfirmScreen(f"Delete profile {name!r}? This cannot be undone."), confirmed
        )

    def action_import_contexts(self) -> None:
        if not self._writable():
            return
        path = self.store_path
        existing = set(self.loaded.profiles) if self.loaded else set()
        self._run_io(lambda: _import_all(path, existing))

    def action_doctor(self) -> None:
        profile = self.selected()
        if profile is not None:
            self.app.push_screen(DoctorScreen(profile))

    def action_dismiss_none(self) -> None:
        self.dismiss(None)


def _import_all(path: Path, existing: set[str]) -> str:
    """Import every natscli context not already a profile; a one-line summary."""
    imported, skipped, failed = [], [], []
    for result in import_contexts():
        if result.profile is None:
            failed.append(result.name)
        elif result.name in existing:
            skipped.append(result.name)
        else:
            store_profile(path, result.profile)
            imported.append(result.name)
    if not (imported or skipped or failed):
        return "No natscli contexts found."
    parts = [f"imported {', '.join(imported) or 'none'}"]
    if skipped:
        parts.append(f"skipped existing {', '.join(skipped)}")
    if failed:
        parts.append(
            f"could not read {', '.join(failed)} (see `natstui profiles import-nats-contexts`)"
        )
    return "natscli contexts: " + "; ".join(parts)
