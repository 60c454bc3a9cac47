"""Validation of what moderators and freelancers type in: contacts and photos.

Photos are never stored as uploaded: they are opened with Pillow (images
only), checked for size and dimensions, and re-encoded to a fresh JPEG, which
drops metadata (EXIF, GPS) and anything smuggled after the image data.
"""

from __future__ import annotations

import io
import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _
from PIL import Image, UnidentifiedImageError

from core.phones import phone_e164


def validate_phone(value: str) -> None:
    """A number that exists, written any usual way: +7 999 123-45-67,
    8 (999) 123 45 67, +44 20 7946 0958. Raises ValidationError otherwise;
    the card stores the E.164 form (`FreelancerCard.clean`)."""
    if phone_e164(value) is None:
        raise ValidationError(
            _(
                "Enter a phone number that exists, such as +7 916 123-45-67 or "
                "8 (916) 123-45-67; other countries with + and the country code, "
                "no extension."
            ),
            code="invalid",
        )


# A Telegram-style handle (@name) or a messenger link (https://t.me/name).
validate_messenger = RegexValidator(
    r"^(?:@[A-Za-z0-9_]{3,32}|https://[A-Za-z0-9.\-]+/[A-Za-z0-9_\-+/]{1,64})$",
    _("Enter a handle such as @name or an https:// messenger link."),
)

PHOTO_FORMATS = {"JPEG", "PNG", "WEBP", "GIF"}
PHOTO_MAX_PIXELS = 6000 * 6000
PHOTO_OUTPUT_SIDE = 800


def photo_reencode(upload) -> ContentFile:
    """Validate an uploaded photo and return it re-encoded as a JPEG.

    Raises ValidationError when the file is too large, is not an image in an
    accepted format, or has absurd dimensions (a decompression bomb).
    """
    limit = settings.FREELANCER_PHOTO_MAX_BYTES
    if upload.size is not None and upload.size > limit:
        raise ValidationError(
            _("The photo is too large: at most %(limit)d KB.") % {"limit": limit // 1024}
        )
    upload.seek(0)
    data = upload.read(limit + 1)
    if len(data) > limit:
        raise ValidationError(
            _("The photo is too large: at most %(limit)d KB.") % {"limit": limit // 1024}
        )
    image = _open_image(data)
    image = image.convert("RGB")
    image.thumbnail((PHOTO_OUTPUT_SIDE, PHOTO_OUTPUT_SIDE))
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=85, optimize=True)
    return ContentFile(out.getvalue(), name=f"{uuid.uuid4().hex}.jpg")


def _open_image(data: bytes) -> Image.Image:
    not_image = ValidationError(_("Upload a photo: a JPEG, PNG, WebP or GIF image."))
    try:
        with Image.open(io.BytesIO(data)) as probe:
            if probe.format not in PHOTO_FORMATS:
                raise not_image
            width, height = probe.size
            if width * height > PHOTO_MAX_PIXELS:
                raise ValidationError(_("The photo has too many pixels."))
            probe.verify()
        image = Image.open(io.BytesIO(data))
        image.load()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise not_image from None
    return image
