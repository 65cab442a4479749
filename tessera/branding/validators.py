"""Checks of what an administrator uploads or types as the brand: by content, never by name."""

import filetype
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from .colors import AA_CONTRAST, HEX_COLOR, contrast_ratio

#: Raster images only: an SVG can carry script, so it is never accepted (nor served).
LOGO_TYPES = {"image/png": "PNG", "image/jpeg": "JPEG", "image/webp": "WebP"}
FAVICON_TYPES = {"image/png": "PNG", "image/x-icon": "ICO"}
LOGO_MAX_BYTES = 512 * 1024
FAVICON_MAX_BYTES = 100 * 1024


def sniffed_type(file) -> str:
    """The MIME type the first bytes of ``file`` show ("" when unknown); the file is left at its start."""
    file.seek(0)
    head = file.read(8192)
    file.seek(0)
    kind = filetype.guess(head)
    return kind.mime if kind else ""


def _validate_image(file, *, types: dict[str, str], max_bytes: int) -> None:
    if file.size > max_bytes:
        raise ValidationError(
            _("The file is %(size)s KB; at most %(max)s KB are accepted.")
            % {"size": -(-file.size // 1024), "max": max_bytes // 1024},
            code="too_large",
        )
    if sniffed_type(file) not in types:
        raise ValidationError(
            _("This file is not a %(types)s image (its content was checked, not its name).")
            % {"types": _(" or ").join(sorted(set(types.values())))},
            code="type",
        )


def validate_logo(file) -> None:
    _validate_image(file, types=LOGO_TYPES, max_bytes=LOGO_MAX_BYTES)


def validate_favicon(file) -> None:
    _validate_image(file, types=FAVICON_TYPES, max_bytes=FAVICON_MAX_BYTES)


def validate_primary_color(value: str) -> None:
    """A ``#rrggbb`` colour on which white text reaches WCAG AA (4.5:1): buttons and the header use it so."""
    if not HEX_COLOR.match(value or ""):
        raise ValidationError(_("Enter a colour as #rrggbb, for example #0b4f8a."), code="format")
    ratio = contrast_ratio(value, "#ffffff")
    if ratio < AA_CONTRAST:
        raise ValidationError(
            _(
                "White text on %(color)s has a contrast ratio of %(ratio)s:1; at least 4.5:1 (WCAG AA) is "
                "needed for text on buttons and the header. Choose a darker colour."
            )
            % {"color": value, "ratio": f"{ratio:.2f}"},
            code="contrast",
        )
