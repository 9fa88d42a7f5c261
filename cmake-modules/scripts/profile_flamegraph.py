#!/usr/bin/env python3
"""Flame graph from `perf script` output, with the standard library only.

    perf script -i perf.data | python3 flamegraph.py --folded out.folded out.svg

Stacks are folded (outermost frame first, one line per distinct stack with its
sample count, the format of Brendan Gregg's stackcollapse tools) and drawn as
an SVG: each box is a function, its width the share of samples in which it
was on the stack, callees stacked on top. Hover a box for its numbers.
Debian ships no flame graph tool; perf's own `perf script report flamegraph`
downloads JavaScript, which this does not need.
"""

from __future__ import annotations

import argparse
import hashlib
import html
import re
import sys
from collections import Counter

WIDTH = 1200
ROW = 16
MIN_WIDTH = 0.5  # pixels: narrower boxes are not drawn

_FRAME = re.compile(r"^\s*[0-9a-f]+\s+(.*?)(?:\+0x[0-9a-f]+)?\s+\((.*)\)\s*$")


def fold(lines: list[str]) -> Counter[str]:
    """perf script text -> {"outer;...;inner": samples}."""
    stacks: Counter[str] = Counter()
    frames: list[str] = []
    for line in lines + [""]:
        if not line.strip():
            if frames:
                stacks[";".join(reversed(frames))] += 1
            frames = []
            continue
        match = _FRAME.match(line)
        if match:
            symbol, dso = match.groups()
            if symbol in ("[unknown]", ""):
                symbol = dso if dso.startswith("[") else f"[{dso.rsplit('/', 1)[-1]}]"
            frames.append(symbol.replace(";", ":"))
    return stacks


def color(name: str) -> str:
    digest = hashlib.md5(name.encode()).digest()
    return f"rgb({205 + digest[0] % 50},{80 + digest[1] % 130},{digest[2] % 60})"


def render(stacks: Counter[str], title: str) -> str:
    total = sum(stacks.values()) or 1
    # Build the call tree: node = [samples, children].
    root: list = [0, {}]
    for stack, count in stacks.items():
        node = root
        node[0] += count
        for frame in stack.split(";"):
            node = node[1].setdefault(frame, [0, {}])
            node[0] += count
    depth_of = [0]

    boxes: list[str] = []

    def draw(children: dict, x: float, depth: int) -> None:
        depth_of[0] = max(depth_of[0], depth + 1)
        for name in sorted(children):
            samples, grandchildren = children[name]
            width = samples / total * WIDTH
            if width >= MIN_WIDTH:
                boxes.append((x, depth, width, name, samples))
                draw(grandchildren, x, depth + 1)
            x += width

    draw(root[1], 0.0, 0)
    height = (depth_of[0] + 2) * ROW
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height}" '
        f'font-family="monospace" font-size="11">',
        f'<text x="4" y="12">{html.escape(title)} ({total} samples)</text>',
    ]
    for x, depth, width, name, samples in boxes:
        y = height - (depth + 1) * ROW
        label = html.escape(name)
        parts.append(
            f'<g><title>{label} ({samples} samples, {samples / total:.1%})</title>'
            f'<rect x="{x:.1f}" y="{y}" width="{width:.1f}" height="{ROW - 1}" fill="{color(name)}"/>'
        )
        if width > 40:
            chars = int(width / 7)
            text = name if len(name) <= chars else name[: max(chars - 2, 0)] + ".."
            parts.append(f'<text x="{x + 2:.1f}" y="{y + ROW - 4}">{html.escape(text)}</text>')
        parts.append("</g>")
    parts.append("</svg>")
    return "\n".join(parts) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("svg", help="the SVG to write")
    parser.add_argument("--folded", help="also write the folded stacks here")
    parser.add_argument("--title", default="Flame graph")
    args = parser.parse_args()
    stacks = fold(sys.stdin.read().splitlines())
    if not stacks:
        print("flamegraph.py: no stacks in the input (was perf record run with -g?)", file=sys.stderr)
        return 1
    if args.folded:
        with open(args.folded, "w", encoding="utf-8") as out:
            for stack, count in sorted(stacks.items()):
                out.write(f"{stack} {count}\n")
    with open(args.svg, "w", encoding="utf-8") as out:
        out.write(render(stacks, args.title))
    return 0


if __name__ == "__main__":
    sys.exit(main())
