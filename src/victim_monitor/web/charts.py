"""Small server-rendered SVG charts: no script, so they pass the strict CSP and print well.

Colours are presentation attributes (inline ``style`` would be blocked by the CSP). A missing
(suppressed) point breaks its line, so that nothing suppressed is drawn as a value.
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

PALETTE = ("#01689b", "#e17000", "#39870c", "#a90061", "#5e4fa2", "#8c6d1f", "#42145f")
WIDTH, HEIGHT = 640, 300
LEFT, RIGHT, TOP, BOTTOM = 48, 180, 16, 32


@dataclass(frozen=True, slots=True)
class Series:
    label: str
    values: list[int | None]


def _nice_max(value: int) -> int:
    step = 1
    while step * 10 < value:
        step *= 10
    return max(step, ((value + step - 1) // step) * step)


def line_chart(title: str, xs: list[str], series: list[Series]) -> str:
    """An accessible SVG (role img, with a title); the data table sits beside it on the page."""
    values = [v for s in series for v in s.values if v is not None]
    top = _nice_max(max(values, default=1))
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def x(i: int) -> float:
        return LEFT + (plot_w * i / max(len(xs) - 1, 1))

    def y(v: int) -> float:
        return TOP + plot_h * (1 - v / top)

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'role="img" aria-labelledby="chart-title" class="chart">',
        f'<title id="chart-title">{escape(title)}</title>',
    ]
    for k in range(5):
        v = top * k // 4
        parts.append(
            f'<line x1="{LEFT}" x2="{LEFT + plot_w}" y1="{y(v):.1f}" y2="{y(v):.1f}" '
            'stroke="#ccc" stroke-width="1"/>'
            f'<text x="{LEFT - 6}" y="{y(v) + 4:.1f}" text-anchor="end" font-size="11" '
            f'fill="#333">{v}</text>'
        )
    for i, label in enumerate(xs):
        parts.append(
            f'<text x="{x(i):.1f}" y="{HEIGHT - 10}" text-anchor="middle" font-size="11" '
            f'fill="#333">{escape(label)}</text>'
        )
    for n, s in enumerate(series):
        colour = PALETTE[n % len(PALETTE)]
        run: list[str] = []
        points: list[int | None] = [*s.values, None]
        for i, point in enumerate(points):
            if point is not None:
                run.append(f"{x(i):.1f},{y(point):.1f}")
                parts.append(f'<circle cx="{x(i):.1f}" cy="{y(point):.1f}" r="3" fill="{colour}"/>')
            elif run:
                parts.append(
                    f'<polyline points="{" ".join(run)}" fill="none" stroke="{colour}" '
                    'stroke-width="2"/>'
                )
                run = []
        ly = TOP + 14 + 18 * n
        parts.append(
            f'<rect x="{WIDTH - RIGHT + 12}" y="{ly - 9}" width="10" height="10" fill="{colour}"/>'
            f'<text x="{WIDTH - RIGHT + 26}" y="{ly}" font-size="11" fill="#333">'
            f"{escape(s.label[:28])}</text>"
        )
    parts.append("</svg>")
    return "".join(parts)
