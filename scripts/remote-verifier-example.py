#!/usr/bin/env python3
"""An example server of the remote verifier protocol (docs/remote-verifier.md), standard library only.

It scores each image by the colours its caption names: the share of pixels near a named palette colour minus the
share near the palette's other colours (a toy grader, prompt-aware, not a good one; a real deployment puts a VLM or a
reward model behind the same JSON). Class requests (no prompt) score the image's mean brightness.

    python3 scripts/remote-verifier-example.py --port 8765 &
    scripts/noisesearch search --model shapes-flow --prompt "a red circle" --algorithm random --candidates 8 \
        --verifier remote:http://127.0.0.1:8765/score
"""
from __future__ import annotations

import argparse
import base64
import json
import struct
import zlib
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

PALETTE = {"red": (255, 0, 0), "green": (0, 255, 0), "blue": (0, 0, 255), "yellow": (255, 255, 0)}
NEAR = 160.0


def decode_png(data: bytes) -> tuple[int, int, int, list[bytearray]]:
    """Width, height, channels and rows of an 8-bit grey or RGB PNG without interlacing (what the engine sends)."""
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError("not a PNG")
    pos, idat, header = 8, b"", None
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        pos += 12 + length
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat += body
    width, height, depth, colour, _, _, interlace = header
    channels = {0: 1, 2: 3, 6: 4}[colour]
    if depth != 8 or interlace:
        raise ValueError("only 8-bit, non-interlaced PNGs")
    raw, stride, rows, prev = zlib.decompress(idat), width * channels, [], bytearray(width * channels)
    for y in range(height):
        kind, line = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - channels] if i >= channels else 0
            b, c = prev[i], prev[i - channels] if i >= channels else 0
            if kind == 1:
                line[i] = (line[i] + a) & 255
            elif kind == 2:
                line[i] = (line[i] + b) & 255
            elif kind == 3:
                line[i] = (line[i] + (a + b) // 2) & 255
            elif kind == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        rows.append(line)
        prev = line
    return width, height, channels, rows


def score(image: bytes, prompt: str | None) -> float:
    width, height, channels, rows = decode_png(image)
    if prompt is None or channels < 3:
        return sum(sum(row[::channels]) for row in rows) / (width * height)
    named = {w for w in prompt.split() if w in PALETTE}
    good = bad = 0
    for row in rows:
        for x in range(width):
            pixel = row[x * channels:x * channels + 3]
            distances = {name: sum((p - q) ** 2 for p, q in zip(pixel, rgb)) ** 0.5 for name, rgb in PALETTE.items()}
            nearest = min(distances, key=distances.get)
            if distances[nearest] <= NEAR and sum(pixel) > 120:
                good += nearest in named
                bad += nearest not in named
    return (good - bad) / (width * height)


class Handler(BaseHTTPRequestHandler):
    def do_POST(self):
        try:
            request = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            candidates = request["candidates"]
            scores = [score(base64.b64decode(c["image"]), request.get("prompt")) for c in candidates]
            body, status = json.dumps({"scores": scores, "ids": [c["id"] for c in candidates]}).encode(), 200
        except (KeyError, ValueError, TypeError) as e:
            body, status = json.dumps({"error": str(e)}).encode(), 400
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=8765)
    args = parser.parse_args()
    ThreadingHTTPServer(("127.0.0.1", args.port), Handler).serve_forever()
