"""Draw the WBS Screen icon: resources/icons/wbs-screen.{svg,png,ico,icns}.

The artwork is ours: a teal rounded square, white scan-frame corners and a simple face
whose cheek carries a warm "heat" spot (the Grad-CAM idea). The SVG below and the PIL
drawing share one geometry on a 512-unit canvas, so the two files show the same picture.

    .venv/bin/python packaging/make_icons.py        # rewrites the four files
"""

from __future__ import annotations

import argparse
from pathlib import Path

from PIL import Image, ImageDraw, ImageFilter

ROOT = Path(__file__).resolve().parents[1]
ICON_DIR = ROOT / "resources" / "icons"
CANVAS = 512

TEAL_TOP = (20, 143, 134)
TEAL_BOTTOM = (12, 94, 99)
WHITE = (255, 255, 255)
HEAT = (249, 115, 22)

# Geometry in 512-unit coordinates.
RADIUS = 104  # corner radius of the tile
FRAME = (92, 92, 420, 420)  # scan frame (only its corners are drawn)
FRAME_ARM, FRAME_WIDTH = 70, 22
FACE = (156, 128, 356, 384)  # face ellipse
FACE_WIDTH = 18
EYES = ((216, 236), (296, 236))
EYE_R = 15
MOUTH = (206, 262, 306, 338)  # bounding box of the smile arc (lower half)
HEAT_CENTRE, HEAT_R = (320, 300), 40

SVG = f"""<svg xmlns="http://www.w3.org/2000/svg" width="{CANVAS}" height="{CANVAS}" \
viewBox="0 0 {CANVAS} {CANVAS}">
  <title>WBS Screen</title>
  <defs>
    <linearGradient id="tile" x1="0" y1="0" x2="0" y2="1">
      <stop offset="0" stop-color="#{bytes(TEAL_TOP).hex()}"/>
      <stop offset="1" stop-color="#{bytes(TEAL_BOTTOM).hex()}"/>
    </linearGradient>
    <radialGradient id="heat">
      <stop offset="0" stop-color="#{bytes(HEAT).hex()}" stop-opacity="0.95"/>
      <stop offset="1" stop-color="#{bytes(HEAT).hex()}" stop-opacity="0"/>
    </radialGradient>
  </defs>
  <rect x="16" y="16" width="480" height="480" rx="{RADIUS}" fill="url(#tile)"/>
  <g fill="none" stroke="#ffffff" stroke-width="{FRAME_WIDTH}" stroke-linecap="round"
     stroke-linejoin="round">
    <path d="M{FRAME[0]} {FRAME[1] + FRAME_ARM} V{FRAME[1]} H{FRAME[0] + FRAME_ARM}"/>
    <path d="M{FRAME[2] - FRAME_ARM} {FRAME[1]} H{FRAME[2]} V{FRAME[1] + FRAME_ARM}"/>
    <path d="M{FRAME[0]} {FRAME[3] - FRAME_ARM} V{FRAME[3]} H{FRAME[0] + FRAME_ARM}"/>
    <path d="M{FRAME[2] - FRAME_ARM} {FRAME[3]} H{FRAME[2]} V{FRAME[3] - FRAME_ARM}"/>
  </g>
  <circle cx="{HEAT_CENTRE[0]}" cy="{HEAT_CENTRE[1]}" r="{HEAT_R * 1.6:g}" fill="url(#heat)"/>
  <ellipse cx="{(FACE[0] + FACE[2]) / 2:g}" cy="{(FACE[1] + FACE[3]) / 2:g}" \
rx="{(FACE[2] - FACE[0]) / 2:g}" ry="{(FACE[3] - FACE[1]) / 2:g}" fill="none" \
stroke="#ffffff" stroke-width="{FACE_WIDTH}"/>
  <circle cx="{EYES[0][0]}" cy="{EYES[0][1]}" r="{EYE_R}" fill="#ffffff"/>
  <circle cx="{EYES[1][0]}" cy="{EYES[1][1]}" r="{EYE_R}" fill="#ffffff"/>
  <path d="M{MOUTH[0]} {(MOUTH[1] + MOUTH[3]) / 2:g} A{(MOUTH[2] - MOUTH[0]) / 2:g} \
{(MOUTH[3] - MOUTH[1]) / 2:g} 0 0 0 {MOUTH[2]} {(MOUTH[1] + MOUTH[3]) / 2:g}" fill="none" \
stroke="#ffffff" stroke-width="{FACE_WIDTH - 4}" stroke-linecap="round"/>
</svg>
"""


def draw(size: int = CANVAS) -> Image.Image:
    """Render the icon at ``size`` pixels (drawn 4x larger, then reduced: smooth edges)."""
    scale = 4 * size / CANVAS
    big = round(CANVAS * scale)

    def s(*values: float) -> list[float]:
        return [v * scale for v in values]

    # Tile: vertical gradient clipped by a rounded-square mask.
    gradient = Image.new("RGB", (1, 256))
    for y in range(256):
        t = y / 255
        gradient.putpixel(
            (0, y),
            tuple(round(a + (b - a) * t) for a, b in zip(TEAL_TOP, TEAL_BOTTOM, strict=True)),
        )
    tile = gradient.resize((big, big), Image.Resampling.BILINEAR).convert("RGBA")
    mask = Image.new("L", (big, big), 0)
    ImageDraw.Draw(mask).rounded_rectangle(s(16, 16, 496, 496), radius=RADIUS * scale, fill=255)
    icon = Image.new("RGBA", (big, big), (0, 0, 0, 0))
    icon.paste(tile, (0, 0), mask)

    # Heat spot: a blurred orange disc, composited under the white line work.
    heat = Image.new("RGBA", (big, big), HEAT + (0,))
    alpha = Image.new("L", (big, big), 0)
    cx, cy = HEAT_CENTRE
    ImageDraw.Draw(alpha).ellipse(s(cx - HEAT_R, cy - HEAT_R, cx + HEAT_R, cy + HEAT_R), fill=255)
    heat.putalpha(alpha.filter(ImageFilter.GaussianBlur(HEAT_R * 0.45 * scale)))
    icon = Image.alpha_composite(icon, heat)

    pen = ImageDraw.Draw(icon)
    x0, y0, x1, y1 = FRAME
    arm, width = FRAME_ARM, FRAME_WIDTH
    corners = [
        [(x0, y0 + arm), (x0, y0), (x0 + arm, y0)],
        [(x1 - arm, y0), (x1, y0), (x1, y0 + arm)],
        [(x0, y1 - arm), (x0, y1), (x0 + arm, y1)],
        [(x1 - arm, y1), (x1, y1), (x1, y1 - arm)],
    ]
    for corner in corners:
        points = [tuple(s(*point)) for point in corner]
        pen.line(points, fill=WHITE, width=round(width * scale), joint="curve")
        for point in (points[0], points[-1]):  # round caps
            r = width * scale / 2
            pen.ellipse((point[0] - r, point[1] - r, point[0] + r, point[1] + r), fill=WHITE)
    pen.ellipse(s(*FACE), outline=WHITE, width=round(FACE_WIDTH * scale))
    for ex, ey in EYES:
        pen.ellipse(s(ex - EYE_R, ey - EYE_R, ex + EYE_R, ey + EYE_R), fill=WHITE)
    mouth_width = round((FACE_WIDTH - 4) * scale)
    pen.arc(s(*MOUTH), start=0, end=180, fill=WHITE, width=mouth_width)
    mid_y = (MOUTH[1] + MOUTH[3]) / 2
    for mx in (MOUTH[0], MOUTH[2]):  # round ends of the smile
        r = mouth_width / 2
        px, py = mx * scale + (r if mx == MOUTH[0] else -r), mid_y * scale
        pen.ellipse((px - r, py - r, px + r, py + r), fill=WHITE)
    return icon.resize((size, size), Image.Resampling.LANCZOS)


def write_icons(folder: Path = ICON_DIR) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = {kind: folder / f"wbs-screen.{kind}" for kind in ("svg", "png", "ico", "icns")}
    paths["svg"].write_text(SVG, encoding="utf-8")
    image = draw(512)
    image.save(paths["png"], optimize=True)
    image.save(
        paths["ico"],
        sizes=[(16, 16), (24, 24), (32, 32), (48, 48), (64, 64), (128, 128), (256, 256)],
    )
    image.save(paths["icns"])
    return list(paths.values())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ICON_DIR)
    for path in write_icons(parser.parse_args().out):
        print(f"{path} ({path.stat().st_size} bytes)")


if __name__ == "__main__":
    main()
