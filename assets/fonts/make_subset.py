#!/usr/bin/env python3
"""Rebuild assets/fonts/NotoSansSC-subset.otf from Debian's fonts-noto-cjk.

    apt-get install -y fonts-noto-cjk && pip install fonttools
    python3 assets/fonts/make_subset.py

The character set: printable ASCII and Latin-1, general and CJK punctuation,
full-width forms, every character of GB2312 rows 1-9 (symbols, circled and
roman numerals, box drawing) and level 1 (rows 16-55: the 3,755 common hanzi,
a superset of nearly all of the 3,500 level-1 characters of 通用规范汉字表),
plus every character used in questions/**/*.toml.
"""
import glob
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
SOURCE = "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"
FONT_NUMBER = 2  # Noto Sans CJK SC inside the collection
OUTPUT = os.path.join(HERE, "NotoSansSC-subset.otf")


def gb2312_rows(first, last):
    chars = set()
    for high in range(0xA0 + first, 0xA0 + last + 1):
        for low in range(0xA1, 0xFF):
            try:
                chars.add(bytes([high, low]).decode("gb2312"))
            except UnicodeDecodeError:
                pass
    return chars


def main():
    chars = set(chr(c) for c in range(0x20, 0x7F))
    chars |= set(chr(c) for c in range(0xA0, 0x100))
    chars |= set(chr(c) for c in range(0x2010, 0x2040))
    chars |= set(chr(c) for c in range(0x3000, 0x3040))
    chars |= set(chr(c) for c in range(0xFF01, 0xFF5F))
    chars |= set(chr(c) for c in range(0xFFE0, 0xFFE7))
    chars |= gb2312_rows(1, 9)
    chars |= gb2312_rows(16, 55)
    for path in glob.glob(os.path.join(ROOT, "questions", "**", "*.toml"), recursive=True):
        with open(path, encoding="utf-8") as file:
            chars |= set(file.read())
    chars = sorted(c for c in chars if c.isprintable() or c == "\u3000")
    unicodes = ",".join("U+%04X" % ord(c) for c in chars)
    subprocess.run(
        [
            sys.executable, "-m", "fontTools.subset", SOURCE,
            "--font-number=%d" % FONT_NUMBER,
            "--unicodes=" + unicodes,
            "--output-file=" + OUTPUT,
            "--layout-features=kern,palt,halt",
            "--no-hinting",
            "--notdef-outline",
            "--name-IDs=*",
            "--name-languages=*",
        ],
        check=True,
    )
    print("%d characters, %d bytes -> %s" % (len(chars), os.path.getsize(OUTPUT), OUTPUT))


if __name__ == "__main__":
    main()
