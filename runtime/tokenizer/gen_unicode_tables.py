#!/usr/bin/env python3
"""Generates runtime/tokenizer/UnicodeTables.cpp from Unicode character data.

Usage (from the repository root):
    pip install unicodedata2==16.0.0
    python3 runtime/tokenizer/gen_unicode_tables.py --nfc-python python3.6 \\
        > runtime/tokenizer/UnicodeTables.cpp

The tables must use the Unicode versions of the Hugging Face tokenizers
library (checked against tokenizers 0.23.3 over every code point), which
are not the same for every step:
  - Unicode 16.0 for character classes, both in its Oniguruma pre-tokenizer
    regex and in its Rust regex for added tokens. That is one version past
    Python 3.13's unicodedata, hence the unicodedata2 backport.
  - Unicode 9.0 for NFC: tokenizers normalizes with the crate
    unicode-normalization-alignments, whose data is that old. Python 3.6's
    unicodedata has exactly that version; --nfc-python names an interpreter
    for it, which this script runs on itself with --dump-nfc.
The tables hold:
  - letters (general category L*) and numbers (N*), for the GPT-2 regex;
  - word characters as the Rust regex crate's \\w matches them (Alphabetic,
    M*, Nd, Pc, Join_Control), for added tokens with single_word;
  - canonical combining classes, canonical decompositions and the primary
    composites, for NFC. Hangul syllables are left to the algorithm in
    Nfc.cpp and are not listed.
"""
import json
import subprocess
import sys

try:
    import unicodedata2 as unicodedata
except ImportError:
    import unicodedata

MAX_CP = 0x110000
CLASSES_VERSION = "16.0.0"
NFC_VERSION = "9.0.0"

# Alphabetic = L* + Nl + Other_Alphabetic. unicodedata has no Other_Alphabetic,
# but its members are marks (covered by M*) except these symbols (So), the
# circled and squared Latin letters of PropList.txt.
OTHER_ALPHABETIC_SYMBOLS = [(0x24B6, 0x24E9), (0x1F130, 0x1F149),
                            (0x1F150, 0x1F169), (0x1F170, 0x1F189)]


def ranges(pred):
    out, start = [], None
    for cp in range(MAX_CP):
        if pred(cp):
            if start is None:
                start = cp
        elif start is not None:
            out.append((start, cp - 1))
            start = None
    if start is not None:
        out.append((start, MAX_CP - 1))
    return out


def category_ranges(prefix):
    return ranges(lambda cp: unicodedata.category(chr(cp)).startswith(prefix))


def is_word_char(cp):
    cat = unicodedata.category(chr(cp))
    if cat[0] in "LM" or cat in ("Nl", "Nd", "Pc") or cp in (0x200C, 0x200D):
        return True
    return any(a <= cp <= b for a, b in OTHER_ALPHABETIC_SYMBOLS)


def dump_nfc():
    """Prints this interpreter's NFC data as JSON (run under --nfc-python)."""
    import unicodedata as ucd
    ccc, start, value = [], None, 0
    for cp in range(MAX_CP + 1):
        c = ucd.combining(chr(cp)) if cp < MAX_CP else 0
        if start is not None and c != value:
            ccc.append((start, cp - 1, value))
            start = None
        if c and start is None:
            start, value = cp, c
    decomp = []
    for cp in range(MAX_CP):
        if 0xAC00 <= cp <= 0xD7A3:  # Hangul syllables: algorithmic
            continue
        d = ucd.decomposition(chr(cp))
        if not d or d.startswith("<"):
            continue
        parts = [int(p, 16) for p in d.split()]
        assert 1 <= len(parts) <= 2, hex(cp)
        # A primary composite is what NFC recomposes the pair into; singletons,
        # composition exclusions and non-starter decompositions are not.
        composes = len(parts) == 2 and ucd.normalize("NFC", chr(cp)) == chr(cp)
        decomp.append((cp, parts[0], parts[1] if len(parts) == 2 else 0, composes))
    # Nfc.cpp skips text whose code points are all below U+0300.
    for cp in range(0x300):
        assert ucd.combining(chr(cp)) == 0 and ucd.normalize("NFC", chr(cp)) == chr(cp)
    json.dump({"version": ucd.unidata_version, "ccc": ccc, "decomp": decomp}, sys.stdout)


def emit_ranges(name, rs):
    lines = [f"const CodePointRange {name}[] = {{"]
    for i in range(0, len(rs), 4):
        lines.append("    " + " ".join(f"{{0x{a:X}, 0x{b:X}}}," for a, b in rs[i:i + 4]))
    lines.append("};")
    lines.append(f"const size_t {name}Size = sizeof({name}) / sizeof({name}[0]);")
    return "\n".join(lines)


def main():
    if "--dump-nfc" in sys.argv:
        dump_nfc()
        return
    if "--nfc-python" not in sys.argv:
        sys.exit(__doc__)
    nfc_python = sys.argv[sys.argv.index("--nfc-python") + 1]
    nfc = json.loads(subprocess.run([nfc_python, __file__, "--dump-nfc"], check=True,
                                    stdout=subprocess.PIPE).stdout)
    for what, got, want in (("classes", unicodedata.unidata_version, CLASSES_VERSION),
                            ("NFC", nfc["version"], NFC_VERSION)):
        if got != want:
            sys.exit(f"{what} data is Unicode {got}, expected {want}")

    out = sys.stdout
    out.write(f"""//===- UnicodeTables.cpp - generated Unicode property tables ----*- C++ -*-===//
//
// GENERATED by runtime/tokenizer/gen_unicode_tables.py: character classes
// from Unicode {CLASSES_VERSION}, NFC data from Unicode {NFC_VERSION}, the versions
// Hugging Face tokenizers uses. Do not edit; see the script for how to rerun.
//
//===----------------------------------------------------------------------===//
// clang-format off

#include "runtime/tokenizer/UnicodeTables.h"

namespace ssmrt {{
namespace unicode {{

""")
    out.write("// General category L* (letters).\n")
    out.write(emit_ranges("kLetterRanges", category_ranges("L")) + "\n\n")
    out.write("// General category N* (numbers).\n")
    out.write(emit_ranges("kNumberRanges", category_ranges("N")) + "\n\n")
    out.write("// Word characters: what the Rust regex crate's \\w matches.\n")
    out.write(emit_ranges("kWordRanges", ranges(is_word_char)) + "\n\n")

    out.write("// Canonical combining classes (non-zero only).\n")
    out.write("const CombiningClassRange kCombiningClassRanges[] = {\n")
    ccc = nfc["ccc"]
    for i in range(0, len(ccc), 3):
        out.write("    " + " ".join(f"{{0x{a:X}, 0x{b:X}, {v}}}," for a, b, v in ccc[i:i + 3]) + "\n")
    out.write("};\n")
    out.write("const size_t kCombiningClassRangesSize =\n"
              "    sizeof(kCombiningClassRanges) / sizeof(kCombiningClassRanges[0]);\n\n")

    decomp = nfc["decomp"]
    out.write("// Canonical decompositions, one level (apply recursively), sorted by code\n"
              "// point: {code point, first, second or 0, is a primary composite}.\n")
    out.write("const Decomposition kDecompositions[] = {\n")
    for i in range(0, len(decomp), 3):
        out.write("    " + " ".join(f"{{0x{cp:X}, 0x{a:X}, 0x{b:X}, {int(c)}}},"
                                    for cp, a, b, c in decomp[i:i + 3]) + "\n")
    out.write("};\n")
    out.write("const size_t kDecompositionsSize =\n"
              "    sizeof(kDecompositions) / sizeof(kDecompositions[0]);\n\n")
    out.write("} // namespace unicode\n} // namespace ssmrt\n")


if __name__ == "__main__":
    main()
