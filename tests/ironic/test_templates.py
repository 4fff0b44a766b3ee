"""The template per deployment: a deploy template (a trait) names the template the claim uses.

Deployments run through Ironic's real conductor manager (no RPC) against the simulator; the
templates a deployment may choose are added to the simulator's inventory the way an operator
adds them in OneView.
"""

from __future__ import annotations

import copy
import uuid
from typing import Any
from unittest import mock

import oslo_messaging as messaging
from ironic import objects
from ironic.common import exception, states
from ironic.drivers.modules import fake
from ironic.tests.unit.objects import utils as obj_utils
from ov_base import OneViewTestCase, mgr_utils

from oneview_openstack.ironic import common, templates
from oneview_openstack.ironic.view import view_of

RAMDISK_BOOT = [*fake.FakeBoot.capabilities, "ramdisk_boot"]
INSTANCE = {"kernel": "file:///k", "ramdisk": "file:///r", "ironic_ramdisk_deploy": True}
TRAIT = "CUSTOM_OV_DATABASE"
TEMPLATE_STEP = ("deploy", "apply_server_profile_template")
# OneView's writes: each starts a task (a POST or PUT of a profile, a power action).
WRITES = ("POST ", "PUT ", "PATCH ", "DELETE ")


def add_template(server: Any, like: dict[str, Any], name: str, **changes: Any) -> dict[str, Any]:
    """A copy of template ``like`` named ``name`` (with ``changes``) in the simulator."""
    state = server.state
    with state.lock:
        body = copy.deepcopy(state.core.store.get(like["uri"]))
        for key in ("eTag", "created", "modified", "_revision"):
            body.pop(key, None)
        body.update(
            uri=f"/rest/server-profile-templates/{uuid.uuid4()}",
            name=name,
            description=f"{name}: chosen per deployment",
            serverProfileDescription=f"from {name}",
            **changes,
        )
        state.core.store.add(body)
    return {key: value for key, value in body.items() if not key.startswith("_")}


def deploy_template(context: Any, name: str, steps: list[dict[str, Any]]) -> Any:
    return obj_utils.create_test_deploy_template(context, name=name, steps=steps)


def template_step(template: str, priority: int = 150) -> dict[str, Any]:
    return {
        "interface": "deploy",
        "step": "apply_server_profile_template",
        "args": {"template": template},
        "priority": priority,
    }


def writes(stats: dict[str, Any]) -> dict[str, int]:
    return {
        route: count
        for route, count in stats["byRoute"].items()
        if route.startswith(WRITES) and "login-sessions" not in route
    }


def refusal(assert_raises: Any, deploy: Any) -> exception.InstanceDeployFailure:
    """The InstanceDeployFailure Ironic's API would answer ``node deploy`` with."""
    wrapped = assert_raises(messaging.rpc.ExpectedException, deploy)
    error = wrapped.exc_info[1]
    assert isinstance(error, exception.InstanceDeployFailure), error
    return error


@mgr_utils.mock_record_keepalive
class DeploymentTemplateTest(mgr_utils.ServiceSetUpMixin, OneViewTestCase):
    def setUp(self) -> None:
        super().setUp()
        patcher = mock.patch.object(fake.FakeBoot, "capabilities", RAMDISK_BOOT)
        patcher.start()
        self.addCleanup(patcher.stop)
        self._start_service()
        self.alternative = add_template(self.simulator_server, self.template, "ironic-database")
        self.node = self.make_node(
            provision_state=states.AVAILABLE, instance_info={**INSTANCE, "traits": [TRAIT]}
        )
        objects.TraitList.create(self.context, self.node.id, [TRAIT])

    def _deploy(self, **kwargs: Any) -> None:
        self.service.do_node_deploy(self.context, self.node.uuid, **kwargs)
        self.node.refresh()

    def _profile(self) -> dict[str, Any]:
        return self.sim.get(self.node.driver_info[common.APPLIED_PROFILE_URI])

    def test_a_trait_chooses_the_template_by_name_and_the_step_is_a_no_op(self):
        deploy_template(self.context, TRAIT, [template_step("ironic-database")])
        self.sim.reset_stats()
        self._deploy()
        self.assertEqual(states.ACTIVE, self.node.provision_state, self.node.last_error)
        self.assertEqual(
            self.alternative["uri"], self.node.driver_internal_info[common.CLAIM_TEMPLATE]
        )
        self.assertEqual("from ironic-database", self._profile()["description"])
        self.assertEqual(
            ["deploy.apply_server_profile_template"],
            self.node.driver_internal_info[common.COMPOSED_STEPS],
        )
        self.assertEqual(
            {"POST /rest/server-profiles": 1},
            {k: v for k, v in writes(self.sim.stats()).items() if "server-profiles" in k},
            "one profile create, no re-claim or edit by the step",
        )

    def test_the_template_by_uri_and_kept_linked_when_configured(self):
        self.config(keep_profiles_linked_to_template=True, group="oneview")
        deploy_template(self.context, TRAIT, [template_step(self.alternative["uri"])])
        self._deploy()
        self.assertEqual(states.ACTIVE, self.node.provision_state, self.node.last_error)
        self.assertEqual(self.alternative["uri"], self._profile()["serverProfileTemplateUri"])

    def test_without_a_trait_the_node_template_and_a_detached_profile(self):
        self._deploy()
        self.assertEqual(states.ACTIVE, self.node.provision_state, self.node.last_error)
        self.assertEqual(
            self.template["uri"], self.node.driver_internal_info[common.CLAIM_TEMPLATE]
        )
        self.assertEqual("", self._profile().get("serverProfileTemplateUri") or "")
        self.assertNotIn(common.COMPOSED_STEPS, self.node.driver_internal_info)

    def _refused(self, chosen: str, *words: str) -> None:
        """``node deploy`` fails at once (validate), the node still available, OneView unwritten."""
        deploy_template(self.context, TRAIT, [template_step(chosen)])
        server = self.server_of(self.node)
        self.sim.reset_stats()
        error = refusal(self.assertRaises, self._deploy)
        self.assertEqual(states.AVAILABLE, self.node.provision_state)
        for word in words:
            self.assertIn(word, str(error))
        self.assertEqual({}, writes(self.sim.stats()), "OneView was written to")
        self.assertIsNone(self.server_of(self.node).get("serverProfileUri"))
        self.assertEqual(server["powerState"], self.server_of(self.node)["powerState"])

    def test_a_template_of_another_hardware_type_is_refused_before_oneview_is_touched(self):
        rack = self.sim.template("ironic-dl360")
        server = self.server_of(self.node)
        self._refused(
            "ironic-dl360", rack["serverHardwareTypeUri"], server["serverHardwareTypeUri"]
        )

    def test_a_template_of_another_enclosure_group_is_refused_naming_both(self):
        other = add_template(
            self.simulator_server,
            self.template,
            "ironic-elsewhere",
            enclosureGroupUri="/rest/enclosure-groups/elsewhere",
        )
        server = self.server_of(self.node)
        self._refused(other["uri"], "/rest/enclosure-groups/elsewhere", server["serverGroupUri"])

    def test_an_unknown_template_is_refused_naming_it(self):
        self._refused("no-such-template", "'no-such-template'", "names no server profile template")

    def test_a_template_given_as_a_user_deploy_step_re_claims_the_server(self):
        first = self.sim.stats()["byRoute"].get("POST /rest/server-profiles", 0)
        self._deploy(deploy_steps=[template_step("ironic-database")])
        self.assertEqual(states.ACTIVE, self.node.provision_state, self.node.last_error)
        self.assertEqual("from ironic-database", self._profile()["description"])
        stats = self.sim.stats()["byRoute"]
        self.assertEqual(first + 2, stats.get("POST /rest/server-profiles", 0))
        self.assertEqual(1, stats.get("DELETE /rest/server-profiles/{id}", 0))
        self.assertEqual(1, len(self.simulator_profiles()))

    def test_an_incompatible_template_given_as_a_user_deploy_step_fails_the_step(self):
        self.sim.reset_stats()
        self._deploy(deploy_steps=[template_step("ironic-dl360")])
        self.assertEqual(states.DEPLOYFAIL, self.node.provision_state)
        self.assertIn("ironic-dl360", self.node.last_error)
        self.assertIn("server hardware type", self.node.last_error)
        stats = self.sim.stats()["byRoute"]
        self.assertEqual(1, stats.get("POST /rest/server-profiles", 0))  # the claim's, only
        self.assertNotIn("DELETE /rest/server-profiles/{id}", stats)

    def simulator_profiles(self) -> list[dict[str, Any]]:
        uri = self.node.driver_info["server_hardware_uri"]
        return [p for p in self.sim.members("server-profiles") if p.get("serverHardwareUri") == uri]


class ResolveTest(OneViewTestCase):
    def test_resolve_by_name_and_by_uri_and_refuse_malformed_values(self):
        node = self.make_node()
        with self.acquire(node) as task:
            view = view_of(task)
            self.assertEqual(
                self.template["uri"], templates.resolve(view, self.template["name"])["uri"]
            )
            self.assertEqual(
                self.template["uri"], templates.resolve(view, self.template["uri"])["uri"]
            )
            for bad, words in (
                (42, "42"),
                ("", "URI"),
                ("/rest/server-hardware/x", "not a server profile template URI"),
                ("/rest/server-profile-templates/gone", "names no server profile template"),
            ):
                error = self.assertRaises(
                    exception.InvalidParameterValue, templates.resolve, view, bad
                )
                self.assertIn(words, str(error))

    def test_an_unready_template_is_refused(self):
        node = self.make_node()
        with self.acquire(node) as task:
            view = view_of(task)
            virtual = templates.resolve(view, "ironic-virtual-mac-EG-1")
            error = self.assertRaises(
                exception.InvalidParameterValue, templates.check, view, virtual
            )
            self.assertIn("macType 'Virtual'", str(error))

    def test_a_linked_template_whose_connections_are_checked_is_refused(self):
        self.config(keep_profiles_linked_to_template=True, group="oneview")
        settings = {**self.template["connectionSettings"], "complianceControl": "Checked"}
        checked = add_template(
            self.simulator_server, self.template, "ironic-checked", connectionSettings=settings
        )
        node = self.make_node()
        with self.acquire(node) as task:
            view = view_of(task)
            error = self.assertRaises(
                exception.InvalidParameterValue, templates.chosen, view, checked["uri"]
            )
            self.assertIn("complianceControl 'Checked'", str(error))
            self.config(keep_profiles_linked_to_template=False, group="oneview")
            self.assertEqual(checked["uri"], templates.chosen(view, checked["uri"])["uri"])
