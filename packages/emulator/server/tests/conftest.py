"""Start one emulator subprocess on 127.0.0.1 for the whole test session."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator

import boto3
import pytest
import requests

SERVER_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
REGION = "ap-south-1"

# Short steps keep each rollout under a couple of seconds.
FAST_TIMING = {
    "tickSeconds": 0.05,
    "provisionSeconds": 0.1,
    "taskStartSeconds": 0.2,
    "healthySeconds": 0.2,
    "drainSeconds": 0.2,
    "stopSeconds": 0.1,
    "slowStartSeconds": 1.0,
    "crashSeconds": 0.2,
}


@pytest.fixture(scope="session")
def endpoint() -> Iterator[str]:
    process = subprocess.Popen(
        [sys.executable, os.path.join(SERVER_DIR, "main.py"), "--port", "0"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    line = process.stdout.readline().strip()
    if not line.startswith("EMULATOR_READY "):
        process.kill()
        stderr = process.stderr.read() if process.stderr else ""
        raise RuntimeError(f"emulator did not start; first stdout line {line!r}; stderr:\n{stderr[-3000:]}")
    url = line.split(" ", 1)[1]
    yield url
    assert process.stdin is not None
    process.stdin.close()
    process.wait(timeout=10)


@pytest.fixture()
def control(endpoint: str) -> Iterator[str]:
    base = endpoint + "/_emulator"
    requests.post(base + "/reset", timeout=10).raise_for_status()
    requests.post(base + "/timing", json=FAST_TIMING, timeout=10).raise_for_status()
    yield base


def client(endpoint: str, name: str):  # noqa: ANN201 - boto3 clients have dynamic types
    return boto3.client(
        name,
        endpoint_url=endpoint,
        region_name=REGION,
        aws_access_key_id="test",
        aws_secret_access_key="test",
    )


def wait_for(predicate, timeout: float = 15.0, interval: float = 0.1):  # noqa: ANN001, ANN201
    """Poll predicate until it returns a truthy value; return that value."""
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        last = predicate()
        if last:
            return last
        time.sleep(interval)
    raise AssertionError(f"condition not met within {timeout}s; last value {last!r}")
