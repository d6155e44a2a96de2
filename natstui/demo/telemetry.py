"""The simulated transcoder's numbers: a random walk that is mostly healthy, sometimes degraded.

Pure and seeded, so the shape of the data is unit-tested without any server.
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass, field
from typing import Any

TARGET_FPS = (25.0, 29.97, 50.0, 59.94)
# Per tick (4 Hz): about one degradation per transcoder every ~2 minutes, lasting a few seconds.
DEGRADE_CHANCE = 0.002
DEGRADED_TICKS = (8, 40)


@dataclass
class Transcoder:
    """One simulated transcoder: `tick()` advances it, `stats()` is its JSON-ready state."""

    region: str
    id: str
    rng: random.Random = field(default_factory=random.Random, repr=False)
    started: float = field(default_factory=time.time)
    target_fps: float = 0.0
    fps: float = 0.0
    bitrate_kbps: float = 0.0
    cpu: float = 0.0
    frames: int = 0
    degraded_for: int = 0
    ticks: int = 0

    def __post_init__(self) -> None:
        self.target_fps = self.rng.choice(TARGET_FPS)
        self.fps = self.target_fps
        self.bitrate_kbps = self.rng.uniform(3500.0, 8000.0)
        self.cpu = self.rng.uniform(20.0, 60.0)

    @property
    def key(self) -> str:
        """Unique across regions: `region/id`."""
        return f"{self.region}/{self.id}"

    @property
    def status(self) -> str:
        return "degraded" if self.degraded_for > 0 else "ok"

    def degrade(self, ticks: int) -> None:
        self.degraded_for = max(self.degraded_for, ticks)

    def recover(self) -> None:
        self.degraded_for = 0

    def tick(self, seconds: float) -> None:
        """Advance by `seconds` of simulated work."""
        self.ticks += 1
        if self.degraded_for > 0:
            self.degraded_for -= 1
        elif self.rng.random() < DEGRADE_CHANCE:
            self.degrade(self.rng.randint(*DEGRADED_TICKS))
        self._walk()
        self.frames += int(self.fps * seconds)

    def _walk(self) -> None:
        # Degraded transcoders drop frames and burn CPU: that is what an operator looks for.
        want_fps = self.target_fps * (0.55 if self.degraded_for else 1.0)
        self.fps = max(0.0, want_fps + self.rng.gauss(0.0, 0.3))
        want_cpu = 92.0 if self.degraded_for else 45.0
        self.cpu = _clamp(self.cpu + (want_cpu - self.cpu) * 0.2 + self.rng.gauss(0, 2), 1, 100)
        self.bitrate_kbps = _clamp(self.bitrate_kbps + self.rng.gauss(0.0, 120.0), 800, 12000)

    def stats(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "region": self.region,
            "status": self.status,
            "fps": round(self.fps, 2),
            "target_fps": self.target_fps,
            "bitrate_kbps": round(self.bitrate_kbps, 1),
            "cpu": round(self.cpu, 1),
            "frames": self.frames,
            "uptime_s": round(time.time() - self.started, 1),
            "ts": round(time.time(), 3),
        }


def summarize(replies: list[dict[str, Any]], expected: list[str]) -> dict[str, Any]:
    """The monitor's summary of one scatter-gather round: who answered, who is unwell."""
    seen = {f"{r.get('region')}/{r.get('id')}" for r in replies}
    degraded = sorted(
        f"{r.get('region')}/{r.get('id')}" for r in replies if r.get("status") != "ok"
    )
    fps = [float(r["fps"]) for r in replies if isinstance(r.get("fps"), int | float)]
    return {
        "expected": len(expected),
        "replied": len(seen),
        "missing": sorted(set(expected) - seen),
        "degraded": degraded,
        "avg_fps": round(sum(fps) / len(fps), 2) if fps else None,
        "ts": round(time.time(), 3),
    }


def _clamp(value: float, low: float, high: float) -> float:
    return min(high, max(low, value))
