#!/usr/bin/env python3
"""Writes small random Hugging Face Mamba2ForCausalLM checkpoints and what
transformers computes for them, for test/Models/hf-mamba2.test (which runs
in CI without torch).

Needs transformers >= 5 and torch (CPU):
  python3 -m venv /tmp/hfvenv && /tmp/hfvenv/bin/pip install torch transformers
  /tmp/hfvenv/bin/python test/Inputs/hf-mamba2/make_references.py

Per case, in test/Inputs/hf-mamba2/<case>/: config.json and
model.safetensors (save_pretrained), prompt.txt (token ids),
logits.safetensors (the prompt's logits [T, V], computed in float64, stored
as float32) and greedy.txt (greedy continuation ids). The weights are the
model's initialization with every tensor then drawn at random, so that
norms, D, dt_bias and A_log are not their trivial initial values.

transformers 4.x is not a reference here: with n_groups > 1 its gated norm
normalizes over the whole inner dimension instead of per group.
"""
import json
import sys
from pathlib import Path

import torch
import transformers
from safetensors.torch import save_file
from transformers import Mamba2Config, Mamba2ForCausalLM

CASES = {
    # 2 groups of 4 heads, 29 prompt tokens in chunks of 8; greedy through
    # transformers' cached decode path.
    "groups2": dict(
        config=dict(vocab_size=96, hidden_size=64, num_hidden_layers=2, state_size=16,
                    expand=2, head_dim=16, num_heads=8, n_groups=2, chunk_size=8,
                    conv_kernel=4, tie_word_embeddings=True),
        seed=1, prompt=29, greedy=12, cached=True),
    # 4 groups of 2 heads, state 24, biases, an untied head, 37 prompt tokens
    # in chunks of 16, and a finite time_step_limit. transformers clamps Δ only
    # in its chunked (prefill) path, not in its one-token decode step, so the
    # greedy reference repeats full forward passes (ssmc clamps in both, and
    # its decode equals a prefill).
    "groups4-limit": dict(
        config=dict(vocab_size=80, hidden_size=48, num_hidden_layers=3, state_size=24,
                    expand=2, head_dim=12, num_heads=8, n_groups=4, chunk_size=16,
                    conv_kernel=4, use_bias=True, use_conv_bias=True,
                    tie_word_embeddings=False, time_step_limit=(0.02, 0.09)),
        seed=2, prompt=37, greedy=12, cached=False),
}


def randomize(model, gen):
    """Every tensor at random around a sensible scale."""
    with torch.no_grad():
        for name, p in model.named_parameters():
            if name.endswith("A_log"):
                p.copy_(torch.log(torch.empty_like(p).uniform_(1.0, 16.0, generator=gen)))
            elif name.endswith("dt_bias"):
                p.copy_(torch.empty_like(p).uniform_(-4.0, -1.0, generator=gen))
            elif name.endswith(".D"):
                p.copy_(torch.empty_like(p).uniform_(0.5, 1.5, generator=gen))
            elif "norm" in name:
                p.copy_(torch.empty_like(p).uniform_(0.7, 1.3, generator=gen))
            elif "embeddings" in name or "lm_head" in name:
                p.copy_(torch.empty_like(p).uniform_(-1.0, 1.0, generator=gen))
            else:
                fan_in = p.shape[-1] if p.dim() > 1 else 16
                bound = 1.5 / fan_in ** 0.5
                p.copy_(torch.empty_like(p).uniform_(-bound, bound, generator=gen))


def write_logits(path, logits):
    save_file({"logits": logits.to(torch.float32).contiguous()}, str(path))


def main():
    major = int(transformers.__version__.split(".")[0])
    if major < 5:
        sys.exit(f"transformers {transformers.__version__}: need >= 5 (see the docstring)")
    here = Path(__file__).resolve().parent
    for name, case in CASES.items():
        torch.manual_seed(case["seed"])
        gen = torch.Generator().manual_seed(case["seed"])
        model = Mamba2ForCausalLM(Mamba2Config(**case["config"])).eval()
        randomize(model, gen)
        out = here / name
        model.save_pretrained(out)
        (out / "generation_config.json").unlink(missing_ok=True)  # not read by ssmc
        vocab = case["config"]["vocab_size"]
        prompt = torch.randint(0, vocab, (1, case["prompt"]), generator=gen)
        model64 = model.double()
        with torch.no_grad():
            logits = model64(prompt).logits[0]
            if case["cached"]:
                ids = model64.generate(prompt, max_new_tokens=case["greedy"], do_sample=False,
                                       min_new_tokens=case["greedy"], pad_token_id=0)[0]
            else:
                ids = prompt[0]
                for _ in range(case["greedy"]):
                    step = model64(ids[None]).logits[0, -1]
                    ids = torch.cat([ids, step.argmax()[None]])
            # The smallest gap between the best and second-best logit over
            # the greedy steps, relative to the largest logit: fp32 must not
            # be able to flip a choice.
            gaps = []
            for t in range(case["prompt"], case["prompt"] + case["greedy"]):
                top = model64(ids[None, :t]).logits[0, -1].topk(2).values
                gaps.append(float((top[0] - top[1]) / logits.abs().max()))
        write_logits(out / "logits.safetensors", logits)
        (out / "prompt.txt").write_text(",".join(str(int(t)) for t in prompt[0]) + "\n")
        new = ids[case["prompt"]:]
        (out / "greedy.txt").write_text(" ".join(str(int(t)) for t in new) + "\n")
        print(f"{name}: {sum(p.numel() for p in model.parameters())} parameters, "
              f"max |logit| {float(logits.abs().max()):.3f}, smallest greedy gap "
              f"{min(gaps):.2e} of it")


if __name__ == "__main__":
    main()
