//===- CPUPasses.td - CPU code generation passes ------------*- tablegen -*-===//
//
// Banners group related passes; passes are alphabetical within a group.
//
//===----------------------------------------------------------------------===//

#ifndef SSMC_CODEGEN_CPU_PASSES_TD
#define SSMC_CODEGEN_CPU_PASSES_TD

include "mlir/Pass/PassBase.td"

//===----------------------------------------------------------------------===//
// CPU kernels
//===----------------------------------------------------------------------===//

def SSMApproximateMath : Pass<"ssm-approximate-math", "func::FuncOp"> {
  let summary = "Replaces math.exp, math.log1p, ... by vectorizable polynomials";
  let description = [{
    Applies MLIR's polynomial approximations of the math dialect so that
    vector exponentials become straight-line FMA code instead of per-lane
    libm calls. Run on the kernel functions before lowering to LLVM.
  }];
  let dependentDialects = ["arith::ArithDialect", "math::MathDialect",
                           "vector::VectorDialect"];
}

def SSMApplyCPUTuning : Pass<"ssm-apply-cpu-tuning", "ModuleOp"> {
  let summary = "Sets each kernel op's CPU tiles from the tuning database";
  let description = [{
    For every op of `@forward` (tuned as "prefill") and `@decode` ("decode")
    that has a CPU kernel, asks the tuning database (docs/tuning.md) for
    the fastest configuration timed for the op's kernel signature on this
    device by this version of ssmc, and sets it as `ssm.cpu_tiles =
    {vector_width = ..., chunks_per_thread = ...}`, which
    `--ssm-outline-cpu-kernels` builds the kernel with. Ops the database
    has nothing for, or only a configuration this CPU cannot run, keep the
    defaults. A database that cannot be read is an error.
  }];
  let options = [
    Option<"db", "db", "std::string", "",
           "the tuning database file (JSON Lines)">,
    Option<"device", "device", "std::string", "",
           "the device key the database must be for (default: this CPU's)">,
    Option<"version", "version", "std::string", "",
           "the ssmc version whose records count (default: this one's)">,
  ];
}

def SSMOutlineCPUKernels : Pass<"ssm-outline-cpu-kernels", "ModuleOp"> {
  let summary = "Builds one CPU kernel function per distinct kernel op";
  let description = [{
    For every op of the model functions that has a CPU kernel (embedding,
    norms, gated norms, elementwise ops, conv1d, the fused selective and SSD
    scans, mamba_step, mamba2_step)
    builds a `func.func` on memrefs in scf/vector/memref/math (the kernel
    ABI of docs/artifact.md: present operands, results, then batch, seq,
    begin, end) and tags the op with `ssm.kernel = "<name>"`. Ops with the
    same signature share a kernel. Kernel functions carry
    `ssm.cpu_kernel = #ssm.cpu_kernel<parallel = ..., blocks = ...,
    phases = ..., workspace = ...>` (what their work range counts, the runs
    over it with a barrier between, scratch floats per batch row); the
    module carries `ssm.cpu_vector_width`. Matrix products stay for BLAS;
    ops without a kernel (codegen/OpLowering.h) are marked `ssm.reference`:
    the runtime evaluates them in its float64 reference interpreter - or,
    with `reference-fallback=false`, each is an error at the op.
  }];
  let options = [
    Option<"vectorWidth", "vector-width", "int", "0",
           "f32 lanes per vector (0: from the host CPU's features)">,
    Option<"referenceFallback", "reference-fallback", "bool", "true",
           "let ops without a CPU kernel run in the float64 reference interpreter">,
  ];
  let dependentDialects = ["arith::ArithDialect", "func::FuncDialect",
                           "math::MathDialect", "memref::MemRefDialect",
                           "scf::SCFDialect", "vector::VectorDialect"];
}

#endif // SSMC_CODEGEN_CPU_PASSES_TD
