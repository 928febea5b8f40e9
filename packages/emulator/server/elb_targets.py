"""Target health for ECS tasks registered in ELBv2 target groups.

moto 5.2.1 reports every registered target as `healthy` at once and drops a target
from DescribeTargetHealth as soon as it is deregistered. The rollout needs the states
ELB really goes through (initial, healthy or unhealthy, draining), so health_for and
describe_target_health are wrapped to read a per-target override set by ecs_rollout.
"""

from __future__ import annotations

import logging
from typing import Any

from moto.elbv2 import models as elbv2_models

log = logging.getLogger("emulator.elbv2")

# (target group ARN, target id, port) -> {"state", "reason", "description"}
HEALTH: dict[tuple[str, str, int], dict[str, str | None]] = {}

_original_health_for = elbv2_models.FakeTargetGroup.health_for
_original_describe_target_health = elbv2_models.ELBv2Backend.describe_target_health


def _backend(account_id: str, region: str) -> Any:
    return elbv2_models.elbv2_backends[account_id][region]


def register(account_id: str, region: str, target_group_arn: str, target_id: str, port: int) -> bool:
    """Register a task's IP in a target group in the `initial` state.

    Returns False, after logging, when the target group does not exist, so a service
    pointing at a missing target group still rolls without load balancer steps."""
    try:
        _backend(account_id, region).register_targets(target_group_arn, [{"Id": target_id, "Port": port}])
    except elbv2_models.TargetGroupNotFoundError:
        log.warning("target group %s not found; task %s:%d was not registered", target_group_arn, target_id, port)
        return False
    set_state(
        account_id, region, target_group_arn, target_id, port,
        "initial", "Elb.RegistrationInProgress", "Target registration is in progress",
    )
    return True


def set_state(
    account_id: str,
    region: str,
    target_group_arn: str,
    target_id: str,
    port: int,
    state: str,
    reason: str | None = None,
    description: str | None = None,
) -> None:
    HEALTH[(target_group_arn, target_id, port)] = {
        "state": state,
        "reason": reason,
        "description": description,
    }


def begin_draining(account_id: str, region: str, target_group_arn: str, target_id: str, port: int) -> None:
    """Deregister a target in moto and report it as `draining` until finish_draining."""
    try:
        _backend(account_id, region).deregister_targets(target_group_arn, [{"Id": target_id, "Port": port}])
    except (elbv2_models.TargetGroupNotFoundError, elbv2_models.InvalidTargetError) as error:
        log.warning("deregistering %s:%d from %s failed: %s", target_id, port, target_group_arn, error)
    set_state(
        account_id, region, target_group_arn, target_id, port,
        "draining", "Target.DeregistrationInProgress", "Target deregistration is in progress",
    )


def finish_draining(account_id: str, region: str, target_group_arn: str, target_id: str, port: int) -> None:
    # With the override gone moto reports the target as `unused`, Target.NotRegistered.
    HEALTH.pop((target_group_arn, target_id, port), None)


def reset_state() -> None:
    HEALTH.clear()


def _health_for(self: Any, target: dict[str, Any], ec2_backend: Any) -> Any:
    port = int(target.get("Port") or self.targets.get(target["Id"], {}).get("Port") or self.port or 0)
    override = HEALTH.get((self.arn, target["Id"], port))
    if override is None:
        return _original_health_for(self, target, ec2_backend)
    return elbv2_models.FakeHealthStatus(
        target["Id"],
        port,
        self.health_check_port,
        override["state"],
        override["reason"],
        override["description"],
    )


def _describe_target_health(self: Any, target_group_arn: str, targets: list[dict[str, Any]]) -> Any:
    if not targets:
        target_group = self.target_groups.get(target_group_arn)
        if target_group is not None:
            targets = [dict(t) for t in target_group.targets.values()]
            listed = {(t["Id"], int(t["Port"])) for t in targets}
            # ELB keeps listing draining targets until the deregistration delay ends.
            for (arn, target_id, port), override in HEALTH.items():
                if arn == target_group_arn and override["state"] == "draining" and (target_id, port) not in listed:
                    targets.append({"Id": target_id, "Port": port})
    return _original_describe_target_health(self, target_group_arn, targets)


def install() -> None:
    elbv2_models.FakeTargetGroup.health_for = _health_for
    elbv2_models.ELBv2Backend.describe_target_health = _describe_target_health
