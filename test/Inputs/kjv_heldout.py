#!/usr/bin/env python3
"""Writes the demo model's validation text (models/demo/README.md, "Split").

Dumps the King James Version with Debian's `bible` CLI (package bible-kjv),
cleans it to one verse per line ("Genesis 1:1 In the beginning ..."), and
prints the chapters whose running index i (0..1188) has i % 40 == 17: 30
chapters, 120,572 bytes.
"""
import re
import subprocess
import sys

raw = subprocess.run(["bible", "Gen1:1-Rev22:21"], check=True, capture_output=True,
                     text=True).stdout.split("\n")
chapters = []  # [(book, chapter), [verse lines]]
for i, line in enumerate(raw):
    if not line.strip():
        continue
    alone = (i == 0 or not raw[i - 1].strip()) and (i + 1 == len(raw) or not raw[i + 1].strip())
    heading = re.match(r"^(\S.*) (\d+)$", line)
    if heading and alone:
        chapters.append([(heading.group(1), int(heading.group(2))), []])
        continue
    verse = re.match(r"^\s+(\d+) (.*)$", line)
    if verse:
        book, chapter = chapters[-1][0]
        chapters[-1][1].append("%s %d:%s %s" % (book, chapter, verse.group(1), verse.group(2).strip()))
    else:  # a verse continued on the next line
        chapters[-1][1][-1] += " " + line.strip()
if len(chapters) != 1189:
    sys.exit("expected 1189 chapters, got %d" % len(chapters))
sys.stdout.write("".join("".join(v + "\n" for v in verses)
                         for i, (_, verses) in enumerate(chapters) if i % 40 == 17))
