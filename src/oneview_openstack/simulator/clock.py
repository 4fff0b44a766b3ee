"""One simulated clock, scaled from real time, so CI can compress minutes into milliseconds."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime


class SimClock:
    """Simulated seconds since start; ``time_scale`` real seconds pass per simulated second."""

    def __init__(self, time_scale: float = 1.0) -> None:
        self._lock = threading.Lock()
        self._epoch = time.time()
        self._real_base = time.monotonic()
        self._sim_base = 0.0
        self._scale = time_scale

    @property
    def time_scale(self) -> float:
        return self._scale

    def now(self) -> float:
        return self._sim_base + (time.monotonic() - self._real_base) / self._scale

    def set_time_scale(self, time_scale: float) -> None:
        if time_scale <= 0:
            raise ValueError(f"time_scale must be > 0, got {time_scale!r}")
        with self._lock:
            self._sim_base = self.now()
            self._real_base = time.monotonic()
            self._scale = time_scale

    def advance(self, seconds: float) -> None:
        """Jump forward (tests and people), as if ``seconds`` of simulated time had passed."""
        if seconds < 0:
            raise ValueError(f"the clock only moves forward, got {seconds!r}")
        with self._lock:
            self._sim_base += seconds

    def wall_ms(self, sim_time: float | None = None) -> int:
        """Epoch milliseconds of a simulated instant, for eTags and timestamps."""
        sim = self.now() if sim_time is None else sim_time
        return int((self._epoch + sim) * 1000)

    def iso(self, sim_time: float | None = None) -> str:
        stamp = datetime.fromtimestamp(self.wall_ms(sim_time) / 1000, tz=UTC)
        return stamp.strftime("%Y-%m-%dT%H:%M:%S.") + f"{stamp.microsecond // 1000:03d}Z"
