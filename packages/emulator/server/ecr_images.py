"""ECR image manifests with real content digests, and image seeding.

moto 5.2.1 derives an image digest from the layer digests (or a random number) rather
than from the manifest bytes, so a digest from BatchGetImage never matches what a
registry client computes. put_image and batch_get_image are wrapped so that:
- the digest is "sha256:" + hex SHA-256 of the manifest bytes exactly as stored;
- a given imageDigest must equal that value;
- pushing the same bytes under a new tag adds the tag to the existing image;
- manifests pushed without a tag (index children) are stored once, untagged;
- BatchGetImage by tag reports the requested tag in imageId.

Blobs (configs and layers) live in BLOBS, one store per repository, so the layer
upload APIs can be added on top later.
"""

from __future__ import annotations

import copy
import gzip
import hashlib
import io
import json
import tarfile
import uuid
from typing import Any

from moto.core.exceptions import ServiceException
from moto.ecr import models as ecr_models

OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
OCI_INDEX = "application/vnd.oci.image.index.v1+json"
OCI_CONFIG = "application/vnd.oci.image.config.v1+json"
OCI_LAYER = "application/vnd.oci.image.layer.v1.tar+gzip"
IN_TOTO = "application/vnd.in-toto+json"

SHAPES = ("single", "index", "index-with-attestation")

# (account, region, repository) -> {digest: bytes}
BLOBS: dict[tuple[str, str, str], dict[str, bytes]] = {}


class ImageDigestDoesNotMatchException(ServiceException):
    code = "ImageDigestDoesNotMatchException"


def sha256_digest(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


_original_put_image = ecr_models.ECRBackend.put_image
_original_batch_get_image = ecr_models.ECRBackend.batch_get_image


def _put_image(
    self: Any,
    repository_name: str,
    image_manifest: str,
    image_tag: str | None,
    image_manifest_mediatype: str | None = None,
    digest: str | None = None,
) -> Any:
    computed = sha256_digest(image_manifest.encode("utf-8"))
    if digest and digest != computed:
        raise ImageDigestDoesNotMatchException(
            f"Invalid parameter at 'imageDigest': the given digest {digest} does not match "
            f"the digest of the manifest, {computed}"
        )
    repository = self.repositories.get(repository_name)
    if repository is not None and not image_tag:
        for image in repository.images:
            if image.get_image_digest() == computed:
                return image
    return _original_put_image(
        self, repository_name, image_manifest, image_tag, image_manifest_mediatype, computed
    )


def _batch_get_image(
    self: Any,
    repository_name: str,
    registry_id: str | None = None,
    image_ids: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    response = _original_batch_get_image(self, repository_name, registry_id, image_ids)
    # ECR returns one entry per requested image id, carrying the requested tag; moto returns
    # each image once, with its last tag. Two tags that name one image must both come back.
    found = response["images"]
    images = []
    for image_id in image_ids or []:
        tag = image_id.get("imageTag")
        digest = image_id.get("imageDigest")
        image = next(
            (i for i in found
             if (tag is None or tag in i.image_tags)
             and (digest is None or digest == i.get_image_digest())),
            None,
        )
        if image is None:
            continue
        tagged_copy = copy.copy(image)
        tagged_copy.image_tag = tag if tag else image.image_tag
        images.append(tagged_copy)
    response["images"] = images
    return response


def install() -> None:
    ecr_models.ECRBackend.put_image = _put_image
    ecr_models.ECRBackend.batch_get_image = _batch_get_image


def reset_state() -> None:
    BLOBS.clear()


# --- seeding --------------------------------------------------------------------


def _canonical(document: dict[str, Any]) -> bytes:
    return json.dumps(document, indent=2).encode("utf-8")


def _store_blob(store: dict[str, bytes], data: bytes) -> dict[str, Any]:
    digest = sha256_digest(data)
    store[digest] = data
    return {"digest": digest, "size": len(data)}


def _layer(seed: str, platform: str) -> tuple[bytes, str]:
    """Build a small gzip-compressed tar layer and return its bytes and the diff ID of the tar."""
    content = f"seed={seed}\nplatform={platform}\n".encode("utf-8")
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.USTAR_FORMAT) as archive:
        info = tarfile.TarInfo("app/seed.txt")
        info.size = len(content)
        info.mtime = 0
        archive.addfile(info, io.BytesIO(content))
    tar_bytes = raw.getvalue()
    # mtime=0 keeps the gzip bytes, and so the digest, stable for a given seed.
    compressed = gzip.compress(tar_bytes, mtime=0)
    return compressed, sha256_digest(tar_bytes)


def _split_platform(platform: str) -> dict[str, str]:
    parts = platform.split("/")
    if len(parts) < 2 or not all(parts):
        raise ValueError(f"platform must look like os/arch or os/arch/variant, got {platform!r}")
    result = {"architecture": parts[1], "os": parts[0]}
    if len(parts) > 2:
        result["variant"] = parts[2]
    return result


def _image_manifest(store: dict[str, bytes], seed: str, platform: str) -> bytes:
    layer_bytes, diff_id = _layer(seed, platform)
    layer = _store_blob(store, layer_bytes)
    config = {
        **_split_platform(platform),
        "config": {"Env": ["PATH=/usr/local/bin:/usr/bin:/bin"], "Labels": {"emulator.seed": seed}},
        "rootfs": {"type": "layers", "diff_ids": [diff_id]},
    }
    config_ref = _store_blob(store, _canonical(config))
    manifest = {
        "schemaVersion": 2,
        "mediaType": OCI_MANIFEST,
        "config": {"mediaType": OCI_CONFIG, **config_ref},
        "layers": [{"mediaType": OCI_LAYER, **layer}],
    }
    return _canonical(manifest)


def _attestation_manifest(store: dict[str, bytes], seed: str, subject_digest: str) -> bytes:
    statement = {
        "_type": "https://in-toto.io/Statement/v0.1",
        "predicateType": "https://slsa.dev/provenance/v0.2",
        "subject": [{"name": "_", "digest": {"sha256": subject_digest.split(":", 1)[1]}}],
        "predicate": {"builder": {"id": ""}, "metadata": {"emulator.seed": seed}},
    }
    statement_ref = _store_blob(store, _canonical(statement))
    config = {"architecture": "unknown", "os": "unknown", "config": {}, "rootfs": {"type": "layers", "diff_ids": [statement_ref["digest"]]}}
    config_ref = _store_blob(store, _canonical(config))
    manifest = {
        "schemaVersion": 2,
        "mediaType": OCI_MANIFEST,
        "config": {"mediaType": OCI_CONFIG, **config_ref},
        "layers": [{
            "mediaType": IN_TOTO,
            **statement_ref,
            "annotations": {"in-toto.io/predicate-type": "https://slsa.dev/provenance/v0.2"},
        }],
    }
    return _canonical(manifest)


def seed_image(account_id: str, region: str, body: dict[str, Any]) -> dict[str, Any]:
    """Create the repository if needed and push an image the way buildx does."""
    repository_name = body.get("repository")
    if not isinstance(repository_name, str) or not repository_name:
        raise ValueError("repository is required: the ECR repository name, e.g. \"quiz-backend\"")
    tag = body.get("tag")
    if tag is not None and not isinstance(tag, str):
        raise ValueError(f"tag must be a string, got {tag!r}")
    shape = body.get("shape", "index")
    if shape not in SHAPES:
        raise ValueError(f"shape must be one of {list(SHAPES)}, got {shape!r}")
    platforms = body.get("platforms") or ["linux/arm64"]
    if not isinstance(platforms, list) or not all(isinstance(p, str) for p in platforms):
        raise ValueError(f"platforms must be a list of strings like \"linux/arm64\", got {platforms!r}")
    for platform in platforms:
        _split_platform(platform)
    seed = str(body.get("seed") or uuid.uuid4().hex)

    backend = ecr_models.ecr_backends[account_id][region]
    if repository_name not in backend.repositories:
        backend.create_repository(
            repository_name=repository_name,
            registry_id=None,
            encryption_config={"encryptionType": "AES256"},
            image_scan_config={"scanOnPush": False},
            image_tag_mutability="MUTABLE",
            tags=[],
        )
    store = BLOBS.setdefault((account_id, region, repository_name), {})

    if shape == "single":
        manifest = _image_manifest(store, seed, platforms[0])
        image = backend.put_image(repository_name, manifest.decode("utf-8"), tag, OCI_MANIFEST)
        return _seed_result(backend, repository_name, account_id, region, tag, image, OCI_MANIFEST, manifest, [])

    entries = []
    children = []
    for platform in platforms:
        child = _image_manifest(store, seed, platform)
        child_image = backend.put_image(repository_name, child.decode("utf-8"), None, OCI_MANIFEST)
        child_digest = child_image.get_image_digest()
        entries.append({
            "mediaType": OCI_MANIFEST,
            "digest": child_digest,
            "size": len(child),
            "platform": _split_platform(platform),
        })
        children.append({"digest": child_digest, "mediaType": OCI_MANIFEST, "platform": platform})

    if shape == "index-with-attestation":
        for entry in list(entries):
            attestation = _attestation_manifest(store, seed, entry["digest"])
            stored = backend.put_image(repository_name, attestation.decode("utf-8"), None, OCI_MANIFEST)
            digest = stored.get_image_digest()
            entries.append({
                "mediaType": OCI_MANIFEST,
                "digest": digest,
                "size": len(attestation),
                "annotations": {
                    "vnd.docker.reference.digest": entry["digest"],
                    "vnd.docker.reference.type": "attestation-manifest",
                },
                "platform": {"architecture": "unknown", "os": "unknown"},
            })
            children.append({"digest": digest, "mediaType": OCI_MANIFEST, "platform": "unknown/unknown"})

    index = _canonical({"schemaVersion": 2, "mediaType": OCI_INDEX, "manifests": entries})
    image = backend.put_image(repository_name, index.decode("utf-8"), tag, OCI_INDEX)
    return _seed_result(backend, repository_name, account_id, region, tag, image, OCI_INDEX, index, children)


def _seed_result(
    backend: Any,
    repository_name: str,
    account_id: str,
    region: str,
    tag: str | None,
    image: Any,
    media_type: str,
    manifest: bytes,
    children: list[dict[str, Any]],
) -> dict[str, Any]:
    digest = image.get_image_digest()
    registry = f"{account_id}.dkr.ecr.{region}.amazonaws.com"
    return {
        "repositoryName": repository_name,
        "repositoryUri": backend.repositories[repository_name].uri,
        "tag": tag,
        "digest": digest,
        "imageUri": f"{registry}/{repository_name}@{digest}",
        "mediaType": media_type,
        "manifest": manifest.decode("utf-8"),
        "children": children,
    }
