"""Logo checks: by content, never by name; size and dimensions limited."""

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from suppliers.logos import check_logo, sniff_logo_type

# The start of a Windows executable, then padding.
EXECUTABLE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 200
SVG = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'


def image_bytes(fmt: str = "PNG", size: tuple[int, int] = (64, 64)) -> bytes:
    """An image made with Pillow (the other profile tests import it from here)."""
    buffer = io.BytesIO()
    Image.new("RGB", size, (20, 120, 200)).save(buffer, format=fmt)
    return buffer.getvalue()


def upload(name: str = "logo.png", content: bytes | None = None, content_type: str = "image/png"):
    return SimpleUploadedFile(name, image_bytes() if content is None else content, content_type=content_type)


def test_check_logo_accepts_a_png():
    checked = check_logo(upload("logo.png"))
    assert (checked.content_type, checked.width, checked.height) == ("image/png", 64, 64)


def test_check_logo_accepts_a_jpeg():
    checked = check_logo(upload("logo.jpeg", image_bytes("JPEG"), "image/jpeg"))
    assert checked.content_type == "image/jpeg"


def test_check_logo_accepts_a_png_named_jpg_as_the_png_it_is():
    # The name plays no part: the logo is stored under a generated name and served as what its bytes are.
    assert check_logo(upload("logo.jpg", image_bytes("PNG"), "image/jpeg")).content_type == "image/png"


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("logo.png", EXECUTABLE),
        ("logo.png", SVG),
        ("logo.png", b"just some text pretending to be an image"),
        ("logo.gif", image_bytes("GIF")),
        ("logo.webp", image_bytes("WEBP")),
    ],
)
def test_check_logo_refuses_what_is_not_png_or_jpeg(name, content):
    with pytest.raises(ValidationError) as error:
        check_logo(upload(name, content))
    assert error.value.code == "type"


def test_check_logo_refuses_a_truncated_png():
    content = image_bytes("PNG", (200, 200))
    with pytest.raises(ValidationError) as error:
        check_logo(upload("logo.png", content[: len(content) // 2]))
    assert error.value.code == "type"


def test_check_logo_refuses_a_png_header_on_other_bytes():
    with pytest.raises(ValidationError) as error:
        check_logo(upload("logo.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 100))
    assert error.value.code == "type"


def test_check_logo_refuses_an_image_over_the_dimensions(settings):
    settings.SUPPLIER_LOGO_MAX_DIMENSION = 100
    with pytest.raises(ValidationError) as error:
        check_logo(upload("logo.png", image_bytes("PNG", (101, 40))))
    assert error.value.code == "dimensions"
    assert "101 × 40" in error.value.messages[0]


def test_check_logo_refuses_the_default_oversized_image():
    with pytest.raises(ValidationError) as error:
        check_logo(upload("logo.png", image_bytes("PNG", (2001, 10))))
    assert error.value.code == "dimensions"


def test_check_logo_refuses_a_file_over_the_size_limit(settings):
    settings.SUPPLIER_LOGO_MAX_BYTES = 1000
    with pytest.raises(ValidationError) as error:
        check_logo(upload("logo.png", image_bytes("PNG", (300, 300)) + b"\x00" * 1000))
    assert error.value.code == "too_large"


def test_check_logo_refuses_a_file_over_two_megabytes():
    with pytest.raises(ValidationError) as error:
        check_logo(upload("logo.png", image_bytes() + b"\x00" * (2 * 1024 * 1024)))
    assert error.value.code == "too_large"


def test_check_logo_refuses_an_empty_file():
    with pytest.raises(ValidationError) as error:
        check_logo(upload("logo.png", b""))
    assert error.value.code == "empty"


def test_check_logo_leaves_the_file_at_its_start():
    file = upload("logo.png")
    check_logo(file)
    assert file.read(8) == b"\x89PNG\r\n\x1a\n"


def test_sniff_logo_type_reads_signatures():
    assert [
        sniff_logo_type(image_bytes("PNG")),
        sniff_logo_type(image_bytes("JPEG")),
        sniff_logo_type(SVG),
    ] == [
        "image/png",
        "image/jpeg",
        None,
    ]
