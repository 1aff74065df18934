#!/usr/bin/env python3
"""Builds the GPT-NeoX-style test tokenizer and its golden token ids.

Development-time only (the C++ tests read the committed outputs and need no
Python). Requires `pip install tokenizers` (tested with 0.23.3); no network.

    python3 test/unit/runtime/data/make_tokenizer_golden.py [--retrain]

Outputs, next to this script:
  neox_style_tokenizer.json  A byte-level BPE trained on the demo model's
      README (public-domain KJV quotes and English prose) plus the short
      multilingual text below, shaped like EleutherAI/gpt-neox-20b's:
      NFC normalizer, ByteLevel(add_prefix_space=false) pre-tokenizer,
      ByteLevel decoder and post-processor, special <|endoftext|> = 0 and
      <|padding|> = 1, and normalized added tokens for runs of 2..8 spaces.
      Two extra added tokens exercise the matching options: "<mask>"
      (special, lstrip) and "xyz" (single_word, rstrip). Only written when
      missing or with --retrain.
  neox_style_golden.json  {"texts": [...], "ids": {variant: [[...], ...]}}
      where the variant "default" is the tokenizer as is, "prefix_space" sets the
      pre-tokenizer's add_prefix_space to true and "no_regex" its use_regex
      to false (see patch_pre_tokenizer, which the C++ test mirrors).
"""
import json
import os
import random
import sys

from tokenizers import AddedToken, Tokenizer, decoders, models, normalizers
from tokenizers import pre_tokenizers, processors, trainers

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.abspath(os.path.join(HERE, "..", "..", "..", ".."))
TOKENIZER = os.path.join(HERE, "neox_style_tokenizer.json")
GOLDEN = os.path.join(HERE, "neox_style_golden.json")

MULTILINGUAL = """
Ἐν ἀρχῇ ἦν ὁ λόγος, καὶ ὁ λόγος ἦν πρὸς τὸν θεόν. В начале было Слово, и Слово
было у Бога. 太初有道，道与神同在，道就是神。 はじめに言があった。 태초에 말씀이 계시니라.
Au commencement était la Parole. Im Anfang war das Wort. Café, naïve, façade, coöperate.
في البدء كان الكلمة. בְּרֵאשִׁית בָּרָא אֱלֹהִים. शुरुआत में शब्द था। 1234567890 ٠١٢٣٤٥٦٧٨٩ ½ ² Ⅻ
Emoji: 😀 😃 👍🏽 ❤️ — “quotes” ‘single’ … « guillemets » ¿Qué? ¡Sí!
It's, don't, we'll, they've, I'm, you'd, she's, they're.   Indented  text	with tabs.
"""

TRICKY = [
    "", " ", "  ", "   ", "\n", "\t", "Hello world", "Hello  world", "Hello   world",
    "   leading spaces", "trailing spaces   ", "a  b   c    d     e      f       g        h",
    "nine         spaces", "tabs\tand\t\ttabs", "new\nlines\n\n\nmore\n", "\r\nwindows\r\nline\r\n",
    "I'm you're they've we'll she'd it's can't don't", "'S 'RE 'Ve 'LL uppercase contractions",
    "''quoted'' \"double\" `back`", "x's y'all o'clock rock'n'roll", "numbers 12345 3.14159 1,000,000 0x1F",
    "punctuation!!! ??? ... --- ;;; ***", "email@example.com http://x.y/z?a=b&c=d",
    "Genesis 1:1 In the beginning God created the heaven and the earth.",
    "John 3:16 For God so loved the world, that he gave his only begotten Son",
    "ümlaut naïve café façade", "Ελληνικά κείμενο", "Русский текст", "中文字符测试", "日本語のテキスト",
    "한국어 텍스트", "العربية", "עברית", "हिन्दी", "Ⅻ ① ½ ²³ ٣٤٥", "emoji 😀👍🏽 👨\u200d👩\u200d👧 ❤️",
    "e\u0301 combining acute", "cafe\u0301 and caf\u00e9", "\u212b angstrom sign", "\u1100\u1161\u11a8 jamo",
    "\u0958 excluded", "a\u0328\u0301 reordered \u0301\u0328", "<|endoftext|>", "text<|endoftext|>more",
    " <|endoftext|> ", "<|padding|><|endoftext|>", "<|endoftext", "a<|endoftext|", "word  <|endoftext|>  word",
    "<|endoftext|>\n\nNew document", "hello <mask> world", "hello<mask>world", "   <mask>",
    "xyz alone", "axyz inside", "xyzb inside", " xyz  after", "xyz", "\u00a0nbsp\u3000ideographic\u2009thin",
    "\u2028line\u2029para\u0085nel", "zero\u200bwidth\ufeffbom", "\x00\x01\x1f\x7f controls",
    "a" * 200, "ab" * 100, " " * 30 + "x", "\n" * 10 + "x", "!" * 50, "1" * 60, "💩" * 10,
]


def patch_pre_tokenizer(text, key, value):
    """Sets pre_tokenizer.<key> in the JSON text, changing nothing else."""
    start = text.index('"pre_tokenizer"')
    at = text.index(f'"{key}"', start)
    colon = text.index(":", at)
    end = min(text.index(",", colon), text.index("}", colon))
    return text[:colon + 1] + " " + value + text[end:]


def corpus():
    """The training text: the demo model's README and MULTILINGUAL."""
    for readme in ("models/demo/README.md", "../shared/demo-model/README.md"):
        path = os.path.join(REPO, readme)
        if os.path.exists(path):
            return [open(path, encoding="utf-8").read(), MULTILINGUAL]
    sys.exit("demo model README not found")


def train():
    tok = Tokenizer(models.BPE())
    tok.normalizer = normalizers.NFC()
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    tok.post_processor = processors.ByteLevel(trim_offsets=True)
    trainer = trainers.BpeTrainer(
        vocab_size=900, min_frequency=2, show_progress=False,
        special_tokens=["<|endoftext|>", "<|padding|>"],
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet())
    tok.train_from_iterator(corpus(), trainer)
    tok.add_tokens([AddedToken(" " * n, normalized=True) for n in range(8, 1, -1)])
    tok.add_special_tokens([AddedToken("<mask>", lstrip=True, normalized=False)])
    tok.add_tokens([AddedToken("xyz", single_word=True, rstrip=True, normalized=False)])
    tok.save(TOKENIZER, pretty=True)


def random_texts(count, seed=1234):
    rng = random.Random(seed)
    pools = [
        "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ", "0123456789",
        " " * 8 + "\t\n\r", ".,;:!?'\"-()[]{}<>/@#$%^&*_=+|~`",
        "'sretvmlld", "éèßñçøåÆŒĳ", "ЖжЯяλΣω", "中文字日本한국", "😀👍🏽❤\ufe0f\u200d",
        "\u0301\u0308\u0328\u0327\u05b0\u093f", "\u1100\u1161\u11a8\uac00",
        "\u00a0\u3000\u2009\u2028\u0085\u200b", "٣४½²Ⅻ①",
    ]
    specials = ["<|endoftext|>", "<|padding|>", "<mask>", "xyz", "  ", "   "]
    texts = []
    for _ in range(count):
        parts = []
        for _ in range(rng.randint(1, 12)):
            if rng.random() < 0.08:
                parts.append(rng.choice(specials))
            else:
                pool = rng.choice(pools)
                parts.append("".join(rng.choice(pool) for _ in range(rng.randint(1, 6))))
        texts.append("".join(parts))
    return texts


def main():
    if "--retrain" in sys.argv or not os.path.exists(TOKENIZER):
        train()
    text = open(TOKENIZER, encoding="utf-8").read()
    variants = {
        "default": text,
        "prefix_space": patch_pre_tokenizer(text, "add_prefix_space", "true"),
        "no_regex": patch_pre_tokenizer(text, "use_regex", "false"),
    }
    texts = TRICKY + random_texts(200)
    golden = {"texts": texts, "ids": {}}
    for name, json_text in variants.items():
        tok = Tokenizer.from_str(json_text)
        golden["ids"][name] = [tok.encode(t).ids for t in texts]
    with open(GOLDEN, "w", encoding="utf-8") as f:
        json.dump(golden, f, ensure_ascii=True, separators=(",", ":"))
        f.write("\n")


if __name__ == "__main__":
    main()
