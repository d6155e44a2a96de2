"""Ring buffer, rates, subject stats, view (follow/pause/filter rescan) and export: pure logic."""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from pathlib import Path

import pytest

from natstui.core.subject_stats import SubjectStats
from natstui.core.tail import RateWindow
from natstui.core.tail_buffer import (
    DEFAULT_MAX_BYTES,
    DEFAULT_MAX_MESSAGES,
    ENV_MAX_BYTES,
    ENV_MAX_MESSAGES,
    OVERHEAD_BYTES,
    RingBuffer,
    limits_from_env,
    parse_size,
)
from natstui.core.tail_export import ExportError, entry_record, resolve_export_path, write_jsonl
from natstui.core.tail_filters import parse_filter
from natstui.core.tail_view import ExportSource, TailView


@dataclass
class Msg:
    """The fields of nats-py's Msg that the buffer reads."""

    subject: str
    data: bytes = b""
    reply: str = ""
    headers: dict[str, str] | None = None


def fill(buf: RingBuffer, n: int, subject: str = "a.b", data: bytes = b"x") -> None:
    for i in range(n):
        buf.append(Msg(f"{subject}{i}" if subject.endswith(".") else subject, data))


# --- ring buffer --------------------------------------------------------------------------------
def test_buffer_caps_by_count_and_keeps_contiguous_seqs() -> None:
    buf = RingBuffer(max_messages=5, max_bytes=10**9)
    for i in range(12):
        buf.append(Msg(f"s.{i}"))
    assert len(buf) == 5
    assert (buf.first_seq, buf.last_seq) == (8, 12)
    assert buf.evicted == 7
    assert buf.get(7) is None
    entry = buf.get(8)
    assert entry is not None and entry.subject == "s.7" and entry.seq == 8
    assert [e.seq for e in buf.since(9)] == [10, 11, 12]
    assert [e.seq for e in buf.since(0, limit=2)] == [8, 9]


def test_buffer_caps_by_bytes_evicting_oldest() -> None:
    per = 100 + OVERHEAD_BYTES
    buf = RingBuffer(max_messages=1000, max_bytes=per * 3)
    for i in range(10):
        buf.append(Msg(f"s.{i}", b"z" * 100))
    assert len(buf) == 3
    assert buf.bytes == per * 3
    assert buf.evicted == 7
    assert [e.subject for e in buf.since(0)] == ["s.7", "s.8", "s.9"]


def test_buffer_keeps_one_message_bigger_than_the_byte_cap() -> None:
    buf = RingBuffer(max_messages=10, max_bytes=1000)
    buf.append(Msg("small", b"a"))
    buf.append(Msg("huge", b"x" * 5000))
    assert [e.subject for e in buf.since(0)] == ["huge"]
    assert buf.evicted == 1


def test_buffer_clear_keeps_seqs_increasing_and_snapshot_is_frozen() -> None:
    buf = RingBuffer(max_messages=4)
    fill(buf, 3)
    snap = buf.snapshot()
    fill(buf, 10)
    assert [e.seq for e in snap.since(0)] == [1, 2, 3]  # the live buffer evicted these
    assert buf.get(1) is None
    buf.clear()
    assert len(buf) == 0 and buf.bytes == 0
    buf.append(Msg("after"))
    assert buf.last_seq == 14


def test_buffer_rejects_silly_caps() -> None:
    with pytest.raises(ValueError):
        RingBuffer(max_messages=0)
    with pytest.raises(ValueError):
        RingBuffer(max_bytes=0)


# --- rates --------------------------------------------------------------------------------------
def test_rate_window_uses_measured_time_and_resets_on_decrease() -> None:
    rates = RateWindow()
    rates.observe(100.0, 0)
    assert rates.rate(1.0) is None or rates.rate(1.0) == 0  # one sample: no rate
    rates.observe(100.5, 500)
    rates.observe(101.0, 1000)
    rates.observe(102.0, 4000)
    assert rates.rate(1.0) == pytest.approx(3000.0)
    assert rates.rate(10.0) == pytest.approx(2000.0)  # whole history: 4000 over 2 s
    rates.observe(103.0, 10)  # counter went down: new baseline
    assert rates.rate(1.0) is None


def test_rate_window_forgets_old_samples() -> None:
    rates = RateWindow(history=11.0)
    for t in range(100):
        rates.observe(float(t), t * 10)
    assert rates.rate(10.0) == pytest.approx(10.0)
    assert len(rates._samples) <= 13


# --- subject stats ------------------------------------------------------------------------------
def test_subject_stats_counts_and_folds_beyond_the_cap() -> None:
    stats = SubjectStats(max_subjects=2)
    for subject in ["a", "a", "b", "c", "d", "a"]:
        stats.add(subject, 1.0)
    snap = stats.snapshot(now=0.0)
    assert [(r.subject, r.count, r.other) for r in snap.rows] == [
        ("a", 3, False),
        ("b", 1, False),
        ("(other subjects)", 2, True),
    ]
    assert snap.capped and snap.other_messages == 2 and snap.distinct == 2
    stats.add("a", 2.0)
    stats.add("a", 2.0)
    later = stats.snapshot(now=2.0)
    assert later.rows[0].rate == pytest.approx(1.0)  # 2 messages over 2 s


# --- view ---------------------------------------------------------------------------------------
def test_view_without_filter_follows_the_buffer() -> None:
    buf = RingBuffer(max_messages=5)
    view = TailView(buf)
    fill(buf, 8)
    view.pull()
    assert view.row_count == 5
    assert view.seq_at(0) == 4 and view.seq_at(4) == 8
    assert view.seq_at(5) is None


def test_view_pause_freezes_rows_and_counts_new() -> None:
    buf = RingBuffer(max_messages=5)
    view = TailView(buf)
    fill(buf, 5)
    view.pause()
    fill(buf, 7)  # evicts everything the paused view shows
    view.pull()
    assert [view.seq_at(r) for r in range(view.row_count)] == [1, 2, 3, 4, 5]
    entry = view.entry_at(0)
    assert entry is not None and entry.seq == 1
    assert view.new_while_paused == 7
    view.resume()
    assert view.new_while_paused == 0
    assert [view.seq_at(r) for r in range(view.row_count)] == [8, 9, 10, 11, 12]


def test_view_filter_rescans_buffer_and_applies_to_new_messages() -> None:
    buf = RingBuffer(max_messages=100)
    view = TailView(buf)
    for i in range(10):
        buf.append(Msg(f"orders.{i % 2}", b'{"n": %d}' % i))
    view.set_filter(parse_filter("subject:orders.1"))
    view.pull()
    assert [view.seq_at(r) for r in range(view.row_count)] == [2, 4, 6, 8, 10]
    assert (view.matched, view.scanned) == (5, 10)
    buf.append(Msg("orders.1", b"{}"))
    buf.append(Msg("orders.0", b"{}"))
    view.pull()
    assert view.row_count == 6 and view.seq_at(5) == 11


def test_view_filter_while_paused_collects_pending_and_merges_on_resume() -> None:
    buf = RingBuffer(max_messages=100)
    view = TailView(buf)
    for i in range(4):
        buf.append(Msg("keep" if i % 2 else "drop"))
    view.pause()
    view.set_filter(parse_filter("subject:keep"))
    view.pull()
    assert [view.seq_at(r) for r in range(view.row_count)] == [2, 4]
    buf.append(Msg("keep"))
    buf.append(Msg("drop"))
    view.pull()
    assert view.new_while_paused == 1
    view.resume()
    assert [view.seq_at(r) for r in range(view.row_count)] == [2, 4, 5]


def test_view_rescan_is_time_budgeted() -> None:
    buf = RingBuffer(max_messages=50_000)
    view = TailView(buf)
    fill(buf, 50_000, data=b"payload " * 8)
    view.set_filter(parse_filter("/pay(load)+ /"))
    view.pull(budget=0.0)  # one batch, then stop
    assert view.scanning
    assert 0 < view.scanned < 50_000
    for _ in range(1000):
        if not view.scanning:
            break
        view.pull()
    assert not view.scanning and view.matched == 50_000


def test_view_trims_evicted_matches_and_counts_missed() -> None:
    buf = RingBuffer(max_messages=10)
    view = TailView(buf)
    view.set_filter(parse_filter("x"))
    fill(buf, 25)  # 15 evicted before the filter saw them
    view.pull()
    assert view.missed == 15 and view.row_count == 10
    fill(buf, 5)
    view.pull()
    assert view.row_count == 10 and view.seq_at(0) == 21


def test_view_feeds_subject_stats_once_per_message() -> None:
    buf = RingBuffer(max_messages=100)
    stats = SubjectStats()
    view = TailView(buf, stats)
    for i in range(30):
        buf.append(Msg(f"s.{i % 3}"))
    view.pull()
    view.set_filter(parse_filter("subject:s.1"))
    view.pull()  # the rescan must not count messages twice
    counts = {r.subject: r.count for r in stats.snapshot().rows}
    assert counts == {"s.0": 10, "s.1": 10, "s.2": 10}


# --- export -------------------------------------------------------------------------------------
def test_entry_record_text_and_base64() -> None:
    buf = RingBuffer()
    buf.append(Msg("a.b", "héllo".encode(), reply="_INBOX.1", headers={"X": "1", "Y": "2"}))
    buf.append(Msg("bin", b"\xff\x00\x1b"))
    text, binary = list(buf.since(0))
    rec = entry_record(text)
    assert rec["payload"] == "héllo" and rec["encoding"] == "utf-8"
    assert rec["headers"] == {"X": "1", "Y": "2"} and rec["reply"] == "_INBOX.1"
    assert rec["seq"] == 1 and rec["received"].endswith("+00:00")
    rec = entry_record(binary)
    assert rec["encoding"] == "base64" and rec["reply"] is None and rec["headers"] is None
    assert base64.b64decode(rec["payload"]) == b"\xff\x00\x1b"


def test_write_jsonl_round_trips_with_progress(tmp_path: Path) -> None:
    buf = RingBuffer()
    for i in range(4500):
        buf.append(Msg(f"s.{i}", b"\x1b[31m" if i == 0 else b"{}"))
    seen: list[tuple[int, int]] = []
    path = tmp_path / "out.jsonl"
    result = write_jsonl(list(buf.since(0)), path, lambda d, t: seen.append((d, t)))
    lines = path.read_text(encoding="utf-8").splitlines()
    assert result.count == 4500 == len(lines)
    assert "\x1b" not in path.read_text(encoding="utf-8")  # JSON escapes control characters
    assert json.loads(lines[0])["payload"] == "\x1b[31m"
    assert seen[0] == (2000, 4500) and seen[-1] == (4500, 4500)


def test_write_jsonl_refuses_to_overwrite_and_cleans_up_on_cancel(tmp_path: Path) -> None:
    existing = tmp_path / "exists.jsonl"
    existing.write_text("keep me")
    with pytest.raises(ExportError, match="already exists"):
        resolve_export_path(str(existing))
    with pytest.raises(ExportError, match="does not exist"):
        resolve_export_path(str(tmp_path / "nope" / "x.jsonl"))
    with pytest.raises(ExportError, match="file name"):
        resolve_export_path("  ")
    buf = RingBuffer()
    fill(buf, 5000)
    target = tmp_path / "cancelled.jsonl"
    with pytest.raises(ExportError, match="cancelled"):
        write_jsonl(list(buf.since(0)), target, cancelled=lambda: True)
    assert not target.exists()
    assert existing.read_text() == "keep me"


# --- configuration ------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("65536", 65536),
        ("512k", 512 * 1024),
        ("64M", 64 * 1024**2),
        ("1GiB", 1024**3),
        ("1.5m", 3 * 512 * 1024),
        ("2kb", 2048),
    ],
)
def test_parse_size(text: str, value: int) -> None:
    assert parse_size(text) == value


def test_limits_from_env_defaults_and_bad_values() -> None:
    assert limits_from_env({}) == (DEFAULT_MAX_MESSAGES, DEFAULT_MAX_BYTES, [])
    assert limits_from_env({ENV_MAX_MESSAGES: "10k", ENV_MAX_BYTES: "8M"})[:2] == (
        10_000,
        8 * 1024**2,
    )
    count, size, problems = limits_from_env({ENV_MAX_MESSAGES: "lots", ENV_MAX_BYTES: "-1"})
    assert (count, size) == (DEFAULT_MAX_MESSAGES, DEFAULT_MAX_BYTES)
    assert "'lots' is not a size" in problems[0] and "must be positive" in problems[1]


def test_subjects_slice_across_the_ring_end() -> None:
    buf = RingBuffer(max_messages=4)
    for i in range(6):
        buf.append(Msg(f"s.{i}"))
    assert buf.subjects(0, 100) == ["s.2", "s.3", "s.4", "s.5"]
    assert buf.subjects(4, 6) == ["s.3", "s.4"]
    assert buf.subjects(9, 12) == []
    stats = SubjectStats()
    stats.add_batch([*buf.subjects(0, 100), "s.5"], when=5.0)
    rows = {r.subject: (r.count, r.last_seen) for r in stats.snapshot().rows}
    assert rows == {"s.2": (1, 5.0), "s.3": (1, 5.0), "s.4": (1, 5.0), "s.5": (2, 5.0)}


def test_export_source_is_frozen_while_the_buffer_moves_on() -> None:
    buf = RingBuffer(max_messages=5)
    view = TailView(buf)
    fill(buf, 5, subject="s.")
    everything = ExportSource.of_buffer(buf)
    view.set_filter(parse_filter("subject:s.1"))
    view.pull()
    filtered = ExportSource.of_view(view)
    fill(buf, 10, subject="t.")  # evicts everything above from the live buffer
    assert [e.subject for e in everything.entries()] == [f"s.{i}" for i in range(5)]
    assert [e.subject for e in filtered.entries()] == ["s.1"]
    assert len(everything) == 5 and len(filtered) == 1
    view.set_filter(parse_filter(""))
    assert [e.subject for e in ExportSource.of_view(view).entries()] == [
        f"t.{i}" for i in range(5, 10)
    ]
