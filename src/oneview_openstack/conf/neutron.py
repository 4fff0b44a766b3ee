"""``[oneview]`` options only the ML2 mechanism driver reads (in neutron.conf)."""

from __future__ import annotations

from oslo_config import cfg

NEUTRON_OPTS: list[cfg.Opt] = []
