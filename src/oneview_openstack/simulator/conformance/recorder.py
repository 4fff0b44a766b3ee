"""The running tally of checked answers: counts per body, distinct violations, unmapped routes.

An answer is parsed once; a body already seen (same schema, version and bytes) reuses its verdict,
so re-reading an unchanged resource costs a hash, not a validation.
"""

from __future__ import annotations

import threading
import time
from collections import Counter, defaultdict
from collections.abc import Hashable
from dataclasses import dataclass, field
from typing import Any

import orjson

from .mapping import Target, concrete, target_for
from .schemas import SchemaSet

MAX_VIOLATIONS = 500
NO_SCHEMA = "no schema: "
JSON_MEDIA_TYPE = "application/json"


@dataclass(frozen=True)
class Answer:
    """One served answer, as the middleware saw it."""

    method: str
    path: str
    template: str | None
    path_params: dict[str, str]
    status: int
    headers: dict[str, str]
    body: bytes
    version: int


@dataclass
class Conformance:
    """Checks answers against a ``SchemaSet`` and keeps what ``/_sim/conformance`` reports."""

    schemas: SchemaSet = field(default_factory=SchemaSet)
    checked: int = 0
    by_body: Counter[str] = field(default_factory=Counter)
    violations: dict[tuple[Any, ...], dict[str, Any]] = field(default_factory=dict)
    dropped: int = 0
    unknown: dict[tuple[str, str, str], int] = field(default_factory=dict)
    # The check's own cost: bodies validated, verdicts reused from the cache, seconds spent.
    validations: int = 0
    reused: int = 0
    seconds: float = 0.0
    validation_seconds: defaultdict[str, float] = field(default_factory=lambda: defaultdict(float))
    _verdicts: dict[tuple[Hashable, int], tuple[str, ...]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self, answer: Answer) -> list[str]:
        """Check one answer; every error found (also kept for the report)."""
        target = target_for(
            answer.method, answer.template, answer.path, answer.status, answer.path_params
        )
        if target is None:
            return []
        started = time.perf_counter()
        found = self._check(target, answer)
        with self._lock:
            self.seconds += time.perf_counter() - started
            self.checked += 1
            for name, _errors, _where in found:
                self.by_body[name] += 1
        for name, errors, where in found:
            self._keep(name, answer, errors, where)
        return [error for _name, errors, _where in found for error in errors]

    def _check(self, target: Target, answer: Answer) -> list[tuple[str, list[str], str | None]]:
        """(schema name, errors, member uri) for the body and, in a collection, each member.

        A member's errors read ``members[].<path>``: the same defect in many members is one
        violation (with a count), and it names the first member's uri to GET.
        """
        if 300 <= answer.status < 400:
            location = answer.headers.get("location")
            redirect = (
                f"status {answer.status} to {location!r}: an appliance answers this path itself"
            )
            return [(target.body, [redirect], None)]
        errors = _header_errors(answer)
        try:
            body = orjson.loads(answer.body) if answer.body else None
        except orjson.JSONDecodeError as error:
            return [(target.body, [*errors, f"(body): not JSON: {error}"], None)]
        if body is None:
            return [(target.body, [*errors, f"(body): empty, expected a {target.body} body"], None)]
        if target.members is not None and isinstance(body, dict):
            # An envelope's own fields are few and flat: checking them beats keying the page.
            errors.extend(self.schemas.check(target.body, body, answer.version))
        else:
            errors.extend(self._verdict(target.body, answer.body, body, answer.version))
        if target.members is None or not isinstance(body, dict):
            errors.extend(_protocol_errors(answer, target, body))
            return [(target.body, errors, None)]
        errors.extend(_envelope_errors(self.schemas, target, body, answer.version))
        found: list[tuple[str, list[str], str | None]] = [(target.body, errors, None)]
        members = body.get("members")
        for member in members if isinstance(members, list) else []:
            verdict = self._verdict(target.members, orjson.dumps(member), member, answer.version)
            uri = member.get("uri") if isinstance(member, dict) else None
            found.append((target.members, [_in_member(e) for e in verdict], uri))
        return found

    def _verdict(self, name: str, raw: bytes, body: Any, version: int) -> tuple[str, ...]:
        key = (self.schemas.identity(name, version), hash(raw))
        found = self._verdicts.get(key)
        if found is None:
            started = time.perf_counter()
            found = tuple(self.schemas.check(name, body, version))
            with self._lock:
                self._verdicts[key] = found
                self.validations += 1
                self.validation_seconds[name] += time.perf_counter() - started
        else:
            with self._lock:
                self.reused += 1
        return found

    def _keep(self, name: str, answer: Answer, errors: list[str], where: str | None) -> None:
        if not errors:
            return
        route = concrete(answer.template, answer.path_params) if answer.template else answer.path
        if not self.schemas.has(name) and not name.startswith("unmapped:"):
            with self._lock:
                route_key = (answer.method, route, name)
                self.unknown[route_key] = self.unknown.get(route_key, 0) + 1
            errors = [e for e in errors if NO_SCHEMA not in e]
            if not errors:
                return
        key = (name, answer.version, answer.method, route, answer.status, tuple(errors))
        with self._lock:
            seen = self.violations.get(key)
            if seen is not None:
                seen["count"] += 1
            elif len(self.violations) < MAX_VIOLATIONS:
                self.violations[key] = {
                    "body": name,
                    "version": answer.version,
                    "method": answer.method,
                    "path": answer.path,
                    "route": route,
                    **({"member": where} if where else {}),
                    "status": answer.status,
                    "errors": errors,
                    "count": 1,
                }
            else:
                self.dropped += 1

    def report(self) -> dict[str, Any]:
        """What ``GET /_sim/conformance`` answers."""
        with self._lock:
            return {
                "checked": self.checked,
                "byBody": dict(sorted(self.by_body.items())),
                "violations": list(self.violations.values()),
                "violationsNotListed": self.dropped,
                "unknown": [
                    {"method": m, "route": r, "body": b, "count": n}
                    for (m, r, b), n in sorted(self.unknown.items())
                ],
                "schemaProblems": list(self.schemas.problems),
                "cost": {
                    "validations": self.validations,
                    "reused": self.reused,
                    "seconds": round(self.seconds, 3),
                    "validationSeconds": {
                        name: round(seconds, 3)
                        for name, seconds in sorted(
                            self.validation_seconds.items(), key=lambda item: -item[1]
                        )
                    },
                },
            }

    def clear(self) -> None:
        """Forget every count and violation (``DELETE /_sim/conformance``); verdicts stay cached."""
        with self._lock:
            self.checked = 0
            self.by_body.clear()
            self.violations.clear()
            self.dropped = 0
            self.unknown.clear()
            self.validations = self.reused = 0
            self.seconds = 0.0
            self.validation_seconds.clear()


def _in_member(error: str) -> str:
    return f"members[].{error}" if not error.startswith("(body)") else f"members[]{error[6:]}"


def _header_errors(answer: Answer) -> list[str]:
    if not answer.body:
        return []
    content_type = answer.headers.get("content-type", "")
    if content_type.split(";")[0].strip().lower() != JSON_MEDIA_TYPE:
        return [f"Content-Type header {content_type!r} is not {JSON_MEDIA_TYPE}"]
    return []


def _protocol_errors(answer: Answer, target: Target, body: Any) -> list[str]:
    """A 202's Location is its task; a GET's ETag header is the body's eTag."""
    if not isinstance(body, dict):
        return []
    errors = []
    if target.body == "tasks" and answer.status == 202:
        location = answer.headers.get("location")
        if location != body.get("uri"):
            errors.append(f"Location header {location!r} is not the task's uri {body.get('uri')!r}")
    header = answer.headers.get("etag")
    tag = header.removeprefix("W/").strip('"') if header is not None else None
    if answer.method == "GET" and tag is not None and "eTag" in body and tag != str(body["eTag"]):
        errors.append(f"ETag header {header!r} does not carry the body's eTag {body['eTag']!r}")
    return errors


def _envelope_errors(
    schemas: SchemaSet, target: Target, body: dict[str, Any], version: int
) -> list[str]:
    """A collection's ``type`` (from ``_types.json`` collectionTypes) and ``category``."""
    category = target.category or ""
    errors = []
    if schemas.has_collection_types:
        expected = schemas.collection_type_at(category, version)
        if expected is None:
            errors.append(
                f"type: no collection type for {category} at API {version} in _types.json"
            )
        elif body.get("type") != expected:
            errors.append(f"type: {body.get('type')!r} was expected to be {expected!r}")
    if "category" in body and body["category"] != category:
        errors.append(f"category: {body['category']!r} was expected to be {category!r}")
    return errors
