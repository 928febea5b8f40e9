"""Control API under /_emulator/, for tests to steer the emulator.

JSON in, JSON out. Errors return {"error": message} with status 400 (invalid request),
404 (unknown path or service) or 405 (wrong method). No route here overlaps an AWS
API path, because AWS APIs never start with /_emulator/.
"""

from __future__ import annotations

import json
import logging
from typing import Any
from urllib.parse import parse_qs

import ecr_images
import ecs_api
import ecs_rollout as rollout
import elb_targets

log = logging.getLogger("emulator.control")

PREFIX = "/_emulator"
DEFAULT_REGION = "ap-south-1"
DEFAULT_ACCOUNT_ID = "123456789012"


class ControlError(Exception):
    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status


def reset_all() -> None:
    from moto.moto_api._internal.models import moto_api_backend

    with rollout.LOCK:
        moto_api_backend.reset()
        rollout.reset_state()
        elb_targets.reset_state()
        ecr_images.reset_state()
        ecs_api.reset_state()
    log.info("state reset")


def _region_and_account(values: dict[str, Any]) -> tuple[str, str]:
    region = values.get("region") or DEFAULT_REGION
    account_id = values.get("accountId") or DEFAULT_ACCOUNT_ID
    return str(region), str(account_id)


def _handle(method: str, path: str, query: dict[str, Any], body: dict[str, Any]) -> tuple[int, Any]:
    route = path[len(PREFIX):].rstrip("/") or "/"

    if route == "/health":
        return 200, {"ok": True}

    if route == "/reset":
        _require(method, "POST")
        reset_all()
        return 200, {"reset": True, "timing": rollout.timing_dict()}

    if route == "/timing":
        if method == "GET":
            return 200, rollout.timing_dict()
        _require(method, "POST")
        try:
            with rollout.LOCK:
                rollout.update_timing(body)
        except ValueError as error:
            raise ControlError(400, str(error)) from None
        return 200, rollout.timing_dict()

    if route == "/deployment-outcomes":
        if method == "GET":
            return 200, {"rules": [vars(r) for r in rollout.OUTCOME_RULES]}
        if method == "DELETE":
            with rollout.LOCK:
                rollout.OUTCOME_RULES.clear()
            return 200, {"rules": []}
        _require(method, "POST")
        try:
            with rollout.LOCK:
                rule = rollout.add_outcome_rule(body)
        except ValueError as error:
            raise ControlError(400, str(error)) from None
        return 200, {"rule": vars(rule), "count": len(rollout.OUTCOME_RULES)}

    if route == "/ecr/images":
        _require(method, "POST")
        region, account_id = _region_and_account(body)
        try:
            # ecr_images guards its own state, so a large seed does not hold up ECS calls.
            return 200, ecr_images.seed_image(account_id, region, body)
        except ValueError as error:
            raise ControlError(400, str(error)) from None

    if route == "/ecs/running-images":
        values = {**query, **body}
        cluster = values.get("cluster")
        service_name = values.get("service")
        if not cluster or not service_name:
            raise ControlError(400, "cluster and service are required, e.g. ?cluster=quiz-backend-testing&service=quiz-backend-testing")
        region, account_id = _region_and_account(values)
        with rollout.LOCK:
            service = rollout.find_service(account_id, region, cluster, service_name)
            if service is None:
                raise ControlError(404, f"service {service_name} not found in cluster {cluster} ({account_id}, {region})")
            return 200, {"images": rollout.running_images(service)}

    raise ControlError(404, f"unknown control path {path}: see packages/emulator/README.md for the control API")


def _require(method: str, expected: str) -> None:
    if method != expected:
        raise ControlError(405, f"method {method} is not allowed on this path, use {expected}")


def handle(environ: dict[str, Any], start_response: Any) -> list[bytes]:
    method = environ.get("REQUEST_METHOD", "GET")
    path = environ.get("PATH_INFO", "")
    if path.startswith(ecr_images.BLOB_ROUTE):
        # Download URLs from GetDownloadUrlForLayer: a byte stream, not JSON.
        return ecr_images.serve_blob(environ, start_response)  # type: ignore[return-value]
    query = {k: v[-1] for k, v in parse_qs(environ.get("QUERY_STRING", "")).items()}
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    raw = environ["wsgi.input"].read(length) if length else b""
    try:
        body = json.loads(raw) if raw.strip() else {}
        if not isinstance(body, dict):
            raise ControlError(400, "request body must be a JSON object")
        status, result = _handle(method, path, query, body)
    except json.JSONDecodeError as error:
        status, result = 400, {"error": f"request body is not valid JSON: {error}"}
    except ControlError as error:
        status, result = error.status, {"error": str(error)}
    except Exception as error:
        log.exception("control request %s %s failed", method, path)
        status, result = 500, {"error": f"{type(error).__name__}: {error}"}
    payload = json.dumps(result).encode("utf-8")
    reasons = {200: "OK", 400: "Bad Request", 404: "Not Found", 405: "Method Not Allowed", 500: "Internal Server Error"}
    start_response(
        f"{status} {reasons.get(status, 'Error')}",
        [("Content-Type", "application/json"), ("Content-Length", str(len(payload)))],
    )
    return [payload]
