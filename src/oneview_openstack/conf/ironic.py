"""``[oneview]`` options only the Ironic hardware type reads (in ironic.conf)."""

from __future__ import annotations

from oslo_config import cfg

IRONIC_OPTS: list[cfg.Opt] = []
