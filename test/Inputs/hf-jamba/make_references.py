#!/usr/bin/env python3
"""Writes small random Hugging Face JambaForCausalLM checkpoints and what
transformers computes for them, for test/Models/hf-jamba.test (which runs in
CI without torch).

Needs transformers >= 5 and torch (CPU):
  python3 -m venv /tmp/hfvenv && /tmp/hfvenv/bin/pip install torch transformers
  /tmp/hfvenv/bin/python test/Inputs/hf-jamba/make_references.py

Per case, in test/Inputs/hf-jamba/<case>/: config.json and model.safetensors
(save_pretrained, which writes the experts one by one as
`experts.{e}.{gate,up,down}_proj.weight`, the released checkpoints' names),
prompt.txt (token ids), logits.safetensors (the prompt's logits [T, V],
computed in float64, stored as float32) and greedy.txt (greedy continuation
ids). The weights are the model's initialization with every tensor then
drawn at random, so that norms, D, dt_proj.bias and A_log are not their
trivial initial values.

The references are computed by the model read back from the files written
(from_pretrained in float64, eager attention and eager experts: the
default grouped_mm experts refuse float64). transformers keeps a
few steps in float32 even then: its RMSNorm (also the dt/B/C norms), the
router softmax, the attention softmax, A = -exp(A_log) and B in the scan.
So each case is also run through an independent float64 implementation of
the semantics (`reference_forward`, from the tensors on disk) and the two
must agree within 1e-5 of the largest logit.

The greedy continuation repeats full forward passes (no cache); transformers'
cached decode is compared with it and the result printed, not relied on.

Neither a router decision nor a greedy choice may sit within float32 noise
of a tie: for every MoE layer and every token (prompt and continuation), the
k-th and (k+1)-th largest router probabilities differ by more than 1e-4 of
the largest, and each greedy step's best logit beats the second by more than
1e-4 of the largest logit. The script asserts both and prints the smallest
margins.
"""
import json
import math
import sys
from pathlib import Path

import torch
import torch.nn.functional as F
import transformers
from safetensors.torch import load_file, save_file
from transformers import JambaConfig, JambaForCausalLM

COMMON = dict(num_experts=4, num_experts_per_tok=2, mamba_d_conv=4, mamba_expand=2,
              mamba_conv_bias=True, mamba_proj_bias=False, rms_norm_eps=1e-6,
              hidden_act="silu", use_mamba_kernels=False)

CASES = {
    # All four kinds of layer in four: 0 mamba + MoE, 1 attention + MLP,
    # 2 mamba + MLP, 3 attention + MoE (attention period 2 offset 1, experts
    # period 3 offset 0). 4 query heads on 2 KV heads (head_dim 8), d_state 8,
    # dt_rank 4, an untied head, 29 prompt tokens.
    "hybrid-gqa2": dict(
        config=dict(vocab_size=96, hidden_size=32, intermediate_size=48, num_hidden_layers=4,
                    num_attention_heads=4, num_key_value_heads=2,
                    attn_layer_period=2, attn_layer_offset=1,
                    expert_layer_period=3, expert_layer_offset=0,
                    mamba_d_state=8, mamba_dt_rank=4, tie_word_embeddings=False),
        seed=1, prompt=29, greedy=12),
    # Jamba-v0.1's pattern, shortened (Jamba-tiny-random's attention period 4
    # offset 2; MoE on odd layers): 0 mamba + MLP, 1 mamba + MoE,
    # 2 attention + MLP, 3 mamba + MoE. 4 query heads on 1 KV head,
    # d_state 16, dt_rank "auto" (ceil(32/16) = 2), a tied head, 37 tokens.
    "v01-gqa4-tied": dict(
        config=dict(vocab_size=112, hidden_size=32, intermediate_size=48, num_hidden_layers=4,
                    num_attention_heads=4, num_key_value_heads=1,
                    attn_layer_period=4, attn_layer_offset=2,
                    expert_layer_period=2, expert_layer_offset=1,
                    mamba_d_state=16, mamba_dt_rank="auto", tie_word_embeddings=True),
        seed=2, prompt=37, greedy=12),
    # Attention first, before any mamba layer (0 attention + MoE, 1 mamba +
    # MLP, 2 mamba + MoE: attention period 3 offset 0, experts period 2
    # offset 0), plain multi-head attention (2 heads, 2 KV heads, head_dim
    # 20), d_state 12, dt_rank 6, an untied head, 23 tokens.
    "attn-first-mha": dict(
        config=dict(vocab_size=128, hidden_size=40, intermediate_size=40, num_hidden_layers=3,
                    num_attention_heads=2, num_key_value_heads=2,
                    attn_layer_period=3, attn_layer_offset=0,
                    expert_layer_period=2, expert_layer_offset=0,
                    mamba_d_state=12, mamba_dt_rank=6, tie_word_embeddings=False),
        seed=3, prompt=23, greedy=12),
}

MARGIN = 1e-4          # router and greedy margins, relative
AGREEMENT = 1e-5       # transformers vs reference_forward, of the largest logit


def randomize(model, gen):
    """Every tensor at random around a sensible scale."""
    with torch.no_grad():
        for name, p in model.named_parameters():
            if name.endswith("A_log"):
                p.copy_(torch.log(torch.empty_like(p).uniform_(1.0, 16.0, generator=gen)))
            elif name.endswith("dt_proj.bias"):
                # softplus(-4 .. -1) = 0.018 .. 0.31, before the projected part.
                p.copy_(torch.empty_like(p).uniform_(-4.0, -1.0, generator=gen))
            elif name.endswith(".D"):
                p.copy_(torch.empty_like(p).uniform_(0.5, 1.5, generator=gen))
            elif "norm" in name:
                p.copy_(torch.empty_like(p).uniform_(0.7, 1.3, generator=gen))
            elif "embed_tokens" in name or "lm_head" in name:
                p.copy_(torch.empty_like(p).uniform_(-1.0, 1.0, generator=gen))
            else:
                # Linear [out, in], experts [E, out, in], conv [C, 1, K]:
                # the last dimension is what each output sums over.
                fan_in = p.shape[-1] if p.dim() > 1 else 16
                bound = 1.5 / fan_in ** 0.5
                p.copy_(torch.empty_like(p).uniform_(-bound, bound, generator=gen))


def rmsnorm(x, w, eps):
    return w * (x / torch.sqrt(x.pow(2).mean(-1, keepdim=True) + eps))


def reference_forward(w, cfg, ids):
    """Jamba in float64 from the checkpoint's tensors `w` (the names on disk),
    as shared/docs/reference-semantics.md section 4 describes it, using no
    transformers module. Returns the logits [T, V]."""
    eps = cfg["rms_norm_eps"]
    d = cfg["hidden_size"]
    n_heads, n_kv = cfg["num_attention_heads"], cfg["num_key_value_heads"]
    hd = d // n_heads
    n_state, rank, k_conv = cfg["mamba_d_state"], cfg["mamba_dt_rank"], cfg["mamba_d_conv"]
    top_k = cfg["num_experts_per_tok"]
    T = ids.shape[0]
    h = w["model.embed_tokens.weight"][ids]
    for i in range(cfg["num_hidden_layers"]):
        p = f"model.layers.{i}."
        x = rmsnorm(h, w[p + "input_layernorm.weight"], eps)
        if i % cfg["attn_layer_period"] == cfg["attn_layer_offset"]:
            q = (x @ w[p + "self_attn.q_proj.weight"].T).view(T, n_heads, hd)
            k = (x @ w[p + "self_attn.k_proj.weight"].T).view(T, n_kv, hd)
            v = (x @ w[p + "self_attn.v_proj.weight"].T).view(T, n_kv, hd)
            # Query head j reads KV head j // (n_heads / n_kv); no positions.
            rep = n_heads // n_kv
            k = k.repeat_interleave(rep, dim=1)
            v = v.repeat_interleave(rep, dim=1)
            s = torch.einsum("thd,shd->hts", q, k) / math.sqrt(hd)
            s = s.masked_fill(torch.ones(T, T, dtype=torch.bool).triu(1), float("-inf"))
            o = torch.einsum("hts,shd->thd", s.softmax(-1), v).reshape(T, n_heads * hd)
            mixed = o @ w[p + "self_attn.o_proj.weight"].T
        else:
            m = p + "mamba."
            xz = x @ w[m + "in_proj.weight"].T
            xs, z = xz.chunk(2, dim=-1)
            E = xs.shape[-1]
            # Causal depthwise conv: w[:, 0, K-1] multiplies x_t.
            cw = w[m + "conv1d.weight"][:, 0, :]
            padded = torch.cat([torch.zeros(k_conv - 1, E, dtype=xs.dtype), xs])
            u = sum(cw[:, j] * padded[j:j + T] for j in range(k_conv)) + w[m + "conv1d.bias"]
            u = F.silu(u)
            dt, B, C = (u @ w[m + "x_proj.weight"].T).split([rank, n_state, n_state], dim=-1)
            dt = rmsnorm(dt, w[m + "dt_layernorm.weight"], eps)
            B = rmsnorm(B, w[m + "b_layernorm.weight"], eps)
            C = rmsnorm(C, w[m + "c_layernorm.weight"], eps)
            delta = F.softplus(dt @ w[m + "dt_proj.weight"].T + w[m + "dt_proj.bias"])
            A = -torch.exp(w[m + "A_log"])
            state = torch.zeros(E, n_state, dtype=xs.dtype)
            ys = []
            for t in range(T):
                state = torch.exp(delta[t, :, None] * A) * state \
                    + delta[t, :, None] * B[t][None, :] * u[t, :, None]
                ys.append(state @ C[t])
            y = (torch.stack(ys) + u * w[m + "D"]) * F.silu(z)
            mixed = y @ w[m + "out_proj.weight"].T
        h = h + mixed
        x = rmsnorm(h, w[p + "pre_ff_layernorm.weight"], eps)
        f = p + "feed_forward."

        def expert(prefix, x):
            g = F.silu(x @ w[prefix + "gate_proj.weight"].T)
            return (g * (x @ w[prefix + "up_proj.weight"].T)) @ w[prefix + "down_proj.weight"].T

        if i % cfg["expert_layer_period"] == cfg["expert_layer_offset"]:
            probs = (x @ w[f + "router.weight"].T).softmax(-1)
            top_p, top_e = probs.topk(top_k, dim=-1)   # not renormalized
            out = torch.zeros_like(x)
            for t in range(T):
                for j in range(top_k):
                    e = int(top_e[t, j])
                    out[t] += top_p[t, j] * expert(f + f"experts.{e}.", x[t:t + 1])[0]
            h = h + out
        else:
            h = h + expert(f, x)
    h = rmsnorm(h, w["model.final_layernorm.weight"], eps)
    head = w.get("lm_head.weight", w["model.embed_tokens.weight"])
    return h @ head.T


def write_logits(path, logits):
    save_file({"logits": logits.to(torch.float32).contiguous()}, str(path))


def main():
    major = int(transformers.__version__.split(".")[0])
    if major < 5:
        sys.exit(f"transformers {transformers.__version__}: need >= 5 (see the docstring)")
    here = Path(__file__).resolve().parent
    failed = []
    for name, case in CASES.items():
        torch.manual_seed(case["seed"])
        gen = torch.Generator().manual_seed(case["seed"])
        config = JambaConfig(**COMMON, **case["config"])
        model = JambaForCausalLM(config).eval()
        randomize(model, gen)
        out = here / name
        model.save_pretrained(out)
        (out / "generation_config.json").unlink(missing_ok=True)  # not read by ssmc
        vocab = config.vocab_size
        prompt = torch.randint(0, vocab, (1, case["prompt"]), generator=gen)

        # What ssmc will read: the files, back in float64.
        model64 = JambaForCausalLM.from_pretrained(out, attn_implementation="eager",
                                                   experts_implementation="eager",
                                                   dtype=torch.float64).eval()
        cfg = json.loads((out / "config.json").read_text())
        weights = {k: v.to(torch.float64) for k, v in load_file(out / "model.safetensors").items()}
        layout = [("attention" if i % cfg["attn_layer_period"] == cfg["attn_layer_offset"]
                   else "mamba") + ("+moe" if i % cfg["expert_layer_period"] ==
                                    cfg["expert_layer_offset"] else "+mlp")
                  for i in range(cfg["num_hidden_layers"])]
        assert layout == [f"{a}+{'moe' if n > 1 else 'mlp'}" for a, n in
                          zip(config.layers_block_type, config.layers_num_experts)], layout

        routers = {}

        def hook(layer):
            def record(module, inputs, output):
                routers[layer] = output[0].detach()   # router logits [tokens, experts]
            return record

        for mod_name, module in model64.named_modules():
            if mod_name.endswith("feed_forward.router"):
                module.register_forward_hook(hook(int(mod_name.split(".")[2])))

        with torch.no_grad():
            logits = model64(prompt).logits[0]
            ids = prompt[0]
            steps = []
            for _ in range(case["greedy"]):
                step = model64(ids[None]).logits[0, -1]
                steps.append(step)
                ids = torch.cat([ids, step.argmax()[None]])
            # Router margins over every token: one pass over prompt and
            # continuation (causal, so each token is routed as in the runs).
            full = model64(ids[None]).logits[0]
            scale = max(float(logits.abs().max()), float(full.abs().max()))
            greedy_gap = min(float((s.topk(2).values[0] - s.topk(2).values[1]) / scale)
                             for s in steps)
            k = config.num_experts_per_tok
            router_gap, where = math.inf, None
            for layer, r in sorted(routers.items()):
                probs = r.to(torch.float64).softmax(-1).sort(-1, descending=True).values
                gaps = (probs[:, k - 1] - probs[:, k]) / probs[:, 0]
                t = int(gaps.argmin())
                if float(gaps[t]) < router_gap:
                    router_gap, where = float(gaps[t]), (layer, t)
            # An independent float64 evaluation of the same files.
            ref = reference_forward(weights, cfg, ids)
            agree = float((ref[:case["prompt"]] - logits).abs().max() / logits.abs().max())
            agree_full = float((ref - full).abs().max() / full.abs().max())
            # transformers' cached decode, for the record.
            cached = model64.generate(prompt, max_new_tokens=case["greedy"], do_sample=False,
                                      min_new_tokens=case["greedy"], pad_token_id=0)[0]
        write_logits(out / "logits.safetensors", logits)
        (out / "prompt.txt").write_text(",".join(str(int(t)) for t in prompt[0]) + "\n")
        new = ids[case["prompt"]:]
        (out / "greedy.txt").write_text(" ".join(str(int(t)) for t in new) + "\n")
        size = sum(f.stat().st_size for f in out.iterdir()) / 1024
        print(f"{name}: {sum(p.numel() for p in model64.parameters())} parameters, "
              f"{size:.0f} KB, layers {', '.join(layout)}")
        print(f"  max |logit| {float(logits.abs().max()):.3f}; smallest greedy gap "
              f"{greedy_gap:.2e} of it; smallest router gap {router_gap:.2e} of the top "
              f"probability (layer {where[0]}, token {where[1]})")
        print(f"  reference_forward vs transformers: {agree:.2e} (prompt), {agree_full:.2e} "
              f"(prompt + continuation); cached decode "
              f"{'agrees' if torch.equal(cached, ids) else 'DIFFERS: ' + str(cached.tolist())}")
        if greedy_gap <= MARGIN or router_gap <= MARGIN:
            failed.append(f"{name}: a margin within {MARGIN:g} (change the seed)")
        if max(agree, agree_full) > AGREEMENT:
            failed.append(f"{name}: transformers and reference_forward differ by "
                          f"{max(agree, agree_full):.2e}")
        if not torch.equal(ref[case["prompt"] - 1:-1].argmax(-1), new):
            failed.append(f"{name}: reference_forward's greedy choices differ")
    if failed:
        sys.exit("\n".join(failed))


if __name__ == "__main__":
    main()
