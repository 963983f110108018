"""Photos attached to reports: checked, cleaned of every bit of metadata, stored
under a random name.

A photo can say far more than its sender meant to: where it was taken (GPS), when,
with which phone (EXIF, XMP, maker notes), and sometimes a thumbnail of the uncropped
picture. So we never store what we were sent: we decode the pixels, turn them
upright, shrink them, and encode a new file from the pixels alone.

1. Refuse anything over ``max_bytes()`` (``VECINOS_PHOTO_MAX_BYTES``) before decoding.
2. Open it with Pillow restricted to JPEG, PNG and WebP, judged by content (the name
   and the declared type are ignored); refuse images with more than ``MAX_PIXELS``
   pixels before decoding them (decompression bombs) and run ``verify()``.
3. Reopen, decode, apply the EXIF orientation, downscale to ``MAX_SIDE`` pixels.
4. Copy the pixels alone into a new image (no ``info``, no EXIF, no ICC profile, no
   XMP, no text chunks) and encode it in the format it came in.
5. Store it under MEDIA_ROOT/reports/ with a random name. Nothing serves MEDIA_ROOT
   publicly; staff see photos through a permission-checked view.
"""

from __future__ import annotations

import io
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from vecinos.core.config import PRIVATE_DIRECTORY

MAX_SIDE = 2048
# Far above any phone camera (a 200-megapixel sensor aside), far below what would
# exhaust memory. Pillow's own limit (Image.MAX_IMAGE_PIXELS) applies too.
MAX_PIXELS = 60_000_000
FORMATS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}
DIRECTORY = "reports"


@dataclass(frozen=True)
class CleanPhoto:
    """A re-encoded photo, ready to store."""

    data: bytes
    extension: str
    width: int
    height: int


def max_bytes() -> int:
    """The largest photo accepted as sent (``VECINOS_PHOTO_MAX_BYTES``)."""
    return int(settings.VECINOS_PHOTO_MAX_BYTES)


def max_megabytes() -> str:
    return f"{max_bytes() / (1024 * 1024):g}"


def too_large_message() -> str:
    return _("The photo is larger than %(size)s MB.") % {"size": max_megabytes()}


def _too_large() -> ValidationError:
    return _refuse(too_large_message())


def _refuse(message: str) -> ValidationError:
    return ValidationError({"photo": [message]})


def _read(upload: Any) -> bytes:
    limit = max_bytes()
    size = getattr(upload, "size", None)
    if isinstance(size, int) and size > limit:
        raise _too_large()
    if isinstance(upload, bytes | bytearray):
        data = bytes(upload)
    else:
        stream: IO[bytes] = upload
        if hasattr(stream, "seek"):
            stream.seek(0)
        data = stream.read(limit + 1)
    if len(data) > limit:
        raise _too_large()
    if not data:
        raise _refuse(_("The photo is empty."))
    return data


def _open(data: bytes) -> Image.Image:
    return Image.open(io.BytesIO(data), formats=list(FORMATS))


def clean_photo(upload: Any) -> CleanPhoto:
    """Check ``upload`` (a file-like object or bytes) and return it re-encoded without
    metadata. Raises ``ValidationError`` naming the ``photo`` field."""
    data = _read(upload)
    not_a_photo = _("The photo must be a JPEG, PNG or WebP image.")
    try:
        with _open(data) as probe:
            source_format = probe.format or ""
            width, height = probe.size
            if width * height > min(MAX_PIXELS, Image.MAX_IMAGE_PIXELS or MAX_PIXELS):
                raise _refuse(_("The photo has too many pixels."))
            probe.verify()
        with _open(data) as image:
            image.load()
            upright = ImageOps.exif_transpose(image)
    except ValidationError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise _refuse(_("The photo has too many pixels.")) from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError):
        raise _refuse(not_a_photo) from None
    except Exception:
        # Hostile files make decoders fail in many ways (a corrupt EXIF block can
        # raise KeyError or TypeError): none of them may become a 500.
        raise _refuse(not_a_photo) from None
    if source_format not in FORMATS:
        raise _refuse(not_a_photo)

    if source_format == "JPEG":
        mode = "L" if upright.mode in {"L", "1"} else "RGB"
    else:
        has_alpha = upright.mode in {"RGBA", "LA", "PA"} or "transparency" in upright.info
        mode = "RGBA" if has_alpha else "RGB"
    pixels = upright.convert(mode)
    pixels.thumbnail((MAX_SIDE, MAX_SIDE), Image.Resampling.LANCZOS)
    # A new image from the raw pixels: nothing of the original's info, EXIF, ICC
    # profile, XMP or text chunks can come along.
    bare = Image.frombytes(pixels.mode, pixels.size, pixels.tobytes())
    out = io.BytesIO()
    if source_format == "JPEG":
        bare.save(out, "JPEG", quality=85, optimize=True)
    elif source_format == "PNG":
        bare.save(out, "PNG", optimize=True)
    else:
        bare.save(out, "WEBP", quality=85)
    return CleanPhoto(
        data=out.getvalue(),
        extension=FORMATS[source_format],
        width=bare.width,
        height=bare.height,
    )


def store_photo(photo: CleanPhoto) -> str:
    """Save a cleaned photo under a random name; return its storage name."""
    name = f"{DIRECTORY}/{secrets.token_urlsafe(18)}.{photo.extension}"
    # Directories made before uploads were private (0755) are tightened too.
    root = Path(settings.MEDIA_ROOT)
    if root.exists():
        for directory in (root, root / DIRECTORY):
            if directory.exists() and directory.stat().st_mode & 0o777 != PRIVATE_DIRECTORY:
                directory.chmod(PRIVATE_DIRECTORY)
    return default_storage.save(name, ContentFile(photo.data))


def delete_photo(name: str) -> None:
    if name:
        default_storage.delete(name)
