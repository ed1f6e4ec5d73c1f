"""Server-drawn SVG charts (Pareto, grouped monthly bars): the audit desk's, and any procedure's
statistics (data analysis) — a shared helper at the bottom layer, so packages need not import
each other for a chart.

The CSP allows no scripts or inline styles, so charts are plain SVG with presentation attributes.
They are written here as strings rather than in a Jinja macro: a chart is a few hundred escaped
attributes, which cost milliseconds per page through the template engine.
"""
from __future__ import annotations

from markupsafe import Markup, escape

WIDTH, HEIGHT = 520, 250
LEFT, RIGHT, TOP, BOTTOM = 40, 44, 18, 62  # margins: axis labels left/right, category labels below
BAR, LINE, AXIS, OPENED, CLOSED = "#3b6ea5", "#c0504d", "#888", "#c0504d", "#4f9a5b"


def _text(x, y, body, anchor="middle", fill="#222", extra="") -> str:
    return (f'<text x="{x:.1f}" y="{y:.1f}" font-size="12" text-anchor="{anchor}" fill="{fill}"{extra}>'
            f'{escape(body)}</text>')


def _frame(chart_id: str, title: str) -> list[str]:
    return [f'<svg id="{escape(chart_id)}" class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
            f'aria-label="{escape(title)}" xmlns="http://www.w3.org/2000/svg"><title>{escape(title)}</title>']


def pareto(items: list[tuple[str, int, float]], chart_id: str, title: str, empty: str,
           hrefs: list[str] | None = None) -> Markup:
    """Bars largest first with the cumulative-share line and the 80% mark: items are
    (label, count, cumulative share 0..1); ``hrefs`` make the bars links (e.g. filter by department)."""
    right, base = WIDTH - RIGHT, HEIGHT - BOTTOM
    plot_w, plot_h = right - LEFT, base - TOP
    top = max((c for _l, c, _s in items), default=0) or 1
    step = plot_w / max(len(items), 1)
    p80 = TOP + plot_h * 0.2
    out = _frame(chart_id, title)
    out += [f'<line x1="{LEFT}" y1="{base}" x2="{right}" y2="{base}" stroke="{AXIS}"/>',
            f'<line x1="{LEFT}" y1="{TOP}" x2="{LEFT}" y2="{base}" stroke="{AXIS}"/>',
            f'<line x1="{right}" y1="{TOP}" x2="{right}" y2="{base}" stroke="{AXIS}"/>',
            f'<line x1="{LEFT}" y1="{p80:.1f}" x2="{right}" y2="{p80:.1f}" stroke="{LINE}" stroke-width="0.8" '
            f'stroke-dasharray="4 3"/>',
            _text(LEFT - 4, TOP + 4, str(top), "end", "#555"), _text(LEFT - 4, base, "0", "end", "#555"),
            _text(right + 4, TOP + 4, "100%", "start", "#555"), _text(right + 4, p80 + 4, "80%", "start", LINE)]
    points = []
    for i, (label, count, share) in enumerate(items):
        h = plot_h * count / top
        w = min(step * 0.7, 60)  # a few categories still look like bars, not walls
        x = LEFT + i * step + (step - w) / 2
        cx = x + w / 2
        bar = (f'<rect class="bar" x="{x:.1f}" y="{base - h:.1f}" width="{w:.1f}" height="{h:.1f}" fill="{BAR}">'
               f'<title>{escape(label)}: {count}</title></rect>' +
               # Inside a tall bar (the cumulative line passes above it), over a short one.
               (_text(cx, base - h + 14, str(count), fill="#fff") if h > 20 else _text(cx, base - h - 3, str(count))) +
               _text(cx, base + 16, str(label)[:8], "end", extra=f' transform="rotate(-30 {cx:.1f} {base + 16})"'))
        href = hrefs[i] if hrefs else ""
        out.append(f'<a href="{escape(href)}">{bar}</a>' if href else bar)
        points.append(f"{cx:.1f},{TOP + plot_h * (1 - share):.1f}")
    if points:
        out.append(f'<polyline points="{" ".join(points)}" fill="none" stroke="{LINE}" stroke-width="1.6"/>')
        out += [f'<circle cx="{p.split(",")[0]}" cy="{p.split(",")[1]}" r="2.5" fill="{LINE}"/>' for p in points]
    else:
        out.append(_text((LEFT + right) / 2, (TOP + base) / 2, empty, fill="#888"))
    out.append("</svg>")
    return Markup("".join(out))


def grouped(months: list[tuple[str, int, int]], chart_id: str, title: str, legend: tuple[str, str]) -> Markup:
    """Opened and closed per month side by side, with a legend."""
    right, base = WIDTH - 10, HEIGHT - BOTTOM
    plot_w, plot_h = right - LEFT, base - TOP
    top = max((max(o, c) for _m, o, c in months), default=0) or 1
    step = plot_w / max(len(months), 1)
    out = _frame(chart_id, title)
    out += [f'<line x1="{LEFT}" y1="{base}" x2="{right}" y2="{base}" stroke="{AXIS}"/>',
            _text(LEFT - 4, TOP + 4, str(top), "end", "#555"), _text(LEFT - 4, base, "0", "end", "#555")]
    for i, (month, opened, closed) in enumerate(months):
        for j, (value, fill) in enumerate(((opened, OPENED), (closed, CLOSED))):
            h = plot_h * value / top
            x = LEFT + i * step + step * (0.1 + 0.4 * j)
            out.append(f'<rect x="{x:.1f}" y="{base - h:.1f}" width="{step * 0.38:.1f}" height="{h:.1f}" '
                       f'fill="{fill}"><title>{month}: {value}</title></rect>')
        out.append(_text(LEFT + i * step + step * 0.5, base + 16, month[2:]))
    ly = base + 34
    out += [f'<rect x="{LEFT + 8}" y="{ly - 10}" width="10" height="10" fill="{OPENED}"/>',
            _text(LEFT + 22, ly, legend[0], "start"),
            f'<rect x="{LEFT + 100}" y="{ly - 10}" width="10" height="10" fill="{CLOSED}"/>',
            _text(LEFT + 114, ly, legend[1], "start"), "</svg>"]
    return Markup("".join(out))


# ---- check sheets and the cause-and-effect diagram (DA-04) ----

FONT = 'font-family="WenQuanYi Micro Hei, Noto Sans CJK SC, sans-serif"'  # the PDFs' embedded CJK font
SHEET_LABEL, SHEET_TOTAL, SHEET_ROW, SHEET_HEAD = 120, 48, 24, 30
TALLY_MAX = 10  # up to this many, a cell shows tally marks (groups of five); more, the number


def _label(x, y, body, anchor="middle", fill="#222", size=12, bold=False) -> str:
    """A text of a given size and weight (``_text`` fixes the size at 12)."""
    weight = ' font-weight="bold"' if bold else ""
    return (f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" text-anchor="{anchor}" fill="{fill}"{weight}>'
            f'{escape(body)}</text>')


def _tally(x: float, y: float, n: int) -> str:
    """``n`` tally marks from (x, y): groups of four strokes crossed by a fifth, as on a paper sheet."""
    out = []
    for g in range(0, n, 5):
        marks = min(5, n - g)
        gx = x + (g // 5) * 16
        for k in range(min(marks, 4)):
            out.append(f'<line x1="{gx + k * 3:.1f}" y1="{y - 7:.1f}" x2="{gx + k * 3:.1f}" y2="{y + 7:.1f}" '
                       f'stroke="#222" stroke-width="1.2"/>')
        if marks == 5:
            out.append(f'<line x1="{gx - 2:.1f}" y1="{y + 5:.1f}" x2="{gx + 11:.1f}" y2="{y - 5:.1f}" '
                       f'stroke="#222" stroke-width="1.2"/>')
    return "".join(out)


def check_sheet(rows: list[tuple[str, list[int]]], columns: list[str], chart_id: str, title: str,
                total_label: str, empty: str) -> Markup:
    """A check sheet (调查表): one row per category, one column per period, each cell a tally (marks
    in groups of five up to ``TALLY_MAX``, the number above) with the totals of each row and column.
    ``rows`` are (category label, counts per column); ``columns`` the periods' short labels."""
    cw = max(22.0, min(60.0, 640 / max(len(columns), 1)))  # a month of days still fits a page
    width = SHEET_LABEL + cw * len(columns) + SHEET_TOTAL + 4
    height = SHEET_HEAD + SHEET_ROW * (len(rows) + 1) + 4
    marks = cw >= 38  # room for two groups of tally marks
    out = [f'<svg id="{escape(chart_id)}" class="chart check-sheet" viewBox="0 0 {width:.0f} {height}" role="img" '
           f'aria-label="{escape(title)}" xmlns="http://www.w3.org/2000/svg" {FONT}><title>{escape(title)}</title>']
    right = SHEET_LABEL + cw * len(columns)
    for j, col in enumerate(columns):
        cx = SHEET_LABEL + cw * j + cw / 2
        out.append(_label(cx, SHEET_HEAD - 10, col, size=10 if cw < 30 else 12))
    out.append(_text(right + SHEET_TOTAL / 2, SHEET_HEAD - 10, total_label))
    col_totals = [0] * len(columns)
    for i, (label, counts) in enumerate(rows):
        y = SHEET_HEAD + SHEET_ROW * i
        mid = y + SHEET_ROW / 2
        out.append(_text(6, mid + 4, str(label)[:9], "start"))
        for j, n in enumerate(counts):
            col_totals[j] += n
            if not n:
                continue
            x = SHEET_LABEL + cw * j
            cell = (_tally(x + 5, mid, n) if marks and n <= TALLY_MAX else _text(x + cw / 2, mid + 4, str(n)))
            out.append(f'<g class="tally"><title>{escape(label)} · {escape(columns[j])}: {n}</title>{cell}</g>')
        out.append(_label(right + SHEET_TOTAL / 2, mid + 4, str(sum(counts)), bold=True))
    ty = SHEET_HEAD + SHEET_ROW * len(rows)
    out.append(_label(6, ty + SHEET_ROW / 2 + 4, total_label, "start", bold=True))
    for j, n in enumerate(col_totals):
        out.append(_label(SHEET_LABEL + cw * j + cw / 2, ty + SHEET_ROW / 2 + 4, str(n), size=10 if cw < 30 else 12,
                          bold=True))
    out.append(_label(right + SHEET_TOTAL / 2, ty + SHEET_ROW / 2 + 4, str(sum(col_totals)), bold=True))
    # The grid last, over the cells: horizontal lines per row, vertical per column.
    bottom = ty + SHEET_ROW
    for i in range(len(rows) + 2):
        y = SHEET_HEAD + SHEET_ROW * i
        out.append(f'<line x1="0" y1="{y}" x2="{right + SHEET_TOTAL:.1f}" y2="{y}" stroke="{AXIS}" '
                   f'stroke-width="0.6"/>')
    for j in range(len(columns) + 2):
        x = SHEET_LABEL + cw * j if j <= len(columns) else right + SHEET_TOTAL
        out.append(f'<line x1="{x:.1f}" y1="{SHEET_HEAD - 24}" x2="{x:.1f}" y2="{bottom}" stroke="{AXIS}" '
                   f'stroke-width="0.6"/>')
    if not rows:
        out.append(_text(width / 2, SHEET_HEAD + SHEET_ROW * 0.7, empty, fill="#888"))
    out.append("</svg>")
    return Markup("".join(out))


FISH_W, FISH_H, SPINE_Y, HEAD_W = 780, 400, 200, 150
CAUSE_CHARS = 13  # a cause's text on the bone; the full text is its tooltip and is listed beside the chart


def _short(text: str, n: int) -> str:
    return text if len(text) <= n else text[:n - 1] + "…"


def fishbone(effect: str, bones: list[tuple[str, list[tuple[str, bool]]]], chart_id: str, title: str) -> Markup:
    """The cause-and-effect (fishbone, 鱼刺图) diagram: the effect in the head on the right, the spine,
    and one bone per category (the first half above, the rest below; 人机料 / 法环测), each carrying
    its causes as twigs. ``bones`` are (category label, [(cause, marked)]); a marked cause (the root
    cause) is drawn in bold red."""
    spine_end = FISH_W - HEAD_W - 10
    out = [f'<svg id="{escape(chart_id)}" class="chart fishbone" viewBox="0 0 {FISH_W} {FISH_H}" role="img" '
           f'aria-label="{escape(title)}" xmlns="http://www.w3.org/2000/svg" {FONT}><title>{escape(title)}</title>',
           f'<line x1="14" y1="{SPINE_Y}" x2="{spine_end}" y2="{SPINE_Y}" stroke="#222" stroke-width="2.5"/>',
           f'<polygon points="{spine_end},{SPINE_Y - 7} {spine_end + 12},{SPINE_Y} {spine_end},{SPINE_Y + 7}" '
           f'fill="#222"/>',
           f'<rect x="{spine_end + 14}" y="{SPINE_Y - 50}" width="{HEAD_W - 8}" height="100" rx="6" fill="#fdf2f2" '
           f'stroke="{LINE}" stroke-width="1.5"><title>{escape(effect)}</title></rect>']
    # The effect, wrapped into four short lines (Chinese text breaks anywhere).
    per = 9
    for k in range(4):
        piece = effect[k * per:(k + 1) * per]
        if not piece:
            break
        if k == 3 and len(effect) > 4 * per:
            piece = piece[:-1] + "…"
        out.append(_label(spine_end + 14 + (HEAD_W - 8) / 2, SPINE_Y - 22 + k * 18, piece, bold=True))
    upper = (len(bones) + 1) // 2
    slots = max(upper, len(bones) - upper, 1)
    gap = (spine_end - 40) / slots
    for i, (label, causes) in enumerate(bones):
        above = i < upper
        k = i if above else i - upper
        xa = 40 + gap * (k + 1) - 10  # where the bone meets the spine
        x0, y0 = xa - 100, (44 if above else FISH_H - 44)
        out.append(f'<line x1="{x0:.1f}" y1="{y0}" x2="{xa:.1f}" y2="{SPINE_Y}" stroke="#444" stroke-width="1.6"/>')
        ly = y0 - 14 if above else y0 + 22
        out.append(f'<rect x="{x0 - 38:.1f}" y="{ly - 15}" width="76" height="22" rx="4" fill="#eef3f9" '
                   f'stroke="{BAR}"/>')
        out.append(_label(x0, ly + 1, str(label)[:8], bold=True))
        shown = causes[:5]
        for n, (cause, marked) in enumerate(shown):
            t = (n + 1) / (len(shown) + 1)
            px, py = x0 + t * (xa - x0), y0 + t * (SPINE_Y - y0)
            colour = LINE if marked else "#222"
            out.append(f'<line x1="{px - 10:.1f}" y1="{py:.1f}" x2="{px:.1f}" y2="{py:.1f}" stroke="#666"/>'
                       f'<g class="cause"><title>{escape(cause)}</title>'
                       + _label(px - 12, py + 4, _short(cause, CAUSE_CHARS), "end", colour, 11, marked) + "</g>")
        if len(causes) > len(shown):
            out.append(_text(xa - 4, SPINE_Y + (-8 if above else 16), f"+{len(causes) - len(shown)}", "end", "#555"))
    out.append("</svg>")
    return Markup("".join(out))
