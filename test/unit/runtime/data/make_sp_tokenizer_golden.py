#!/usr/bin/env python3
"""Builds the SentencePiece-style test tokenizer and its golden ids and texts.

Development-time only (the C++ tests read the committed outputs and need no
Python). Requires `pip install tokenizers` (tested with 0.22.2); no network.

    python3 test/unit/runtime/data/make_sp_tokenizer_golden.py [--retrain]

Outputs, next to this script:
  sp_style_tokenizer.json  A BPE with byte_fallback shaped like the
      tokenizer.json of Llama/Mistral/Jamba checkpoints: <unk> = 0, <s> = 1,
      </s> = 2 (special), the 256 byte tokens <0x00>..<0xFF> = 3..258, then
      merges learned from the same corpus as the GPT-NeoX-style test
      tokenizer with a small alphabet, so that rarer characters (most CJK,
      emoji) take the byte fallback; the Llama "legacy" pipeline: normalizers
      Prepend("▁") and Replace(" ", "▁"), no pre-tokenizer, decoders Replace,
      ByteFallback, Fuse and Strip, and TemplateProcessing "<s> $A"; one more
      special added token, "<mask>". Only written when missing or with
      --retrain. One top-level key per line.
  sp_style_golden.json  {"texts": [...], "variants": {name: {"tokenizer":
      the tokenizer.json components that differ, "ids": [[...], ...],
      "ids_special": [...], "decoded": [...]}}} where "ids" are HF's
      encode(text, add_special_tokens=False), "ids_special" with them, and
      "decoded" decode(ids) of each text. Variants: "legacy" (the file as
      is); "metaspace_first" (normalizer null, Metaspace pre-tokenizer with
      prepend_scheme "first" and split false: transformers' newer Llama
      conversion); "metaspace_always_split" (prepend_scheme "always", split
      true, a Metaspace decoder: the older one); "metaspace_never"
      (prepend_scheme "never": what tokenizer_config.json's
      add_prefix_space = false asks for).
"""
import copy
import json
import os
import sys

from tokenizers import AddedToken, Tokenizer, models, pre_tokenizers, trainers

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from make_tokenizer_golden import TRICKY, corpus, random_texts  # noqa: E402

TOKENIZER = os.path.join(HERE, "sp_style_tokenizer.json")
GOLDEN = os.path.join(HERE, "sp_style_golden.json")
SPACE = "\u2581"

LEGACY = {
    "normalizer": {"type": "Sequence", "normalizers": [
        {"type": "Prepend", "prepend": SPACE},
        {"type": "Replace", "pattern": {"String": " "}, "content": SPACE}]},
    "pre_tokenizer": None,
    "decoder": {"type": "Sequence", "decoders": [
        {"type": "Replace", "pattern": {"String": SPACE}, "content": " "},
        {"type": "ByteFallback"}, {"type": "Fuse"},
        {"type": "Strip", "content": " ", "start": 1, "stop": 0}]},
}


def metaspace(scheme, split):
    return {"type": "Metaspace", "replacement": SPACE, "prepend_scheme": scheme, "split": split}


VARIANTS = {
    "legacy": {},
    "metaspace_first": {"normalizer": None, "pre_tokenizer": metaspace("first", False)},
    "metaspace_always_split": {"normalizer": None, "pre_tokenizer": metaspace("always", True),
                               "decoder": metaspace("always", True)},
    "metaspace_never": {"normalizer": None, "pre_tokenizer": metaspace("never", False)},
}


def train():
    tok = Tokenizer(models.BPE(unk_token="<unk>", byte_fallback=True))
    tok.pre_tokenizer = pre_tokenizers.Metaspace(replacement=SPACE, prepend_scheme="always")
    trainer = trainers.BpeTrainer(vocab_size=1000, min_frequency=2, show_progress=False,
                                  special_tokens=["<unk>", "<s>", "</s>"], limit_alphabet=120)
    tok.train_from_iterator(corpus(), trainer)
    data = json.loads(tok.to_str())
    # The byte tokens go right after the three specials, as SentencePiece
    # numbers them.
    vocab = data["model"]["vocab"]
    learned = sorted((i, t) for t, i in vocab.items() if i >= 3)
    new_vocab = {"<unk>": 0, "<s>": 1, "</s>": 2}
    for b in range(256):
        new_vocab["<0x%02X>" % b] = 3 + b
    for _, t in learned:
        if t not in new_vocab:
            new_vocab[t] = len(new_vocab)
    data["model"]["vocab"] = new_vocab
    data.update(copy.deepcopy(LEGACY))
    data["post_processor"] = {
        "type": "TemplateProcessing",
        "single": [{"SpecialToken": {"id": "<s>", "type_id": 0}},
                   {"Sequence": {"id": "A", "type_id": 0}}],
        "pair": [{"SpecialToken": {"id": "<s>", "type_id": 0}},
                 {"Sequence": {"id": "A", "type_id": 0}},
                 {"SpecialToken": {"id": "<s>", "type_id": 1}},
                 {"Sequence": {"id": "B", "type_id": 1}}],
        "special_tokens": {"<s>": {"id": "<s>", "ids": [1], "tokens": ["<s>"]}}}
    tok = Tokenizer.from_str(json.dumps(data))
    tok.add_special_tokens([AddedToken("<mask>", normalized=False)])
    write_one_key_per_line(json.loads(tok.to_str()))


def write_one_key_per_line(data):
    """Each top-level key on a line of its own, so that the C++ test can
    swap a component by replacing its line (as VARIANTS does here)."""
    lines = [json.dumps(k) + ": " + json.dumps(v, ensure_ascii=False) for k, v in data.items()]
    with open(TOKENIZER, "w", encoding="utf-8") as f:
        f.write("{\n" + ",\n".join(lines) + "\n}\n")


def main():
    if "--retrain" in sys.argv or not os.path.exists(TOKENIZER):
        train()
    base = json.load(open(TOKENIZER, encoding="utf-8"))
    texts = TRICKY + ["<s>Hello</s>", "a<mask>b", " <mask> x", "\u2581already marked",
                      "\u2581\u2581 two marks", "x\u2581y"] + random_texts(80, seed=99)
    golden = {"texts": texts, "variants": {}}
    for name, change in VARIANTS.items():
        data = copy.deepcopy(base)
        data.update(copy.deepcopy(change))
        tok = Tokenizer.from_str(json.dumps(data))
        ids = [tok.encode(t, add_special_tokens=False).ids for t in texts]
        golden["variants"][name] = {
            "tokenizer": {k: json.dumps(v, ensure_ascii=False) for k, v in change.items()},
            "ids": ids,
            "ids_special": [tok.encode(t).ids for t in texts],
            "decoded": [tok.decode(i, skip_special_tokens=False) for i in ids],
        }
    with open(GOLDEN, "w", encoding="utf-8") as f:
        json.dump(golden, f, ensure_ascii=True, separators=(",", ":"))
        f.write("\n")


if __name__ == "__main__":
    main()
