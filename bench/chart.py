#!/usr/bin/env python3
"""The benchmark figures as a chart and a table, from bench/results.tsv (standard library only).

bench/results.tsv holds one row per figure already published in docs/benchmarks.md or bench/queue-results.md:
scenario, connections, our msg/s, Postfix's msg/s in the same run, the ratio as published, date, build, whether
the row is charted (the current build of each scenario: "yes"), where it is written, and the command that measured
it. Nothing here is measured; the numbers are copied from those pages.

  python3 bench/chart.py           writes docs/benchmarks.svg and the table between the markers in docs/benchmarks.md
  python3 bench/chart.py --check   exits 1 if either is out of date with the TSV, or a ratio does not match its figures

Run from the repository root or anywhere: paths are relative to this file.
"""
import csv
import math
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TSV = ROOT / "bench" / "results.tsv"
SVG = ROOT / "docs" / "benchmarks.svg"
DOC = ROOT / "docs" / "benchmarks.md"
START = "<!-- bench/results.tsv table: START (python3 bench/chart.py writes it) -->"
END = "<!-- bench/results.tsv table: END -->"

OURS = "#2b6cb0"
POSTFIX = "#dd8452"
INK = "#1a202c"
MUTED = "#4a5568"
GRID = "#e2e8f0"
FONT = "DejaVu Sans, Verdana, Arial, Helvetica, sans-serif"


def read_rows():
    with TSV.open(newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f, delimiter="\t"))
    for r in rows:
        r["ours"] = int(r["ours_msg_per_s"])
        r["postfix"] = int(r["postfix_msg_per_s"])
    return rows


def ratio_errors(rows):
    """Rows whose published ratio is not their two figures divided (medians, so allow the last digit to differ)."""
    errors = []
    for r in rows:
        computed = r["ours"] / r["postfix"]
        if abs(computed - float(r["ratio"])) > 0.011:
            errors.append(f"{r['scenario']}, {r['connections']}, {r['build']}: ratio {r['ratio']} but "
                          f"{r['ours']} / {r['postfix']} = {computed:.3f}")
    return errors


def esc(text):
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


def pretty(text):
    return text.replace("->", "\u2192")


def thousands(n):
    return f"{n:,}"


def svg(rows):
    charted = [r for r in rows if r["chart"] == "yes"]
    sections = []
    for r in charted:
        if not sections or sections[-1][0] != r["scenario"]:
            sections.append((r["scenario"], []))
        sections[-1][1].append(r)

    width = 980
    label_x = 16
    plot_x0, plot_x1 = 230, 800
    ratio_x = 895
    bar_h, bar_gap = 15, 3
    heading_h = 30
    group_h = 2 * bar_h + bar_gap + 16
    plot_top = 118
    plot_bottom = plot_top + sum(heading_h + len(group) * group_h for _, group in sections)
    height = plot_bottom + 62

    top_value = max(max(r["ours"], r["postfix"]) for r in charted)
    step = 1000
    axis_max = int(math.ceil(top_value / step)) * step
    scale = (plot_x1 - plot_x0) / axis_max
    ticks = [plot_x0 + i * scale for i in range(0, axis_max + 1, step)]

    out = []
    add = out.append
    add(f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" font-family="{FONT}" role="img" '
        f'aria-labelledby="title desc">')
    add('<title id="title">camel-smtp against Postfix: messages per second</title>')
    add('<desc id="desc">Grouped bars, ours and Postfix per scenario, from bench/results.tsv. '
        + esc("; ".join(f"{r['scenario']}, {r['connections']}: {r['ours']} vs {r['postfix']} msg/s, "
                        f"{r['ratio']}x" for r in charted)) + '</desc>')
    add(f'<rect x="0" y="0" width="{width}" height="{height}" fill="#ffffff"/>')
    add(f'<text x="{label_x}" y="30" font-size="20" font-weight="bold" fill="{INK}">'
        'camel-smtp against Postfix on the same machine</text>')
    dates = sorted({r["date"] for r in charted})
    add(f'<text x="{label_x}" y="52" font-size="13" fill="{MUTED}">'
        f'Messages per second, higher is better. 4 KB messages, 20 sessions of smtp-source, median of 3 runs, '
        f'2 vCPUs; measured {esc(", ".join(dates))}.</text>')
    add(f'<text x="{label_x}" y="70" font-size="13" fill="{MUTED}">'
        'Data: bench/results.tsv (rows marked chart=yes). Chart: python3 bench/chart.py</text>')

    legend_y = 100
    add(f'<rect x="{plot_x0}" y="{legend_y - 11}" width="14" height="14" fill="{OURS}"/>')
    add(f'<text x="{plot_x0 + 20}" y="{legend_y + 1}" font-size="13" fill="{INK}">camel-smtp</text>')
    add(f'<rect x="{plot_x0 + 120}" y="{legend_y - 11}" width="14" height="14" fill="{POSTFIX}"/>')
    add(f'<text x="{plot_x0 + 140}" y="{legend_y + 1}" font-size="13" fill="{INK}">Postfix 3.7.11</text>')
    add(f'<text x="{ratio_x}" y="{legend_y + 1}" font-size="13" font-weight="bold" fill="{INK}" '
        'text-anchor="middle">ours / Postfix</text>')

    y = plot_top
    for n, (scenario, group) in enumerate(sections):
        if n % 2 == 0:
            h = heading_h + len(group) * group_h
            add(f'<rect x="8" y="{y}" width="{width - 16}" height="{h}" fill="#f7fafc"/>')
        name, _, versus = pretty(scenario).partition(" (vs ")
        add(f'<text x="{label_x}" y="{y + 20}" font-size="14" fill="{INK}"><tspan font-weight="bold">'
            f'{esc(name)}</tspan><tspan dx="10" fill="{MUTED}">{esc("vs " + versus.rstrip(")")) if versus else ""}'
            '</tspan></text>')
        y += heading_h
        for r in group:
            for x in ticks:
                add(f'<line x1="{x:.1f}" y1="{y - 4}" x2="{x:.1f}" y2="{y + group_h - 12}" stroke="{GRID}" '
                    'stroke-width="1"/>')
            add(f'<line x1="{plot_x0}" y1="{y - 4}" x2="{plot_x0}" y2="{y + group_h - 12}" stroke="{MUTED}" '
                'stroke-width="1"/>')
            conn = "1 connection per message" if r["connections"] == "1 per message" else "connections reused (-d)"
            add(f'<text x="{label_x + 8}" y="{y + bar_h + 5}" font-size="12.5" fill="{INK}">{esc(conn)}</text>')
            for k, (value, color) in enumerate(((r["ours"], OURS), (r["postfix"], POSTFIX))):
                by = y + k * (bar_h + bar_gap)
                w = value * scale
                add(f'<rect x="{plot_x0}" y="{by}" width="{w:.1f}" height="{bar_h}" fill="{color}"/>')
                add(f'<text x="{plot_x0 + w + 5:.1f}" y="{by + bar_h - 3}" font-size="12" fill="{INK}">'
                    f'{thousands(value)}</text>')
            add(f'<text x="{ratio_x}" y="{y + bar_h + 7}" font-size="17" font-weight="bold" fill="{OURS}" '
                f'text-anchor="middle">{esc(r["ratio"])}\u00d7</text>')
            y += group_h

    for i, x in zip(range(0, axis_max + 1, step), ticks):
        add(f'<line x1="{x:.1f}" y1="{plot_bottom - 6}" x2="{x:.1f}" y2="{plot_bottom}" stroke="{MUTED}" '
            'stroke-width="1"/>')
        add(f'<text x="{x:.1f}" y="{plot_bottom + 16}" font-size="12" fill="{MUTED}" text-anchor="middle">'
            f'{thousands(i)}</text>')
    add(f'<line x1="{plot_x0}" y1="{plot_bottom}" x2="{plot_x1}" y2="{plot_bottom}" stroke="{MUTED}" '
        'stroke-width="1"/>')
    add(f'<text x="{(plot_x0 + plot_x1) / 2:.1f}" y="{plot_bottom + 40}" font-size="13" fill="{INK}" '
        'text-anchor="middle">messages per second</text>')
    add("</svg>")
    return "\n".join(out) + "\n"


def table(rows):
    lines = [
        "| scenario | connections | ours msg/s | Postfix msg/s | ours / Postfix | build | date | in the chart |",
        "|---|---|---:|---:|---:|---|---|---|",
    ]
    for r in rows:
        ratio = f"**{r['ratio']}×**" if r["chart"] == "yes" else f"{r['ratio']}×"
        lines.append(f"| [{pretty(r['scenario'])}]({link(r['source'])}) | {r['connections']} | {thousands(r['ours'])} "
                     f"| {thousands(r['postfix'])} | {ratio} | {r['build']} | {r['date']} | {r['chart']} |")
    lines += ["", "The commands that measured them (from the repository root; each page says how the app was built "
                  "and copied to `APP_DIR`):", ""]
    seen = []
    for r in rows:
        if r["command"] not in seen:
            seen.append(r["command"])
    lines.append("```bash")
    for c in seen:
        lines.append(c)
    lines.append("```")
    return "\n".join(lines)


def link(source):
    """Links in docs/benchmarks.md: its own anchors stay anchors, the queue results page is a sibling path."""
    page, _, anchor = source.partition("#")
    if page == "docs/benchmarks.md":
        return "#" + anchor
    return "../" + page + ("#" + anchor if anchor else "")


def doc_with_table(doc, rows):
    start, end = doc.find(START), doc.find(END)
    if start < 0 or end < start:
        raise SystemExit(f"{DOC}: the markers {START!r} and {END!r} are missing")
    return doc[:start + len(START)] + "\n" + table(rows) + "\n" + doc[end:]


def main(args):
    rows = read_rows()
    errors = ratio_errors(rows)
    picture = svg(rows)
    doc = DOC.read_text(encoding="utf-8")
    new_doc = doc_with_table(doc, rows)
    if args == ["--check"]:
        current = SVG.read_text(encoding="utf-8") if SVG.exists() else None
        if current != picture:
            errors.append(f"{SVG.relative_to(ROOT)} is out of date with {TSV.relative_to(ROOT)}")
        if new_doc != doc:
            errors.append(f"the table in {DOC.relative_to(ROOT)} is out of date with {TSV.relative_to(ROOT)}")
        for e in errors:
            print("chart.py --check: " + e, file=sys.stderr)
        if errors:
            print("run: python3 bench/chart.py", file=sys.stderr)
            return 1
        print(f"chart.py --check: {SVG.relative_to(ROOT)} and the table match {len(rows)} rows")
        return 0
    if args:
        print(__doc__, file=sys.stderr)
        return 2
    if errors:
        for e in errors:
            print("chart.py: " + e, file=sys.stderr)
        return 1
    SVG.write_text(picture, encoding="utf-8")
    DOC.write_text(new_doc, encoding="utf-8")
    print(f"wrote {SVG.relative_to(ROOT)} ({sum(r['chart'] == 'yes' for r in rows)} groups of bars) and the table "
          f"in {DOC.relative_to(ROOT)} ({len(rows)} rows)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
