"""ECS API calls that the extension handles itself or rewrites around moto.

moto handles each call first, so its validation and storage stay in force. The
extension then rewrites the JSON response from its own rollout model (services,
deployments, tasks, events) and keeps task definition fields moto drops.

Each handler receives the parsed request and a `forward(body)` function that runs the
request (or a modified copy) through moto and returns (status, headers, parsed JSON).
The caller has acquired ecs_rollout.LOCK.
"""

from __future__ import annotations

import copy
import logging
import time
from typing import Any, Callable

import ecs_rollout as rollout
from ecs_rollout import Service, Task

log = logging.getLogger("emulator.ecs")

Forward = Callable[[dict[str, Any]], tuple[int, list[tuple[str, str]], Any]]

# Task definition fields that ECS sets itself, so a request cannot override them.
READ_ONLY_TASK_DEFINITION_FIELDS = (
    "taskDefinitionArn",
    "revision",
    "status",
    "requiresAttributes",
    "compatibilities",
    "registeredAt",
    "registeredBy",
    "deregisteredAt",
)

# Fields of the RegisterTaskDefinition request as given, by task definition ARN.
TASK_DEFINITION_REQUESTS: dict[str, dict[str, Any]] = {}
TASK_DEFINITION_READ_ONLY: dict[str, dict[str, Any]] = {}

# CreateService and UpdateService request keys that are not service attributes.
SERVICE_REQUEST_ONLY_KEYS = {
    "cluster", "service", "serviceName", "taskDefinition", "desiredCount", "clientToken",
    "forceNewDeployment", "tags", "role",
}


def reset_state() -> None:
    TASK_DEFINITION_REQUESTS.clear()
    TASK_DEFINITION_READ_ONLY.clear()


def _drop_none(value: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in value.items() if v is not None}


# --- task definitions -----------------------------------------------------------


def _requires_attributes(request: dict[str, Any]) -> list[dict[str, str]]:
    names = ["com.amazonaws.ecs.capability.docker-remote-api.1.18"]
    if request.get("networkMode") == "awsvpc":
        names.append("ecs.capability.task-eni")
    if request.get("executionRoleArn"):
        names.append("ecs.capability.execution-role-ecr-pull")
    for container in request.get("containerDefinitions") or []:
        log_configuration = container.get("logConfiguration") or {}
        if log_configuration.get("logDriver") == "awslogs":
            names.append("com.amazonaws.ecs.capability.logging-driver.awslogs")
            if request.get("executionRoleArn"):
                names.append("ecs.capability.execution-role-awslogs")
        if container.get("healthCheck"):
            names.append("ecs.capability.container-health-check")
        if container.get("secrets"):
            names.append("ecs.capability.secrets.asm.environment-variables")
    if request.get("taskRoleArn"):
        names.append("com.amazonaws.ecs.capability.task-iam-role")
    unique = list(dict.fromkeys(names))
    return [{"name": name} for name in unique]


def _merge_task_definition(moto_definition: dict[str, Any]) -> dict[str, Any]:
    """Overlay the request as given on moto's stored task definition."""
    arn = moto_definition.get("taskDefinitionArn")
    request = TASK_DEFINITION_REQUESTS.get(arn)
    if request is None:
        return moto_definition
    merged = dict(moto_definition)
    for key, value in request.items():
        if key == "containerDefinitions":
            containers = []
            stored = moto_definition.get("containerDefinitions") or []
            for index, container in enumerate(value):
                base = dict(stored[index]) if index < len(stored) else {}
                base.update(copy.deepcopy(container))
                containers.append(_with_port_defaults(base, request))
            merged[key] = containers
        else:
            merged[key] = copy.deepcopy(value)
    merged.update(TASK_DEFINITION_READ_ONLY.get(arn, {}))
    return merged


def _with_port_defaults(container: dict[str, Any], request: dict[str, Any]) -> dict[str, Any]:
    # ECS fills in protocol and, for awsvpc, hostPort = containerPort.
    mappings = []
    for mapping in container.get("portMappings") or []:
        filled = dict(mapping)
        filled.setdefault("protocol", "tcp")
        if request.get("networkMode") == "awsvpc" and "containerPort" in filled:
            filled.setdefault("hostPort", filled["containerPort"])
        mappings.append(filled)
    container["portMappings"] = mappings
    return container


def register_task_definition(request: dict[str, Any], forward: Forward, account_id: str) -> tuple[int, Any]:
    status, _, body = forward(request)
    if status != 200:
        return status, body
    definition = body.get("taskDefinition") or {}
    arn = definition.get("taskDefinitionArn")
    if arn:
        TASK_DEFINITION_REQUESTS[arn] = {k: copy.deepcopy(v) for k, v in request.items() if k != "tags"}
        TASK_DEFINITION_READ_ONLY[arn] = {
            "taskDefinitionArn": arn,
            "revision": definition.get("revision"),
            "status": "ACTIVE",
            "requiresAttributes": _requires_attributes(request),
            "compatibilities": definition.get("compatibilities") or ["EC2", "FARGATE"],
            "registeredAt": time.time(),
            "registeredBy": f"arn:aws:iam::{account_id}:root",
        }
        body["taskDefinition"] = _merge_task_definition(definition)
    if request.get("tags"):
        body["tags"] = request["tags"]
    return status, body


def describe_task_definition(request: dict[str, Any], forward: Forward) -> tuple[int, Any]:
    status, _, body = forward(request)
    if status == 200 and isinstance(body.get("taskDefinition"), dict):
        body["taskDefinition"] = _merge_task_definition(body["taskDefinition"])
    return status, body


def deregister_task_definition(request: dict[str, Any], forward: Forward) -> tuple[int, Any]:
    status, _, body = forward(request)
    if status == 200 and isinstance(body.get("taskDefinition"), dict):
        arn = body["taskDefinition"].get("taskDefinitionArn")
        if arn in TASK_DEFINITION_READ_ONLY:
            TASK_DEFINITION_READ_ONLY[arn]["status"] = "INACTIVE"
            TASK_DEFINITION_READ_ONLY[arn]["deregisteredAt"] = time.time()
        body["taskDefinition"] = _merge_task_definition(body["taskDefinition"])
    return status, body


# --- services -------------------------------------------------------------------


def _resolve_task_definition(account_id: str, region: str, reference: str) -> str:
    from moto.ecs.models import ecs_backends

    return ecs_backends[account_id][region].describe_task_definition(reference).arn


def render_deployment(service: Service, deployment: rollout.Deployment) -> dict[str, Any]:
    tasks = [t for t in service.tasks if t.deployment_id == deployment.id]
    return _drop_none({
        "id": deployment.id,
        "status": deployment.status,
        "taskDefinition": deployment.task_definition,
        "desiredCount": deployment.desired_count,
        "pendingCount": sum(1 for t in tasks if t.last_status in ("PROVISIONING", "PENDING")),
        "runningCount": sum(1 for t in tasks if t.last_status == "RUNNING"),
        "failedTasks": deployment.failed_tasks,
        "createdAt": deployment.created_at,
        "updatedAt": deployment.updated_at,
        "launchType": deployment.launch_type,
        "platformVersion": deployment.platform_version,
        "platformFamily": "Linux" if deployment.launch_type == "FARGATE" else None,
        "networkConfiguration": deployment.network_configuration,
        "rolloutState": deployment.rollout_state,
        "rolloutStateReason": deployment.rollout_state_reason,
    })


def render_service(service: Service, moto_service: dict[str, Any]) -> dict[str, Any]:
    rendered = dict(moto_service)
    for key, value in service.extra_fields.items():
        rendered[key] = copy.deepcopy(value)
    primary = service.primary
    if primary is not None:
        rendered["taskDefinition"] = primary.task_definition
    rendered["desiredCount"] = service.desired_count
    rendered["runningCount"] = sum(1 for t in service.tasks if t.last_status == "RUNNING")
    rendered["pendingCount"] = sum(1 for t in service.tasks if t.last_status in ("PROVISIONING", "PENDING"))
    rendered["deployments"] = [render_deployment(service, d) for d in service.deployments]
    rendered["events"] = list(service.events[: rollout.MAX_EVENTS])
    rendered["deploymentConfiguration"] = copy.deepcopy(service.deployment_configuration)
    return rendered


def _extra_service_fields(request: dict[str, Any]) -> dict[str, Any]:
    return {
        k: copy.deepcopy(v)
        for k, v in request.items()
        if k not in SERVICE_REQUEST_ONLY_KEYS and k != "deploymentConfiguration"
    }


def _service_from_moto(moto_service: dict[str, Any], account_id: str, region: str) -> Service:
    cluster_arn = moto_service.get("clusterArn", "")
    return Service(
        account_id=account_id,
        region=region,
        cluster_name=cluster_arn.split("/")[-1],
        cluster_arn=cluster_arn,
        name=moto_service["serviceName"],
        arn=moto_service.get("serviceArn", ""),
        desired_count=int(moto_service.get("desiredCount") or 0),
        launch_type=moto_service.get("launchType"),
        platform_version=moto_service.get("platformVersion") or (
            "1.4.0" if moto_service.get("launchType") == "FARGATE" else None
        ),
        network_configuration=moto_service.get("networkConfiguration"),
        load_balancers=list(moto_service.get("loadBalancers") or []),
        deployment_configuration=rollout.default_deployment_configuration(
            moto_service.get("deploymentConfiguration")
        ),
    )


def create_service(request: dict[str, Any], forward: Forward, account_id: str, region: str) -> tuple[int, Any]:
    status, _, body = forward(request)
    if status != 200:
        return status, body
    moto_service = body["service"]
    service = _service_from_moto(moto_service, account_id, region)
    service.deployment_configuration = rollout.default_deployment_configuration(
        request.get("deploymentConfiguration")
    )
    service.load_balancers = list(request.get("loadBalancers") or service.load_balancers)
    service.extra_fields = _extra_service_fields(request)
    if request.get("desiredCount") is not None:
        service.desired_count = int(request["desiredCount"])
    key = rollout.service_key(account_id, region, service.cluster_name, service.name)
    rollout.SERVICES[key] = service
    if moto_service.get("taskDefinition"):
        deployment = rollout.start_deployment(service, moto_service["taskDefinition"], time.time())
        log.info("service %s created with deployment %s", service.name, deployment.id)
    body["service"] = render_service(service, moto_service)
    return status, body


def _state_for(moto_service: dict[str, Any], account_id: str, region: str) -> Service:
    """Return the rollout state of a service. A service that moto has but the extension
    does not (made through CloudFormation, for example) gets a new deployment."""
    cluster = moto_service.get("clusterArn", "")
    service = rollout.find_service(account_id, region, cluster, moto_service["serviceName"])
    if service is None:
        service = _service_from_moto(moto_service, account_id, region)
        rollout.SERVICES[rollout.service_key(account_id, region, cluster, service.name)] = service
        if moto_service.get("taskDefinition"):
            rollout.start_deployment(service, moto_service["taskDefinition"], time.time())
    return service


def update_service(request: dict[str, Any], forward: Forward, account_id: str, region: str) -> tuple[int, Any]:
    status, _, body = forward(request)
    if status != 200:
        return status, body
    moto_service = body["service"]
    service = _state_for(moto_service, account_id, region)
    now = time.time()

    rollout.merge_deployment_configuration(
        service.deployment_configuration, request.get("deploymentConfiguration")
    )
    service.extra_fields.update(_extra_service_fields(request))
    if request.get("loadBalancers") is not None:
        service.load_balancers = list(request["loadBalancers"])
    if request.get("networkConfiguration") is not None:
        service.network_configuration = request["networkConfiguration"]
    if request.get("desiredCount") is not None:
        service.desired_count = int(request["desiredCount"])
        service.steady = False

    primary = service.primary
    current = primary.task_definition if primary else None
    requested = current
    if request.get("taskDefinition"):
        requested = _resolve_task_definition(account_id, region, request["taskDefinition"])
    if requested and (requested != current or request.get("forceNewDeployment")):
        deployment = rollout.start_deployment(service, requested, now)
        rollout.set_moto_task_definition(service, requested)
        log.info("service %s started deployment %s of %s", service.name, deployment.id, requested)
    body["service"] = render_service(service, moto_service)
    return status, body


def describe_services(request: dict[str, Any], forward: Forward, account_id: str, region: str) -> tuple[int, Any]:
    status, _, body = forward(request)
    if status != 200:
        return status, body
    rendered = []
    for moto_service in body.get("services") or []:
        service = _state_for(moto_service, account_id, region)
        rendered.append(render_service(service, moto_service))
    body["services"] = rendered
    return status, body


def delete_service(request: dict[str, Any], forward: Forward, account_id: str, region: str) -> tuple[int, Any]:
    status, _, body = forward(request)
    if status != 200:
        return status, body
    moto_service = body["service"]
    service = _state_for(moto_service, account_id, region)
    service.deleted = True
    service.desired_count = 0
    body["service"] = render_service(service, moto_service)
    return status, body


# --- tasks ----------------------------------------------------------------------


def _services_in_cluster(account_id: str, region: str, cluster: str) -> list[Service]:
    name = cluster.split("/")[-1]
    return [
        s for (acct, reg, cluster_name, _), s in rollout.SERVICES.items()
        if acct == account_id and reg == region and cluster_name == name
    ]


def render_task(service: Service, task: Task, include_tags: bool) -> dict[str, Any]:
    started = task.started_at is not None
    network_interfaces = [{"attachmentId": task.attachment_id, "privateIpv4Address": task.private_ip}]
    containers = []
    for container in task.containers:
        if task.last_status == "STOPPED":
            container_status = "STOPPED"
        elif task.last_status in ("RUNNING", "DEACTIVATING", "STOPPING"):
            container_status = container.get("lastStatus") or "RUNNING"
        else:
            container_status = "PENDING"
        health = "UNKNOWN"
        if container.get("healthCheck") and task.healthy:
            health = "HEALTHY"
        containers.append(_drop_none({
            "containerArn": container["containerArn"],
            "taskArn": task.arn,
            "name": container["name"],
            "image": container["image"],
            "lastStatus": container_status,
            "exitCode": container.get("exitCode"),
            "reason": container.get("reason"),
            "healthStatus": health,
            "networkInterfaces": network_interfaces,
            "cpu": str(container["cpu"]) if container.get("cpu") is not None else None,
            "memory": str(container["memory"]) if container.get("memory") is not None else None,
        }))
    task_health = "UNKNOWN"
    if task.has_health_check and task.healthy:
        task_health = "HEALTHY"
    if task.last_status == "STOPPED":
        eni_status = "DELETED"
    elif started:
        eni_status = "ATTACHED"
    else:
        eni_status = "PRECREATED"
    rendered = _drop_none({
        "taskArn": task.arn,
        "clusterArn": service.cluster_arn,
        "taskDefinitionArn": task.task_definition,
        "group": f"service:{service.name}",
        "startedBy": task.deployment_id,
        "lastStatus": task.last_status,
        "desiredStatus": task.desired_status,
        "healthStatus": task_health,
        "launchType": service.launch_type,
        "platformVersion": service.platform_version,
        "platformFamily": "Linux" if service.launch_type == "FARGATE" else None,
        "availabilityZone": f"{service.region}a",
        "connectivity": "CONNECTED" if started and task.last_status != "STOPPED" else None,
        "cpu": task.cpu,
        "memory": task.memory,
        "createdAt": task.created_at,
        "pullStartedAt": task.pull_started_at,
        "pullStoppedAt": task.pull_stopped_at,
        "startedAt": task.started_at,
        "stoppingAt": task.stopping_at,
        "stoppedAt": task.stopped_at,
        "executionStoppedAt": task.stopped_at,
        "stopCode": task.stop_code,
        "stoppedReason": task.stopped_reason,
        "version": task.version,
        "containers": containers,
        "overrides": {"containerOverrides": [{"name": c["name"]} for c in task.containers], "inferenceAcceleratorOverrides": []},
        "attachments": [{
            "id": task.attachment_id,
            "type": "ElasticNetworkInterface",
            "status": eni_status,
            "details": [
                {"name": "subnetId", "value": task.subnet_id},
                {"name": "networkInterfaceId", "value": task.eni_id},
                {"name": "macAddress", "value": task.mac_address},
                {"name": "privateDnsName", "value": f"ip-{task.private_ip.replace('.', '-')}.{service.region}.compute.internal"},
                {"name": "privateIPv4Address", "value": task.private_ip},
            ],
        }],
    })
    if include_tags:
        rendered["tags"] = []
    return rendered


def _find_task(account_id: str, region: str, cluster: str, reference: str) -> tuple[Service, Task] | None:
    task_id = reference.split("/")[-1]
    for service in _services_in_cluster(account_id, region, cluster):
        for task in service.tasks:
            if task.arn == reference or task.id == task_id:
                return service, task
    return None


def list_tasks(request: dict[str, Any], forward: Forward, account_id: str, region: str) -> tuple[int, Any]:
    cluster = request.get("cluster") or "default"
    # ECS lists only tasks whose desired status is RUNNING unless the request sets desiredStatus.
    desired = request.get("desiredStatus") or "RUNNING"
    service_name = request.get("serviceName")
    started_by = request.get("startedBy")
    family = request.get("family")
    launch_type = request.get("launchType")

    arns: list[str] = []
    if not service_name:
        status, _, body = forward(request)
        if status != 200:
            return status, body
        arns.extend(body.get("taskArns") or [])
    else:
        # moto ignores serviceName, so only its cluster validation is reused here.
        status, _, body = forward({k: v for k, v in request.items() if k != "serviceName"})
        if status != 200:
            return status, body

    for service in _services_in_cluster(account_id, region, cluster):
        if service_name and service.name != service_name.split("/")[-1]:
            continue
        if launch_type and service.launch_type != launch_type:
            continue
        for task in service.tasks:
            if task.desired_status != desired:
                continue
            if started_by and task.deployment_id != started_by:
                continue
            if family and f":task-definition/{family}:" not in task.task_definition:
                continue
            arns.append(task.arn)
    return 200, {"taskArns": arns}


def describe_tasks(request: dict[str, Any], forward: Forward, account_id: str, region: str) -> tuple[int, Any]:
    cluster = request.get("cluster") or "default"
    references = list(request.get("tasks") or [])
    include_tags = "TAGS" in (request.get("include") or [])
    if not references:
        status, _, body = forward(request)
        return status, body

    ours: list[dict[str, Any]] = []
    remaining: list[str] = []
    for reference in references:
        found = _find_task(account_id, region, cluster, reference)
        if found is None:
            remaining.append(reference)
        else:
            ours.append(render_task(found[0], found[1], include_tags))

    tasks: list[Any] = []
    failures: list[Any] = []
    if remaining:
        status, _, body = forward({**request, "tasks": remaining})
        if status != 200:
            return status, body
        tasks.extend(body.get("tasks") or [])
        failures.extend(body.get("failures") or [])
        known = {t.get("taskArn") for t in tasks} | {t.get("taskArn", "").split("/")[-1] for t in tasks}
        for reference in remaining:
            if reference not in known and reference.split("/")[-1] not in known:
                failures.append({"arn": reference, "reason": "MISSING"})
    else:
        # moto still validates the cluster name.
        status, _, body = forward({**request, "tasks": ["-"]})
        if status != 200:
            return status, body
    return 200, {"tasks": ours + tasks, "failures": failures}


def stop_task(request: dict[str, Any], forward: Forward, account_id: str, region: str) -> tuple[int, Any]:
    cluster = request.get("cluster") or "default"
    found = _find_task(account_id, region, cluster, request.get("task") or "")
    if found is None:
        status, _, body = forward(request)
        return status, body
    service, task = found
    tick = rollout.TickEvents()
    rollout.stop_task(service, task, time.time(), "UserInitiated", request.get("reason") or "Task stopped by user", tick)
    tick.emit(service)
    service.steady = False
    return 200, {"task": render_task(service, task, False)}


HANDLERS_WITH_REGION = {
    "CreateService": create_service,
    "UpdateService": update_service,
    "DescribeServices": describe_services,
    "DeleteService": delete_service,
    "ListTasks": list_tasks,
    "DescribeTasks": describe_tasks,
    "StopTask": stop_task,
}
