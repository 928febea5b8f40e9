"""ECS rollouts against the emulator server, through boto3."""

from __future__ import annotations

import hashlib
import json

import requests

from conftest import client, wait_for

NAME = "quiz-backend-testing"
IMAGE_V1 = "123456789012.dkr.ecr.ap-south-1.amazonaws.com/quiz-backend:v1"
IMAGE_V2 = "123456789012.dkr.ecr.ap-south-1.amazonaws.com/quiz-backend:v2"


def make_service(endpoint: str, circuit_breaker: bool = False, desired_count: int = 1) -> dict:
    ec2 = client(endpoint, "ec2")
    ecs = client(endpoint, "ecs")
    elbv2 = client(endpoint, "elbv2")
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.1.0/24", AvailabilityZone="ap-south-1a")["Subnet"]["SubnetId"]
    subnet2 = ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.2.0/24", AvailabilityZone="ap-south-1b")["Subnet"]["SubnetId"]
    group = ec2.create_security_group(GroupName="svc", Description="svc", VpcId=vpc)["GroupId"]
    balancer = elbv2.create_load_balancer(Name="quiz", Subnets=[subnet, subnet2], SecurityGroups=[group])["LoadBalancers"][0]
    target_group = elbv2.create_target_group(
        Name="quiz-tg", Protocol="HTTP", Port=8000, VpcId=vpc, TargetType="ip", HealthCheckPath="/health"
    )["TargetGroups"][0]["TargetGroupArn"]
    elbv2.create_listener(
        LoadBalancerArn=balancer["LoadBalancerArn"], Protocol="HTTP", Port=80,
        DefaultActions=[{"Type": "forward", "TargetGroupArn": target_group}],
    )
    ecs.create_cluster(clusterName=NAME)
    v1 = register(ecs, IMAGE_V1)
    ecs.create_service(
        cluster=NAME,
        serviceName=NAME,
        taskDefinition=v1,
        desiredCount=desired_count,
        launchType="FARGATE",
        networkConfiguration={"awsvpcConfiguration": {"subnets": [subnet], "securityGroups": [group], "assignPublicIp": "DISABLED"}},
        loadBalancers=[{"targetGroupArn": target_group, "containerName": "quiz-backend", "containerPort": 8000}],
        deploymentConfiguration={
            "deploymentCircuitBreaker": {"enable": circuit_breaker, "rollback": circuit_breaker},
            "maximumPercent": 200,
            "minimumHealthyPercent": 100,
        },
        healthCheckGracePeriodSeconds=30,
    )
    return {"ecs": ecs, "elbv2": elbv2, "target_group": target_group, "v1": v1}


def register(ecs, image: str) -> str:  # noqa: ANN001
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
            "environment": [{"name": "DATABASE_PASSWORD", "value": "not-a-real-secret"}],
        }],
    )
    return response["taskDefinition"]["taskDefinitionArn"]


def describe(ecs) -> dict:  # noqa: ANN001
    return ecs.describe_services(cluster=NAME, services=[NAME])["services"][0]


def completed(ecs):  # noqa: ANN001, ANN201
    service = describe(ecs)
    deployments = service["deployments"]
    if len(deployments) == 1 and deployments[0]["rolloutState"] == "COMPLETED" and service["runningCount"] == service["desiredCount"]:
        return service
    return None


def test_create_service_completes_first_deployment(endpoint: str, control: str) -> None:
    setup = make_service(endpoint)
    service = wait_for(lambda: completed(setup["ecs"]))
    messages = [e["message"] for e in service["events"]]
    assert messages[0] == f"(service {NAME}) has reached a steady state."
    assert service["deployments"][0]["rolloutStateReason"] == f"ECS deployment {service['deployments'][0]['id']} completed."
    assert service["healthCheckGracePeriodSeconds"] == 30


def test_update_service_rolls_new_tasks(endpoint: str, control: str) -> None:
    setup = make_service(endpoint)
    ecs = setup["ecs"]
    wait_for(lambda: completed(ecs))
    old_tasks = ecs.list_tasks(cluster=NAME, serviceName=NAME)["taskArns"]
    assert len(old_tasks) == 1

    v2 = register(ecs, IMAGE_V2)
    updated = ecs.update_service(cluster=NAME, service=NAME, taskDefinition=v2)["service"]
    first = updated["deployments"][0]
    assert first["status"] == "PRIMARY"
    assert first["taskDefinition"] == v2
    assert first["rolloutState"] == "IN_PROGRESS"
    assert first["id"].startswith("ecs-svc/")
    assert len(first["id"]) == len("ecs-svc/") + 19
    assert updated["deployments"][1]["status"] == "ACTIVE"

    service = wait_for(lambda: completed(ecs))
    assert service["taskDefinition"] == v2
    deployment_id = service["deployments"][0]["id"]
    messages = [e["message"] for e in service["events"]]
    assert f"(service {NAME}) (deployment {deployment_id}) deployment completed." in messages
    assert f"(service {NAME}) has begun draining connections on 1 tasks." in messages
    assert any(m.startswith(f"(service {NAME}) deregistered 1 targets in (target-group {setup['target_group']})") for m in messages)

    running = ecs.list_tasks(cluster=NAME, serviceName=NAME)["taskArns"]
    tasks = ecs.describe_tasks(cluster=NAME, tasks=running)["tasks"]
    assert [t["taskDefinitionArn"] for t in tasks] == [v2]
    assert tasks[0]["startedBy"] == deployment_id
    assert tasks[0]["group"] == f"service:{NAME}"
    ip = next(d["value"] for d in tasks[0]["attachments"][0]["details"] if d["name"] == "privateIPv4Address")

    health = setup["elbv2"].describe_target_health(TargetGroupArn=setup["target_group"])["TargetHealthDescriptions"]
    assert [(h["Target"]["Id"], h["Target"]["Port"], h["TargetHealth"]["State"]) for h in health] == [(ip, 8000, "healthy")]

    stopped = ecs.describe_tasks(cluster=NAME, tasks=old_tasks)["tasks"][0]
    assert stopped["lastStatus"] == "STOPPED"
    assert stopped["stopCode"] == "ServiceSchedulerInitiated"
    assert stopped["stoppedReason"] == f"Scaling activity initiated by (deployment {deployment_id})"
    images = requests.get(control + "/ecs/running-images", params={"cluster": NAME, "service": NAME}, timeout=5).json()
    assert images == {"images": [IMAGE_V2]}


def test_image_pull_failure_rolls_back(endpoint: str, control: str) -> None:
    requests.post(control + "/deployment-outcomes", json={"image": ":v2", "outcome": "image-pull-failure"}, timeout=5).raise_for_status()
    setup = make_service(endpoint, circuit_breaker=True)
    ecs = setup["ecs"]
    wait_for(lambda: completed(ecs))
    v2 = register(ecs, IMAGE_V2)
    failed_id = ecs.update_service(cluster=NAME, service=NAME, taskDefinition=v2)["service"]["deployments"][0]["id"]

    service = wait_for(lambda: (s := completed(ecs)) and s["deployments"][0]["id"] != failed_id and s)
    assert service["taskDefinition"] == setup["v1"]
    messages = [e["message"] for e in service["events"]]
    assert f"(service {NAME}) (deployment {failed_id}) deployment failed: tasks failed to start." in messages
    stopped = ecs.list_tasks(cluster=NAME, serviceName=NAME, desiredStatus="STOPPED", startedBy=failed_id)["taskArns"]
    assert len(stopped) == 3
    task = ecs.describe_tasks(cluster=NAME, tasks=stopped[:1])["tasks"][0]
    assert task["stopCode"] == "TaskFailedToStart"
    assert task["stoppedReason"].startswith("CannotPullContainerError: pull image manifest has been retried 5 time(s)")
    assert IMAGE_V2 in task["containers"][0]["reason"]


def test_crash_loop_without_breaker_stays_in_progress(endpoint: str, control: str) -> None:
    requests.post(control + "/deployment-outcomes", json={"image": IMAGE_V2, "outcome": "crash-loop", "exitCode": 3}, timeout=5).raise_for_status()
    setup = make_service(endpoint)
    ecs = setup["ecs"]
    wait_for(lambda: completed(ecs))
    ecs.update_service(cluster=NAME, service=NAME, taskDefinition=register(ecs, IMAGE_V2))

    def failed_enough():  # noqa: ANN202
        primary = describe(ecs)["deployments"][0]
        return primary if primary["failedTasks"] >= 4 else None

    primary = wait_for(failed_enough)
    assert primary["rolloutState"] == "IN_PROGRESS"
    stopped = ecs.list_tasks(cluster=NAME, serviceName=NAME, desiredStatus="STOPPED", startedBy=primary["id"])["taskArns"]
    tasks = ecs.describe_tasks(cluster=NAME, tasks=stopped)["tasks"]
    assert {t["containers"][0]["exitCode"] for t in tasks} == {3}
    assert {t["stopCode"] for t in tasks} == {"EssentialContainerExited"}
    images = requests.get(control + "/ecs/running-images", params={"cluster": NAME, "service": NAME}, timeout=5).json()
    assert IMAGE_V1 in images["images"]


def test_failing_health_check_marks_targets_unhealthy(endpoint: str, control: str) -> None:
    requests.post(control + "/deployment-outcomes", json={"image": IMAGE_V2, "outcome": "failing-health-check"}, timeout=5).raise_for_status()
    setup = make_service(endpoint)
    ecs = setup["ecs"]
    wait_for(lambda: completed(ecs))
    ecs.update_service(cluster=NAME, service=NAME, taskDefinition=register(ecs, IMAGE_V2))

    def unhealthy():  # noqa: ANN202
        health = setup["elbv2"].describe_target_health(TargetGroupArn=setup["target_group"])["TargetHealthDescriptions"]
        return [h for h in health if h["TargetHealth"]["State"] == "unhealthy"]

    found = wait_for(unhealthy)
    assert found[0]["TargetHealth"]["Reason"] == "Target.ResponseCodeMismatch"
    assert found[0]["TargetHealth"]["Description"] == "Health checks failed with these codes: [503]"

    def stopped_by_elb():  # noqa: ANN202
        arns = ecs.list_tasks(cluster=NAME, serviceName=NAME, desiredStatus="STOPPED")["taskArns"]
        return arns and ecs.describe_tasks(cluster=NAME, tasks=arns)["tasks"]

    tasks = wait_for(stopped_by_elb)
    assert tasks[0]["stoppedReason"] == f"Task failed ELB health checks in (target-group {setup['target_group']})"


def test_desired_count_zero_completes_without_tasks(endpoint: str, control: str) -> None:
    setup = make_service(endpoint, desired_count=0)
    service = wait_for(lambda: completed(setup["ecs"]))
    assert service["runningCount"] == 0
    assert setup["ecs"].list_tasks(cluster=NAME, serviceName=NAME)["taskArns"] == []


def test_task_definition_keeps_all_fields(endpoint: str, control: str) -> None:
    ecs = client(endpoint, "ecs")
    request = {
        "family": "keep",
        "networkMode": "awsvpc",
        "requiresCompatibilities": ["FARGATE"],
        "cpu": "256",
        "memory": "512",
        "runtimePlatform": {"cpuArchitecture": "ARM64", "operatingSystemFamily": "LINUX"},
        "ephemeralStorage": {"sizeInGiB": 30},
        "enableFaultInjection": True,
        "volumes": [{"name": "data", "configuredAtLaunch": True}],
        "containerDefinitions": [{
            "name": "app",
            "image": "app:1",
            "essential": True,
            "healthCheck": {"command": ["CMD", "true"], "interval": 10, "timeout": 5, "retries": 3, "startPeriod": 5},
            "portMappings": [{"containerPort": 8000}],
        }],
        "tags": [{"key": "team", "value": "quiz"}],
    }
    ecs.register_task_definition(**request)
    described = ecs.describe_task_definition(taskDefinition="keep", include=["TAGS"])
    definition = described["taskDefinition"]
    assert definition["enableFaultInjection"] is True
    assert definition["runtimePlatform"] == request["runtimePlatform"]
    assert definition["ephemeralStorage"] == {"sizeInGiB": 30}
    assert definition["volumes"] == [{"name": "data", "configuredAtLaunch": True}]
    assert definition["containerDefinitions"][0]["healthCheck"]["startPeriod"] == 5
    assert definition["revision"] == 1
    assert definition["status"] == "ACTIVE"
    assert "registeredAt" in definition
    assert "registeredBy" in definition
    assert {"name": "ecs.capability.task-eni"} in definition["requiresAttributes"]
    assert described["tags"] == [{"key": "team", "value": "quiz"}]


def test_seeded_index_digests_are_sha256(endpoint: str, control: str) -> None:
    seeded = requests.post(control + "/ecr/images", json={"repository": "quiz-backend", "tag": "v1", "shape": "index-with-attestation", "seed": "a"}, timeout=5).json()
    ecr = client(endpoint, "ecr")
    image = ecr.batch_get_image(repositoryName="quiz-backend", imageIds=[{"imageTag": "v1"}])["images"][0]
    manifest = image["imageManifest"]
    assert "sha256:" + hashlib.sha256(manifest.encode()).hexdigest() == seeded["digest"] == image["imageId"]["imageDigest"]
    assert image["imageManifestMediaType"] == "application/vnd.oci.image.index.v1+json"
    entries = json.loads(manifest)["manifests"]
    assert [e["platform"] for e in entries] == [{"architecture": "arm64", "os": "linux"}, {"architecture": "unknown", "os": "unknown"}]
    assert entries[1]["annotations"]["vnd.docker.reference.digest"] == entries[0]["digest"]
    for child in seeded["children"]:
        stored = ecr.batch_get_image(repositoryName="quiz-backend", imageIds=[{"imageDigest": child["digest"]}])["images"][0]
        assert "sha256:" + hashlib.sha256(stored["imageManifest"].encode()).hexdigest() == child["digest"]

    retagged = ecr.put_image(repositoryName="quiz-backend", imageManifest=manifest, imageTag="release",
                             imageManifestMediaType=image["imageManifestMediaType"])["image"]
    assert retagged["imageId"]["imageDigest"] == seeded["digest"]
    by_tag = ecr.describe_images(repositoryName="quiz-backend", imageIds=[{"imageTag": "release"}])["imageDetails"][0]
    assert by_tag["imageDigest"] == seeded["digest"]

    both = ecr.batch_get_image(repositoryName="quiz-backend", imageIds=[{"imageTag": "v1"}, {"imageTag": "release"}])["images"]
    assert [entry["imageId"]["imageTag"] for entry in both] == ["v1", "release"]
    assert {entry["imageId"]["imageDigest"] for entry in both} == {seeded["digest"]}

    other = requests.post(control + "/ecr/images", json={"repository": "quiz-backend", "tag": "v2", "seed": "b"}, timeout=5).json()
    assert other["digest"] != seeded["digest"]


def test_put_image_rejects_wrong_digest(endpoint: str, control: str) -> None:
    ecr = client(endpoint, "ecr")
    ecr.create_repository(repositoryName="digests")
    manifest = json.dumps({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json", "config": {}, "layers": []})
    try:
        ecr.put_image(repositoryName="digests", imageManifest=manifest, imageTag="t", imageDigest="sha256:" + "0" * 64)
    except ecr.exceptions.ClientError as error:
        assert error.response["Error"]["Code"] == "ImageDigestDoesNotMatchException"
    else:
        raise AssertionError("put_image accepted a digest that does not match the manifest")


def test_reset_wipes_services(endpoint: str, control: str) -> None:
    setup = make_service(endpoint)
    requests.post(control + "/reset", timeout=5).raise_for_status()
    clusters = setup["ecs"].list_clusters()["clusterArns"]
    assert clusters == []
