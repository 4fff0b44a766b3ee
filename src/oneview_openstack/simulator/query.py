"""Filter, sort and paging semantics of OneView collection GETs (``/rest/<category>``).

Each raw ``filter``/``query`` string is compiled once into closures, because a listing may walk
10,000 members; nothing is re-parsed per member. Standard library only: the simulator imports
nothing else of this project, and this module is pure logic the state layer calls.
"""

from __future__ import annotations

import functools
import operator
import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypeVar

__all__ = ["Predicate", "QueryError", "build_predicate", "resolve_window", "sort_members"]

Predicate = Callable[[Mapping[str, Any]], bool]
_Test = Callable[[Any], bool]
_Getter = Callable[[Mapping[str, Any]], Sequence[Any]]
_Member = TypeVar("_Member", bound=Mapping[str, Any])


class QueryError(ValueError):
    """A filter/sort/query/paging parameter that cannot be parsed. str() is the operator message."""

    def __init__(self, message: str, parameter: str) -> None:
        super().__init__(message)
        self.parameter = parameter


class _Syntax(Exception):
    """Internal: the parser gave up; _compile turns it into QueryError carrying the raw text."""


_NULL: Any = object()  # the bare value null, distinct from the string 'null'
_TOKEN = re.compile(
    r"""\s*(?:
      (?P<str>'(?:[^'\\]|\\.|'')*')
    | (?P<sym>==|!=|<>|>=|<=|[=<>(),])
    | (?P<word>[^\s()',"=<>!]+)
    )""",
    re.VERBOSE | re.DOTALL,
)
_STRING_ESCAPE = re.compile(r"\\(.)|''", re.DOTALL)
_SEGMENT = re.compile(r"[A-Za-z_][\w-]*")
_NUMBER = re.compile(r"[+-]?(?:\d+(?P<frac>\.\d*)?|(?P<dot>\.\d+))(?P<exp>[eE][+-]?\d+)?")
_INTEGER = re.compile(r"[+-]?\d+")
_DIGITS = re.compile(r"(\d+)")
_OPS = {
    "=": "eq", "eq": "eq", "==": "seq", "seq": "seq",
    "ne": "ne", "<>": "ne", "!=": "ne", "sne": "sne",
    "matches": "matches", "smatches": "smatches", "regex": "regex", "sregex": "sregex",
    "gt": "gt", ">": "gt", "ge": "ge", ">=": "ge", "lt": "lt", "<": "lt", "le": "le", "<=": "le",
}  # fmt: skip
_NUMERIC = {"gt": operator.gt, "ge": operator.ge, "lt": operator.lt, "le": operator.le}
_SORT_ORDERS = frozenset({"ascending", "asc", "descending", "desc", "natural"})


def _unquote(raw: str) -> str:
    """Clients send the double quotes as part of the value (``filter="name='x'"``)."""
    return raw[1:-1] if len(raw) >= 2 and raw[0] == raw[-1] == '"' else raw


def _number(text: str) -> int | float | None:
    """Parse a decimal literal; None for anything else (no nan/inf/underscores)."""
    match = _NUMBER.fullmatch(text.strip())
    if match is None:
        return None
    if match["frac"] is None and match["dot"] is None and match["exp"] is None:
        return int(match.group())
    return float(match.group())


def _scalar_text(value: Any) -> str | None:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value) if isinstance(value, str | int | float) else None


def _flatten(items: Sequence[Any], out: list[Any]) -> list[Any]:
    for item in items:
        if isinstance(item, list | tuple):
            _flatten(item, out)
        elif item is not None:
            out.append(item)
    return out


def _getter(path: tuple[str, ...]) -> _Getter:
    """Resolve a dotted path to its non-None values; lists fan out so that ANY element counts."""
    if len(path) == 1:
        key = path[0]

        def get_top(member: Mapping[str, Any]) -> Sequence[Any]:
            value = member.get(key)
            if isinstance(value, list | tuple):
                return _flatten(value, [])
            return () if value is None else (value,)

        return get_top

    def get_nested(member: Mapping[str, Any]) -> Sequence[Any]:
        current: list[Any] = [member]
        for key in path:
            found: list[Any] = []
            for node in current:
                value = node.get(key) if isinstance(node, Mapping) else None
                if isinstance(value, list | tuple):
                    _flatten(value, found)
                elif value is not None:
                    found.append(value)
            if not found:
                return ()
            current = found
        return current

    return get_nested


def _eq_test(text: str, sensitive: bool) -> _Test:
    """Strings by (case-folded) text, numbers numerically, booleans as 'true'/'false'."""
    number = _number(text)
    flag = text.casefold() if text.casefold() in ("true", "false") else None
    fold: Callable[[str], str] = str if sensitive else str.casefold
    want = fold(text)

    def test(value: Any) -> bool:
        if isinstance(value, str):
            return fold(value) == want
        if isinstance(value, bool):
            return flag is not None and ("true" if value else "false") == flag
        if isinstance(value, int | float):
            return number is not None and value == number
        return False

    return test


def _numeric_test(op: str, text: str) -> _Test:
    """Numeric comparison; a non-numeric field or bound makes the condition false, not an error."""
    bound, compare = _number(text), _NUMERIC[op]
    if bound is None:
        return lambda value: False

    def test(value: Any) -> bool:
        if isinstance(value, str):
            value = _number(value)
        elif isinstance(value, bool) or not isinstance(value, int | float):
            return False
        return value is not None and compare(value, bound)

    return test


def _like_regex(pattern: str) -> str:
    """SQL LIKE to regex: % any run, _ one char, backslash escapes the next char."""
    out: list[str] = []
    chars = iter(pattern)
    for ch in chars:
        if ch == "\\":
            out.append(re.escape(next(chars, "\\")))
        else:
            out.append({"%": ".*", "_": "."}.get(ch) or re.escape(ch))
    return "".join(out)


def _pattern_test(op: str, text: str) -> _Test:
    """matches/smatches (whole-value LIKE) and regex/sregex (search); 's' means case-sensitive."""
    like = op.endswith("matches")
    flags = re.DOTALL if op.startswith("s") else re.DOTALL | re.IGNORECASE
    try:
        compiled = re.compile(_like_regex(text) if like else text, flags)
    except re.error as exc:
        raise _Syntax(str(exc)) from None
    find = compiled.fullmatch if like else compiled.search

    def test(value: Any) -> bool:
        text_value = _scalar_text(value)
        return text_value is not None and find(text_value) is not None

    return test


def _any_value(get: _Getter, test: _Test) -> Predicate:
    return lambda member: any(test(value) for value in get(member))


def _negate(predicate: Predicate) -> Predicate:
    return lambda member: not predicate(member)


def _combine(preds: list[Predicate], every: bool) -> Predicate:
    if len(preds) == 1:
        return preds[0]
    if every:
        return lambda member: all(p(member) for p in preds)
    return lambda member: any(p(member) for p in preds)


def _condition(path: tuple[str, ...], op: str, values: list[Any]) -> Predicate:
    """Compile one ``attr op value`` into a closure over a precomputed getter and test."""
    get = _getter(path)
    is_null: Predicate = lambda member: not get(member)  # noqa: E731
    if op in ("null", "notnull"):
        return is_null if op == "null" else _negate(is_null)
    if op in ("in", "notin"):
        tests = [_eq_test(v, False) for v in values if v is not _NULL]
        found = _any_value(get, lambda value: any(t(value) for t in tests))
        if any(v is _NULL for v in values):
            found = _combine([found, is_null], every=False)
        return found if op == "in" else _negate(found)
    value, base = values[0], {"ne": "eq", "sne": "seq"}.get(op, op)
    if value is _NULL:
        if base not in ("eq", "seq"):
            return lambda member: False
        found = is_null
    elif base in ("eq", "seq"):
        found = _any_value(get, _eq_test(value, base == "seq"))
    elif base in _NUMERIC:
        found = _any_value(get, _numeric_test(base, value))
    else:
        found = _any_value(get, _pattern_test(base, value))
    return _negate(found) if base != op else found


def _unescape(match: re.Match[str]) -> str:
    """Inside quotes: '' and \\' are a quote, \\\\ a backslash; other escapes stay (for LIKE)."""
    if match[1] is None:
        return "'"
    return match[1] if match[1] in "'\\" else match[0]


def _tokenize(text: str) -> list[tuple[str, str]]:
    tokens: list[tuple[str, str]] = []
    text, pos = text.strip(), 0
    while pos < len(text):
        match = _TOKEN.match(text, pos)
        if match is None:
            raise _Syntax(f"unexpected character at offset {pos}")
        kind, pos = match.lastgroup or "", match.end()
        token = match.group(kind)
        tokens.append(
            (kind, _STRING_ESCAPE.sub(_unescape, token[1:-1]) if kind == "str" else token)
        )
    return tokens


class _Parser:
    """Recursive descent: or := and (OR and)*; and := not (AND not)*; not := NOT not | atom."""

    def __init__(self, tokens: list[tuple[str, str]]) -> None:
        self.tokens, self.pos = tokens, 0

    def parse(self) -> Predicate:
        predicate = self.disjunction()
        if self.pos != len(self.tokens):
            raise _Syntax("trailing input")
        return predicate

    def take(self) -> tuple[str, str]:
        if self.pos >= len(self.tokens):
            raise _Syntax("unexpected end")
        self.pos += 1
        return self.tokens[self.pos - 1]

    def accept(self, kind: str, *texts: str) -> bool:
        """Consume the next token if it is one of ``texts`` (words compare case-insensitively)."""
        if self.pos < len(self.tokens):
            got_kind, text = self.tokens[self.pos]
            if got_kind == kind and (text.casefold() if kind == "word" else text) in texts:
                self.pos += 1
                return True
        return False

    def expect(self, kind: str, text: str) -> None:
        if not self.accept(kind, text):
            raise _Syntax(f"expected {text}")

    def disjunction(self) -> Predicate:
        preds = [self.conjunction()]
        while self.accept("word", "or"):
            preds.append(self.conjunction())
        return _combine(preds, every=False)

    def conjunction(self) -> Predicate:
        preds = [self.negation()]
        while self.accept("word", "and"):
            preds.append(self.negation())
        return _combine(preds, every=True)

    def negation(self) -> Predicate:
        if self.accept("word", "not"):
            return _negate(self.negation())
        if self.accept("sym", "("):
            inner = self.disjunction()
            self.expect("sym", ")")
            return inner
        return self.condition()

    def condition(self) -> Predicate:
        path = self.attribute()
        kind, text = self.take()
        word = text.casefold() if kind == "word" else ""
        op = _OPS.get(text if kind == "sym" else word)
        if op is not None:
            return _condition(path, op, [self.value()])
        if word == "is":
            negated = self.accept("word", "not")
            self.expect("word", "null")
            return _condition(path, "notnull" if negated else "null", [])
        if word == "in" or (word == "not" and self.accept("word", "in")):
            return _condition(path, "in" if word == "in" else "notin", self.value_list())
        raise _Syntax(f"unknown operator {text}")

    def attribute(self) -> tuple[str, ...]:
        kind, text = self.take()
        segments = text.split(".")
        if kind == "word" and all(_SEGMENT.fullmatch(s) for s in segments):
            return tuple(segments)
        if kind == "str" and all(s.strip() for s in segments):
            return tuple(segments)
        raise _Syntax("bad attribute")

    def value(self) -> Any:
        kind, text = self.take()
        if kind == "sym":
            raise _Syntax("expected a value")
        return _NULL if kind == "word" and text.casefold() == "null" else text

    def value_list(self) -> list[Any]:
        self.expect("sym", "(")
        values = [self.value()]
        while self.accept("sym", ","):
            values.append(self.value())
        self.expect("sym", ")")
        return values


@functools.lru_cache(maxsize=512)
def _compile(raw: str) -> Predicate:
    """Cached: clients poll with the same filters, and compiled closures are pure."""
    try:
        tokens = _tokenize(_unquote(raw))
        if not tokens:
            raise _Syntax("empty filter")
        return _Parser(tokens).parse()
    except (_Syntax, RecursionError):
        message = f"Listing resources failed. Unable to parse filters [{raw}]"
        raise QueryError(message, raw) from None


def build_predicate(filters: Sequence[str], query: str | None = None) -> Predicate | None:
    """AND of all ``filter`` values and the ``query`` value; None when nothing filters."""
    raws = [filters] if isinstance(filters, str) else list(filters)
    if query is not None:
        raws.append(query)
    preds = [_compile(raw) for raw in raws]
    return _combine(preds, every=True) if preds else None


def _sort_key(value: Any, natural: bool) -> tuple[Any, ...]:
    """Total order over mixed values: missing < numbers < strings (case-folded) < other.

    ``natural`` compares digit runs inside strings as numbers ("bay 2" < "bay 10").
    """
    if value is None:
        return (0, 0, "")
    if isinstance(value, int | float):
        return (1, value, "")
    if isinstance(value, str) and natural:
        parts = _DIGITS.split(value.casefold())
        return (2, tuple(int(p) if i % 2 else p for i, p in enumerate(parts)), value)
    if isinstance(value, str):
        return (2, value.casefold(), value)
    return (3, str(value), "")


def _member_key(get: _Getter, natural: bool) -> Callable[[Mapping[str, Any]], tuple[Any, ...]]:
    """Key on the first value of the (possibly dotted) attribute."""
    return lambda member: _sort_key(next(iter(get(member)), None), natural)


def sort_members(members: list[_Member], sort: str | None) -> list[_Member]:
    """Stable sort by ``sort`` ("name:asc", "vlanId:desc,name", "name:natural"); a new list."""
    spec = _unquote(sort).strip() if sort is not None else ""
    keys: list[tuple[_Getter, bool, bool]] = []
    for part in spec.split(",") if spec else ():
        attr, colon, order = part.partition(":")
        segments = attr.strip().split(".")
        order = order.strip().casefold() if colon else "ascending"
        if not all(_SEGMENT.fullmatch(s) for s in segments):
            reason = "each key must be an attribute such as name or bootMode.mode"
        elif order not in _SORT_ORDERS:
            reason = "the order must be ascending, asc, descending, desc or natural"
        else:
            keys.append((_getter(tuple(segments)), order.startswith("desc"), order == "natural"))
            continue
        raise QueryError(f"Invalid sort parameter [{sort}]: {reason}.", str(sort))
    result = list(members)
    for get, reverse, natural in reversed(keys):  # least significant key first; sort is stable
        result.sort(key=_member_key(get, natural), reverse=reverse)
    return result


def _integer(name: str, raw: str, minimum: int) -> int:
    value = int(raw) if _INTEGER.fullmatch(raw.strip()) else None
    if value is None or value < minimum:
        rule = "a non-negative integer" if minimum == 0 else "a non-negative integer, or -1 for all"
        raise QueryError(f"Invalid {name} parameter [{raw}]: it must be {rule}.", raw)
    return value


def resolve_window(
    start: str | None, count: str | None, *, total: int, cap: int
) -> tuple[int, int]:
    """Return (start, end) slice bounds, both clamped to ``total``; a page never exceeds ``cap``."""
    if cap < 1:
        raise ValueError(f"cap must be at least 1, got {cap}")
    first = 0 if start is None else _integer("start", start, 0)
    size = -1 if count is None else _integer("count", count, -1)
    size = cap if size == -1 else min(size, cap)
    total = max(total, 0)
    first = min(first, total)
    return first, min(first + size, total)
