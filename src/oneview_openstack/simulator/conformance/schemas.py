"""The schema set: files of ``simulator/schemas``, turned per API version into what is validated.

The files follow the plan's schema contract (a few ``x-`` keywords a room writes instead of
repeating itself); ``SchemaSet.check`` applies them for one API version:

- ``x-since`` / ``x-until`` (inclusive) on a property, or on an ``anyOf``/``oneOf``/``allOf``/
  ``prefixItems`` alternative, drop it outside that range; on a whole file they say at which
  versions the body exists at all;
- every property of an object schema is required unless it carries ``"x-optional": true``;
- every object schema with ``properties`` is closed (``additionalProperties: false``) unless it
  carries ``"x-open": true`` or says ``additionalProperties`` itself;
- ``"x-resource": true`` merges ``_common.json``'s properties and pins ``type`` (from
  ``_types.json``) and ``category`` (the file's name before the first dot, or ``x-category``).

Each (file, version) is transformed and compiled once, on first use.
"""

from __future__ import annotations

import copy
import json
import re
import threading
from bisect import bisect_right
from collections.abc import Callable, Hashable, Iterable, Iterator
from pathlib import Path
from typing import Any

import jsonschema  # type: ignore[import-untyped]
import orjson
from jsonschema.exceptions import ValidationError, best_match  # type: ignore[import-untyped]
from referencing import Registry
from referencing.jsonschema import DRAFT202012

SCHEMA_DIR = Path(__file__).resolve().parent.parent / "schemas"
# Files that are building blocks, not bodies: no route maps to them.
SHARED_FILES = ("_defs", "_common", "_types")
MAX_MESSAGE = 240

Schema = dict[str, Any]
# Keywords whose value is one schema, a map of schemas, or a list of schemas (draft 2020-12).
_ONE = (
    "additionalProperties",
    "items",
    "contains",
    "not",
    "if",
    "then",
    "else",
    "propertyNames",
    "unevaluatedItems",
    "unevaluatedProperties",
)
_MAP = ("properties", "patternProperties", "$defs", "definitions", "dependentSchemas")
_LIST = ("allOf", "anyOf", "oneOf", "prefixItems")


def in_range(schema: Any, version: int) -> bool:
    """Whether a (sub)schema exists at ``version`` by its ``x-since``/``x-until`` (inclusive)."""
    if not isinstance(schema, dict):
        return True
    since, until = schema.get("x-since"), schema.get("x-until")
    return (since is None or version >= since) and (until is None or version <= until)


def type_steps(types_file: Schema, key: str | None) -> dict[str, list[tuple[int, str]]]:
    """``category -> [(since_version, type)]`` from ``_types.json`` (top level, or under ``key``)."""
    table = types_file.get(key, {}) if key else types_file
    steps: dict[str, list[tuple[int, str]]] = {}
    for category, rows in table.items():
        if category.startswith(("$", "x-")) or category in ("types", "collectionTypes"):
            continue
        if isinstance(rows, list):
            steps[category] = sorted((int(since), str(name)) for since, name in rows)
    return steps


def step_at(steps: list[tuple[int, str]] | None, version: int) -> str | None:
    """The type string in force at ``version``; None before the first step (nothing defined)."""
    if not steps:
        return None
    index = bisect_right([since for since, _ in steps], version) - 1
    return steps[index][1] if index >= 0 else None


class SchemaSet:
    """Every schema file of one directory, compiled lazily per (name, API version)."""

    def __init__(self, directory: Path | str | None = None) -> None:
        self.directory = Path(directory) if directory else SCHEMA_DIR
        self.raw: dict[str, Schema] = {}
        # File-level problems (bad JSON, wrong $id, no x-sources, invalid schema): a report lists them.
        self.problems: list[str] = []
        self._load()
        types_file = self.raw.get("_types", {})
        self.types = type_steps(types_file, "types" if "types" in types_file else None)
        self.collection_types = type_steps(types_file, "collectionTypes")
        self.has_collection_types = "collectionTypes" in types_file
        self._lock = threading.Lock()
        self._registries: dict[int, tuple[dict[str, Schema], Registry]] = {}
        self._validators: dict[tuple[str, int], Any] = {}
        self._compiled: dict[Any, Any] = {}
        self._splits: dict[tuple[str, int], Split | None] = {}
        self._parts: dict[Hashable, tuple[str, ...]] = {}

    def _load(self) -> None:
        for path in sorted(self.directory.glob("*.json")):
            name = path.name[: -len(".json")]
            try:
                schema = json.loads(path.read_text())
            except (OSError, ValueError) as error:
                self.problems.append(f"{path.name}: not readable JSON: {error}")
                continue
            if not isinstance(schema, dict):
                self.problems.append(f"{path.name}: the top level must be an object")
                continue
            self.raw[name] = schema
            if schema.get("$id") != path.name and name != "_types":
                self.problems.append(
                    f"{path.name}: $id is {schema.get('$id')!r}, expected {path.name!r}"
                )
            sources = schema.get("x-sources")
            if not (isinstance(sources, list) and sources and all(sources)):
                self.problems.append(f"{path.name}: x-sources must list at least one source")
            if name == "_types":
                continue
            try:
                jsonschema.Draft202012Validator.check_schema(schema)
            except jsonschema.SchemaError as error:
                self.problems.append(f"{path.name}: not a valid JSON schema: {error.message}")

    def names(self) -> list[str]:
        """Body schemas (the files a route can map to)."""
        return sorted(n for n in self.raw if n not in SHARED_FILES)

    def has(self, name: str) -> bool:
        return name in self.raw and name not in SHARED_FILES

    def type_at(self, category: str, version: int) -> str | None:
        return step_at(self.types.get(category), version)

    def collection_type_at(self, category: str, version: int) -> str | None:
        return step_at(self.collection_types.get(category), version)

    # -- checking ------------------------------------------------------------------------------

    def check(self, name: str, body: Any, version: int) -> list[str]:
        """Every way ``body`` breaks schema ``name`` at API ``version``; [] when it conforms."""
        if not self.has(name):
            return [f"(body): no schema: {self.directory.name}/{name}.json does not exist"]
        raw = self.raw[name]
        if not in_range(raw, version):
            return [
                f"{name} is not served at API {version} "
                f"(x-since {raw.get('x-since')}, x-until {raw.get('x-until')})"
            ]
        split = self._split(name, version)
        if split is None or not isinstance(body, dict):
            validator = self.validator(name, version)
            return [_describe(error) for error in _sorted(validator.iter_errors(body))]
        return sorted(split.check(self, body))

    def _split(self, name: str, version: int) -> Split | None:
        key = (name, version)
        if key not in self._splits:
            schemas, registry = self.for_version(version)
            found = Split.of(schemas[name], lambda schema: self._compile(schema, version, registry))
            with self._lock:
                self._splits[key] = found
        return self._splits[key]

    def memo(self, key: Hashable, validator: Any, value: Any, prefix: str = "") -> list[str]:
        """``validator``'s errors for ``value``, reused for every value with the same ``key``
        (kept with a placeholder for where the value sits: two fields may share a schema)."""
        found = self._parts.get(key)
        if found is None:
            found = tuple(_errors(validator, value, _HERE if prefix else ""))
            with self._lock:
                self._parts[key] = found
        return [error.replace(_HERE, prefix) for error in found] if found else []

    def memo_size(self) -> int:
        """How many field verdicts are kept (tests show a reuse by its not growing)."""
        return len(self._parts)

    def validator(self, name: str, version: int) -> Any:
        key = (name, version)
        found = self._validators.get(key)
        if found is None:
            schemas, registry = self.for_version(version)
            found = self._compile(schemas[name], version, registry)
            with self._lock:
                self._validators[key] = found
        return found

    def identity(self, name: str, version: int) -> Hashable:
        """Equal for two versions whose schema ``name`` came out the same: a body's verdict at
        one holds at the other (the walk reads every version)."""
        if not self.has(name) or not in_range(self.raw[name], version):
            return (name, version)
        return id(self.validator(name, version))

    def _compile(self, schema: Any, version: int, registry: Registry) -> Any:
        """One validator per distinct schema text, shared by the versions that produce it (a
        schema with a $ref left to the registry stays per version: its target may differ)."""
        text = orjson.dumps(schema, option=orjson.OPT_SORT_KEYS)
        key: Any = text if b'"$ref"' not in text else (version, text)
        found = self._compiled.get(key)
        if found is None:
            found = jsonschema.Draft202012Validator(schema, registry=registry)
            with self._lock:
                self._compiled[key] = found
        return found

    def for_version(self, version: int) -> tuple[dict[str, Schema], Registry]:
        """Every file transformed for ``version`` with its $refs inlined (validating through the
        registry costs a third of the time), and a registry for the cyclic refs left over."""
        found = self._registries.get(version)
        if found is None:
            transformed = {
                name: Transform(self, version).file(name, schema)
                for name, schema in self.raw.items()
                if name != "_types"
            }
            inliner = Inliner(transformed)
            schemas = {name: inliner.file(name) for name in transformed}
            registry: Registry = Registry().with_resources(
                (f"{name}.json", DRAFT202012.create_resource(schema))
                for name, schema in transformed.items()
            )
            found = (schemas, registry)
            with self._lock:
                self._registries[version] = found
        return found


# Top-level keywords whose verdict depends only on which keys a body has (``properties`` with
# every field's schema taken out): the structure check is then reused per key set.
_KEY_ONLY = frozenset(
    {"type", "properties", "required", "additionalProperties", "$defs", "$comment", "title",
     "description", "x-resource", "x-category", "x-since", "x-until", "x-open", "x-optional"}
)  # fmt: skip


class Split:
    """An object schema checked field by field, each field's verdict reused while its value
    is unchanged: a body where one field changed costs one field's validation, not the body's."""

    def __init__(self, structure: Any, fields: dict[str, Field], by_keys: bool) -> None:
        self.structure = structure  # the object itself: type, required, closed, other keywords
        self.fields = fields
        self.by_keys = by_keys

    @classmethod
    def of(cls, schema: Any, compile_: Callable[[Any], Any]) -> Split | None:
        properties = schema.get("properties") if isinstance(schema, dict) else None
        if not isinstance(properties, dict):
            return None
        structure = {**schema, "properties": {key: {} for key in properties}}
        fields = {key: Field.of(sub, compile_) for key, sub in properties.items()}
        return cls(compile_(structure), fields, set(schema) <= _KEY_ONLY)

    def check(self, schemas: SchemaSet, body: dict[str, Any]) -> list[str]:
        structure = self.structure
        if self.by_keys:
            keys = frozenset(body)
            errors = schemas.memo((id(structure), keys), structure, body)
        else:
            errors = _errors(structure, body)
        for key, value in body.items():
            field = self.fields.get(key)
            if field is not None:
                errors.extend(field.check(schemas, key, value))
        return errors


class Field:
    """One top-level field's schema; an array of objects is checked item by item (one changed
    port of sixty re-checks that port)."""

    def __init__(self, validator: Any, nests: bool, items: tuple[Any, Any] | None) -> None:
        self.validator = validator
        self.nests = nests  # whether the schema describes objects or arrays inside
        self.items = items  # (the array without its items, each item) for an array of objects

    @classmethod
    def of(cls, schema: Any, compile_: Callable[[Any], Any]) -> Field:
        items = schema.get("items") if isinstance(schema, dict) else None
        by_item = None
        if isinstance(items, dict) and _nests(items):
            by_item = (compile_({k: v for k, v in schema.items() if k != "items"}), compile_(items))
        return cls(compile_(schema), _nests(schema), by_item)

    def check(self, schemas: SchemaSet, key: str, value: Any) -> list[str]:
        if self.items is not None and isinstance(value, list):
            array, item = self.items
            errors = _errors(array, value, key)
            for index, member in enumerate(value):
                memo = _memo_key("", member, True)
                errors.extend(schemas.memo((id(item), memo), item, member, f"{key}[{index}]"))
            return errors
        memo = _memo_key(key, value, self.nests)
        if memo is None:
            return _errors(self.validator, value, key)
        return schemas.memo((id(self.validator), memo), self.validator, value, key)


_HERE = "\x00"  # where a memoized field sits, in its cached error texts


def _errors(validator: Any, value: Any, prefix: str = "") -> list[str]:
    return [_describe(error, prefix) for error in validator.iter_errors(value)]


def _memo_key(key: str, value: Any, nests: bool) -> Hashable | None:
    """What a field's verdict is reused by: its value (timestamps and eTags by their shape);
    None for an array or object under a flat schema (checking it is cheaper than keying it)."""
    if isinstance(value, str):
        if key == "eTag" or _DATETIME.fullmatch(value):
            return ("s", _DIGIT_TEXT.sub("0", value))
        return ("s", value)
    if value is None or isinstance(value, bool | int | float):
        return (type(value).__name__, value)
    if not nests:
        return None
    return ("j", hash(orjson.dumps(value)))


class Transform:
    """One file's contract keywords turned into plain JSON Schema for one API version."""

    def __init__(self, schemas: SchemaSet, version: int) -> None:
        self.schemas = schemas
        self.version = version

    def file(self, name: str, schema: Schema) -> Schema:
        self.name = name
        return self.node(schema)

    def node(self, schema: Any) -> Any:
        if not isinstance(schema, dict):
            return schema
        out: Schema = {}
        for key, value in schema.items():
            if key in ("x-sources", "x-chosen"):
                continue
            if key in _ONE:
                out[key] = self.node(value)
            elif key in _MAP and isinstance(value, dict):
                out[key] = {
                    k: self.node(v)
                    for k, v in value.items()
                    if key != "properties" or in_range(v, self.version)
                }
            elif key in _LIST and isinstance(value, list):
                out[key] = [self.node(v) for v in value if in_range(v, self.version)]
            else:
                out[key] = value
        if schema.get("x-resource"):
            self._merge_common(out)
        if isinstance(out.get("properties"), dict):
            self._close(out, schema)
        return out

    def _merge_common(self, out: Schema) -> None:
        common = self.schemas.raw.get("_common", {}).get("properties", {})
        properties = out.setdefault("properties", {})
        for key, value in common.items():
            if key not in properties and in_range(value, self.version):
                properties[key] = self.node(copy.deepcopy(value))
        category = out.get("x-category") or self.name.split(".")[0]
        type_name = self.schemas.type_at(category, self.version)
        expected = type_name or f"<no type for {category} at API {self.version} in _types.json>"
        properties["type"] = {"const": expected}
        if "category" in properties:
            properties["category"] = {"const": category}

    @staticmethod
    def _close(out: Schema, original: Schema) -> None:
        properties: dict[str, Any] = out["properties"]
        required = [
            key
            for key, value in properties.items()
            if not (isinstance(value, dict) and value.get("x-optional"))
        ]
        extra = [key for key in original.get("required", []) if key in properties]
        out["required"] = list(dict.fromkeys(required + extra))
        if not original.get("x-open") and not (
            "additionalProperties" in original or "unevaluatedProperties" in original
        ):
            out["additionalProperties"] = False


class Inliner:
    """Replaces each ``$ref`` by (a copy of) what it points at, once per target; a ref back into
    its own chain stays a ref, made absolute (``file.json#pointer``) for the registry."""

    def __init__(self, schemas: dict[str, Schema]) -> None:
        self.schemas = schemas
        self._done: dict[str, Any] = {}

    def file(self, name: str) -> Schema:
        return self._target(f"{name}.json#", ())

    def _target(self, absolute: str, chain: tuple[str, ...]) -> Any:
        if absolute in self._done:
            return self._done[absolute]
        file, _, pointer = absolute.partition("#")
        node: Any = self.schemas.get(file[: -len(".json")])
        for part in [p for p in pointer.split("/") if p]:
            part = part.replace("~1", "/").replace("~0", "~")
            node = node[int(part)] if isinstance(node, list) else (node or {}).get(part)
        if node is None:
            return {"$ref": absolute}  # unresolvable: jsonschema names it when it validates
        result = self._node(node, file, (*chain, absolute))
        self._done[absolute] = result
        return result

    def _node(self, node: Any, file: str, chain: tuple[str, ...]) -> Any:
        if isinstance(node, list):
            return [self._node(item, file, chain) for item in node]
        if not isinstance(node, dict):
            return node
        out = {
            key: value if key in ("enum", "const", "x-chosen") else self._node(value, file, chain)
            for key, value in node.items()
            if key not in ("$ref", "$id", "$schema")
        }
        reference = node.get("$ref")
        if not isinstance(reference, str):
            return out
        ref_file, _, pointer = reference.partition("#")
        absolute = f"{ref_file or file}#{pointer}"
        target = {"$ref": absolute} if absolute in chain else self._target(absolute, chain)
        if not out:
            return target
        if isinstance(target, dict) and not set(target) & set(out):
            return {**target, **out}
        return {**out, "allOf": [*out.get("allOf", []), target]}


def _nests(schema: Any) -> bool:
    """Whether a property's schema describes objects or arrays (worth validating on its own)."""
    if not isinstance(schema, dict):
        return False
    if any(
        k in schema for k in ("properties", "items", "prefixItems", "additionalProperties", "$ref")
    ):
        return True
    return any(_nests(sub) for k in ("anyOf", "oneOf", "allOf") for sub in schema.get(k) or [])


# A timestamp or eTag field's verdict is reused by the value's shape (its digits zeroed): they
# differ between otherwise equal bodies (after a reset, or a touch that changed nothing else).
_DATETIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})")
_DIGIT_TEXT = re.compile(r"\d")


def _sorted(errors: Iterable[ValidationError]) -> Iterator[ValidationError]:
    return iter(sorted(errors, key=lambda e: (_path(e), e.message)))


def _path(error: ValidationError, prefix: str = "") -> str:
    """``a.b[0].c`` from the body's top (``prefix``: the top-level field ``error`` is inside)."""
    path = prefix
    for part in error.absolute_path:
        path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else str(part))
    return path or "(body)"


def _short(text: str) -> str:
    return text if len(text) <= MAX_MESSAGE else text[: MAX_MESSAGE - 3] + "..."


def _describe(error: ValidationError, prefix: str = "") -> str:
    """``path: message``; for anyOf/oneOf, the closest alternative's complaint too."""
    path = _path(error, prefix)
    message = _short(error.message)
    if error.validator == "const":
        message = f"{_short(repr(error.instance))} is not the expected {error.validator_value!r}"
    if error.context:
        closest = best_match(error.context)
        message += f" (closest: {_path(closest, prefix)}: {_short(closest.message)})"
    return f"{path}: {message}"
