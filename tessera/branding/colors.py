"""Colour arithmetic for the brand colour: WCAG contrast, and a darker shade for hover."""

import re

HEX_COLOR = re.compile(r"^#[0-9a-fA-F]{6}$")
#: WCAG 2.x AA for normal text: white text on the primary colour must reach it.
AA_CONTRAST = 4.5


def _channels(color: str) -> tuple[int, int, int]:
    return int(color[1:3], 16), int(color[3:5], 16), int(color[5:7], 16)


def relative_luminance(color: str) -> float:
    """WCAG 2.x relative luminance of ``#rrggbb``."""

    def linear(channel: int) -> float:
        c = channel / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (linear(c) for c in _channels(color))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast_ratio(first: str, second: str) -> float:
    lighter, darker = sorted((relative_luminance(first), relative_luminance(second)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def darken(color: str, amount: float = 0.18) -> str:
    """``color`` with each channel moved ``amount`` of the way to black: the hover shade."""
    return "#" + "".join(f"{round(c * (1 - amount)):02x}" for c in _channels(color))


def tint(color: str, amount: float = 0.9) -> str:
    """``color`` moved ``amount`` of the way to white: a pale background of the brand's hue."""
    return "#" + "".join(f"{round(c + (255 - c) * amount):02x}" for c in _channels(color))
