"""ECR as a registry client sees it: content digests, referenced blobs, tag immutability and
the layer APIs, on top of moto 5.2.1.

moto 5.2.1 derives an image digest from the layer digests (or a random number), accepts a
manifest whose layers were never uploaded, ignores acceptedMediaTypes, raises
ImageAlreadyExistsException for an immutable tag and leaves the layer APIs unimplemented.
This module replaces those parts:

- The digest is "sha256:" + hex SHA-256 of the manifest bytes exactly as stored, and a given
  imageDigest must equal it (ImageDigestDoesNotMatchException).
- PutImage rejects an image manifest whose config or layers are not blobs of that repository
  (LayersNotFoundException) and an index whose child manifests are not images of that
  repository (ReferencedImagesNotFoundException).
- A tag on another digest raises ImageTagAlreadyExistsException when the tag is immutable:
  IMMUTABLE, MUTABLE_WITH_EXCLUSION for tags matching a filter, IMMUTABLE_WITH_EXCLUSION for
  tags matching none. The same manifest under the same tag raises ImageAlreadyExistsException.
- BatchGetImage returns one entry per requested image id with the requested tag, and honours
  acceptedMediaTypes when the request sends it.
- BatchCheckLayerAvailability, GetDownloadUrlForLayer, InitiateLayerUpload, UploadLayerPart
  and CompleteLayerUpload work on real bytes. Download URLs point at this server,
  /_emulator/blobs/..., which streams the blob from disk.
- A request's registryId selects that account's registry, so a test can promote into
  another account. Repository policies are not evaluated.

Blobs live on disk in a temporary directory, one file per digest, so a 1 GiB image costs no
server memory. Each repository records which digests it holds.
"""

from __future__ import annotations

import atexit
import binascii
import ctypes
import ctypes.util
import fnmatch
import gzip
import hashlib
import io
import json
import os
import random
import shutil
import tarfile
import tempfile
import threading
import uuid
from dataclasses import dataclass, field
from typing import Any, Iterator
from urllib.parse import quote, unquote

from moto.core.exceptions import ServiceException
from moto.core.responses import ActionResult
from moto.ecr import models as ecr_models
from moto.ecr import responses as ecr_responses
from moto.ecr.exceptions import ImageAlreadyExistsException, InvalidParameterException, RepositoryNotFoundException

OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
OCI_INDEX = "application/vnd.oci.image.index.v1+json"
OCI_CONFIG = "application/vnd.oci.image.config.v1+json"
OCI_LAYER = "application/vnd.oci.image.layer.v1.tar+gzip"
DOCKER_SCHEMA1 = "application/vnd.docker.distribution.manifest.v1+json"
DOCKER_SCHEMA1_SIGNED = "application/vnd.docker.distribution.manifest.v1+prettyjws"
DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json"
DOCKER_MANIFEST_LIST = "application/vnd.docker.distribution.manifest.list.v2+json"
IN_TOTO = "application/vnd.in-toto+json"

SHAPES = ("single", "index", "index-with-attestation")

# UploadLayerPart limits from the ECR API reference: layerPartBlob is at most 20971520 bytes
# (UploadLayerPart, "Length Constraints"), and every part but the last must be at least 5 MiB
# (LayerPartTooSmallException).
MAX_PART_BYTES = 20_971_520
MIN_PART_BYTES = 5 * 1024 * 1024
BLOB_ROUTE = "/_emulator/blobs/"
READ_CHUNK_BYTES = 1024 * 1024

# Guards repository images, blob membership and the upload table. Blob bytes are read and
# written outside it.
LOCK = threading.RLock()


class ImageDigestDoesNotMatchException(ServiceException):
    code = "ImageDigestDoesNotMatchException"


class ImageTagAlreadyExistsException(ServiceException):
    code = "ImageTagAlreadyExistsException"


class LayersNotFoundException(ServiceException):
    code = "LayersNotFoundException"


class ReferencedImagesNotFoundException(ServiceException):
    code = "ReferencedImagesNotFoundException"


class UploadNotFoundException(ServiceException):
    code = "UploadNotFoundException"


class InvalidLayerPartException(ServiceException):
    code = "InvalidLayerPartException"


class LayerPartTooSmallException(ServiceException):
    code = "LayerPartTooSmallException"


class InvalidLayerException(ServiceException):
    code = "InvalidLayerException"


class EmptyUploadException(ServiceException):
    code = "EmptyUploadException"


class LayerAlreadyExistsException(ServiceException):
    code = "LayerAlreadyExistsException"


def sha256_digest(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


# --- blob store -------------------------------------------------------------------


RepositoryKey = tuple[str, str, str]  # (registry id, region, repository name)

# Digest -> size, per repository. The bytes are in the blob directory.
REPOSITORY_BLOBS: dict[RepositoryKey, dict[str, int]] = {}
_blob_dir: str | None = None


def blob_dir() -> str:
    global _blob_dir
    if _blob_dir is None:
        # EMULATOR_BLOB_DIR picks the parent directory, for example a tmpfs for faster writes.
        _blob_dir = tempfile.mkdtemp(prefix="emulator-ecr-blobs-", dir=os.environ.get("EMULATOR_BLOB_DIR") or None)
        atexit.register(shutil.rmtree, _blob_dir, True)
    return _blob_dir


def blob_path(digest: str) -> str:
    return os.path.join(blob_dir(), digest.replace(":", "_"))


def _valid_digest(digest: Any) -> bool:
    if not isinstance(digest, str) or not digest.startswith("sha256:"):
        return False
    hex_part = digest[len("sha256:"):]
    return len(hex_part) == 64 and all(c in "0123456789abcdef" for c in hex_part)


def store_blob(key: RepositoryKey, data: bytes) -> dict[str, Any]:
    """Store small bytes (configs, seeded layers) as a blob of the repository."""
    digest = sha256_digest(data)
    path = blob_path(digest)
    if not os.path.exists(path):
        temporary = path + "." + uuid.uuid4().hex
        with open(temporary, "wb") as handle:
            handle.write(data)
        os.replace(temporary, path)
    with LOCK:
        REPOSITORY_BLOBS.setdefault(key, {})[digest] = len(data)
    return {"digest": digest, "size": len(data)}


def repository_blobs(key: RepositoryKey) -> dict[str, int]:
    with LOCK:
        return dict(REPOSITORY_BLOBS.get(key, {}))


# --- repositories and tags ------------------------------------------------------


def _backend(account_id: str, region: str) -> Any:
    return ecr_models.ecr_backends[account_id][region]


def _repository(backend: Any, repository_name: str) -> Any:
    repository = backend.repositories.get(repository_name)
    if repository is None:
        raise RepositoryNotFoundException(repository_name, backend.account_id)
    return repository


def _key(backend: Any, repository: Any) -> RepositoryKey:
    return (repository.registry_id, backend.region_name, repository.name)


def tag_is_immutable(repository: Any, tag: str) -> bool:
    """Apply the repository's tag mutability, with its wildcard exclusion filters, to one tag."""
    mode = str(getattr(repository.image_tag_mutability, "value", repository.image_tag_mutability))
    filters = repository.image_tag_mutability_exclusion_filters or []
    # Filters allow only [0-9a-zA-Z._*-], so "*" is the only wildcard fnmatch matches.
    excluded = any(fnmatch.fnmatchcase(tag, f.get("filter", "")) for f in filters)
    if mode == "IMMUTABLE":
        return True
    if mode == "IMMUTABLE_WITH_EXCLUSION":
        return not excluded
    if mode == "MUTABLE_WITH_EXCLUSION":
        return excluded
    return False


def _find_by_digest(repository: Any, digest: str) -> Any:
    return next((i for i in repository.images if i.get_image_digest() == digest), None)


def _find_by_tag(repository: Any, tag: str) -> Any:
    return next((i for i in repository.images if tag in i.image_tags), None)


def _remove_tag(image: Any, tag: str) -> None:
    image.remove_tag(tag)
    if not image.image_tags:
        # moto keeps the last tag in image_tag even when no tag is left.
        image.image_tag = None


def _referenced_digests(document: dict[str, Any]) -> tuple[list[str], list[str]]:
    """Return (blob digests, child manifest digests) that a manifest references."""
    blobs: list[str] = []
    children: list[str] = []
    if isinstance(document.get("manifests"), list):
        children = [m.get("digest") for m in document["manifests"] if isinstance(m, dict) and m.get("digest")]
    config = document.get("config")
    if isinstance(config, dict) and config.get("digest"):
        blobs.append(config["digest"])
    for layer in document.get("layers") or []:
        if isinstance(layer, dict) and layer.get("digest"):
            blobs.append(layer["digest"])
    for layer in document.get("fsLayers") or []:
        if isinstance(layer, dict) and layer.get("blobSum"):
            blobs.append(layer["blobSum"])
    return blobs, children


def put_image(
    backend: Any,
    repository_name: str,
    image_manifest: str,
    image_tag: str | None,
    media_type: str | None,
    image_digest: str | None,
    allow_existing: bool = False,
) -> dict[str, Any]:
    """Store a manifest as ECR's PutImage does, and return the response's image."""
    repository = _repository(backend, repository_name)
    manifest_bytes = image_manifest.encode("utf-8")
    try:
        document = json.loads(image_manifest)
        if not isinstance(document, dict):
            raise ValueError("not an object")
    except ValueError:
        raise InvalidParameterException("Invalid parameter at 'ImageManifest' failed to satisfy constraint: 'Invalid JSON syntax'") from None

    declared = document.get("mediaType")
    if not media_type:
        if not declared and document.get("schemaVersion") != 1:
            # ECR rejects an OCI manifest without a top-level mediaType unless the request
            # passes imageManifestMediaType, and words it as a JSON error.
            raise InvalidParameterException("Invalid parameter at 'ImageManifest' failed to satisfy constraint: 'Invalid JSON syntax'")
        media_type = declared or DOCKER_SCHEMA1_SIGNED
    elif declared and declared != media_type:
        raise InvalidParameterException(
            f"Invalid parameter at 'imageManifestMediaType' failed to satisfy constraint: "
            f"'{media_type}' does not match the manifest's mediaType '{declared}'"
        )

    computed = sha256_digest(manifest_bytes)
    if image_digest and image_digest != computed:
        raise ImageDigestDoesNotMatchException(
            f"Invalid parameter at 'imageDigest': the given digest {image_digest} does not match "
            f"the digest of the manifest, {computed}"
        )

    with LOCK:
        blobs, children = _referenced_digests(document)
        stored = REPOSITORY_BLOBS.get(_key(backend, repository), {})
        missing_blobs = [d for d in blobs if d not in stored]
        if missing_blobs:
            raise LayersNotFoundException(
                f"Layers with digests '{missing_blobs}' required for pushing image into repository with name "
                f"'{repository.name}' in registry with id '{repository.registry_id}' do not exist"
            )
        missing_children = [d for d in children if _find_by_digest(repository, d) is None]
        if missing_children:
            raise ReferencedImagesNotFoundException(
                f"The manifest list references images that do not exist in repository '{repository.name}' "
                f"in registry with id '{repository.registry_id}': {missing_children}"
            )

        existing = _find_by_digest(repository, computed)
        tagged = _find_by_tag(repository, image_tag) if image_tag else None
        if existing is not None and (image_tag is None or tagged is existing):
            if not allow_existing:
                raise ImageAlreadyExistsException(
                    repository_name=repository.name,
                    registry_id=repository.registry_id,
                    digest=computed,
                    image_tag=image_tag or "null",
                )
            return _image_response(repository, existing, image_tag)
        if tagged is not None and tagged is not existing and tag_is_immutable(repository, image_tag or ""):
            raise ImageTagAlreadyExistsException(
                f"The image tag '{image_tag}' already exists in the '{repository.name}' repository "
                f"and cannot be overwritten because the tag is immutable."
            )

        if tagged is not None:
            _remove_tag(tagged, image_tag or "")
        if existing is None:
            existing = ecr_models.Image(
                backend.account_id,
                image_tag,  # type: ignore[arg-type]
                image_manifest,
                repository.name,
                media_type,
                computed,
                repository.registry_id,
            )
            repository.images.append(existing)
        elif image_tag:
            existing.update_tag(image_tag)
        return _image_response(repository, existing, image_tag)


def _image_response(repository: Any, image: Any, tag: str | None) -> dict[str, Any]:
    image_id: dict[str, str] = {"imageDigest": image.get_image_digest()}
    if tag:
        image_id["imageTag"] = tag
    return {
        "registryId": repository.registry_id,
        "repositoryName": repository.name,
        "imageId": image_id,
        "imageManifest": image.image_manifest,
        "imageManifestMediaType": image.image_manifest_media_type,
    }


def batch_get_image(
    backend: Any,
    repository_name: str,
    image_ids: list[dict[str, Any]],
    accepted_media_types: list[str] | None,
) -> dict[str, Any]:
    """Return one image per requested id, carrying the requested tag, as ECR does."""
    repository = _repository(backend, repository_name)
    images: list[dict[str, Any]] = []
    failures: list[dict[str, Any]] = []
    with LOCK:
        for image_id in image_ids:
            tag = image_id.get("imageTag")
            digest = image_id.get("imageDigest")
            if not tag and not digest:
                failures.append({"imageId": image_id, "failureCode": "MissingDigestAndTag", "failureReason": "Missing digest and tag"})
                continue
            image = _find_by_tag(repository, tag) if tag else _find_by_digest(repository, digest)
            if image is None:
                failures.append({"imageId": image_id, "failureCode": "ImageNotFound", "failureReason": "Requested image not found"})
                continue
            if tag and digest and image.get_image_digest() != digest:
                failures.append({"imageId": image_id, "failureCode": "ImageTagDoesNotMatchDigest", "failureReason": "Tag does not match digest"})
                continue
            # NOTE: without acceptedMediaTypes every type is returned here. ECR's default for an
            # omitted list is not documented in the API reference, so clients should send it.
            if accepted_media_types and image.image_manifest_media_type not in accepted_media_types:
                # NOTE: the failure code ECR uses for a type outside acceptedMediaTypes is not in
                # its API reference; this code names the cause.
                failures.append({
                    "imageId": image_id,
                    "failureCode": "UnsupportedImageType",
                    "failureReason": f"The image's media type {image.image_manifest_media_type} is not in acceptedMediaTypes",
                })
                continue
            images.append(_image_response(repository, image, tag))
    return {"images": images, "failures": failures}


# --- layer uploads ------------------------------------------------------------------


@dataclass
class Upload:
    key: RepositoryKey
    path: str
    hasher: Any = field(default_factory=hashlib.sha256)
    received: int = 0
    last_part_size: int | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)


UPLOADS: dict[str, Upload] = {}


def batch_check_layer_availability(backend: Any, repository_name: str, digests: list[str]) -> dict[str, Any]:
    repository = _repository(backend, repository_name)
    stored = repository_blobs(_key(backend, repository))
    layers = []
    failures = []
    for digest in digests:
        if not _valid_digest(digest):
            failures.append({"layerDigest": digest, "failureCode": "InvalidLayerDigest", "failureReason": "Invalid layer digest"})
        elif digest in stored:
            layers.append({"layerDigest": digest, "layerAvailability": "AVAILABLE", "layerSize": stored[digest]})
        else:
            layers.append({"layerDigest": digest, "layerAvailability": "UNAVAILABLE"})
    return {"layers": layers, "failures": failures}


def get_download_url(backend: Any, repository_name: str, digest: str, host: str) -> dict[str, Any]:
    repository = _repository(backend, repository_name)
    key = _key(backend, repository)
    if digest not in repository_blobs(key):
        raise LayersNotFoundException(
            f"The layer with digest '{digest}' does not exist in repository '{repository.name}' "
            f"in registry with id '{repository.registry_id}'"
        )
    path = "/".join(quote(part, safe="") for part in (*key, digest))
    return {"downloadUrl": f"http://{host}{BLOB_ROUTE}{path}", "layerDigest": digest}


def initiate_layer_upload(backend: Any, repository_name: str) -> dict[str, Any]:
    repository = _repository(backend, repository_name)
    upload_id = str(uuid.uuid4())
    path = os.path.join(blob_dir(), "upload-" + upload_id)
    open(path, "wb").close()
    with LOCK:
        UPLOADS[upload_id] = Upload(key=_key(backend, repository), path=path)
    return {"uploadId": upload_id, "partSize": MAX_PART_BYTES}


def _upload(backend: Any, repository_name: str, upload_id: str) -> Upload:
    repository = _repository(backend, repository_name)
    with LOCK:
        upload = UPLOADS.get(upload_id)
    if upload is None or upload.key != _key(backend, repository):
        raise UploadNotFoundException(f"Upload with id '{upload_id}' is not found in repository '{repository_name}'")
    return upload


def upload_layer_part(backend: Any, repository_name: str, upload_id: str, first: int, last: int, data: bytes | memoryview) -> dict[str, Any]:
    upload = _upload(backend, repository_name, upload_id)
    with upload.lock:
        if len(data) > MAX_PART_BYTES:
            raise InvalidLayerPartException(f"Layer part of {len(data)} bytes exceeds the maximum of {MAX_PART_BYTES} bytes")
        if first != upload.received or last != first + len(data) - 1:
            raise InvalidLayerPartException(
                f"Layer part {first}-{last} with {len(data)} bytes does not continue the upload, "
                f"which has received {upload.received} bytes; parts must be uploaded in order"
            )
        if upload.last_part_size is not None and upload.last_part_size < MIN_PART_BYTES:
            raise LayerPartTooSmallException(
                f"The previous layer part had {upload.last_part_size} bytes; every part but the last must be at least {MIN_PART_BYTES} bytes"
            )
        with open(upload.path, "ab", buffering=0) as handle:
            handle.write(data)
        upload.hasher.update(data)
        upload.received += len(data)
        upload.last_part_size = len(data)
        received = upload.received
    registry_id, _, name = upload.key
    return {"registryId": registry_id, "repositoryName": name, "uploadId": upload_id, "lastByteReceived": received - 1}


def complete_layer_upload(backend: Any, repository_name: str, upload_id: str, digests: list[str]) -> dict[str, Any]:
    upload = _upload(backend, repository_name, upload_id)
    with upload.lock:
        if upload.received == 0:
            raise EmptyUploadException(f"The upload with id '{upload_id}' contains no layer parts")
        computed = "sha256:" + upload.hasher.hexdigest()
        if len(digests) != 1 or digests[0] != computed:
            raise InvalidLayerException(f"The computed digest {computed} of the uploaded layer does not match the given digest {digests}")
        with LOCK:
            UPLOADS.pop(upload_id, None)
            stored = REPOSITORY_BLOBS.setdefault(upload.key, {})
            if computed in stored:
                os.remove(upload.path)
                raise LayerAlreadyExistsException(f"The layer with digest {computed} already exists in repository '{repository_name}'")
            os.replace(upload.path, blob_path(computed))
            stored[computed] = upload.received
    registry_id, _, name = upload.key
    return {"registryId": registry_id, "repositoryName": name, "uploadId": upload_id, "layerDigest": computed}


# --- moto response patches ---------------------------------------------------------


def _ecr_backend(self: Any) -> Any:
    # A registryId in the request addresses that account's registry, as a cross-account call
    # does on ECR. ECR also requires the repository policy to allow it, which is not checked here.
    registry_id = self._get_param("registryId") or self.current_account
    return _backend(registry_id, self.region)


def _respond_put_image(self: Any) -> ActionResult:
    image = put_image(
        self.ecr_backend,
        self._get_param("repositoryName"),
        self._get_param("imageManifest"),
        self._get_param("imageTag"),
        self._get_param("imageManifestMediaType"),
        self._get_param("imageDigest"),
    )
    return ActionResult({"image": image})


def _respond_batch_get_image(self: Any) -> ActionResult:
    return ActionResult(batch_get_image(
        self.ecr_backend,
        self._get_param("repositoryName"),
        self._get_param("imageIds") or [],
        self._get_param("acceptedMediaTypes"),
    ))


def _respond_batch_check_layer_availability(self: Any) -> ActionResult:
    return ActionResult(batch_check_layer_availability(self.ecr_backend, self._get_param("repositoryName"), self._get_param("layerDigests") or []))


def _respond_get_download_url_for_layer(self: Any) -> ActionResult:
    host = self.headers.get("Host") or "127.0.0.1"
    return ActionResult(get_download_url(self.ecr_backend, self._get_param("repositoryName"), self._get_param("layerDigest"), host))


def _respond_initiate_layer_upload(self: Any) -> ActionResult:
    return ActionResult(initiate_layer_upload(self.ecr_backend, self._get_param("repositoryName")))


def _respond_upload_layer_part(self: Any) -> ActionResult:
    import base64

    data = base64.b64decode(self._get_param("layerPartBlob") or "")
    return ActionResult(upload_layer_part(
        self.ecr_backend,
        self._get_param("repositoryName"),
        self._get_param("uploadId"),
        int(self._get_param("partFirstByte")),
        int(self._get_param("partLastByte")),
        data,
    ))


def _respond_complete_layer_upload(self: Any) -> ActionResult:
    return ActionResult(complete_layer_upload(
        self.ecr_backend, self._get_param("repositoryName"), self._get_param("uploadId"), self._get_param("layerDigests") or []
    ))


UPLOAD_LAYER_PART_TARGET = "AmazonEC2ContainerRegistry_V20150921.UploadLayerPart"
_BLOB_FIELD = b'"layerPartBlob"'


def is_upload_layer_part(environ: dict[str, Any]) -> bool:
    return environ.get("HTTP_X_AMZ_TARGET") == UPLOAD_LAYER_PART_TARGET


def _split_part_request(raw: bytes) -> tuple[dict[str, Any], int, int]:
    """Split an UploadLayerPart body into its small fields and the span of the part's base64 text.

    moto parses the JSON once per parameter and the body once more as a query string, which
    took about 0.1 s per 5 MiB part. This finds the one large string and parses the rest once.
    """
    start = raw.find(_BLOB_FIELD)
    if start < 0:
        return json.loads(raw), 0, 0
    value_start = raw.index(b'"', raw.index(b":", start + len(_BLOB_FIELD)) + 1) + 1
    value_end = raw.index(b'"', value_start)
    rest = raw[:start] + b'"layerPartBlob":""' + raw[value_end + 1:]
    return json.loads(rest), value_start, value_end


def _openssl_base64_decoder() -> Any:
    """Return OpenSSL's EVP_DecodeBlock from the libcrypto that Python's ssl module loads, or None.

    binascii.a2b_base64 in CPython 3.11 decodes about 330 MB/s on this project's test machine,
    EVP_DecodeBlock about 1900 MB/s, and ctypes releases the GIL during the call, so parts of
    concurrent uploads decode in parallel. Measured with 5 MiB parts; see docs/benchmarks.md.
    """
    name = ctypes.util.find_library("crypto")
    if name is None:
        return None
    try:
        decode = ctypes.CDLL(name).EVP_DecodeBlock
    except (OSError, AttributeError):
        return None
    decode.argtypes = [ctypes.c_void_p, ctypes.c_void_p, ctypes.c_int]
    decode.restype = ctypes.c_int
    return decode


_EVP_DECODE_BLOCK = _openssl_base64_decoder()


def decode_base64(raw: bytes, start: int, end: int) -> bytes | memoryview:
    """Decode the standard base64 text raw[start:end], rejecting anything but its alphabet.

    Uses OpenSSL when it is found. binascii decodes whatever OpenSSL rejects, so malformed input
    gets binascii's error message either way.
    """
    length = end - start
    text = memoryview(raw)[start:end]
    if _EVP_DECODE_BLOCK is None or length == 0 or length % 4 != 0 or length > 0x7FFFFFFF:
        return binascii.a2b_base64(text, strict_mode=True)
    # EVP_DecodeBlock (OpenSSL EVP_EncodeInit(3)) skips leading and trailing whitespace, which
    # strict base64 does not allow, so such input goes to binascii as well.
    if raw[start] in b" \t\r\n" or raw[end - 1] in b" \t\r\n":
        return binascii.a2b_base64(text, strict_mode=True)
    out = bytearray(length // 4 * 3)
    target = (ctypes.c_char * len(out)).from_buffer(out)
    source = ctypes.cast(ctypes.c_char_p(raw), ctypes.c_void_p).value
    assert source is not None
    decoded = _EVP_DECODE_BLOCK(target, source + start, length)
    del target  # releases the export of out, so out may be sliced and resized again
    if decoded < 0:
        return binascii.a2b_base64(text, strict_mode=True)
    # EVP_DecodeBlock also counts the bytes that padding replaces. "=" may only end the text.
    padding = 0
    if raw[end - 2:end] == b"==":
        padding = 2
    elif raw[end - 1:end] == b"=":
        padding = 1
    if raw.find(b"=", start, end - padding) >= 0:
        return binascii.a2b_base64(text, strict_mode=True)
    return memoryview(out)[: decoded - padding]


def handle_upload_layer_part(environ: dict[str, Any], start_response: Any, region: str, account_id: str) -> list[bytes]:
    """Serve UploadLayerPart without moto, in the AWS JSON 1.1 protocol."""
    length = int(environ.get("CONTENT_LENGTH") or 0)
    raw = environ["wsgi.input"].read(length) if length else b""
    try:
        try:
            fields, value_start, value_end = _split_part_request(raw)
            data = decode_base64(raw, value_start, value_end)
            first = int(fields["partFirstByte"])
            last = int(fields["partLastByte"])
        except (ValueError, KeyError, TypeError, binascii.Error) as error:
            raise InvalidParameterException(f"Invalid UploadLayerPart request: {error}") from None
        backend = _backend(str(fields.get("registryId") or account_id), region)
        status, body = "200 OK", upload_layer_part(backend, str(fields.get("repositoryName")), str(fields.get("uploadId")), first, last, data)
    except ServiceException as error:
        status, body = "400 Bad Request", {"__type": error.code, "message": error.message}
    payload = json.dumps(body).encode("utf-8")
    start_response(status, [("Content-Type", "application/x-amz-json-1.1"), ("Content-Length", str(len(payload)))])
    return [payload]


def install() -> None:
    responses = ecr_responses.ECRResponse
    responses.ecr_backend = property(_ecr_backend)  # type: ignore[assignment]
    responses.put_image = _respond_put_image  # type: ignore[assignment]
    responses.batch_get_image = _respond_batch_get_image  # type: ignore[assignment]
    responses.batch_check_layer_availability = _respond_batch_check_layer_availability  # type: ignore[assignment]
    responses.get_download_url_for_layer = _respond_get_download_url_for_layer  # type: ignore[assignment]
    responses.initiate_layer_upload = _respond_initiate_layer_upload  # type: ignore[assignment]
    responses.upload_layer_part = _respond_upload_layer_part  # type: ignore[assignment]
    responses.complete_layer_upload = _respond_complete_layer_upload  # type: ignore[assignment]


def reset_state() -> None:
    global _blob_dir
    with LOCK:
        REPOSITORY_BLOBS.clear()
        UPLOADS.clear()
        if _blob_dir is not None:
            shutil.rmtree(_blob_dir, ignore_errors=True)
            os.makedirs(_blob_dir, exist_ok=True)


# --- blob downloads over loopback --------------------------------------------------


def _blob_chunks(path: str) -> Iterator[bytes]:
    with open(path, "rb") as handle:
        while True:
            chunk = handle.read(READ_CHUNK_BYTES)
            if not chunk:
                return
            yield chunk


def serve_blob(environ: dict[str, Any], start_response: Any) -> Iterator[bytes] | list[bytes]:
    """Stream a blob for a URL from GetDownloadUrlForLayer: /_emulator/blobs/REGISTRY/REGION/REPOSITORY/DIGEST."""
    parts = [unquote(p) for p in environ.get("PATH_INFO", "")[len(BLOB_ROUTE):].split("/")]

    def fail(status: str, message: str) -> list[bytes]:
        payload = json.dumps({"error": message}).encode("utf-8")
        start_response(status, [("Content-Type", "application/json"), ("Content-Length", str(len(payload)))])
        return [payload]

    if environ.get("REQUEST_METHOD", "GET") not in ("GET", "HEAD"):
        return fail("405 Method Not Allowed", "blobs are read with GET")
    if len(parts) != 4:
        return fail("404 Not Found", "blob URLs look like /_emulator/blobs/REGISTRY/REGION/REPOSITORY/DIGEST")
    registry_id, region, repository_name, digest = parts
    size = repository_blobs((registry_id, region, repository_name)).get(digest)
    if size is None:
        return fail("404 Not Found", f"blob {digest} not found in repository {repository_name} ({registry_id}, {region})")
    write = start_response("200 OK", [
        ("Content-Type", "application/octet-stream"),
        ("Content-Length", str(size)),
        ("Docker-Content-Digest", digest),
    ])
    if environ.get("REQUEST_METHOD") == "HEAD":
        return []
    connection = environ.get("werkzeug.socket")
    if connection is None:
        return _blob_chunks(blob_path(digest))
    # werkzeug's development server (3.1) puts the client socket in the environ. Writing an
    # empty body sends the status line and headers. socket.sendfile then has the kernel copy the
    # file (os.sendfile on Linux), so the emulator does not read each chunk into Python.
    write(b"")
    with open(blob_path(digest), "rb") as handle:
        connection.sendfile(handle)
    return []


# --- seeding ----------------------------------------------------------------------


def _canonical(document: dict[str, Any]) -> bytes:
    return json.dumps(document, indent=2).encode("utf-8")


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


def _generated_layer(key: RepositoryKey, seed: str, size: int) -> dict[str, Any]:
    """Write SIZE pseudo-random bytes, a function of SEED alone, as a blob without holding them in memory."""
    generator = random.Random(seed)
    hasher = hashlib.sha256()
    temporary = os.path.join(blob_dir(), "seed-" + uuid.uuid4().hex)
    with open(temporary, "wb") as handle:
        remaining = size
        while remaining > 0:
            chunk = generator.randbytes(min(READ_CHUNK_BYTES, remaining))
            handle.write(chunk)
            hasher.update(chunk)
            remaining -= len(chunk)
    digest = "sha256:" + hasher.hexdigest()
    os.replace(temporary, blob_path(digest))
    with LOCK:
        REPOSITORY_BLOBS.setdefault(key, {})[digest] = size
    return {"digest": digest, "size": size}


def _split_platform(platform: str) -> dict[str, str]:
    parts = platform.split("/")
    if len(parts) < 2 or not all(parts):
        raise ValueError(f"platform must look like os/arch or os/arch/variant, got {platform!r}")
    result = {"architecture": parts[1], "os": parts[0]}
    if len(parts) > 2:
        result["variant"] = parts[2]
    return result


def _image_manifest(key: RepositoryKey, seed: str, platform: str, layer_sizes: list[int]) -> bytes:
    if layer_sizes:
        layers = [_generated_layer(key, f"{seed}/{platform}/{n}", size) for n, size in enumerate(layer_sizes)]
        # Generated layers are not tar archives, so their digests stand in for diff IDs.
        diff_ids = [layer["digest"] for layer in layers]
    else:
        layer_bytes, diff_id = _layer(seed, platform)
        layers = [store_blob(key, layer_bytes)]
        diff_ids = [diff_id]
    config = {
        **_split_platform(platform),
        "config": {"Env": ["PATH=/usr/local/bin:/usr/bin:/bin"], "Labels": {"emulator.seed": seed}},
        "rootfs": {"type": "layers", "diff_ids": diff_ids},
    }
    config_ref = store_blob(key, _canonical(config))
    manifest = {
        "schemaVersion": 2,
        "mediaType": OCI_MANIFEST,
        "config": {"mediaType": OCI_CONFIG, **config_ref},
        "layers": [{"mediaType": OCI_LAYER, **layer} for layer in layers],
    }
    return _canonical(manifest)


def _attestation_manifest(key: RepositoryKey, seed: str, subject_digest: str) -> bytes:
    statement = {
        "_type": "https://in-toto.io/Statement/v0.1",
        "predicateType": "https://slsa.dev/provenance/v0.2",
        "subject": [{"name": "_", "digest": {"sha256": subject_digest.split(":", 1)[1]}}],
        "predicate": {"builder": {"id": ""}, "metadata": {"emulator.seed": seed}},
    }
    statement_ref = store_blob(key, _canonical(statement))
    config = {"architecture": "unknown", "os": "unknown", "config": {}, "rootfs": {"type": "layers", "diff_ids": [statement_ref["digest"]]}}
    config_ref = store_blob(key, _canonical(config))
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


def _parse_seed_request(body: dict[str, Any]) -> dict[str, Any]:
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
    layer_sizes = body.get("layerSizes") or []
    if not isinstance(layer_sizes, list) or not all(isinstance(s, int) and not isinstance(s, bool) and s > 0 for s in layer_sizes):
        raise ValueError(f"layerSizes must be a list of positive byte counts, e.g. [268435456], got {layer_sizes!r}")
    mutability = body.get("tagMutability", "MUTABLE")
    if mutability not in ("MUTABLE", "IMMUTABLE"):
        raise ValueError(f"tagMutability applies to a new repository and must be MUTABLE or IMMUTABLE, got {mutability!r}")
    return {
        "repository": repository_name,
        "tag": tag,
        "shape": shape,
        "platforms": platforms,
        "layer_sizes": layer_sizes,
        "seed": str(body.get("seed") or uuid.uuid4().hex),
        "mutability": mutability,
    }


def seed_image(account_id: str, region: str, body: dict[str, Any]) -> dict[str, Any]:
    """Create the repository if needed and push an image the way buildx does: blobs, then
    child manifests by digest, then the tagged root.

    layerSizes replaces each platform's small tar layer with generated layers of those sizes,
    written to disk in 1 MiB chunks.
    """
    request = _parse_seed_request(body)
    repository_name = request["repository"]
    tag = request["tag"]
    seed = request["seed"]

    backend = _backend(account_id, region)
    with LOCK:
        if repository_name not in backend.repositories:
            backend.create_repository(
                repository_name=repository_name,
                registry_id=None,
                encryption_config={"encryptionType": "AES256"},
                image_scan_config={"scanOnPush": False},
                image_tag_mutability=request["mutability"],
                tags=[],
            )
        key = _key(backend, backend.repositories[repository_name])

    def push(manifest: bytes, media_type: str, image_tag: str | None) -> str:
        stored = put_image(backend, repository_name, manifest.decode("utf-8"), image_tag, media_type, None, allow_existing=True)
        return stored["imageId"]["imageDigest"]

    platforms = request["platforms"]
    if request["shape"] == "single":
        manifest = _image_manifest(key, seed, platforms[0], request["layer_sizes"])
        digest = push(manifest, OCI_MANIFEST, tag)
        return _seed_result(backend, repository_name, account_id, region, tag, digest, OCI_MANIFEST, manifest, [])

    entries = []
    children = []
    for platform in platforms:
        child = _image_manifest(key, seed, platform, request["layer_sizes"])
        child_digest = push(child, OCI_MANIFEST, None)
        entries.append({
            "mediaType": OCI_MANIFEST,
            "digest": child_digest,
            "size": len(child),
            "platform": _split_platform(platform),
        })
        children.append({"digest": child_digest, "mediaType": OCI_MANIFEST, "platform": platform})

    if request["shape"] == "index-with-attestation":
        for entry in list(entries):
            attestation = _attestation_manifest(key, seed, entry["digest"])
            digest = push(attestation, OCI_MANIFEST, None)
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
    digest = push(index, OCI_INDEX, tag)
    return _seed_result(backend, repository_name, account_id, region, tag, digest, OCI_INDEX, index, children)


def _seed_result(
    backend: Any,
    repository_name: str,
    account_id: str,
    region: str,
    tag: str | None,
    digest: str,
    media_type: str,
    manifest: bytes,
    children: list[dict[str, Any]],
) -> dict[str, Any]:
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
