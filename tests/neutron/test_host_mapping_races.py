"""Segment-host mapping writes that lose a race, through the real ML2 plugin and Neutron's DB.

Two races that MariaDB makes certain once two Neutron hosts and the periodic worker write
mappings while users delete segments: a segment deleted after the writer listed it (a foreign
key error on the insert), and another process mapping the same host first (a duplicate row).
Each test replays one interleaving deterministically: the listing is taken before the
deletion, and the other writer's row is held uncommitted (a second MariaDB connection) until
the write waits on its lock. The sqlite cases run on Neutron's test base (foreign keys on);
the MariaDB ones on a server of the test's own through Neutron's MySQL test mixin.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
import sqlalchemy as sa
from neutron.services.segments import db as segments_plugin_db
from neutron.tests.unit import testlib_api
from neutron_lib.plugins import directory
from oslo_db import exception as db_exc
from oslo_db.sqlalchemy import provision
from test_segments import SegmentCase, vlan

from oneview_openstack.neutron import host_mappings
from oneview_openstack.neutron.host_mappings import HostMappingConflict, HostMappings
from oneview_openstack.sandbox.mariadb import running_mariadb
from oneview_openstack.simulator.testing import wait_until


def neutrons_write(side_effect: Any) -> Any:
    """Neutron's mapping write replaced (autospec) for the retry logic's own tests."""
    return mock.patch.object(
        segments_plugin_db, "update_segment_host_mapping", autospec=True, side_effect=side_effect
    )


class RaceHelpers(SegmentCase):
    def hosts(self) -> HostMappings:
        return self.mech().segments.hosts

    def two_segments_on_li1(self, first_vlan: int) -> tuple[Any, Any, str]:
        """A routed network with two segments a node on LI-1 reaches, and that node."""
        network = self.multi_network(vlan("physnet1", first_vlan), vlan("physnet1", first_vlan + 1))
        first, second = self.segments_of(network["id"])
        return first, second, self.node_on(self.li1_us)

    def listed(self, node: str) -> tuple[set[str], set[str]]:
        """What a writer decides from one listing: (wanted, managed) for ``node``."""
        hosts = self.hosts()
        segments = hosts.records.all()
        wanted = hosts.segments_of(self.ironic_node(node), segments)
        assert wanted is not None
        return wanted, hosts.managed(segments)

    def ironic_node(self, node: str) -> Any:
        return self.hosts().ironic.node(node)

    def write(self, *args: Any) -> Any:
        """``HostMappings.write``; a foreign-key error fails the test (Neutron's test base
        would turn it into a skip)."""
        try:
            return self.hosts().write(*args)
        except db_exc.DBReferenceError as error:
            pytest.fail(f"the write did not survive a deleted segment: {error}")


class SegmentDeletedRace:
    """The write after a listing whose segment was deleted in between (on either database).

    A mixin (not a test case of its own): the sqlite and MariaDB classes below each run it.
    """

    def test_a_segment_deleted_after_the_listing_is_left_out_and_the_rest_written(self):
        first, second, node = self.two_segments_on_li1(72)
        wanted, managed = self.listed(node)
        assert wanted == {first.id, second.id}
        directory.get_plugin("segments").delete_segment(self.context, second.id)

        change = self.write(node, wanted, set(), managed)

        assert self.mapped()[node] == {first.id}
        assert change is not None and change.added == {first.id}, change

    def test_when_every_wanted_segment_is_gone_nothing_is_written(self):
        first, second, node = self.two_segments_on_li1(74)
        wanted, managed = self.listed(node)
        plugin = directory.get_plugin("segments")
        plugin.delete_segment(self.context, second.id)
        # The first segment cannot be deleted alone: the write wants only the deleted one.
        change = self.write(node, {second.id}, set(), managed)
        assert change is None
        assert node not in self.mapped()
        assert first.id in wanted


class SqliteRaceTests(SegmentDeletedRace, RaceHelpers):
    def test_a_write_that_keeps_losing_names_the_host_and_its_segments(self):
        first, second, node = self.two_segments_on_li1(76)
        wanted, managed = self.listed(node)
        duplicate = db_exc.DBDuplicateEntry(["segment_id", "host"])
        with neutrons_write(duplicate) as update, pytest.raises(HostMappingConflict) as raised:
            self.hosts().write(node, wanted, set(), managed)
        assert update.call_count == host_mappings.WRITE_ATTEMPTS
        text = str(raised.value)
        assert node in text and first.id in text and second.id in text, text
        assert f"({host_mappings.WRITE_ATTEMPTS} attempts," in text, text
        assert "DBDuplicateEntry" in text, text
        assert raised.value.host == node
        assert raised.value.segments == {first.id, second.id}

    def test_when_neutrons_own_retries_ran_out_the_write_gives_up_at_once(self):
        _first, _second, node = self.two_segments_on_li1(84)
        wanted, managed = self.listed(node)
        exhausted = db_exc.DBDeadlock()
        exhausted._RETRY_EXCEEDED = True  # as neutron_lib's retry marks what it gave up on
        with neutrons_write(exhausted) as update, pytest.raises(HostMappingConflict) as raised:
            self.hosts().write(node, wanted, set(), managed)
        assert update.call_count == 1
        assert "(1 attempt," in str(raised.value) and "DBDeadlock" in str(raised.value)

    def test_a_host_that_keeps_losing_does_not_stop_the_pass_for_the_others(self):
        network = self.multi_network(vlan("physnet1", 78), vlan("physnet4", 678))
        on_li1, on_li2 = self.segments_of(network["id"])
        unlucky, lucky = self.node_on(self.li1_us), self.node_on(self.li2_us)
        real = segments_plugin_db.update_segment_host_mapping

        def loses_for_unlucky(context: Any, host: str, segment_ids: set[str]) -> None:
            if host == unlucky:
                raise db_exc.DBDeadlock()
            real(context, host, segment_ids)

        with neutrons_write(loses_for_unlucky), pytest.raises(HostMappingConflict) as raised:
            self.hosts().refresh()
        assert raised.value.host == unlucky
        mapped = self.mapped()
        assert mapped[lucky] == {on_li2.id}
        assert unlucky not in mapped
        # The next pass, with the race over, writes it.
        self.hosts().refresh()
        assert self.mapped()[unlucky] == {on_li1.id}

    def test_an_error_that_is_no_race_is_not_retried(self):
        first, _second, node = self.two_segments_on_li1(80)
        wanted, managed = self.listed(node)
        not_a_race = db_exc.DBDataError("value too long")
        with neutrons_write(not_a_race) as update, pytest.raises(db_exc.DBDataError):
            self.hosts().write(node, wanted, set(), managed)
        assert update.call_count == 1
        assert first.id in wanted


@pytest.fixture(scope="module")
def mariadb_backend(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A MariaDB server for oslo.db's provisioning (Neutron's MySQL test mixin) to use.

    oslo.db reads OS_TEST_DBAPI_ADMIN_CONNECTION when it is imported, long before this
    module runs, so the backend is registered the way that setting would have.
    """
    with running_mariadb(Path(tmp_path_factory.mktemp("mariadb")) / "server") as server:
        url = f"mysql+pymysql://root:@127.0.0.1:{server.port}/"
        before = provision.Backend.backends_by_database_type.get("mysql")
        provision.Backend.backends_by_database_type["mysql"] = provision.Backend(
            "mysql", sa.engine.make_url(url)
        )
        testlib_api.OpportunisticDBTestMixin._database_resources.pop("mysql", None)
        try:
            yield url
        finally:
            if before is not None:
                provision.Backend.backends_by_database_type["mysql"] = before
            testlib_api.OpportunisticDBTestMixin._database_resources.pop("mysql", None)
            testlib_api.OpportunisticDBTestMixin._schema_resources.pop(("mysql", None), None)


@pytest.mark.slow
@pytest.mark.usefixtures("mariadb_backend")
class MariaDBRaceTests(testlib_api.MySQLTestCaseMixin, SegmentDeletedRace, RaceHelpers):
    SKIP_ON_UNAVAILABLE_DB = False  # the fixture starts the server: missing is a failure

    def test_the_database_is_mariadb(self):
        assert self.engine.dialect.name == "mysql"

    def test_another_writer_mapping_the_same_host_first_is_no_error(self):
        first, _second, node = self.two_segments_on_li1(82)
        managed = self.listed(node)[1]
        other = self.engine.connect()
        watcher = self.engine.connect()
        outcome: dict[str, Any] = {}

        def write() -> None:
            try:
                outcome["change"] = self.hosts().write(node, {first.id}, set(), managed)
            except BaseException as error:  # reported by the assertions below
                outcome["error"] = error

        writer = threading.Thread(target=write)
        try:
            held = other.begin()  # the other process's insert, not committed yet
            other.execute(
                sa.text("INSERT INTO segmenthostmappings (segment_id, host) VALUES (:s, :h)"),
                {"s": first.id, "h": node},
            )
            writer.start()

            def waiting_on_the_lock() -> bool:
                # The other's insert is done: a connection still inserting is the write,
                # waiting for the other's row.
                waits = watcher.execute(
                    sa.text("SELECT COUNT(*) FROM information_schema.PROCESSLIST "
                            "WHERE INFO LIKE 'INSERT INTO segmenthostmappings%'")
                ).scalar()  # fmt: skip
                watcher.commit()
                return bool(waits)

            wait_until(
                lambda: waiting_on_the_lock() or not writer.is_alive(),
                timeout=60,
                what="the write waiting on the row lock",
            )
            assert writer.is_alive(), f"the write did not wait for the other's row: {outcome}"
            held.commit()
            writer.join(timeout=60)
            assert not writer.is_alive()
        finally:
            other.close()
            watcher.close()
        # Neutron's own retry (update_segment_host_mapping retries a duplicate row outside a
        # transaction) or ours re-read the mappings: the write ends without an error.
        assert "error" not in outcome, outcome
        assert self.mapped()[node] == {first.id}
