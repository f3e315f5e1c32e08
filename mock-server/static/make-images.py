#!/usr/bin/python3
"""Draws the resolver pages' logo, images/res_tool.gif (270x40), our own design: the words "PID HANDSON"
in a 5x7 pixel font on navy with a gold rule. Run it to regenerate the committed file; no dependencies."""
import os

W, H = 270, 40
NAVY, GOLD, WHITE, SKY = 0, 1, 2, 3
PALETTE = [(0x1D, 0x4E, 0x89), (0xF2, 0xB7, 0x05), (0xFF, 0xFF, 0xFF), (0x9C, 0xC3, 0xE6)]
FONT = {
    "P": ["1110", "1001", "1001", "1110", "1000", "1000", "1000"],
    "I": ["111", "010", "010", "010", "010", "010", "111"],
    "D": ["1110", "1001", "1001", "1001", "1001", "1001", "1110"],
    "H": ["1001", "1001", "1001", "1111", "1001", "1001", "1001"],
    "A": ["0110", "1001", "1001", "1111", "1001", "1001", "1001"],
    "N": ["1001", "1101", "1101", "1011", "1011", "1001", "1001"],
    "S": ["0111", "1000", "1000", "0110", "0001", "0001", "1110"],
    "O": ["0110", "1001", "1001", "1001", "1001", "1001", "0110"],
    " ": ["00", "00", "00", "00", "00", "00", "00"],
}


def draw():
    pixels = [[NAVY] * W for _ in range(H)]
    for y in range(34, 37):
        for x in range(W):
            pixels[y][x] = GOLD
    scale, x0, y0 = 3, 12, 5
    x = x0
    for ch in "PID HANDSON":
        glyph = FONT[ch]
        for gy, row in enumerate(glyph):
            for gx, bit in enumerate(row):
                if bit == "1":
                    for dy in range(scale):
                        for dx in range(scale):
                            pixels[y0 + gy * scale + dy][x + gx * scale + dx] = WHITE
        x += (len(glyph[0]) + 1) * scale
    # A small "resolver" arrow after the words: three sky-blue chevrons.
    for i in range(3):
        cx = x + 8 + i * 12
        for d in range(6):
            for t in range(2):
                pixels[12 + d][cx + d + t] = SKY
                pixels[23 - d][cx + d + t] = SKY
    return pixels


def lzw(indices, min_code_size=2):
    """Valid GIF LZW without a dictionary: a clear code before every run short enough to keep codes 3 bits wide."""
    clear, end = 1 << min_code_size, (1 << min_code_size) + 1
    codes = []
    for i in range(0, len(indices), 2):
        codes.append(clear)
        codes.extend(indices[i:i + 2])
    codes.append(end)
    out, acc, nbits = bytearray(), 0, 0
    width = min_code_size + 1
    for code in codes:
        acc |= code << nbits
        nbits += width
        while nbits >= 8:
            out.append(acc & 0xFF)
            acc >>= 8
            nbits -= 8
    if nbits:
        out.append(acc & 0xFF)
    return bytes(out)


def gif(pixels):
    data = bytearray(b"GIF89a")
    data += W.to_bytes(2, "little") + H.to_bytes(2, "little") + bytes([0xF1, 0, 0])  # global table of 4 colours
    for r, g, b in PALETTE:
        data += bytes([r, g, b])
    data += b"," + (0).to_bytes(2, "little") * 2 + W.to_bytes(2, "little") + H.to_bytes(2, "little") + b"\x00"
    data += b"\x02"
    stream = lzw([p for row in pixels for p in row])
    for i in range(0, len(stream), 255):
        chunk = stream[i:i + 255]
        data += bytes([len(chunk)]) + chunk
    data += b"\x00;"
    return bytes(data)


if __name__ == "__main__":
    target = os.path.join(os.path.dirname(os.path.abspath(__file__)), "images", "res_tool.gif")
    with open(target, "wb") as f:
        f.write(gif(draw()))
    print(target, os.path.getsize(target), "bytes")
