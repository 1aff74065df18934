# -*- Python -*-
import os
import shutil

import lit.formats
from lit.llvm import llvm_config
from lit.llvm.subst import ToolSubst

config.name = "SSMC"
config.test_format = lit.formats.ShTest(not llvm_config.use_lit_shell)
config.suffixes = [".mlir", ".ssm", ".test"]
config.excludes = ["Inputs", "CMakeLists.txt", "lit.cfg.py", "lit.site.cfg.py",
                   "unit", "cudaemu", "gpu"]
config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = os.path.join(config.ssmc_obj_root, "test")

config.substitutions.append(("%models", os.path.join(config.ssmc_src_root, "models")))
config.substitutions.append(("%src", config.ssmc_src_root))
config.substitutions.append(("%python", config.python_executable))
config.substitutions.append(("%bindir", config.ssmc_tools_dir))
config.substitutions.append(("%objroot", config.ssmc_obj_root))
config.substitutions.append(("%mlir_include", config.mlir_include_dir))
config.substitutions.append(("%shared", config.ssmc_shared_dir))
config.substitutions.append(("%testgpu", os.path.join(config.ssmc_src_root, "test", "gpu")))
inputs = os.path.join(config.test_source_root, "Inputs")
for name in ["make_checkpoint", "compare_logits", "run_bytes", "check_cuda_kernels",
             "check_op_table", "make_tensors", "compare_tensors", "flip_artifact", "run_parallel",
             "check_docs", "peak_memory", "limit_memory", "make_torch_checkpoint",
             "check_tune"]:
    config.substitutions.append(
        ("%" + name, "%s %s" % (config.python_executable, os.path.join(inputs, name + ".py"))))
config.substitutions.append(
    ("%exit1", "%s %s 1" % (config.python_executable,
                            os.path.join(config.test_source_root, "Inputs", "expect_exit.py"))))

# NVRTC (loaded at run time, as the runtime loads it) for the tests that
# compile CUDA kernels to PTX: REQUIRES: nvrtc.
def find_nvrtc():
    import ctypes
    dirs = [os.path.join(os.environ[v], "lib64") for v in ("CUDA_HOME", "CUDA_PATH")
            if os.environ.get(v)] + ["/usr/local/cuda/lib64", ""]
    for d in dirs:
        for name in ("libnvrtc.so.13", "libnvrtc.so.12", "libnvrtc.so"):
            try:
                ctypes.CDLL(os.path.join(d, name) if d else name)
                return True
            except OSError:
                pass
    return False

if find_nvrtc():
    config.available_features.add("nvrtc")
else:
    lit_config.note("NVRTC not found (the CUDA toolkit's libnvrtc.so): "
                    "the tests that compile CUDA kernels to PTX are unsupported")

# Debian's bible-kjv (scripts/install-deps.sh installs it): the demo
# model's held-out text.
if shutil.which("bible"):
    config.available_features.add("bible-kjv")
else:
    lit_config.note("the bible CLI (Debian's bible-kjv) is missing: the demo's perplexity "
                    "test is unsupported")

# A sanitized build (-DSSMC_SANITIZE=...): tests that limit the address
# space cannot run under ASan, which reserves terabytes of shadow memory.
if "address" in getattr(config, "ssmc_sanitize", ""):
    config.available_features.add("asan")

# LLVM 19's lit does not pass the sanitizers' options on (a missing comma in
# its llvm/config.py joins two names); a sanitized build needs them.
for name in ("ASAN_OPTIONS", "UBSAN_OPTIONS", "LSAN_OPTIONS"):
    if name in os.environ:
        config.environment[name] = os.environ[name]

# Compiled programs and kernels go to the build tree, not the user's cache.
config.environment["SSMC_CACHE_DIR"] = os.environ.get(
    "SSMC_CACHE_DIR", os.path.join(config.test_exec_root, "cache"))

llvm_config.use_default_substitutions()
llvm_config.with_environment("PATH", config.llvm_tools_dir, append_path=True)
tool_dirs = [config.ssmc_tools_dir, config.llvm_tools_dir]
tools = ["ssmc-opt", "ssmc", "ssmc-run", "FileCheck", "not", "count", "split-file",
         "llvm-tblgen"]
llvm_config.add_tool_substitutions(tools, tool_dirs)
