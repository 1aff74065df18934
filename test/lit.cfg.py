# -*- Python -*-
import os

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
config.substitutions.append(("%mlir_include", config.mlir_include_dir))
config.substitutions.append(("%shared", config.ssmc_shared_dir))
config.substitutions.append(("%testgpu", os.path.join(config.ssmc_src_root, "test", "gpu")))
inputs = os.path.join(config.test_source_root, "Inputs")
for name in ["make_checkpoint", "compare_logits", "run_bytes", "check_cuda_kernels",
             "check_op_table"]:
    config.substitutions.append(
        ("%" + name, "%s %s" % (config.python_executable, os.path.join(inputs, name + ".py"))))
config.substitutions.append(
    ("%exit1", "%s %s 1" % (config.python_executable,
                            os.path.join(config.test_source_root, "Inputs", "expect_exit.py"))))

llvm_config.use_default_substitutions()
llvm_config.with_environment("PATH", config.llvm_tools_dir, append_path=True)
tool_dirs = [config.ssmc_tools_dir, config.llvm_tools_dir]
tools = ["ssmc-opt", "ssmc", "ssmc-run", "FileCheck", "not", "count", "split-file",
         "llvm-tblgen"]
llvm_config.add_tool_substitutions(tools, tool_dirs)
