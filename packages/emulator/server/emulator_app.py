"""WSGI application: moto's multi-service app plus the extension.

Routing:
- /_emulator/...                      -> control.handle
- ECS JSON calls listed in ecs_api    -> moto, then the response is rewritten
- ECS and ELBv2 calls                 -> moto, holding ecs_rollout.LOCK
- everything else                     -> moto unchanged
"""

from __future__ import annotations

import io
import json
import logging
from typing import Any, Callable

from moto.core import DEFAULT_ACCOUNT_ID
from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app

import control
import ecr_images
import ecs_api
import ecs_rollout as rollout
import elb_targets

log = logging.getLogger("emulator.app")

ECS_TARGET_PREFIX = "AmazonEC2ContainerServiceV20141113."
LOCKED_SERVICES = {"ecs", "elasticloadbalancing"}


def _credential_scope(environ: dict[str, Any]) -> tuple[str | None, str | None, str | None]:
    """Return (access key, region, service) from a SigV4 Authorization header."""
    auth = environ.get("HTTP_AUTHORIZATION") or ""
    try:
        credential = auth.split("Credential=", 1)[1].split(",", 1)[0]
        access_key, _, region, service, _ = credential.split("/")
        return access_key, region, service
    except (IndexError, ValueError):
        return None, None, None


def _account_for(access_key: str | None) -> str:
    if not access_key:
        return DEFAULT_ACCOUNT_ID
    from moto.iam.models import get_account_id_from

    return get_account_id_from(access_key)


class EmulatorApp:
    def __init__(self) -> None:
        ecr_images.install()
        elb_targets.install()
        self.moto = DomainDispatcherApplication(create_backend_app)

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        path = environ.get("PATH_INFO", "")
        if path == control.PREFIX or path.startswith(control.PREFIX + "/"):
            return control.handle(environ, start_response)

        access_key, region, service = _credential_scope(environ)
        if service == "ecr" and ecr_images.is_upload_layer_part(environ):
            return ecr_images.handle_upload_layer_part(environ, start_response, region or "us-east-1", _account_for(access_key))
        if service not in LOCKED_SERVICES:
            return self.moto(environ, start_response)

        target = environ.get("HTTP_X_AMZ_TARGET") or ""
        action = target[len(ECS_TARGET_PREFIX):] if target.startswith(ECS_TARGET_PREFIX) else None
        with rollout.LOCK:
            if service == "ecs" and action in HANDLED_ACTIONS:
                return self._handle_ecs(environ, start_response, action, region or "us-east-1", _account_for(access_key))
            status, headers, body = self._call_moto(environ)
        start_response(status, headers)
        return [body]

    def _call_moto(self, environ: dict[str, Any]) -> tuple[str, list[tuple[str, str]], bytes]:
        captured: dict[str, Any] = {}

        def capture(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Callable[[bytes], None]:
            captured["status"] = status
            captured["headers"] = headers
            return lambda _data: None

        result = self.moto(environ, capture)
        try:
            body = b"".join(result)
        finally:
            if hasattr(result, "close"):
                result.close()
        return captured["status"], captured["headers"], body

    def _handle_ecs(self, environ: dict[str, Any], start_response: Any, action: str, region: str, account_id: str) -> list[bytes]:
        length = int(environ.get("CONTENT_LENGTH") or 0)
        raw = environ["wsgi.input"].read(length) if length else b""
        request = json.loads(raw) if raw.strip() else {}
        last_headers: list[tuple[str, str]] = []

        def forward(body: dict[str, Any]) -> tuple[int, list[tuple[str, str]], Any]:
            data = json.dumps(body).encode("utf-8")
            inner = dict(environ)
            inner["wsgi.input"] = io.BytesIO(data)
            inner["CONTENT_LENGTH"] = str(len(data))
            status, headers, payload = self._call_moto(inner)
            last_headers[:] = headers
            try:
                parsed = json.loads(payload) if payload.strip() else {}
            except json.JSONDecodeError:
                parsed = {"message": payload.decode("utf-8", "replace")}
            return int(status.split(" ", 1)[0]), headers, parsed

        handler = HANDLED_ACTIONS[action]
        if action == "RegisterTaskDefinition":
            status, body = handler(request, forward, account_id)
        elif action in ("DescribeTaskDefinition", "DeregisterTaskDefinition"):
            status, body = handler(request, forward)
        else:
            status, body = handler(request, forward, account_id, region)

        payload = json.dumps(body).encode("utf-8")
        headers = [
            (k, v) for k, v in last_headers
            if k.lower() not in ("content-length", "content-type")
        ]
        headers.append(("Content-Type", "application/x-amz-json-1.1"))
        headers.append(("Content-Length", str(len(payload))))
        reason = "OK" if status == 200 else "Error"
        start_response(f"{status} {reason}", headers)
        return [payload]


HANDLED_ACTIONS: dict[str, Callable[..., tuple[int, Any]]] = {
    "RegisterTaskDefinition": ecs_api.register_task_definition,
    "DescribeTaskDefinition": ecs_api.describe_task_definition,
    "DeregisterTaskDefinition": ecs_api.deregister_task_definition,
    **ecs_api.HANDLERS_WITH_REGION,
}
