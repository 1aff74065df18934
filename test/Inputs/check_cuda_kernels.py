#!/usr/bin/env python3
"""Compiles every model in a directory for CUDA targets and checks the kernels.

usage: check_cuda_kernels.py SSMC MODELS_DIR WORK_DIR [MODEL...]

For each model and architecture (sm_80, sm_90): `ssmc compile --target
cuda:ARCH --emit=ptx --dump-dir` (NVRTC, no GPU needed). The MODELs named
after the directory are also compiled with each variant of VARIANTS (every
dtype, dt_proj unfolded: other kernel instantiations), which must compile
and assemble; their spills are reported, not failed, except the attention
kernels'. A model whose ops the CUDA target does not implement must fail
with that message. The scan and decode-step kernels (and Mamba-2's ssd_scan
and gated_rmsnorm, attention and moe) are assembled with ptxas -v, which must
report no stack frame and no spills, and their PTX must use no local memory.
Prints one line per model and architecture, then "N passed, N failed".
"""
import glob, os, re, shutil, subprocess, sys

ssmc, models, work = sys.argv[1:4]
ptxas = shutil.which("ptxas") or "/usr/local/cuda/bin/ptxas"
VARIANTS = [["--gpu-dtype", "bf16"], ["--no-fold-delta-proj"], ["--gpu-dtype", "fp32"],
            ["--gpu-dtype", "fp16"], ["--gpu-dtype", "fp32", "--no-fold-delta-proj"]]
runs = [(m, []) for m in sorted(glob.glob(os.path.join(models, "*.ssm")))]
runs += [(m, v) for m in sys.argv[4:] for v in VARIANTS]
# In a sanitized build, LeakSanitizer's stop-the-world tracer crashes at the
# exit of some of these NVRTC-heavy runs under lit ("Tracer caught signal
# 11", google/sanitizers#1353): no leak is reported, the run just dies. The
# leak check stays on in every other test of the same compile paths.
env = dict(os.environ)
if "ASAN_OPTIONS" in env:
    env["ASAN_OPTIONS"] += ":detect_leaks=0"
passed = failed = 0
for model, flags in runs:
    name = " ".join([os.path.basename(model)] + flags)
    for arch in ("sm_80", "sm_90"):
        out = os.path.join(work, "-".join([os.path.basename(model)] + flags + [arch]))
        shutil.rmtree(out, ignore_errors=True)
        run = subprocess.run([ssmc, "compile", model, "--target", "cuda:" + arch, "--emit=ptx",
                              "--dump-dir", out] + flags, capture_output=True, text=True, env=env)
        if run.returncode != 0:
            unsupported = re.search(r"'(ssm\.[a-z_0-9]+)' has no CUDA implementation", run.stderr)
            if unsupported:
                print("%s %s: no CUDA implementation of %s" % (name, arch, unsupported.group(1)))
                passed += 1
            else:
                print("%s %s: FAILED\n%s" % (name, arch, run.stderr))
                failed += 1
            continue
        ptx = sorted(glob.glob(os.path.join(out, "*.ptx")))
        problems, spills = [], []
        for p in ptx:
            kernel = os.path.basename(p)[:-4]
            if not kernel.startswith(("selective_scan", "ssd_scan", "gated_rmsnorm", "mamba_step",
                                   "mamba2_step", "attention", "moe")):
                continue
            report = subprocess.run([ptxas, "-arch=" + arch, "-v", p, "-o", os.devnull],
                                    capture_output=True, text=True)
            if report.returncode != 0:
                problems.append(kernel + ": ptxas failed: " + report.stderr.strip())
                continue
            frame = re.search(r"(\d+) bytes stack frame, (\d+) bytes spill stores", report.stderr)
            local = re.search(r"\.local\b", open(p).read())
            if frame and frame.groups() == ("0", "0") and not local:
                continue
            # The variants only have to compile; their spills are reported.
            what = "%s bytes of stack" % frame.group(1) if frame else report.stderr.strip()
            strict = not flags or kernel.startswith(("attention", "moe"))
            (problems if strict else spills).append(kernel.rsplit("_", 1)[0] + " " + what)
        if problems:
            print("%s %s: FAILED: %s" % (name, arch, "; ".join(problems)))
            failed += 1
        else:
            print("%s %s: %d kernels compiled, %s" %
                  (name, arch, len(ptx),
                   "spills: " + ", ".join(spills) if spills else "scan and step without spills"))
            passed += 1
print("%d passed, %d failed" % (passed, failed))
sys.exit(1 if failed else 0)
