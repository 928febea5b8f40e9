"""The emulator's base64 decoder for UploadLayerPart bodies, with and without OpenSSL."""

from __future__ import annotations

import base64
import binascii
import os
import sys

import pytest

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import ecr_images  # noqa: E402


@pytest.fixture(params=["openssl", "binascii"])
def decoder(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    if request.param == "openssl":
        if ecr_images._EVP_DECODE_BLOCK is None:
            pytest.skip("libcrypto was not found, so only binascii decodes here")
    else:
        monkeypatch.setattr(ecr_images, "_EVP_DECODE_BLOCK", None)
    return str(request.param)


def wrapped(text: bytes) -> tuple[bytes, int, int]:
    """Embed text in a JSON-like body, as the part sits in an UploadLayerPart request."""
    prefix = b'{"uploadId":"u","layerPartBlob":"'
    return prefix + text + b'"}', len(prefix), len(prefix) + len(text)


@pytest.mark.parametrize("size", [0, 1, 2, 3, 4, 5, 1000, 5 * 1024 * 1024 + 1])
def test_decodes_what_b64encode_wrote(decoder: str, size: int) -> None:
    data = os.urandom(size)
    raw, start, end = wrapped(base64.b64encode(data))
    assert bytes(ecr_images.decode_base64(raw, start, end)) == data


@pytest.mark.parametrize(
    "text",
    [b"AQ=D", b"A===", b"AQID!A==", b" AQID", b"AQID\n", b"AQ", b"AQI", b"AQ==AQID", b"A-_B"],
)
def test_rejects_malformed_text(decoder: str, text: bytes) -> None:
    raw, start, end = wrapped(text)
    with pytest.raises(binascii.Error):
        ecr_images.decode_base64(raw, start, end)
