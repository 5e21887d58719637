"""What an uploaded logo really is, judged by its bytes: a PNG or a JPEG that Pillow can read, not too
large on disk, not too large in pixels.

The name a file was uploaded under plays no part: the logo is stored under a generated name and served with
the content type its bytes show (sniff_logo_type), so a PNG that arrived as "logo.jpg" is simply a PNG. An
executable, an SVG (which can carry scripts) or anything else renamed .png is refused.
"""

from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

DEFAULT_MAX_BYTES = 2 * 1024 * 1024
DEFAULT_MAX_DIMENSION = 2000
# Pillow's format name → the content type the logo is served with.
FORMATS = {"PNG": "image/png", "JPEG": "image/jpeg"}
_SIGNATURES = {b"\x89PNG\r\n\x1a\n": "image/png", b"\xff\xd8\xff": "image/jpeg"}


@dataclass(frozen=True)
class CheckedLogo:
    content_type: str
    width: int
    height: int
    size: int


def max_logo_bytes() -> int:
    return getattr(settings, "SUPPLIER_LOGO_MAX_BYTES", DEFAULT_MAX_BYTES)


def max_logo_dimension() -> int:
    return getattr(settings, "SUPPLIER_LOGO_MAX_DIMENSION", DEFAULT_MAX_DIMENSION)


def sniff_logo_type(head: bytes) -> str | None:
    """The content type the first bytes of a stored logo show, or None."""
    return next((kind for signature, kind in _SIGNATURES.items() if head.startswith(signature)), None)


def check_logo(file: File) -> CheckedLogo:
    """Raise ValidationError, with a message for the person uploading, unless the file is a PNG or JPEG
    image of at most max_logo_bytes() and max_logo_dimension() pixels a side that Pillow reads without
    complaint. The file is left at position 0."""
    limit = max_logo_bytes()
    size = file.size
    if size is None or size > limit:
        raise ValidationError(
            _("The logo is %(size)s; the limit is %(limit)s.")
            % {"size": filesizeformat(size or 0), "limit": filesizeformat(limit)},
            code="too_large",
        )
    if size == 0:
        raise ValidationError(_("The file is empty."), code="empty")
    file.seek(0)
    content_type = sniff_logo_type(file.read(8))
    not_an_image = ValidationError(
        _("The logo must be a PNG or JPEG image. This file is not one, whatever its name says."),
        code="type",
    )
    if content_type is None:
        raise not_an_image
    dimension = max_logo_dimension()
    try:
        file.seek(0)
        # Opening reads only the header: the pixel count is checked before anything is decoded, so a
        # small file that claims to be 50 000 × 50 000 pixels is refused without being expanded.
        with Image.open(file, formats=list(FORMATS)) as image:
            width, height = image.size
            if FORMATS.get(image.format) != content_type:
                raise not_an_image
            if width > dimension or height > dimension:
                raise ValidationError(
                    _(
                        "The logo is %(width)s × %(height)s pixels; "
                        "it may be at most %(limit)s × %(limit)s pixels."
                    )
                    % {"width": width, "height": height, "limit": dimension},
                    code="dimensions",
                )
            image.verify()
    except ValidationError:
        raise
    except (UnidentifiedImageError, Image.DecompressionBombError, OSError, SyntaxError, ValueError):
        raise not_an_image from None
    finally:
        file.seek(0)
    return CheckedLogo(content_type=content_type, width=width, height=height, size=size)
