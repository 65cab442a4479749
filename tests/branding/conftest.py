import struct
import zlib

import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def _fresh_branding_cache():
    """The cached brand outlives a test's rolled-back row: every test here starts and ends without it."""
    cache.clear()
    yield
    cache.clear()


def png_bytes(width: int = 2, height: int = 2) -> bytes:
    """A real, tiny PNG (white pixels)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    raw = b"".join(b"\x00" + b"\xff\xff\xff" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")


SVG = (
    b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
    b"<script>alert(1)</script><rect width='10' height='10'/></svg>"
)
