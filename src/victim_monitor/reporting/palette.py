"""The charts' colours, and the two measures that chose them: contrast and colour-blind distance.

A series must stand out from the white page by at least 3:1 (WCAG 2.1, 1.4.11 non-text
contrast), and every two series must stay apart for readers with a red-green or blue-yellow
deficiency. The palette starts from the government's ribbon blue and takes the other hues of
Okabe and Ito's colour-blind-safe set, darkened where their light tints fall below 3:1 (the
house sky blue #8fcae7 is 1.8:1). Line charts add a marker shape per series, so that colour is
never the only cue.

Contrast: WCAG's relative luminance of sRGB. Deficiencies: the full-severity matrices of
Machado, Oliveira and Fernandes (2009), applied to linear RGB; distance: CIE76 in CIELAB (D65).
"""

from __future__ import annotations

import math

WHITE = "#ffffff"
# Ribbon blue, vermilion, sky blue, bluish green, reddish purple (Okabe-Ito hues, darkened).
PALETTE = ("#154273", "#d55e00", "#3d8fd1", "#008a66", "#b8558f")
SHAPES = ("circle", "square", "triangle-up", "diamond", "triangle-down")
HIDDEN_COLOUR = "#333333"  # the mark of a suppressed cell: not a series colour
MIN_CONTRAST = 3.0

_MACHADO: dict[str, tuple[tuple[float, float, float], ...]] = {
    "protanopia": ((0.152286, 1.052583, -0.204868), (0.114503, 0.786281, 0.099216),
                   (-0.003882, -0.048116, 1.051998)),
    "deuteranopia": ((0.367322, 0.860646, -0.227968), (0.280085, 0.672501, 0.047413),
                     (-0.011820, 0.042940, 0.968881)),
    "tritanopia": ((1.255528, -0.076749, -0.178779), (-0.078411, 0.930809, 0.147602),
                   (0.004733, 0.691367, 0.303900)),
}  # fmt: skip
DEFICIENCIES = tuple(_MACHADO)


def _linear(hex_colour: str) -> tuple[float, float, float]:
    """sRGB ``#rrggbb`` to linear RGB in 0-1."""
    h = hex_colour.lstrip("#")
    channels = [int(h[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    r, g, b = (c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
    return r, g, b


def luminance(hex_colour: str) -> float:
    """WCAG relative luminance."""
    r, g, b = _linear(hex_colour)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(colour: str, background: str = WHITE) -> float:
    """WCAG contrast ratio, 1 to 21."""
    high, low = sorted((luminance(colour), luminance(background)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def _lab(rgb: tuple[float, float, float]) -> tuple[float, float, float]:
    r, g, b = (min(max(c, 0.0), 1.0) for c in rgb)
    x = (0.4124 * r + 0.3576 * g + 0.1805 * b) / 0.95047
    y = 0.2126 * r + 0.7152 * g + 0.0722 * b
    z = (0.0193 * r + 0.1192 * g + 0.9505 * b) / 1.08883

    def f(t: float) -> float:
        return t ** (1 / 3) if t > 0.008856 else 7.787 * t + 16 / 116

    return 116 * f(y) - 16, 500 * (f(x) - f(y)), 200 * (f(y) - f(z))


def seen_as(colour: str, deficiency: str | None = None) -> tuple[float, float, float]:
    """The colour in CIELAB as a reader with ``deficiency`` (or normal vision) sees it."""
    rgb = _linear(colour)
    if deficiency is not None:
        m = _MACHADO[deficiency]
        rgb = (
            sum(m[0][j] * rgb[j] for j in range(3)),
            sum(m[1][j] * rgb[j] for j in range(3)),
            sum(m[2][j] * rgb[j] for j in range(3)),
        )
    return _lab(rgb)


def distance(a: str, b: str, deficiency: str | None = None) -> float:
    """CIE76 colour difference of two colours as seen with ``deficiency``."""
    return math.dist(seen_as(a, deficiency), seen_as(b, deficiency))
