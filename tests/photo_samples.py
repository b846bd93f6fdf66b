"""Pictures for the photo tests, made with Pillow: real photos, and the bad input to refuse."""

import functools
import io
import random
import struct
import zipfile
import zlib

from PIL import Image


def jpeg(width: int = 640, height: int = 480, seed: int = 1, exif: Image.Exif | None = None,
         quality: int = 85) -> bytes:
    """A photo-like JPEG: a gradient with noise (so it does not compress to nothing).

    The same arguments give the same bytes (the noise comes from ``seed``).
    """
    rng = random.Random(seed)
    base = Image.linear_gradient("L").resize((width, height)).convert("RGB")
    noise = Image.frombytes("L", (width, height), rng.randbytes(width * height)).convert("RGB")
    picture = Image.blend(base, noise, 0.35)
    out = io.BytesIO()
    picture.save(out, "JPEG", quality=quality, **({"exif": exif} if exif is not None else {}))
    return out.getvalue()


def with_gps_and_time(taken: str = "2023:03:19 10:15:00") -> Image.Exif:
    """EXIF with a capture time (no offset) and a GPS position that must not be kept."""
    exif = Image.Exif()
    exif[0x0110] = "Phone model"
    exif.get_ifd(0x8769)[36867] = taken
    gps = exif.get_ifd(0x8825)
    gps[1], gps[2], gps[3], gps[4] = "N", (51.0, 10.0, 0.0), "E", (71.0, 26.0, 0.0)
    return exif


def png(width: int = 200, height: int = 100, mode: str = "RGBA") -> bytes:
    """A PNG (with transparency by default)."""
    out = io.BytesIO()
    Image.new(mode, (width, height), (10, 120, 200, 128) if mode == "RGBA" else 90).save(
        out, "PNG")
    return out.getvalue()


def webp() -> bytes:
    """A small WebP picture."""
    out = io.BytesIO()
    Image.new("RGB", (120, 80), (200, 30, 30)).save(out, "WEBP")
    return out.getvalue()


@functools.cache
def huge_png(side: int = 30_000) -> bytes:
    """A whole, valid 30,000 x 30,000 PNG of one colour: ~110 KB on disk, 900 million pixels.

    Written chunk by chunk (black and white, one bit a pixel), so making it
    never holds the decoded picture in memory either.
    """
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + \
            struct.pack(">I", zlib.crc32(kind + data))
    row = b"\x00" * (1 + (side + 7) // 8)  # filter byte, then the row's bits
    packer = zlib.compressobj(9)
    rows = [packer.compress(row * 1000) for _ in range(side // 1000)]
    data = b"".join(rows) + packer.compress(row * (side % 1000)) + packer.flush()
    header = struct.pack(">IIBBBBB", side, side, 1, 0, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", data)
            + chunk(b"IEND", b""))


def svg_with_script() -> bytes:
    """An SVG that would run a script if served as it came."""
    return (b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="10" '
            b'height="10"><script>alert(document.cookie)</script><rect width="10" '
            b'height="10"/></svg>')


def polyglot() -> bytes:
    """A JPEG with a ZIP archive appended: a valid picture and a valid ZIP at once."""
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("payload.txt", "hidden " * 100)
    return jpeg(seed=7) + archive.getvalue()


def truncated() -> bytes:
    """A JPEG cut off in the middle of its image data."""
    whole = jpeg(seed=3)
    return whole[: len(whole) // 2]
