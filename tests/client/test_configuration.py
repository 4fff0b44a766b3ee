"""Configuration over real HTTPS: the views parse what the simulator serves, the builders' sections
are what it applies, and the new resource calls (BIOS, firmware, baselines, compliance, update
from template, an edit that does not wait) behave as OneView's do.
"""

from __future__ import annotations

import pytest

from oneview_openstack.client import BadRequest, configuration, profile_sections
from oneview_openstack.client.etag import update_with_etag
from oneview_openstack.client.profile_sections import SettingRejected
from oneview_openstack.client.resources import FirmwareDrivers
from oneview_openstack.client.tasks import TaskView


def _types(client) -> dict[str, configuration.HardwareTypeConfig]:
    return {
        sht["name"]: configuration.hardware_type_config(sht)
        for sht in client.server_hardware_types.list()
    }


def _free_off_server(client, template):
    return next(
        s
        for s in client.server_hardware.list()
        if s["powerState"] == "Off"
        and not s["serverProfileUri"]
        and s["serverHardwareTypeUri"] == template["serverHardwareTypeUri"]
    )


def _template(client):
    """The blade template: the inventory has the most free, powered-off servers of its type."""
    return client.server_profile_templates.find_by_name("ironic-EG-1")


def test_hardware_types_by_generation(client):
    types = _types(client)
    gen10 = types["DL360 Gen10 1"]
    assert gen10.generation == 10 and gen10.secure_boot
    assert gen10.manage_bios and gen10.manage_local_storage and gen10.firmware_update
    kinds = [s.kind for s in gen10.bios.values()]
    assert kinds.count("enumeration") >= 6
    assert kinds.count("integer") >= 1 and kinds.count("string") >= 1
    assert "RAID1" in gen10.raid_levels and gen10.maximum_drives
    assert types["SY 480 Gen10 1"].secure_boot
    gen9 = types["DL360 Gen9 1"]
    assert gen9.generation == 9 and not gen9.secure_boot
    assert gen9.bios and set(gen9.bios) != set(gen10.bios)  # Gen9 ROMs name other settings
    integers = [s for t in types.values() for s in t.bios.values() if s.kind == "integer"]
    assert len({(s.lower_bound, s.upper_bound) for s in integers}) >= 2
    assert all(s.lower_bound is not None and s.upper_bound is not None for s in integers)


def test_current_bios_values_are_valid_registry_values(client):
    types = {sht["uri"]: sht for sht in client.server_hardware_types.list()}
    for server in client.server_hardware.list()[:6]:
        config = configuration.hardware_type_config(types[server["serverHardwareTypeUri"]])
        values = configuration.current_bios(client.server_hardware.bios(server["uri"]))
        assert set(values) == set(config.bios), server["name"]
        for setting_id, value in values.items():
            assert profile_sections.bios_value(config.bios[setting_id], value) == value


def test_firmware_inventory_and_local_storage(client):
    server = client.server_hardware.list()[0]
    components = configuration.firmware_components(client.server_hardware.firmware(server["uri"]))
    assert len(components) >= 3
    assert all(c.version and c.key for c in components)
    storage = configuration.local_storage(client.server_hardware.local_storage(server["uri"]))
    assert len(storage.drives) >= 2
    assert all(d.size_gb and d.media in ("ssd", "hdd") for d in storage.drives)


def test_firmware_baselines_by_short_name_uri_and_name(client):
    members = client.firmware_drivers.list()
    assert 2 <= len(members) <= 3
    newest = max(members, key=lambda b: b["releaseDate"])
    baseline = client.firmware_drivers.baseline(newest["baselineShortName"])
    assert baseline.uri == newest["uri"] and baseline.components
    assert client.firmware_drivers.baseline(newest["uri"]) == baseline
    assert client.firmware_drivers.find(newest["baselineShortName"])["uri"] == newest["uri"]
    assert client.firmware_drivers.find(newest["name"])["uri"] == newest["uri"]
    assert client.firmware_drivers.baseline(newest["uri"].rsplit("/", 1)[1]) == baseline  # id
    assert client.firmware_drivers.find("SPP_1999_01") is None
    with pytest.raises(SettingRejected) as caught:
        client.firmware_drivers.baseline("SPP_1999_01")
    assert caught.value.value == "SPP_1999_01"
    assert newest["baselineShortName"] in caught.value.accepted
    with pytest.raises(SettingRejected):
        client.firmware_drivers.baseline("/rest/firmware-drivers/no-such-baseline")


class _TwoAlike(FirmwareDrivers):
    """The appliance's baselines plus a copy of the first under the same name."""

    def list(self, **kwargs):
        members = super().list(**kwargs)
        return [*members, {**members[0], "uri": self.path + "/copy", "baselineShortName": "X"}]


def test_a_baseline_name_shared_by_two_is_refused_not_guessed(client):
    family = _TwoAlike(client.connector, client.waiter)
    name = family.list()[0]["name"]
    with pytest.raises(SettingRejected) as caught:
        family.find(name)
    assert caught.value.value == name and "names 2 baselines" in str(caught.value)
    assert "X" in caught.value.accepted
    assert family.find("X")["uri"].endswith("/copy")  # the short name is precise


def test_a_claim_with_composed_sections_lands_on_the_server(client):
    template = _template(client)
    server = _free_off_server(client, template)
    config = configuration.hardware_type_config(
        client.server_hardware_types.get(template["serverHardwareTypeUri"])
    )
    drives = configuration.local_storage(client.server_hardware.local_storage(server["uri"]))
    enumeration = next(s for s in config.bios.values() if s.kind == "enumeration")
    choice = next(o for o in enumeration.options if o != enumeration.default)
    sections = {
        "bios": profile_sections.bios_section(
            profile_sections.bios_overrides(config, [{"name": enumeration.id, "value": choice}])
        ),
        "localStorage": profile_sections.local_storage_section(
            config,
            {"logical_disks": [{"size_gb": "MAX", "raid_level": "1", "is_root_volume": True}]},
            drives,
        ),
        "bootMode": profile_sections.boot_mode_section(config, "uefi", True),
    }
    profile = client.server_profiles.create_from_template(
        template["uri"],
        "composed-1",
        server["uri"],
        customise=lambda body: profile_sections.merge_sections(body, sections),
    )
    assert profile["bootMode"]["secureBoot"] == "Enabled"
    values = configuration.current_bios(client.server_hardware.bios(server["uri"]))
    assert values[enumeration.id] == choice
    (root,) = configuration.local_storage(
        client.server_hardware.local_storage(server["uri"])
    ).logical_drives
    assert (root.raid_level, root.bootable, root.drive_count) == ("1", True, 2)
    assert root.size_gb


def test_a_refused_section_names_what_the_simulator_offers(client):
    types = _types(client)
    with pytest.raises(SettingRejected) as caught:
        profile_sections.boot_mode_section(types["DL360 Gen9 1"], "uefi", True)
    assert "Gen9" in str(caught.value)


def test_an_edit_without_wait_returns_the_started_task(client):
    template = _template(client)
    server = _free_off_server(client, template)
    profile = client.server_profiles.create_from_template(
        template["uri"], "nowait-1", server["uri"]
    )

    def rename(body):
        body["description"] = "edited without waiting"
        return True

    result = client.server_profiles.update(profile["uri"], rename, wait=False)
    assert result.changed and result.task is not None
    assert not TaskView.of(result.task).finished  # what the PUT answered: just started
    done = client.waiter.wait(result.task)
    assert TaskView.of(done).finished
    assert client.server_profiles.get(profile["uri"])["description"] == "edited without waiting"


def test_update_from_template_patches_template_compliance(client):
    template = _template(client)
    server = _free_off_server(client, template)
    linked = client.server_profiles.create_from_template(
        template["uri"], "linked-1", server["uri"], detach=False
    )
    assert linked["serverProfileTemplateUri"] == template["uri"]
    started = client.server_profiles.update_from_template(linked["uri"], wait=False)
    assert not TaskView.of(started).finished
    assert TaskView.of(client.waiter.wait(started)).finished
    assert client.server_profiles.get(linked["uri"])["templateCompliance"] == "Compliant"
    detached = client.server_profiles.create_from_template(
        template["uri"], "detached-1", _free_off_server(client, template)["uri"]
    )
    with pytest.raises(BadRequest) as caught:
        client.server_profiles.update_from_template(detached["uri"])
    assert caught.value.error_code == "PROFILE_NOT_ASSOCIATED_WITH_TEMPLATE"


def test_a_template_change_shows_in_the_preview_and_update_from_template_applies_it(client):
    template = _template(client)
    server = _free_off_server(client, template)
    linked = client.server_profiles.create_from_template(
        template["uri"], "linked-2", server["uri"], detach=False
    )
    preview = configuration.compliance_preview(
        client.server_profiles.compliance_preview(linked["uri"])
    )
    assert not preview.changes  # just made from the template
    config = configuration.hardware_type_config(
        client.server_hardware_types.get(template["serverHardwareTypeUri"])
    )
    setting = next(s for s in config.bios.values() if s.kind == "enumeration")
    choice = next(o for o in setting.options if o != setting.default)
    overrides = profile_sections.bios_overrides(config, [{"name": setting.id, "value": choice}])

    def check_bios(body):
        bios = {**profile_sections.bios_section(overrides), "complianceControl": "Checked"}
        return profile_sections.merge_sections(body, {"bios": bios})

    update_with_etag(client.connector, template["uri"], check_bios, waiter=client.waiter)
    assert client.server_profiles.get(linked["uri"])["templateCompliance"] == "NonCompliant"
    preview = configuration.compliance_preview(
        client.server_profiles.compliance_preview(linked["uri"])
    )
    assert preview.automatic and not preview.manual
    client.server_profiles.update_from_template(linked["uri"])
    assert client.server_profiles.get(linked["uri"])["templateCompliance"] == "Compliant"
    values = configuration.current_bios(client.server_hardware.bios(server["uri"]))
    assert values[setting.id] == choice
    preview = configuration.compliance_preview(
        client.server_profiles.compliance_preview(linked["uri"])
    )
    assert not preview.changes


def test_patches_go_as_json_patch_documents(client):
    """The content type on the wire, seen by a response hook of the client's own session."""
    sent: list[tuple[str, str | None]] = []
    session = client.connector.transport._session
    session.hooks["response"].append(
        lambda reply, **_: sent.append(
            (reply.request.method, reply.request.headers.get("Content-Type"))
        )
    )
    template = _template(client)
    server = _free_off_server(client, template)
    linked = client.server_profiles.create_from_template(
        template["uri"], "linked-3", server["uri"], detach=False
    )
    client.server_profiles.update_from_template(linked["uri"])
    client.server_hardware.set_uid_state(server["uri"], "Blink")
    patches = [kind for method, kind in sent if method == "PATCH"]
    assert patches == ["application/json-patch+json"] * 2
    assert ("POST", "application/json") in sent  # other writes stay plain JSON


def test_every_profile_write_path_sends_the_etag_it_read(client, simulator, sim):
    """Judged by the simulator's own record of profile writes (``/_sim/edits``), not the client.

    Each edit helper, and the re-read after a stale-eTag refusal, must leave no interleaved
    edit: every PUT carried the eTag the profile had when it arrived (or was refused with 412).
    """
    from oneview_openstack.simulator.testing import Witness, interleaved_edits

    template = _template(client)
    server = _free_off_server(client, template)
    profile = client.server_profiles.create_from_template(
        template["uri"], "etag-paths-1", server["uri"]
    )
    uri = profile["uri"]
    witness = Witness.of(simulator)
    witness("DELETE", "_sim/stats")
    profiles = client.server_profiles
    boot = profile.get("boot", {}).get("order") or []
    profiles.set_boot_order(
        uri, ["HardDisk", "PXE"] if boot[:1] == ["PXE"] else ["PXE", "HardDisk"]
    )
    mode = (profile.get("bootMode") or {}).get("mode")
    profiles.set_boot_mode(uri, "BIOS" if mode != "BIOS" else "UEFIOptimized")
    profiles.update_connections(uri, lambda connections: bool(connections.pop()) or True)
    sim.arm("etag_conflict", method="PUT", path="/rest/server-profiles/*", times=1)
    result = profiles.update(uri, lambda body: body.update(description="after a 412") is None)
    assert result.attempts == 2
    edits = witness.edits(uri)
    witness.http.close()
    puts = [e for e in edits if e["method"] == "PUT"]
    assert [e["changed"] for e in puts] == [True, True, True, False, True], puts
    assert all(e["sentETag"] not in (None, "*") for e in puts), puts
    assert all(e["sentETag"] == e["eTagBefore"] for e in puts if e["changed"]), puts
    assert interleaved_edits(edits) == []
