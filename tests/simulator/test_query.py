"""Filter/sort/paging semantics of the simulator's collection GETs.

Examples pin every operator and syntax form clients send; hypothesis properties check the
compiled predicates, the sort and the paging window against plain Python oracles.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from oneview_openstack.simulator.query import (
    QueryError,
    build_predicate,
    resolve_window,
    sort_members,
)

SERVERS: list[dict[str, Any]] = [
    {
        "name": "Encl1, bay 1",
        "state": "Unmanaged",
        "position": 1,
        "memoryMb": 131072,
        "powerLock": False,
        "serverProfileUri": None,
        "bootMode": {"mode": "UEFI"},
        "scopeUris": ["/rest/scopes/a"],
        "connectionSettings": {
            "connections": [
                {"id": 1, "networkUri": "/rest/ethernet-networks/net-1"},
                {"id": 2, "networkUri": "/rest/ethernet-networks/net-2"},
            ]
        },
    },
    {
        "name": "Encl1, bay 2",
        "state": "ProfileApplied",
        "position": 2,
        "memoryMb": 65536,
        "powerLock": True,
        "serverProfileUri": "/rest/server-profiles/p2",
        "bootMode": {"mode": "BIOS"},
        "scopeUris": [],
        "connectionSettings": {"connections": [{"id": 1, "networkUri": "/rest/x/net-3"}]},
        "requestedMbps": "2500",
    },
    {
        "name": "Enet_10",
        "state": "unmanaged",
        "position": 10,
        "description": "it's quoted",
    },
    {"name": "EnetX10", "position": 11.5, "mpModel": "iLO5"},
]


def names(raw: str, query: str | None = None) -> list[str]:
    """Names of SERVERS selected by a single filter (and optional query)."""
    predicate = build_predicate([raw], query)
    assert predicate is not None
    return [m["name"] for m in SERVERS if predicate(m)]


def quote(text: str) -> str:
    """Single-quote a value the way the grammar reads it back."""
    return "'" + text.replace("\\", "\\\\").replace("'", "''") + "'"


# --- build_predicate: examples -----------------------------------------------------------------


def test_nothing_to_filter_is_none() -> None:
    assert build_predicate([]) is None
    assert build_predicate((), None) is None


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("\"name='Encl1, bay 1'\"", ["Encl1, bay 1"]),  # outer double quotes as hpeOneView sends
        ("name='encl1, BAY 1'", ["Encl1, bay 1"]),
        ("name eq 'ENCL1, bay 2'", ["Encl1, bay 2"]),
        ("name EQ 'encl1, bay 2'", ["Encl1, bay 2"]),
        ("state=Unmanaged", ["Encl1, bay 1", "Enet_10"]),  # bare token, case-insensitive
        ("state==Unmanaged", ["Encl1, bay 1"]),
        ("state seq 'unmanaged'", ["Enet_10"]),
        ("state SEQ 'Unmanaged'", ["Encl1, bay 1"]),
    ],
)
def test_equality(raw: str, expected: list[str]) -> None:
    assert names(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("state ne 'unmanaged'", ["Encl1, bay 2", "EnetX10"]),
        ("state <> 'UNMANAGED'", ["Encl1, bay 2", "EnetX10"]),
        ("state!='unmanaged'", ["Encl1, bay 2", "EnetX10"]),
        ("state sne 'Unmanaged'", ["Encl1, bay 2", "Enet_10", "EnetX10"]),
    ],
)
def test_not_equal_is_the_negation_of_equal(raw: str, expected: list[str]) -> None:
    assert names(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("'name' matches 'Enet\\_%'", ["Enet_10"]),  # escaped underscore, quoted attribute
        ("name matches 'enet_%'", ["Enet_10", "EnetX10"]),  # _ is a one-char wildcard
        ("name matches 'encl1, bay _'", ["Encl1, bay 1", "Encl1, bay 2"]),
        ("name matches 'Encl1'", []),  # LIKE matches the whole value
        ("name MATCHES '%bay%'", ["Encl1, bay 1", "Encl1, bay 2"]),
        ("name smatches 'enet%'", []),
        ("name smatches 'Enet%'", ["Enet_10", "EnetX10"]),
        ("position matches '1%'", ["Encl1, bay 1", "Enet_10", "EnetX10"]),  # numbers as text
        ("description matches '%it''s%'", ["Enet_10"]),
    ],
)
def test_matches(raw: str, expected: list[str]) -> None:
    assert names(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("name regex '^enet'", ["Enet_10", "EnetX10"]),
        ("name regex 'bay [12]$'", ["Encl1, bay 1", "Encl1, bay 2"]),  # search, not fullmatch
        ("name sregex '^enet'", []),
        ("name SREGEX '^Enet.\\d+'", ["Enet_10", "EnetX10"]),
        (
            "name regex '\\\\\\\\' OR name='EnetX10'",
            ["EnetX10"],
        ),  # raw \\\\ -> regex \\ -> a literal backslash
    ],
)
def test_regex(raw: str, expected: list[str]) -> None:
    assert names(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("position GT 2", ["Enet_10", "EnetX10"]),
        ("position gt '2'", ["Enet_10", "EnetX10"]),
        ("position ge 2", ["Encl1, bay 2", "Enet_10", "EnetX10"]),
        ("position Lt 2", ["Encl1, bay 1"]),
        ("position le 10", ["Encl1, bay 1", "Encl1, bay 2", "Enet_10"]),
        ("position>10", ["EnetX10"]),
        ("position>=10", ["Enet_10", "EnetX10"]),
        ("position<2", ["Encl1, bay 1"]),
        ("position<=1.0", ["Encl1, bay 1"]),
        ("position > -1e3", ["Encl1, bay 1", "Encl1, bay 2", "Enet_10", "EnetX10"]),
        ("requestedMbps GT 1000", ["Encl1, bay 2"]),  # numeric strings compare numerically
        ("name GT 1", []),  # non-numeric field: false, not an error
        ("position GT 'abc'", []),  # non-numeric bound: false, not an error
        ("powerLock GT 0", []),  # booleans are not numbers
    ],
)
def test_numeric_comparisons(raw: str, expected: list[str]) -> None:
    assert names(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("state IN ('unmanaged','Nope')", ["Encl1, bay 1", "Enet_10"]),
        ("state in ( 'ProfileApplied' , Unmanaged )", ["Encl1, bay 1", "Encl1, bay 2", "Enet_10"]),
        ("position IN (1, 11.5)", ["Encl1, bay 1", "EnetX10"]),
        ("state NOT IN ('unmanaged')", ["Encl1, bay 2", "EnetX10"]),
        ("state not in ('Unmanaged', null)", ["Encl1, bay 2"]),
        ("state IN (null)", ["EnetX10"]),
    ],
)
def test_in(raw: str, expected: list[str]) -> None:
    assert names(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("serverProfileUri IS NULL", ["Encl1, bay 1", "Enet_10", "EnetX10"]),
        ("serverProfileUri is not null", ["Encl1, bay 2"]),
        ("serverProfileUri = null", ["Encl1, bay 1", "Enet_10", "EnetX10"]),
        ("serverProfileUri ne NULL", ["Encl1, bay 2"]),
        ("serverProfileUri = 'null'", []),  # quoted: the string, never equal to a missing value
        ("serverProfileUri gt null", []),
        ("scopeUris IS NULL", ["Encl1, bay 2", "Enet_10", "EnetX10"]),  # [] has no value
        ("bootMode IS NOT NULL", ["Encl1, bay 1", "Encl1, bay 2"]),
    ],
)
def test_null(raw: str, expected: list[str]) -> None:
    assert names(raw) == expected


def test_missing_or_none_never_equals_a_string() -> None:
    assert names("serverProfileUri=''") == []
    assert names("mpModel='None'") == []
    assert names("nothere eq ''") == []


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("bootMode.mode='UEFI'", ["Encl1, bay 1"]),
        ("bootMode.mode = 'uefi'", ["Encl1, bay 1"]),
        (
            "connectionSettings.connections.networkUri='/rest/ethernet-networks/net-2'",
            ["Encl1, bay 1"],
        ),
        ("connectionSettings.connections.networkUri=/rest/x/net-3", ["Encl1, bay 2"]),
        ("connectionSettings.connections.id=2", ["Encl1, bay 1"]),
        ("connectionSettings.connections.id=1", ["Encl1, bay 1", "Encl1, bay 2"]),
        ("'bootMode.mode' = 'BIOS'", ["Encl1, bay 2"]),
        ("scopeUris = '/rest/scopes/a'", ["Encl1, bay 1"]),  # list of scalars: any element
        ("bootMode.mode.deeper = 'UEFI'", []),
        ("name.mode = 'UEFI'", []),
    ],
)
def test_dot_notation(raw: str, expected: list[str]) -> None:
    assert names(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("memoryMb=131072", ["Encl1, bay 1"]),
        ("memoryMb='131072.0'", ["Encl1, bay 1"]),
        ("memoryMb=abc", []),
        ("position=11.5", ["EnetX10"]),
        ("powerLock=true", ["Encl1, bay 2"]),
        ("powerLock = 'FALSE'", ["Encl1, bay 1"]),
        ("powerLock == 'False'", ["Encl1, bay 1"]),  # booleans ignore case even for ==
        ("powerLock = 0", []),
    ],
)
def test_numbers_and_booleans(raw: str, expected: list[str]) -> None:
    assert names(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("NOT state='unmanaged'", ["Encl1, bay 2", "EnetX10"]),
        ("not not state='unmanaged'", ["Encl1, bay 1", "Enet_10"]),
        ("state='unmanaged' AND position>1", ["Enet_10"]),
        ("state='unmanaged' and position>1", ["Enet_10"]),
        ("position=1 OR position=2", ["Encl1, bay 1", "Encl1, bay 2"]),
        ("position=1 or position=2 AND state='x'", ["Encl1, bay 1"]),  # AND binds tighter
        ("(position=1 OR position=2) AND state='ProfileApplied'", ["Encl1, bay 2"]),
        ("NOT(position=1 OR position=2)", ["Enet_10", "EnetX10"]),
        ("((name matches 'enet%'))", ["Enet_10", "EnetX10"]),
        ("NOT position IN (1,2) AND NOT mpModel IS NULL", ["EnetX10"]),
        ('"state=Unmanaged AND NOT(position GE 10)"', ["Encl1, bay 1"]),
    ],
)
def test_boolean_combinations(raw: str, expected: list[str]) -> None:
    assert names(raw) == expected


def test_repeated_filters_and_query_are_anded() -> None:
    predicate = build_predicate(["state=unmanaged", '"position GE 2"'], "name matches '%10'")
    assert predicate is not None
    assert [m["name"] for m in SERVERS if predicate(m)] == ["Enet_10"]
    assert names("position LE 2", query="NOT position=1 OR position=10") == ["Encl1, bay 2"]


def test_query_alone() -> None:
    predicate = build_predicate([], "bootMode.mode='UEFI' OR name='EnetX10'")
    assert predicate is not None
    assert [m["name"] for m in SERVERS if predicate(m)] == ["Encl1, bay 1", "EnetX10"]


def test_a_single_string_is_one_filter_not_characters() -> None:
    predicate = build_predicate("name='EnetX10'")
    assert predicate is not None
    assert [m["name"] for m in SERVERS if predicate(m)] == ["EnetX10"]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("description = 'it''s quoted'", ["Enet_10"]),
        ("description = 'it\\'s quoted'", ["Enet_10"]),
        ("'description' = 'IT''S QUOTED'", ["Enet_10"]),
        ("name='a\\\\b' OR name='Enet_10'", ["Enet_10"]),
    ],
)
def test_quote_escapes(raw: str, expected: list[str]) -> None:
    assert names(raw) == expected


def test_embedded_quote_and_backslash_round_trip() -> None:
    member = {"name": "it's a \\path\\"}
    predicate = build_predicate([f"name={quote(member['name'])}"])
    assert predicate is not None and predicate(member)


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "   ",
        '""',
        '"',
        "\"name='x'",  # unbalanced double quote
        "name='x",  # unbalanced single quote
        "name='x\\'",  # the closing quote is escaped
        "(name='x'",
        "name='x')",
        "((name='x')",
        "()",
        "name ~ 'x'",
        "name like 'x'",
        "name === 'x'",
        "name = = 'x'",
        "='x'",
        "''='x'",
        "'a..b'='x'",
        "a..b='x'",
        ".a='x'",
        "1abc='x'",
        "name",
        "name=",
        "name='x' junk",
        "name='x' name='y'",
        "name='x' AND",
        "OR name='x'",
        "name='x' AND OR position=1",
        "NOT",
        "name IS 'x'",
        "name IS NOT",
        "name NOT 'x'",
        "name IN 'x'",
        "name IN ()",
        "name IN ('a',)",
        "name IN ('a' 'b')",
        "name IN ('a'",
        "name regex '('",
        "name sregex '[a-'",
        "name = 'x' ! 'y'",
        "(" * 5000 + "name='x'" + ")" * 5000,
    ],
)
def test_unparseable_filters(raw: str) -> None:
    with pytest.raises(QueryError) as info:
        build_predicate([raw])
    assert str(info.value) == f"Listing resources failed. Unable to parse filters [{raw}]"
    assert info.value.parameter == raw
    assert isinstance(info.value, ValueError)


def test_unparseable_query_and_second_filter() -> None:
    with pytest.raises(QueryError, match=r"Unable to parse filters \[name=\]$"):
        build_predicate(["name='x'", "name="])
    with pytest.raises(QueryError) as info:
        build_predicate(["name='x'"], "name === 1")
    assert info.value.parameter == "name === 1"


# --- sort_members ------------------------------------------------------------------------------


def sort_names(members: list[Mapping[str, Any]], sort: str | None) -> list[Any]:
    return [m.get("name") for m in sort_members(members, sort)]


BAYS: list[dict[str, Any]] = [
    {"name": "bay 10", "vlanId": 2},
    {"name": "Bay 2", "vlanId": 1},
    {"name": "bay 1", "vlanId": 2, "nested": {"k": "b"}},
    {"vlanId": 3},
    {"name": "alpha", "nested": {"k": "a"}},
]


def test_sort_none_and_empty_keep_order_and_copy() -> None:
    result = sort_members(BAYS, None)
    assert result == BAYS and result is not BAYS
    assert sort_members(BAYS, "") == BAYS


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("name:ascending", [None, "alpha", "bay 1", "bay 10", "Bay 2"]),
        ("name:asc", [None, "alpha", "bay 1", "bay 10", "Bay 2"]),
        ("name", [None, "alpha", "bay 1", "bay 10", "Bay 2"]),
        ('"name:ASC"', [None, "alpha", "bay 1", "bay 10", "Bay 2"]),
        ("name:descending", ["Bay 2", "bay 10", "bay 1", "alpha", None]),
        ("name:DESC", ["Bay 2", "bay 10", "bay 1", "alpha", None]),
        ("name:natural", [None, "alpha", "bay 1", "Bay 2", "bay 10"]),
        ("vlanId:desc,name:asc", [None, "bay 1", "bay 10", "Bay 2", "alpha"]),
        ("vlanId:asc, name:desc", ["alpha", "Bay 2", "bay 10", "bay 1", None]),
        ("nested.k", ["bay 10", "Bay 2", None, "alpha", "bay 1"]),  # missing first, stable
        ("nested.k:desc", ["bay 1", "alpha", "bay 10", "Bay 2", None]),
    ],
)
def test_sort_examples(sort: str, expected: list[Any]) -> None:
    assert sort_names(BAYS, sort) == expected


def test_sort_mixed_types_and_lists() -> None:
    members = [{"v": "b"}, {"v": 3}, {"v": None}, {"v": 1.5}, {"v": True}, {"v": ["z", "a"]}]
    assert [m["v"] for m in sort_members(members, "v")] == [None, True, 1.5, 3, "b", ["z", "a"]]


@pytest.mark.parametrize(
    "sort",
    ["name:sideways", "name:", ":asc", "name,,vlanId", "na me:asc", "name:asc:desc", "a..b"],
)
def test_invalid_sort(sort: str) -> None:
    with pytest.raises(QueryError, match=r"^Invalid sort parameter \[") as info:
        sort_members(BAYS, sort)
    assert info.value.parameter == sort


def test_invalid_sort_order_message() -> None:
    with pytest.raises(QueryError) as info:
        sort_members(BAYS, "x:sideways")
    assert str(info.value) == (
        "Invalid sort parameter [x:sideways]: "
        "the order must be ascending, asc, descending, desc or natural."
    )


# --- resolve_window ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "count", "total", "cap", "expected"),
    [
        (None, None, 10, 100, (0, 10)),
        (None, "-1", 10, 100, (0, 10)),
        (None, None, 500, 64, (0, 64)),
        ("0", "-1", 500, 64, (0, 64)),
        ("0", "300", 500, 256, (0, 256)),
        ("32", "32", 38, 100, (32, 38)),
        ("5", "0", 38, 100, (5, 5)),
        ("50", "10", 38, 100, (38, 38)),
        (" 3 ", "+2", 38, 100, (3, 5)),
        (None, None, 0, 10, (0, 0)),
    ],
)
def test_window_examples(
    start: str | None, count: str | None, total: int, cap: int, expected: tuple[int, int]
) -> None:
    assert resolve_window(start, count, total=total, cap=cap) == expected


@pytest.mark.parametrize(
    ("start", "count", "bad"),
    [
        ("-1", None, "-1"),
        ("abc", None, "abc"),
        ("1.5", None, "1.5"),
        ("", None, ""),
        (None, "-2", "-2"),
        (None, "x", "x"),
        ("0", "2.0", "2.0"),
        (None, "1_0", "1_0"),
    ],
)
def test_window_errors(start: str | None, count: str | None, bad: str) -> None:
    name = "start" if start == bad else "count"
    with pytest.raises(QueryError, match=rf"^Invalid {name} parameter \[") as info:
        resolve_window(start, count, total=10, cap=5)
    assert info.value.parameter == bad


def test_window_rejects_a_nonsense_cap() -> None:
    with pytest.raises(ValueError, match="cap"):
        resolve_window(None, None, total=1, cap=0)


# --- properties --------------------------------------------------------------------------------

COUNTS = st.one_of(st.none(), st.just(-1), st.integers(min_value=1, max_value=80))


@settings(max_examples=150, deadline=None)
@given(
    total=st.integers(min_value=0, max_value=300),
    cap=st.integers(min_value=1, max_value=64),
    start=st.integers(min_value=0, max_value=320),
    count=COUNTS,
)
def test_paging_covers_every_item_once(total: int, cap: int, start: int, count: int | None) -> None:
    items = list(range(total))
    seen: list[int] = []
    position = start
    raw_count = None if count is None else str(count)
    while True:
        first, end = resolve_window(str(position), raw_count, total=total, cap=cap)
        assert first == min(position, total)
        assert 0 <= end - first <= cap
        if count not in (None, -1):
            assert end - first <= count
        seen.extend(items[first:end])
        if end == first:
            break
        position = end
    assert seen == items[start:]


NAMES = st.text(alphabet="aAbB_%'\\ 1", max_size=4)
MEMBERS = st.lists(
    st.fixed_dictionaries(
        {},
        optional={
            "name": NAMES,
            "vlanId": st.one_of(st.none(), st.integers(min_value=-5, max_value=30)),
        },
    ),
    max_size=25,
)


def selected(members: list[dict[str, Any]], raw: str) -> list[int]:
    predicate = build_predicate([raw])
    assert predicate is not None
    return [i for i, m in enumerate(members) if predicate(m)]


@settings(max_examples=120, deadline=None)
@given(members=MEMBERS, name=NAMES, vlan=st.integers(min_value=-6, max_value=31))
def test_filters_match_python_semantics(
    members: list[dict[str, Any]], name: str, vlan: int
) -> None:
    by_name = f"name={quote(name)}"
    by_vlan = f"vlanId GE {vlan}"
    everyone = set(range(len(members)))
    name_hits = {
        i
        for i, m in enumerate(members)
        if m.get("name") is not None and m["name"].casefold() == name.casefold()
    }
    vlan_hits = {
        i for i, m in enumerate(members) if m.get("vlanId") is not None and m["vlanId"] >= vlan
    }
    assert set(selected(members, by_name)) == name_hits
    assert set(selected(members, f'"{by_vlan}"')) == vlan_hits
    assert set(selected(members, f"NOT {by_name}")) == everyone - name_hits
    assert set(selected(members, f"NOT ({by_vlan})")) == everyone - vlan_hits
    assert set(selected(members, f"{by_name} AND {by_vlan}")) == name_hits & vlan_hits
    assert set(selected(members, f"{by_name} or {by_vlan}")) == name_hits | vlan_hits
    both = build_predicate([by_name, by_vlan])
    assert both is not None
    assert {i for i, m in enumerate(members) if both(m)} == name_hits & vlan_hits


def name_key(member: Mapping[str, Any]) -> tuple[Any, ...]:
    value = member.get("name")
    return (0, "", "") if value is None else (1, value.casefold(), value)


@settings(max_examples=120, deadline=None)
@given(members=MEMBERS)
def test_sort_is_stable_and_ordered(members: list[dict[str, Any]]) -> None:
    tagged = [{**m, "idx": i} for i, m in enumerate(members)]

    def order(sort: str) -> list[int]:
        return [m["idx"] for m in sort_members(tagged, sort)]

    def vlan_desc(member: Mapping[str, Any]) -> tuple[int, int]:
        value = member.get("vlanId")
        return (1, 0) if value is None else (0, -value)

    assert order("name:asc") == [m["idx"] for m in sorted(tagged, key=name_key)]
    assert order("name:desc") == [m["idx"] for m in sorted(tagged, key=name_key, reverse=True)]
    expected = sorted(tagged, key=lambda m: (vlan_desc(m), name_key(m)))
    assert order("vlanId:desc,name:ascending") == [m["idx"] for m in expected]
    assert sorted(order("vlanId")) == list(range(len(members)))
