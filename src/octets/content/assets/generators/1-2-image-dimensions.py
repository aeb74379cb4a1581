"""Écrit 1.2/paysage-montagne.png : une image PNG de 800 × 450 pixels dont les dimensions comptent.

Bibliothèque standard seulement ; déterministe (même fichier à chaque exécution).
Lancement depuis la racine du dépôt :
    .venv/bin/python src/octets/content/assets/generators/1-2-image-dimensions.py
"""

import struct
import zlib
from pathlib import Path

WIDTH, HEIGHT = 800, 450
OUTPUT = Path(__file__).resolve().parent.parent / "1.2" / "paysage-montagne.png"


def chunk(kind: bytes, data: bytes) -> bytes:
    body = kind + data
    return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body) & 0xFFFFFFFF)


def pixel(x: int, y: int) -> tuple[int, int, int]:
    """A simple landscape: sky gradient, a triangular mountain, green ground."""
    ground = HEIGHT * 3 // 4
    peak_x, peak_y = WIDTH // 2, HEIGHT // 5
    if y >= ground:
        return (70, 140 - (y - ground) // 4, 60)
    half_width = (y - peak_y) * 1.6
    if y >= peak_y and abs(x - peak_x) <= half_width:
        if y < peak_y + 50:
            return (240, 240, 245)
        return (110, 100, 95)
    return (120 + y * 80 // ground, 170 + y * 60 // ground, 235)


def build() -> bytes:
    rows = bytearray()
    for y in range(HEIGHT):
        rows.append(0)
        for x in range(WIDTH):
            rows.extend(pixel(x, y))
    header = struct.pack(">IIBBBBB", WIDTH, HEIGHT, 8, 2, 0, 0, 0)
    text = b"Title\x00Paysage de montagne (image d'exercice Octets)"
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"tEXt", text)
        + chunk(b"IDAT", zlib.compress(bytes(rows), 9))
        + chunk(b"IEND", b"")
    )


if __name__ == "__main__":
    OUTPUT.write_bytes(build())
    print(f"{OUTPUT} écrit ({OUTPUT.stat().st_size} octets)")
