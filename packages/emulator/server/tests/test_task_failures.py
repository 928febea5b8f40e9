"""Task failures that stop a deployment early: initialization errors and crash logs."""

from __future__ import annotations

import requests

from conftest import client, wait_for
from test_rollout import IMAGE_V2, NAME, completed, describe, make_service

LOG_GROUP = "/ecs/quiz-backend-testing"
SECRET_ARN = "arn:aws:secretsmanager:ap-south-1:123456789012:secret:quiz-backend/mongo-AbCdEf"


def register_with_logs(ecs, image: str, create_group: bool = False) -> str:  # noqa: ANN001
    options = {"awslogs-group": LOG_GROUP, "awslogs-region": "ap-south-1", "awslogs-stream-prefix": "ecs"}
    if create_group:
        options["awslogs-create-group"] = "true"
    response = ecs.register_task_definition(
        family=NAME,
        networkMode="awsvpc",
        requiresCompatibilities=["FARGATE"],
        cpu="256",
        memory="512",
        containerDefinitions=[{
            "name": "quiz-backend",
            "image": image,
            "essential": True,
            "portMappings": [{"containerPort": 8000}],
            "logConfiguration": {"logDriver": "awslogs", "options": options},
            "secrets": [{"name": "MONGODB_URI", "valueFrom": SECRET_ARN}],
        }],
    )
    return response["taskDefinition"]["taskDefinitionArn"]


def first_stopped_task(ecs, deployment_id: str) -> dict | None:  # noqa: ANN001
    arns = ecs.list_tasks(cluster=NAME, serviceName=NAME, desiredStatus="STOPPED", startedBy=deployment_id)["taskArns"]
    if not arns:
        return None
    task = ecs.describe_tasks(cluster=NAME, tasks=arns[:1])["tasks"][0]
    return task if task["lastStatus"] == "STOPPED" else None


def deploy(endpoint: str, outcome: dict, create_group: bool = False) -> tuple:
    requests.post(f"{endpoint}/_emulator/deployment-outcomes", json={"image": IMAGE_V2, **outcome}, timeout=5).raise_for_status()
    setup = make_service(endpoint)
    ecs = setup["ecs"]
    wait_for(lambda: completed(ecs))
    updated = ecs.update_service(cluster=NAME, service=NAME, taskDefinition=register_with_logs(ecs, IMAGE_V2, create_group))
    return ecs, updated["service"]["deployments"][0]["id"]


def test_secrets_failure_stops_task_with_resource_initialization_error(endpoint: str, control: str) -> None:
    ecs, deployment_id = deploy(endpoint, {"outcome": "secrets-failure"})
    task = wait_for(lambda: first_stopped_task(ecs, deployment_id))
    assert task["stopCode"] == "TaskFailedToStart"
    assert task["stoppedReason"].startswith("ResourceInitializationError: unable to pull secrets or registry auth")
    assert SECRET_ARN in task["stoppedReason"]
    assert "startedAt" not in task
    assert describe(ecs)["deployments"][0]["failedTasks"] >= 1


def test_missing_log_group_stops_task(endpoint: str, control: str) -> None:
    ecs, deployment_id = deploy(endpoint, {"outcome": "missing-log-group"})
    task = wait_for(lambda: first_stopped_task(ecs, deployment_id))
    assert task["stopCode"] == "TaskFailedToStart"
    assert "The specified log group does not exist" in task["stoppedReason"]
    assert task["stoppedReason"].startswith("ResourceInitializationError: failed to validate logger args")


def test_crash_loop_writes_container_log_lines(endpoint: str, control: str) -> None:
    lines = ["Connecting to MongoDB", "pymongo.errors.ServerSelectionTimeoutError: timed out"]
    ecs, deployment_id = deploy(endpoint, {"outcome": "crash-loop", "exitCode": 3, "logLines": lines}, create_group=True)
    task = wait_for(lambda: first_stopped_task(ecs, deployment_id))
    task_id = task["taskArn"].split("/")[-1]
    logs = client(endpoint, "logs")
    events = logs.get_log_events(logGroupName=LOG_GROUP, logStreamName=f"ecs/quiz-backend/{task_id}")["events"]
    assert [event["message"] for event in events] == lines


def test_crash_loop_without_log_group_writes_nothing(endpoint: str, control: str) -> None:
    ecs, deployment_id = deploy(endpoint, {"outcome": "crash-loop"})
    wait_for(lambda: first_stopped_task(ecs, deployment_id))
    groups = client(endpoint, "logs").describe_log_groups()["logGroups"]
    assert [group["logGroupName"] for group in groups] == []


def test_log_lines_must_be_strings(endpoint: str, control: str) -> None:
    response = requests.post(f"{endpoint}/_emulator/deployment-outcomes", json={"outcome": "crash-loop", "logLines": [1]}, timeout=5)
    assert response.status_code == 400
    assert "logLines must be a list of strings" in response.json()["error"]
