"""ECR manifests, tags and layer uploads against the emulator server, through boto3."""

from __future__ import annotations

import hashlib
import json

import pytest
import requests
from botocore.exceptions import ClientError

from conftest import client

OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
OCI_INDEX = "application/vnd.oci.image.index.v1+json"
MIB = 1024 * 1024
ALL_TYPES = [
    "application/vnd.docker.distribution.manifest.v1+json",
    "application/vnd.docker.distribution.manifest.v2+json",
    "application/vnd.docker.distribution.manifest.list.v2+json",
    OCI_MANIFEST,
    OCI_INDEX,
]


def digest_of(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


def seed(control: str, **body) -> dict:  # noqa: ANN003
    response = requests.post(control + "/ecr/images", json=body, timeout=60)
    assert response.status_code == 200, response.text
    return response.json()


def error_code(call, **kwargs) -> str:  # noqa: ANN001
    with pytest.raises(ClientError) as caught:
        call(**kwargs)
    return caught.value.response["Error"]["Code"]


def upload_blob(ecr, repository: str, data: bytes, part_size: int = 5 * MIB) -> str:  # noqa: ANN001
    upload_id = ecr.initiate_layer_upload(repositoryName=repository)["uploadId"]
    for first in range(0, len(data), part_size):
        part = data[first:first + part_size]
        ecr.upload_layer_part(
            repositoryName=repository, uploadId=upload_id, partFirstByte=first,
            partLastByte=first + len(part) - 1, layerPartBlob=part,
        )
    return ecr.complete_layer_upload(repositoryName=repository, uploadId=upload_id, layerDigests=[digest_of(data)])["layerDigest"]


def test_put_image_requires_layers_in_repository(endpoint: str, control: str) -> None:
    seeded = seed(control, repository="quiz-backend", tag="v1", shape="single", seed="a")
    ecr = client(endpoint, "ecr")
    ecr.create_repository(repositoryName="quiz-backend-production")

    code = error_code(ecr.put_image, repositoryName="quiz-backend-production", imageManifest=seeded["manifest"],
                      imageManifestMediaType=OCI_MANIFEST, imageTag="v1")

    assert code == "LayersNotFoundException"
    assert ecr.list_images(repositoryName="quiz-backend-production")["imageIds"] == []


def test_put_index_requires_child_manifests(endpoint: str, control: str) -> None:
    seeded = seed(control, repository="quiz-backend", tag="v1", shape="index", seed="a")
    ecr = client(endpoint, "ecr")
    ecr.create_repository(repositoryName="quiz-backend-production")

    code = error_code(ecr.put_image, repositoryName="quiz-backend-production", imageManifest=seeded["manifest"],
                      imageManifestMediaType=OCI_INDEX, imageTag="v1")

    assert code == "ReferencedImagesNotFoundException"


def test_copy_by_layer_apis_then_put_image(endpoint: str, control: str) -> None:
    seeded = seed(control, repository="quiz-backend", tag="v1", shape="single", seed="a", layerSizes=[12 * MIB])
    ecr = client(endpoint, "ecr")
    ecr.create_repository(repositoryName="quiz-backend-production")
    manifest = json.loads(seeded["manifest"])
    digests = [manifest["config"]["digest"]] + [layer["digest"] for layer in manifest["layers"]]

    before = ecr.batch_check_layer_availability(repositoryName="quiz-backend-production", layerDigests=digests)["layers"]
    assert [layer["layerAvailability"] for layer in before] == ["UNAVAILABLE", "UNAVAILABLE"]

    for digest in digests:
        url = ecr.get_download_url_for_layer(repositoryName="quiz-backend", layerDigest=digest)["downloadUrl"]
        assert url.startswith("http://127.0.0.1:")
        data = requests.get(url, timeout=30).content
        assert digest_of(data) == digest
        assert upload_blob(ecr, "quiz-backend-production", data) == digest

    after = ecr.batch_check_layer_availability(repositoryName="quiz-backend-production", layerDigests=digests)["layers"]
    assert [layer["layerAvailability"] for layer in after] == ["AVAILABLE", "AVAILABLE"]
    assert after[1]["layerSize"] == 12 * MIB
    put = ecr.put_image(repositoryName="quiz-backend-production", imageManifest=seeded["manifest"],
                        imageManifestMediaType=OCI_MANIFEST, imageTag="v1", imageDigest=seeded["digest"])
    assert put["image"]["imageId"] == {"imageDigest": seeded["digest"], "imageTag": "v1"}


def test_upload_parts_must_be_in_order(endpoint: str, control: str) -> None:
    ecr = client(endpoint, "ecr")
    ecr.create_repository(repositoryName="uploads")
    upload_id = ecr.initiate_layer_upload(repositoryName="uploads")["uploadId"]
    part = b"x" * (5 * MIB)

    code = error_code(ecr.upload_layer_part, repositoryName="uploads", uploadId=upload_id,
                      partFirstByte=5 * MIB, partLastByte=10 * MIB - 1, layerPartBlob=part)
    assert code == "InvalidLayerPartException"

    ecr.upload_layer_part(repositoryName="uploads", uploadId=upload_id, partFirstByte=0, partLastByte=9, layerPartBlob=b"y" * 10)
    code = error_code(ecr.upload_layer_part, repositoryName="uploads", uploadId=upload_id,
                      partFirstByte=10, partLastByte=10 + len(part) - 1, layerPartBlob=part)
    assert code == "LayerPartTooSmallException"


def test_complete_upload_checks_digest(endpoint: str, control: str) -> None:
    ecr = client(endpoint, "ecr")
    ecr.create_repository(repositoryName="uploads")
    upload_id = ecr.initiate_layer_upload(repositoryName="uploads")["uploadId"]
    ecr.upload_layer_part(repositoryName="uploads", uploadId=upload_id, partFirstByte=0, partLastByte=2, layerPartBlob=b"abc")

    code = error_code(ecr.complete_layer_upload, repositoryName="uploads", uploadId=upload_id, layerDigests=[digest_of(b"abd")])

    assert code == "InvalidLayerException"
    assert upload_blob(ecr, "uploads", b"abc") == digest_of(b"abc")
    assert error_code(lambda **_: upload_blob(ecr, "uploads", b"abc")) == "LayerAlreadyExistsException"


def test_immutable_tag_on_other_digest(endpoint: str, control: str) -> None:
    first = seed(control, repository="locked", tag="v1", shape="single", seed="a", tagMutability="IMMUTABLE")
    second = seed(control, repository="locked", tag="v2", shape="single", seed="b")
    ecr = client(endpoint, "ecr")

    code = error_code(ecr.put_image, repositoryName="locked", imageManifest=second["manifest"], imageTag="v1",
                      imageManifestMediaType=OCI_MANIFEST)
    assert code == "ImageTagAlreadyExistsException"
    same = error_code(ecr.put_image, repositoryName="locked", imageManifest=first["manifest"], imageTag="v1",
                      imageManifestMediaType=OCI_MANIFEST)
    assert same == "ImageAlreadyExistsException"
    tagged = ecr.batch_get_image(repositoryName="locked", imageIds=[{"imageTag": "v1"}])["images"][0]
    assert tagged["imageId"]["imageDigest"] == first["digest"]


@pytest.mark.parametrize(
    ("mutability", "filters", "movable"),
    [
        ("MUTABLE", None, {"release": True, "v1.2.3": True}),
        ("IMMUTABLE", None, {"release": False, "v1.2.3": False}),
        ("MUTABLE_WITH_EXCLUSION", [{"filter": "v*", "filterType": "WILDCARD"}], {"release": True, "v1.2.3": False}),
        ("IMMUTABLE_WITH_EXCLUSION", [{"filter": "rel*", "filterType": "WILDCARD"}], {"release": True, "v1.2.3": False}),
    ],
)
def test_tag_mutability_modes(endpoint: str, control: str, mutability: str, filters: list | None, movable: dict) -> None:
    ecr = client(endpoint, "ecr")
    arguments = {"repositoryName": "modes", "imageTagMutability": mutability}
    if filters:
        arguments["imageTagMutabilityExclusionFilters"] = filters
    ecr.create_repository(**arguments)
    old = seed(control, repository="modes", tag="release", shape="single", seed="a")
    ecr.put_image(repositoryName="modes", imageManifest=old["manifest"], imageTag="v1.2.3", imageManifestMediaType=OCI_MANIFEST)
    new = seed(control, repository="modes", shape="single", seed="b")

    for tag, expected in movable.items():
        if expected:
            moved = ecr.put_image(repositoryName="modes", imageManifest=new["manifest"], imageTag=tag, imageManifestMediaType=OCI_MANIFEST)
            assert moved["image"]["imageId"]["imageDigest"] == new["digest"]
        else:
            code = error_code(ecr.put_image, repositoryName="modes", imageManifest=new["manifest"], imageTag=tag,
                              imageManifestMediaType=OCI_MANIFEST)
            assert code == "ImageTagAlreadyExistsException", tag


def test_batch_get_image_honours_accepted_media_types(endpoint: str, control: str) -> None:
    seeded = seed(control, repository="quiz-backend", tag="v1", shape="index", seed="a")
    ecr = client(endpoint, "ecr")

    narrow = ecr.batch_get_image(repositoryName="quiz-backend", imageIds=[{"imageTag": "v1"}], acceptedMediaTypes=[OCI_MANIFEST])
    wide = ecr.batch_get_image(repositoryName="quiz-backend", imageIds=[{"imageTag": "v1"}], acceptedMediaTypes=ALL_TYPES)

    assert narrow["images"] == []
    assert narrow["failures"][0]["imageId"] == {"imageTag": "v1"}
    assert wide["images"][0]["imageManifest"] == seeded["manifest"]
    assert wide["images"][0]["imageManifestMediaType"] == OCI_INDEX


def test_put_image_without_media_type(endpoint: str, control: str) -> None:
    seeded = seed(control, repository="quiz-backend", tag="v1", shape="single", seed="a")
    ecr = client(endpoint, "ecr")
    without_field = json.loads(seeded["manifest"])
    del without_field["mediaType"]

    with pytest.raises(ClientError) as caught:
        ecr.put_image(repositoryName="quiz-backend", imageManifest=json.dumps(without_field), imageTag="v2")

    assert caught.value.response["Error"]["Code"] == "InvalidParameterException"
    assert "Invalid JSON syntax" in caught.value.response["Error"]["Message"]


def test_registry_id_addresses_other_account(endpoint: str, control: str) -> None:
    seeded = seed(control, repository="quiz-backend", tag="v1", shape="single", seed="a", accountId="210987654321")
    ecr = client(endpoint, "ecr")

    found = ecr.batch_get_image(registryId="210987654321", repositoryName="quiz-backend", imageIds=[{"imageTag": "v1"}])

    assert found["images"][0]["imageId"]["imageDigest"] == seeded["digest"]
    assert error_code(ecr.batch_get_image, repositoryName="quiz-backend", imageIds=[{"imageTag": "v1"}]) == "RepositoryNotFoundException"


def test_blob_url_for_unknown_digest(endpoint: str, control: str) -> None:
    response = requests.get(control + "/blobs/123456789012/ap-south-1/quiz-backend/sha256:" + "0" * 64, timeout=5)

    assert response.status_code == 404
    assert "not found" in response.json()["error"]


def test_generated_layers_are_deterministic(endpoint: str, control: str) -> None:
    first = seed(control, repository="one", tag="v1", shape="single", seed="bench", layerSizes=[MIB + 7, 3])
    second = seed(control, repository="two", tag="v1", shape="single", seed="bench", layerSizes=[MIB + 7, 3])

    assert first["digest"] == second["digest"]
    layers = json.loads(first["manifest"])["layers"]
    assert [layer["size"] for layer in layers] == [MIB + 7, 3]
