"""A report's photo is stored without any metadata (EXIF, GPS, XMP, ICC, text
chunks), upright, at most 2048 px, under a random name; anything that is not a
JPEG, PNG or WebP within VECINOS_PHOTO_MAX_BYTES is refused."""

from __future__ import annotations

import io
import struct
import zlib
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from PIL import Image

from tests.factories import photo_bytes, submit
from vecinos.reports import photos
from vecinos.reports.models import Report

pytestmark = pytest.mark.usefixtures("media_root")

GPS_MARKERS = [b"Vecinos Test Phone", b"Camera 1.0", b"Exif", b"GPS", b"Cesar Chavez"]


def png_claiming(width: int, height: int) -> bytes:
    """A valid PNG header announcing ``width`` x ``height`` grey pixels, followed by a
    small deflate stream of zero rows: what a decompression bomb looks like."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return (
            struct.pack(">I", len(body))
            + kind
            + body
            + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    pixels = zlib.compress(b"\x00" * (width + 1) * 16)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


def reopen(data: bytes) -> Image.Image:
    return Image.open(io.BytesIO(data))


def test_the_test_photo_really_carries_gps_exif() -> None:
    original = reopen(photo_bytes())

    assert original.getexif().get_ifd(0x8825)  # the GPS block is there to be removed
    assert b"Vecinos Test Phone" in photo_bytes()


@pytest.mark.parametrize("format", ["JPEG", "PNG", "WEBP"])
def test_gps_and_every_other_metadata_is_removed(format: str) -> None:
    clean = photos.clean_photo(photo_bytes(format=format))

    image = reopen(clean.data)
    assert image.format == format
    assert not image.getexif()
    assert not image.getexif().get_ifd(0x8825)
    for key in ("exif", "icc_profile", "xmp", "XML:com.adobe.xmp", "Comment", "comment"):
        assert key not in image.info
    for marker in GPS_MARKERS:
        assert marker not in clean.data


def test_an_icc_profile_and_a_jpeg_comment_are_removed() -> None:
    out = io.BytesIO()
    Image.new("RGB", (20, 20), (1, 2, 3)).save(
        out, "JPEG", icc_profile=b"\x00" * 128 + b"ICCSECRET", comment=b"at Soto St"
    )

    clean = photos.clean_photo(out.getvalue())

    assert b"ICCSECRET" not in clean.data
    assert b"Soto St" not in clean.data
    assert "icc_profile" not in reopen(clean.data).info


def test_the_exif_orientation_is_applied_before_it_is_dropped() -> None:
    # Orientation 6: the camera was turned; the picture must be rotated 90° clockwise.
    clean = photos.clean_photo(photo_bytes(size=(60, 20), orientation=6))

    image = reopen(clean.data)
    assert image.size == (20, 60)
    assert not image.getexif()


def test_large_photos_are_scaled_down_to_2048_px() -> None:
    clean = photos.clean_photo(photo_bytes(size=(4000, 1000), gps=False))

    assert (clean.width, clean.height) == (2048, 512)
    assert reopen(clean.data).size == (2048, 512)


def test_transparency_of_a_png_is_kept() -> None:
    out = io.BytesIO()
    Image.new("RGBA", (10, 10), (255, 0, 0, 0)).save(out, "PNG")

    clean = photos.clean_photo(out.getvalue())

    assert reopen(clean.data).mode == "RGBA"


@pytest.mark.parametrize(
    "data",
    [
        b"not an image at all",
        b"%PDF-1.4 pretending",
        b"<svg xmlns='http://www.w3.org/2000/svg'></svg>",
        b"\xff\xd8\xff\xe0" + b"\x00" * 64,  # a JPEG header and nothing else
    ],
)
def test_files_that_are_not_images_are_refused(data: bytes) -> None:
    with pytest.raises(ValidationError) as refused:
        photos.clean_photo(data)

    assert "photo" in refused.value.message_dict


@pytest.mark.parametrize("format", ["GIF", "BMP", "TIFF"])
def test_other_image_formats_are_refused_whatever_their_name(format: str) -> None:
    out = io.BytesIO()
    Image.new("RGB", (10, 10)).save(out, format)

    with pytest.raises(ValidationError):
        photos.clean_photo(out.getvalue())


def test_a_truncated_jpeg_is_refused() -> None:
    data = photo_bytes(size=(300, 300))

    with pytest.raises(ValidationError):
        photos.clean_photo(data[: len(data) // 2])


def test_a_photo_over_the_limit_is_refused(settings: Any) -> None:
    settings.VECINOS_PHOTO_MAX_BYTES = 2 * 1024 * 1024
    with pytest.raises(ValidationError) as refused:
        photos.clean_photo(photo_bytes() + b"\x00" * (2 * 1024 * 1024))

    assert "2 MB" in refused.value.message_dict["photo"][0]


@pytest.mark.parametrize("side", [9000, 20000])
def test_a_decompression_bomb_is_refused_before_it_is_decoded(side: int) -> None:
    # A PNG that says it is 9000 x 9000 (over our limit) or 20000 x 20000 (over
    # Pillow's): a few hundred bytes that would take 81 or 400 MB to decode.
    data = png_claiming(side, side)
    assert len(data) < 10_000

    with pytest.raises(ValidationError) as refused:
        photos.clean_photo(data)

    assert "pixels" in refused.value.message_dict["photo"][0]


@pytest.mark.django_db
def test_a_report_stores_the_clean_photo_under_a_random_name(media_root: Path) -> None:
    report = submit(photo=io.BytesIO(photo_bytes()))

    name = Report.objects.get(pk=report.pk).photo.name
    assert name.startswith("reports/") and name.endswith(".jpg")
    stored = (media_root / name).read_bytes()
    for marker in GPS_MARKERS:
        assert marker not in stored
    assert reopen(stored).size == (64, 48)
    other = submit(photo=io.BytesIO(photo_bytes()))
    assert other.photo.name != name


@pytest.mark.django_db
def test_a_refused_photo_stores_nothing(media_root: Path) -> None:
    with pytest.raises(ValidationError):
        submit(photo=io.BytesIO(b"GIF89a not really"))

    assert not Report.objects.exists()
    assert not any(media_root.rglob("*.*"))


@pytest.mark.django_db
def test_a_report_refused_after_its_photo_was_cleaned_leaves_no_file(media_root: Path) -> None:
    with pytest.raises(ValidationError):
        submit(photo=io.BytesIO(photo_bytes()), kind="riot")

    assert not any(media_root.rglob("*.*"))
