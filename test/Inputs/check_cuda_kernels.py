#!/usr/bin/env python3
"""Compiles every model in a directory for CUDA targets and checks the kernels.

usage: check_cuda_kernels.py SSMC MODELS_DIR WORK_DIR

For each model and architecture (sm_80, sm_90): `ssmc compile --target
cuda:ARCH --emit=ptx --dump-dir` (NVRTC, no GPU needed). A model whose ops the
CUDA target does not implement must fail with that message. The scan and
decode-step kernels are assembled with ptxas -v, which must report no stack
frame and no spills, and their PTX must use no local memory. Prints one line
per model and architecture, then "N passed, N failed".
"""
import glob, os, re, shutil, subprocess, sys

ssmc, models, work = sys.argv[1:4]
ptxas = shutil.which("ptxas") or "/usr/local/cuda/bin/ptxas"
passed = failed = 0
for model in sorted(glob.glob(os.path.join(models, "*.ssm"))):
    name = os.path.basename(model)
    for arch in ("sm_80", "sm_90"):
        out = os.path.join(work, name + "-" + arch)
        shutil.rmtree(out, ignore_errors=True)
        run = subprocess.run([ssmc, "compile", model, "--target", "cuda:" + arch, "--emit=ptx",
                              "--dump-dir", out], capture_output=True, text=True)
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
        problems = []
        for p in ptx:
            kernel = os.path.basename(p)[:-4]
            if not kernel.startswith(("selective_scan", "mamba_step")):
                continue
            if re.search(r"\.local\b", open(p).read()):
                problems.append(kernel + " uses local memory")
            report = subprocess.run([ptxas, "-arch=" + arch, "-v", p, "-o", os.devnull],
                                    capture_output=True, text=True)
            if report.returncode != 0:
                problems.append(kernel + ": ptxas failed: " + report.stderr.strip())
            elif "0 bytes stack frame, 0 bytes spill stores, 0 bytes spill loads" not in report.stderr:
                problems.append(kernel + ": " + report.stderr.strip())
        if problems:
            print("%s %s: FAILED: %s" % (name, arch, "; ".join(problems)))
            failed += 1
        else:
            print("%s %s: %d kernels compiled, scan and step without spills" % (name, arch, len(ptx)))
            passed += 1
print("%d passed, %d failed" % (passed, failed))
sys.exit(1 if failed else 0)
