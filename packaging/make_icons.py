"""Render resources/paperdesk.svg into the icon files the Windows and macOS builds need.

    python packaging/make_icons.py --ico packaging/windows/paperdesk.ico
    python packaging/make_icons.py --iconset packaging/macos/paperdesk.iconset   (then: iconutil -c icns …)

Uses Qt's own SVG renderer (already a dependency), so no image tool has to be installed on the build machine.
An .ico is a small header, a directory and PNG images; Windows Vista and later read PNG entries at every size.
"""

from __future__ import annotations

import argparse
import os
import struct
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, Qt  # noqa: E402
from PySide6.QtGui import QGuiApplication, QImage, QPainter  # noqa: E402
from PySide6.QtSvg import QSvgRenderer  # noqa: E402

SVG = Path(__file__).resolve().parents[1] / "resources" / "paperdesk.svg"
ICO_SIZES = (16, 24, 32, 48, 64, 128, 256)
# macOS iconset names: icon_<size>x<size>[@2x].png
ICONSET = [(16, 1), (16, 2), (32, 1), (32, 2), (128, 1), (128, 2), (256, 1), (256, 2), (512, 1), (512, 2)]


def render_png(renderer: QSvgRenderer, size: int) -> bytes:
    image = QImage(size, size, QImage.Format_ARGB32)
    image.fill(Qt.transparent)
    painter = QPainter(image)
    renderer.render(painter)
    painter.end()
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.WriteOnly)
    if not image.save(buffer, "PNG"):
        raise RuntimeError(f"cannot encode a {size}px PNG")
    return bytes(data)


def ico_bytes(pngs: dict[int, bytes]) -> bytes:
    header = struct.pack("<HHH", 0, 1, len(pngs))  # reserved, type 1 = icon, image count
    directory, images = b"", b""
    offset = 6 + 16 * len(pngs)
    for size, png in sorted(pngs.items()):
        # Width and height are one byte each; 0 means 256.
        directory += struct.pack("<BBBBHHII", size % 256, size % 256, 0, 0, 1, 32, len(png), offset + len(images))
        images += png
    return header + directory + images


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ico", type=Path, help="write a multi-size Windows .ico here")
    parser.add_argument("--iconset", type=Path, help="write a macOS .iconset folder here")
    args = parser.parse_args(argv)
    if not (args.ico or args.iconset):
        parser.error("nothing to do: give --ico and/or --iconset")
    app = QGuiApplication.instance() or QGuiApplication(sys.argv[:1])  # noqa: F841 (QPainter needs it)
    renderer = QSvgRenderer(str(SVG))
    if not renderer.isValid():
        raise SystemExit(f"make_icons.py: cannot read {SVG}")
    if args.ico:
        args.ico.parent.mkdir(parents=True, exist_ok=True)
        args.ico.write_bytes(ico_bytes({size: render_png(renderer, size) for size in ICO_SIZES}))
        print(f"wrote {args.ico}")
    if args.iconset:
        args.iconset.mkdir(parents=True, exist_ok=True)
        for size, scale in ICONSET:
            name = f"icon_{size}x{size}{'@2x' if scale == 2 else ''}.png"
            (args.iconset / name).write_bytes(render_png(renderer, size * scale))
        print(f"wrote {args.iconset}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
