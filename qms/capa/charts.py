"""Server-drawn SVG charts for the audit desk (the CSP allows no scripts or inline styles, so the
geometry is computed here and drawn with SVG presentation attributes only)."""
from __future__ import annotations

from dataclasses import dataclass

WIDTH, HEIGHT = 520, 240
LEFT, RIGHT, TOP, BOTTOM = 40, 40, 16, 56  # margins: axis labels left/right, category labels below


@dataclass
class Bar:
    x: float
    y: float
    w: float
    h: float
    label: str
    value: int
    href: str = ""
    fill: str = "#3b6ea5"


def pareto(items: list[tuple[str, int, float]], hrefs: list[str] | None = None) -> dict:
    """Bars largest first with the cumulative-share line: items are (label, count, cumulative 0..1)."""
    n = len(items)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    top = max((c for _l, c, _s in items), default=0) or 1
    step = plot_w / max(n, 1)
    bars, points = [], []
    for i, (label, count, share) in enumerate(items):
        h = plot_h * count / top
        w = min(step * 0.7, 60)  # a few categories still look like bars, not walls
        x = LEFT + i * step + (step - w) / 2
        bars.append(Bar(round(x, 1), round(TOP + plot_h - h, 1), round(w, 1), round(h, 1), label, count,
                        (hrefs or [""] * n)[i]))
        points.append((round(LEFT + i * step + step / 2, 1), round(TOP + plot_h * (1 - share), 1)))
    return {"width": WIDTH, "height": HEIGHT, "bars": bars, "line": " ".join(f"{x},{y}" for x, y in points),
            "points": points, "max": top, "base": TOP + plot_h, "left": LEFT, "right": WIDTH - RIGHT, "top": TOP,
            "p80": round(TOP + plot_h * 0.2, 1), "label_y": TOP + plot_h + 16}


def grouped(months: list[tuple[str, int, int]]) -> dict:
    """Opened and closed per month side by side."""
    plot_w, plot_h = WIDTH - LEFT - 10, HEIGHT - TOP - BOTTOM
    top = max((max(o, c) for _m, o, c in months), default=0) or 1
    step = plot_w / max(len(months), 1)
    bars = []
    for i, (month, opened, closed) in enumerate(months):
        for j, (value, fill) in enumerate(((opened, "#c0504d"), (closed, "#4f9a5b"))):
            h = plot_h * value / top
            bars.append(Bar(round(LEFT + i * step + step * (0.1 + 0.4 * j), 1), round(TOP + plot_h - h, 1),
                            round(step * 0.38, 1), round(h, 1), month[2:] if j == 0 else "", value, fill=fill))
    return {"width": WIDTH, "height": HEIGHT, "bars": bars, "max": top, "base": TOP + plot_h, "left": LEFT,
            "right": WIDTH - 10, "top": TOP, "label_y": TOP + plot_h + 16, "step": step}
