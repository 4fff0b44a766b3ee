"""What one run of the Nova scenario saw: each step's time, OneView requests and server.

The report (``nova_report``) prints it; the e2e tests judge it.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class ServerView:
    """One Nova server as the report shows it: where it landed and what OneView holds for it."""

    name: str
    status: str
    node: str | None = None
    server_hardware: str | None = None
    profile: str | None = None
    template: str | None = None  # the profile's template, or its description (detached)
    connections: list[str] = field(default_factory=list)
    fault: str | None = None
    attempts: list[str] = field(default_factory=list)  # failed attempts' messages (events)
    builds: int = 0  # build attempts on a compute host (more than one: Nova rescheduled)


@dataclass
class NovaStep:
    title: str
    seconds: float
    oneview_requests: dict[str, int] = field(default_factory=dict)  # route -> count
    server: ServerView | None = None
    notes: list[str] = field(default_factory=list)
    commands: list[str] = field(default_factory=list)


@dataclass
class NovaResult:
    steps: list[NovaStep] = field(default_factory=list)
    flavors: dict[str, str] = field(default_factory=dict)  # name -> what it asks for
    error: str | None = None
    clean: bool = False  # no Ironic profile left in OneView after the deletes

    def step(self, title: str) -> NovaStep | None:
        return next((s for s in self.steps if s.title.startswith(title)), None)
