"""Conformance check: every body the simulator serves, against the schemas in ``simulator/schemas``.

A room checks its own schema quickly:

- one body, in Python::

      from oneview_openstack.simulator.conformance import check_body
      check_body("server-hardware", body, 2800)   # -> [] or ["path: what is wrong", ...]

- everything the simulator serves, at every claimed API version (the walker)::

      .venv/bin/python -m pytest tests/simulator/test_conformance.py -q

- what the session saw: ``GET /_sim/conformance`` on a simulator started with
  ``check_conformance = true`` (``oneview-simulator --check-conformance``); the test session's
  simulator always checks, and ``OV_SIM_CONFORMANCE=off|report|enforce`` says what happens at the
  end of a pytest run (nothing / a summary / a failed run on any violation or missing schema);
- field counts per schema and version: ``python -m oneview_openstack.simulator.conformance counts``.

Which schema an answer maps to: ``mapping.py``. What the ``x-`` keywords mean: ``schemas.py``.
"""

from __future__ import annotations

from typing import Any

from .recorder import Answer, Conformance
from .schemas import SCHEMA_DIR, SchemaSet

__all__ = ["SCHEMA_DIR", "Answer", "Conformance", "SchemaSet", "check_body", "default_schemas"]

_DEFAULT: SchemaSet | None = None


def default_schemas() -> SchemaSet:
    """The package's schema set, loaded once per process."""
    global _DEFAULT
    if _DEFAULT is None:
        _DEFAULT = SchemaSet()
    return _DEFAULT


def check_body(name: str, body: Any, version: int, schemas: SchemaSet | None = None) -> list[str]:
    """Every way ``body`` breaks schema ``name`` (e.g. ``server-hardware.bios``) at ``version``."""
    return (schemas or default_schemas()).check(name, body, version)
