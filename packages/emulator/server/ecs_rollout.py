"""ECS service deployments that roll forward in time.

moto 5.2.1 stores services but never starts tasks or deployments. This module keeps
its own model of each service (deployments, tasks, events) and a background ticker
advances it: tasks go PROVISIONING -> PENDING -> RUNNING, register in the service's
target groups, become healthy, and then the tasks of older deployments drain and stop.

Every public function here expects the caller to hold LOCK, except Ticker, which takes
it itself. Request handlers for the ECS and ELBv2 APIs hold the same lock (see
emulator_app.py), so a response never shows a half-applied tick.

Sources for ECS's wording and limits:
- Circuit breaker threshold: ServiceDeploymentCircuitBreaker in the ECS API reference
  (https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ServiceDeploymentCircuitBreaker.html):
  "a minimum threshold of 3 and a maximum threshold of 200", computed as
  0.5 * desired task count.
- Image pull failure reason: the CannotPullContainerError stoppedReason quoted at
  https://devopsaitoolkit.com/blog/aws-error-cannot-pull-container-error-ecs/
  ("pull image manifest has been retried 5 time(s): failed to resolve ref ...").
- Service event messages follow the forms ECS prints in DescribeServices events,
  such as "(service NAME) has reached a steady state."
"""

from __future__ import annotations

import logging
import math
import random
import threading
import time
import uuid
from dataclasses import asdict, dataclass, field, fields
from typing import Any

import elb_targets

log = logging.getLogger("emulator.ecs")

LOCK = threading.RLock()

MAX_EVENTS = 100
# Bounds memory when a failing deployment without a circuit breaker replaces tasks forever.
MAX_STOPPED_TASKS_PER_SERVICE = 200

OUTCOMES = (
    "healthy",
    "slow-start",
    "image-pull-failure",
    "crash-loop",
    "failing-health-check",
    "secrets-failure",
    "missing-log-group",
)

# Outcomes whose tasks stop while PENDING with a ResourceInitializationError, keyed to the
# stoppedReason ECS (Fargate platform 1.4) gives. Wording after the AWS knowledge-center
# articles on troubleshooting ResourceInitializationError in Fargate tasks.
RESOURCE_INITIALIZATION_REASONS = {
    "secrets-failure": (
        "ResourceInitializationError: unable to pull secrets or registry auth: execution resource "
        "retrieval failed: unable to retrieve secret from asm: service call has been retried 1 time(s): "
        "failed to fetch secret {secret} from secrets manager: AccessDeniedException: "
        "User is not authorized to perform: secretsmanager:GetSecretValue"
    ),
    "missing-log-group": (
        "ResourceInitializationError: failed to validate logger args: create stream has been retried "
        "1 times: failed to create Cloudwatch log stream: ResourceNotFoundException: "
        "The specified log group does not exist. : exit status 1"
    ),
}

# Output lines of a crashing container before it exits, when the rule gives no logLines.
DEFAULT_CRASH_LOG_LINES = (
    "Starting application",
    "Error: the application could not start",
)

ACTIVE_STATUSES = ("PROVISIONING", "PENDING", "RUNNING")


@dataclass
class Timing:
    """Durations of each simulated step, in seconds."""

    tickSeconds: float = 0.1
    provisionSeconds: float = 0.5
    taskStartSeconds: float = 1.0
    healthySeconds: float = 1.0
    drainSeconds: float = 1.0
    stopSeconds: float = 0.3
    slowStartSeconds: float = 5.0
    crashSeconds: float = 1.0


TIMING = Timing()


def update_timing(values: dict[str, Any]) -> Timing:
    """Apply a partial timing update, rejecting unknown keys and negative values."""
    known = {f.name for f in fields(Timing)}
    for key, value in values.items():
        if key not in known:
            raise ValueError(
                f"unknown timing key {key!r}: expected one of {sorted(known)}"
            )
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
            raise ValueError(
                f"timing {key} must be a number >= 0 seconds, got {value!r}"
            )
    for key, value in values.items():
        setattr(TIMING, key, float(value))
    if TIMING.tickSeconds < 0.01:
        TIMING.tickSeconds = 0.01
    return TIMING


def timing_dict() -> dict[str, float]:
    return asdict(TIMING)


@dataclass
class OutcomeRule:
    outcome: str
    service: str | None = None
    image: str | None = None
    exitCode: int = 1
    # Lines the essential container writes to CloudWatch Logs before a crash-loop exit.
    logLines: list[str] | None = None

    def matches(self, service_name: str, images: list[str]) -> bool:
        if self.service is not None and self.service != service_name:
            return False
        if self.image is not None:
            return any(self.image == image or self.image in image for image in images)
        return True


OUTCOME_RULES: list[OutcomeRule] = []


def add_outcome_rule(body: dict[str, Any]) -> OutcomeRule:
    outcome = body.get("outcome")
    if outcome not in OUTCOMES:
        raise ValueError(f"outcome must be one of {list(OUTCOMES)}, got {outcome!r}")
    for key in ("service", "image"):
        if body.get(key) is not None and not isinstance(body[key], str):
            raise ValueError(f"{key} must be a string, got {body[key]!r}")
    exit_code = body.get("exitCode", 1)
    if isinstance(exit_code, bool) or not isinstance(exit_code, int):
        raise ValueError(f"exitCode must be an integer, got {exit_code!r}")
    log_lines = body.get("logLines")
    if log_lines is not None and (
        not isinstance(log_lines, list) or not all(isinstance(line, str) for line in log_lines)
    ):
        raise ValueError(f"logLines must be a list of strings, got {log_lines!r}")
    rule = OutcomeRule(
        outcome=outcome,
        service=body.get("service"),
        image=body.get("image"),
        exitCode=exit_code,
        logLines=log_lines,
    )
    OUTCOME_RULES.append(rule)
    return rule


def choose_outcome(service_name: str, images: list[str]) -> OutcomeRule:
    """Return the newest matching rule, or a healthy rule when none matches."""
    for rule in reversed(OUTCOME_RULES):
        if rule.matches(service_name, images):
            return rule
    return OutcomeRule(outcome="healthy")


def new_deployment_id() -> str:
    return "ecs-svc/" + "".join(random.choice("0123456789") for _ in range(19))


def circuit_breaker_threshold(desired_count: int) -> int:
    # NOTE: the ECS reference gives "0.5 * desired task count" bounded to [3, 200]
    # without saying how it rounds. Rounding up is a guess.
    return min(200, max(3, math.ceil(0.5 * desired_count)))


@dataclass
class Deployment:
    id: str
    task_definition: str
    desired_count: int
    launch_type: str | None
    platform_version: str | None
    network_configuration: dict[str, Any] | None
    status: str = "PRIMARY"
    rollout_state: str = "IN_PROGRESS"
    rollout_state_reason: str = ""
    failed_tasks: int = 0
    created_at: float = field(default_factory=time.time)
    updated_at: float = field(default_factory=time.time)

    def __post_init__(self) -> None:
        if not self.rollout_state_reason:
            self.rollout_state_reason = f"ECS deployment {self.id} in progress."


@dataclass
class TaskTarget:
    target_group_arn: str
    port: int
    deregistered: bool = False


@dataclass
class Task:
    id: str
    arn: str
    deployment_id: str
    task_definition: str
    containers: list[dict[str, Any]]
    outcome: OutcomeRule
    private_ip: str
    eni_id: str
    subnet_id: str
    attachment_id: str
    mac_address: str
    cpu: str | None
    memory: str | None
    has_health_check: bool
    last_status: str = "PROVISIONING"
    desired_status: str = "RUNNING"
    healthy: bool = False
    unhealthy: bool = False
    created_at: float = field(default_factory=time.time)
    pull_started_at: float | None = None
    pull_stopped_at: float | None = None
    started_at: float | None = None
    stopping_at: float | None = None
    stopped_at: float | None = None
    stop_code: str | None = None
    stopped_reason: str | None = None
    exit_code: int | None = None
    container_reason: str | None = None
    next_at: float = 0.0
    crash_at: float | None = None
    targets: list[TaskTarget] = field(default_factory=list)
    version: int = 1


@dataclass
class Service:
    account_id: str
    region: str
    cluster_name: str
    cluster_arn: str
    name: str
    arn: str
    desired_count: int
    launch_type: str | None
    platform_version: str | None
    network_configuration: dict[str, Any] | None
    load_balancers: list[dict[str, Any]]
    deployment_configuration: dict[str, Any]
    # Request fields that moto does not store, echoed back in service descriptions.
    extra_fields: dict[str, Any] = field(default_factory=dict)
    deployments: list[Deployment] = field(default_factory=list)
    tasks: list[Task] = field(default_factory=list)
    events: list[dict[str, Any]] = field(default_factory=list)
    deleted: bool = False
    steady: bool = False
    last_completed_deployment_id: str | None = None
    last_completed_task_definition: str | None = None

    @property
    def primary(self) -> Deployment | None:
        return self.deployments[0] if self.deployments else None

    def add_event(self, message: str) -> None:
        self.events.insert(
            0, {"id": str(uuid.uuid4()), "createdAt": time.time(), "message": message}
        )
        del self.events[MAX_EVENTS:]

    def deployment(self, deployment_id: str) -> Deployment | None:
        for deployment in self.deployments:
            if deployment.id == deployment_id:
                return deployment
        return None

    def circuit_breaker(self) -> dict[str, Any]:
        return self.deployment_configuration.get("deploymentCircuitBreaker") or {}


SERVICES: dict[tuple[str, str, str, str], Service] = {}


def service_key(account_id: str, region: str, cluster: str, name: str) -> tuple[str, str, str, str]:
    return (account_id, region, cluster.split("/")[-1], name.split("/")[-1])


def find_service(account_id: str, region: str, cluster: str, name: str) -> Service | None:
    return SERVICES.get(service_key(account_id, region, cluster, name))


def reset_state() -> None:
    SERVICES.clear()
    OUTCOME_RULES.clear()


def default_deployment_configuration(requested: dict[str, Any] | None) -> dict[str, Any]:
    config: dict[str, Any] = {
        "deploymentCircuitBreaker": {"enable": False, "rollback": False},
        "maximumPercent": 200,
        "minimumHealthyPercent": 100,
    }
    merge_deployment_configuration(config, requested)
    return config


def merge_deployment_configuration(config: dict[str, Any], requested: dict[str, Any] | None) -> None:
    if not requested:
        return
    for key, value in requested.items():
        if key == "deploymentCircuitBreaker" and isinstance(value, dict):
            breaker = dict(config.get("deploymentCircuitBreaker") or {})
            breaker.update(value)
            config[key] = breaker
        else:
            config[key] = value


def start_deployment(service: Service, task_definition: str, now: float) -> Deployment:
    """Make a new PRIMARY deployment; older deployments become ACTIVE."""
    for existing in service.deployments:
        existing.status = "ACTIVE"
        existing.updated_at = now
    deployment = Deployment(
        id=new_deployment_id(),
        task_definition=task_definition,
        desired_count=service.desired_count,
        launch_type=service.launch_type,
        platform_version=service.platform_version,
        network_configuration=service.network_configuration,
        created_at=now,
        updated_at=now,
    )
    service.deployments.insert(0, deployment)
    service.steady = False
    return deployment


# --- task lifecycle -------------------------------------------------------------


def _fake_ip(service: Service) -> str:
    used = {task.private_ip for task in service.tasks}
    while True:
        ip = f"10.0.{random.randint(0, 255)}.{random.randint(4, 254)}"
        if ip not in used:
            return ip


def launch_task(service: Service, deployment: Deployment, task_definition: Any, now: float) -> Task:
    containers = []
    for definition in task_definition.container_definitions:
        containers.append(
            {
                "name": definition.get("name"),
                "image": definition.get("image"),
                "essential": definition.get("essential", True),
                "cpu": definition.get("cpu"),
                "memory": definition.get("memory"),
                "healthCheck": definition.get("healthCheck"),
                # Kept for writing a crashing container's output to CloudWatch Logs; not rendered.
                "logConfiguration": definition.get("logConfiguration"),
                "secrets": definition.get("secrets"),
                "containerArn": (
                    f"arn:aws:ecs:{service.region}:{service.account_id}:container/"
                    f"{service.cluster_name}/{uuid.uuid4().hex}/{uuid.uuid4()}"
                ),
            }
        )
    images = [c["image"] for c in containers if c["image"]]
    task_id = uuid.uuid4().hex
    subnets = ((service.network_configuration or {}).get("awsvpcConfiguration") or {}).get("subnets") or []
    task = Task(
        id=task_id,
        arn=f"arn:aws:ecs:{service.region}:{service.account_id}:task/{service.cluster_name}/{task_id}",
        deployment_id=deployment.id,
        task_definition=deployment.task_definition,
        containers=containers,
        outcome=choose_outcome(service.name, images),
        private_ip=_fake_ip(service),
        eni_id="eni-" + uuid.uuid4().hex[:17],
        subnet_id=subnets[0] if subnets else "subnet-" + uuid.uuid4().hex[:17],
        attachment_id=str(uuid.uuid4()),
        mac_address=":".join(f"{random.randint(0, 255):02x}" for _ in range(6)),
        cpu=getattr(task_definition, "cpu", None),
        memory=getattr(task_definition, "memory", None),
        has_health_check=any(c["healthCheck"] for c in containers),
        created_at=now,
        next_at=now + TIMING.provisionSeconds,
    )
    service.tasks.append(task)
    return task


class TickEvents:
    """Collects what happened to one service in one tick, so events read like ECS's
    (one "has started 2 tasks" event rather than two)."""

    def __init__(self) -> None:
        self.started: list[Task] = []
        self.registered: dict[str, int] = {}
        self.draining: list[Task] = []
        self.deregistered: dict[str, int] = {}
        self.stopped: list[Task] = []
        self.unhealthy: list[tuple[Task, TaskTarget]] = []

    def emit(self, service: Service) -> None:
        name = service.name
        if self.started:
            ids = " ".join(f"(task {t.id})" for t in self.started)
            service.add_event(f"(service {name}) has started {len(self.started)} tasks: {ids}.")
        for arn, count in self.registered.items():
            service.add_event(f"(service {name}) registered {count} targets in (target-group {arn})")
        for task, target in self.unhealthy:
            service.add_event(
                f"(service {name}) (port {target.port}) is unhealthy in (target-group "
                f"{target.target_group_arn}) due to (reason Health checks failed with these codes: [503])."
            )
        if self.draining:
            service.add_event(
                f"(service {name}) has begun draining connections on {len(self.draining)} tasks."
            )
        for arn, count in self.deregistered.items():
            service.add_event(f"(service {name}) deregistered {count} targets in (target-group {arn})")
        if self.stopped:
            ids = " ".join(f"(task {t.id})" for t in self.stopped)
            service.add_event(
                f"(service {name}) has stopped {len(self.stopped)} running tasks: {ids}."
            )


def _essential_container(task: Task) -> dict[str, Any]:
    for container in task.containers:
        if container.get("essential", True):
            return container
    return task.containers[0]


def stop_task(
    service: Service,
    task: Task,
    now: float,
    stop_code: str,
    reason: str,
    tick: TickEvents,
) -> None:
    """Begin stopping a task: drain its targets first when it has any."""
    if task.desired_status == "STOPPED":
        return
    was_running = task.last_status == "RUNNING"
    task.desired_status = "STOPPED"
    task.stopping_at = now
    task.stop_code = stop_code
    task.stopped_reason = reason
    task.version += 1
    live_targets = [t for t in task.targets if not t.deregistered]
    if live_targets:
        for target in live_targets:
            elb_targets.begin_draining(
                service.account_id, service.region, target.target_group_arn, task.private_ip, target.port
            )
        task.last_status = "DEACTIVATING"
        task.next_at = now + TIMING.drainSeconds
        tick.draining.append(task)
        return
    if task.last_status in ("PROVISIONING", "PENDING"):
        _finish_stop(task, now)
        return
    task.last_status = "STOPPING"
    task.next_at = now + TIMING.stopSeconds
    if was_running and stop_code != "EssentialContainerExited":
        tick.stopped.append(task)


def _finish_stop(task: Task, now: float) -> None:
    task.last_status = "STOPPED"
    task.desired_status = "STOPPED"
    task.stopped_at = now
    task.healthy = False
    task.version += 1
    for container in task.containers:
        if container.get("exitCode") is None and task.started_at is not None:
            # The emulator reports exit code 0 for containers that the scheduler stops.
            container["exitCode"] = 0
    if task.stopping_at is None:
        task.stopping_at = now


def record_failure(service: Service, task: Task, now: float) -> None:
    """Count a failed task against its deployment and trip the circuit breaker."""
    deployment = service.deployment(task.deployment_id)
    service.steady = False
    if deployment is None:
        return
    deployment.failed_tasks += 1
    deployment.updated_at = now
    breaker = service.circuit_breaker()
    if not breaker.get("enable"):
        return
    if deployment is not service.primary or deployment.rollout_state != "IN_PROGRESS":
        return
    if deployment.failed_tasks < circuit_breaker_threshold(deployment.desired_count):
        return

    deployment.rollout_state = "FAILED"
    deployment.rollout_state_reason = "ECS deployment circuit breaker: tasks failed to start."
    service.add_event(
        f"(service {service.name}) (deployment {deployment.id}) deployment failed: tasks failed to start."
    )
    log.info(
        "circuit breaker tripped for service %s deployment %s after %d failed tasks",
        service.name, deployment.id, deployment.failed_tasks,
    )
    previous = service.last_completed_task_definition
    if not breaker.get("rollback") or not previous or previous == deployment.task_definition:
        return
    rollback = start_deployment(service, previous, now)
    # NOTE: the wording of the rollback event is recalled from ECS consoles, not
    # checked against an AWS document.
    service.add_event(
        f"(service {service.name}) rolling back to deployment {service.last_completed_deployment_id}."
    )
    rollback.rollout_state_reason = f"ECS deployment {rollback.id} in progress."
    set_moto_task_definition(service, previous)
    log.info("service %s rolling back to %s", service.name, previous)


def set_moto_task_definition(service: Service, task_definition: str) -> None:
    from moto.ecs.models import ecs_backends

    backend = ecs_backends[service.account_id][service.region]
    moto_service = backend.services.get(f"{service.cluster_name}:{service.name}")
    if moto_service is not None:
        moto_service.task_definition = task_definition


def _advance_task(service: Service, task: Task, now: float, tick: TickEvents) -> None:
    if task.last_status == "RUNNING" and task.crash_at is not None and now >= task.crash_at:
        _crash(service, task, now, tick)
        return
    if task.last_status == "STOPPED" or now < task.next_at:
        return

    if task.last_status == "PROVISIONING":
        task.last_status = "PENDING"
        task.pull_started_at = now
        delay = TIMING.taskStartSeconds
        if task.outcome.outcome == "slow-start":
            delay += TIMING.slowStartSeconds
        task.next_at = now + delay
        task.version += 1
        return

    if task.last_status == "PENDING":
        if task.outcome.outcome == "image-pull-failure":
            image = _essential_container(task).get("image")
            reason = (
                "CannotPullContainerError: pull image manifest has been retried 5 time(s): "
                f'failed to resolve ref "{image}": {image}: not found'
            )
            task.stop_code = "TaskFailedToStart"
            task.stopped_reason = reason
            task.stopping_at = now
            for container in task.containers:
                container["reason"] = reason
            _finish_stop(task, now)
            record_failure(service, task, now)
            return
        if task.outcome.outcome in RESOURCE_INITIALIZATION_REASONS:
            _fail_initialization(service, task, now)
            return
        task.last_status = "RUNNING"
        task.pull_stopped_at = now
        task.started_at = now
        task.next_at = now + TIMING.healthySeconds
        task.version += 1
        if task.outcome.outcome == "crash-loop":
            task.crash_at = now + TIMING.crashSeconds
        _register_targets(service, task, tick)
        return

    if task.last_status == "RUNNING" and task.desired_status == "RUNNING":
        _check_health(service, task, now, tick)
        return

    if task.last_status == "DEACTIVATING":
        for target in task.targets:
            if not target.deregistered:
                elb_targets.finish_draining(
                    service.account_id, service.region, target.target_group_arn, task.private_ip, target.port
                )
                target.deregistered = True
                tick.deregistered[target.target_group_arn] = tick.deregistered.get(target.target_group_arn, 0) + 1
        task.last_status = "STOPPING"
        task.next_at = now + TIMING.stopSeconds
        if task.stop_code == "ServiceSchedulerInitiated" and task.started_at is not None:
            tick.stopped.append(task)
        return

    if task.last_status == "STOPPING":
        _finish_stop(task, now)


def _register_targets(service: Service, task: Task, tick: TickEvents) -> None:
    container_names = {c["name"] for c in task.containers}
    for balancer in service.load_balancers:
        arn = balancer.get("targetGroupArn")
        if not arn or balancer.get("containerName") not in container_names:
            continue
        port = int(balancer.get("containerPort") or 80)
        if elb_targets.register(service.account_id, service.region, arn, task.private_ip, port):
            task.targets.append(TaskTarget(target_group_arn=arn, port=port))
            tick.registered[arn] = tick.registered.get(arn, 0) + 1


def _check_health(service: Service, task: Task, now: float, tick: TickEvents) -> None:
    # A crash-loop container exits before its first passing health check, so its task
    # never counts as healthy and never lets the old tasks stop.
    if task.healthy or task.outcome.outcome == "crash-loop":
        return
    if task.outcome.outcome == "failing-health-check":
        if not task.unhealthy:
            task.unhealthy = True
            task.next_at = now + TIMING.healthySeconds
            for target in task.targets:
                elb_targets.set_state(
                    service.account_id, service.region, target.target_group_arn, task.private_ip, target.port,
                    "unhealthy", "Target.ResponseCodeMismatch", "Health checks failed with these codes: [503]",
                )
                tick.unhealthy.append((task, target))
            return
        if task.targets:
            reason = f"Task failed ELB health checks in (target-group {task.targets[0].target_group_arn})"
        else:
            reason = "Task failed container health checks"
        stop_task(service, task, now, "ServiceSchedulerInitiated", reason, tick)
        record_failure(service, task, now)
        return
    task.healthy = True
    task.version += 1
    for target in task.targets:
        elb_targets.set_state(
            service.account_id, service.region, target.target_group_arn, task.private_ip, target.port, "healthy"
        )


def _crash(service: Service, task: Task, now: float, tick: TickEvents) -> None:
    task.crash_at = None
    container = _essential_container(task)
    container["exitCode"] = task.outcome.exitCode
    container["lastStatus"] = "STOPPED"
    _write_container_log(service, task, container, now)
    stop_task(service, task, now, "EssentialContainerExited", "Essential container in task exited", tick)
    record_failure(service, task, now)


def _fail_initialization(service: Service, task: Task, now: float) -> None:
    """Stop a PENDING task the way Fargate does when it cannot set up secrets or logging."""
    secrets = [s.get("valueFrom") for c in task.containers for s in (c.get("secrets") or [])]
    secret = next((s for s in secrets if s), f"arn:aws:secretsmanager:{service.region}:{service.account_id}:secret:app")
    reason = RESOURCE_INITIALIZATION_REASONS[task.outcome.outcome].format(secret=secret)
    task.stop_code = "TaskFailedToStart"
    task.stopped_reason = reason
    task.stopping_at = now
    _finish_stop(task, now)
    record_failure(service, task, now)


def _write_container_log(service: Service, task: Task, container: dict[str, Any], now: float) -> None:
    """Write the container's last output where its awslogs settings point.

    The awslogs driver names the stream PREFIX/CONTAINER/TASK_ID (ECS developer guide,
    "Using the awslogs log driver"). The group is created only when awslogs-create-group
    is "true", as the driver does; otherwise the lines go to an existing group or nowhere.
    """
    config = container.get("logConfiguration") or {}
    options = config.get("options") or {}
    group = options.get("awslogs-group")
    if config.get("logDriver") != "awslogs" or not group:
        return
    from moto.logs.models import logs_backends

    region = options.get("awslogs-region") or service.region
    backend = logs_backends[service.account_id][region]
    if group not in backend.groups:
        if str(options.get("awslogs-create-group", "")).lower() != "true":
            return
        backend.create_log_group(group, {})
    prefix = options.get("awslogs-stream-prefix")
    stream = "/".join(part for part in (prefix, container["name"], task.id) if part)
    if stream not in backend.groups[group].streams:
        backend.create_log_stream(group, stream)
    lines = task.outcome.logLines if task.outcome.logLines is not None else list(DEFAULT_CRASH_LOG_LINES)
    millis = int(now * 1000)
    backend.put_log_events(group, stream, [{"timestamp": millis, "message": line} for line in lines])


# --- scheduler ------------------------------------------------------------------


def _is_active(task: Task) -> bool:
    return task.desired_status == "RUNNING" and task.last_status in ACTIVE_STATUSES


def _is_healthy(task: Task) -> bool:
    return _is_active(task) and task.last_status == "RUNNING" and task.healthy


def step_service(service: Service, now: float, moto_task_definition: Any) -> None:
    """Advance one service by one tick."""
    tick = TickEvents()
    for task in list(service.tasks):
        _advance_task(service, task, now, tick)

    primary = service.primary
    if primary is not None:
        _schedule(service, primary, now, tick, moto_task_definition)
    tick.emit(service)
    if primary is not None:
        _check_completion(service, primary, now)
    _trim_stopped(service)


def _schedule(service: Service, primary: Deployment, now: float, tick: TickEvents, moto_task_definition: Any) -> None:
    desired = 0 if service.deleted else service.desired_count
    primary.desired_count = desired
    config = service.deployment_configuration
    max_total = math.floor(desired * float(config.get("maximumPercent", 200)) / 100)
    min_healthy = math.ceil(desired * float(config.get("minimumHealthyPercent", 100)) / 100)

    primary_active = [t for t in service.tasks if t.deployment_id == primary.id and _is_active(t)]
    old_active = [t for t in service.tasks if t.deployment_id != primary.id and _is_active(t)]

    if service.deleted:
        for task in primary_active + old_active:
            stop_task(service, task, now, "ServiceSchedulerInitiated", "Service deleted", tick)
        return

    # Scale in: stop surplus tasks of the primary deployment, unhealthy ones first.
    if len(primary_active) > desired:
        surplus = sorted(primary_active, key=lambda t: (t.healthy, t.created_at))[: len(primary_active) - desired]
        for task in surplus:
            stop_task(service, task, now, "ServiceSchedulerInitiated",
                      f"Scaling activity initiated by (deployment {primary.id})", tick)
        primary_active = [t for t in primary_active if t not in surplus]

    if primary.rollout_state != "FAILED":
        missing = desired - len(primary_active)
        room = max(max_total, 1 if desired > 0 else 0) - (len(primary_active) + len(old_active))
        for _ in range(max(0, min(missing, room))):
            task = launch_task(service, primary, moto_task_definition, now)
            primary_active.append(task)
            tick.started.append(task)
            service.steady = False

    healthy_primary = sum(1 for t in primary_active if _is_healthy(t))
    keep_old = max(0, min_healthy - healthy_primary)
    if len(old_active) > keep_old:
        # Stop tasks that are not serving first, then the oldest.
        candidates = sorted(old_active, key=lambda t: (_is_healthy(t), t.created_at))
        for task in candidates[: len(old_active) - keep_old]:
            stop_task(service, task, now, "ServiceSchedulerInitiated",
                      f"Scaling activity initiated by (deployment {primary.id})", tick)


def _check_completion(service: Service, primary: Deployment, now: float) -> None:
    if service.deleted:
        return
    desired = service.desired_count
    primary_active = [t for t in service.tasks if t.deployment_id == primary.id and _is_active(t)]
    healthy = [t for t in primary_active if _is_healthy(t)]
    others_busy = any(
        t.last_status != "STOPPED" for t in service.tasks if t.deployment_id != primary.id
    )
    settled = len(primary_active) == desired and len(healthy) == desired and not others_busy
    if not settled:
        return

    if primary.rollout_state == "IN_PROGRESS":
        primary.rollout_state = "COMPLETED"
        primary.rollout_state_reason = f"ECS deployment {primary.id} completed."
        primary.updated_at = now
        del service.deployments[1:]
        service.last_completed_deployment_id = primary.id
        service.last_completed_task_definition = primary.task_definition
        service.add_event(f"(service {service.name}) (deployment {primary.id}) deployment completed.")
        log.info("service %s deployment %s completed", service.name, primary.id)
    if primary.rollout_state == "COMPLETED" and not service.steady:
        service.steady = True
        service.add_event(f"(service {service.name}) has reached a steady state.")


def _trim_stopped(service: Service) -> None:
    stopped = [t for t in service.tasks if t.last_status == "STOPPED"]
    if len(stopped) <= MAX_STOPPED_TASKS_PER_SERVICE:
        return
    drop = {id(t) for t in stopped[: len(stopped) - MAX_STOPPED_TASKS_PER_SERVICE]}
    service.tasks = [t for t in service.tasks if id(t) not in drop]


def running_images(service: Service) -> list[str]:
    images: set[str] = set()
    for task in service.tasks:
        if task.last_status == "RUNNING":
            for container in task.containers:
                if container.get("image"):
                    images.add(container["image"])
    return sorted(images)


# --- ticker ---------------------------------------------------------------------


_MISSING_TASK_DEFINITION_WARNINGS: set[tuple[str, str]] = set()


def tick_all(now: float | None = None) -> None:
    from moto.ecs.models import ecs_backends

    current = time.time() if now is None else now
    for service in list(SERVICES.values()):
        primary = service.primary
        moto_task_definition = None
        if primary is not None:
            try:
                backend = ecs_backends[service.account_id][service.region]
                moto_task_definition = backend.describe_task_definition(primary.task_definition)
            except Exception as error:  # moto raises its own error types here
                # Warn once per service and task definition, since this repeats every tick.
                warning_key = (service.name, primary.task_definition)
                if warning_key not in _MISSING_TASK_DEFINITION_WARNINGS:
                    _MISSING_TASK_DEFINITION_WARNINGS.add(warning_key)
                    log.warning(
                        "task definition %s of service %s not found, so the service is paused: %s",
                        primary.task_definition, service.name, error,
                    )
                continue
        step_service(service, current, moto_task_definition)


class Ticker(threading.Thread):
    def __init__(self) -> None:
        super().__init__(name="ecs-rollout-ticker", daemon=True)
        self.stop_event = threading.Event()

    def run(self) -> None:
        failures = 0
        while not self.stop_event.wait(TIMING.tickSeconds):
            try:
                with LOCK:
                    tick_all()
                failures = 0
            except Exception:
                failures += 1
                # Log the first failures in full, then every 100th, so a persistent
                # error does not flood stderr on every tick.
                if failures <= 3 or failures % 100 == 0:
                    log.exception("rollout tick failed (%d consecutive failures)", failures)

    def stop(self) -> None:
        self.stop_event.set()
