//===- CUDAPasses.td - CUDA code generation passes ----------*- tablegen -*-===//
//
// Passes are alphabetical.
//
//===----------------------------------------------------------------------===//

#ifndef SSMC_CODEGEN_CUDA_PASSES_TD
#define SSMC_CODEGEN_CUDA_PASSES_TD

include "mlir/Pass/PassBase.td"

def SSMAssignCUDAKernels : Pass<"ssm-assign-cuda-kernels", "func::FuncOp"> {
  let summary = "Names the CUDA kernel of every op that gets one";
  let description = [{
    Run after `--ssm-assign-gpu-types` and `--ssm-choose-cuda-tiles`. Sets
    `ssm.kernel` on every op that runs as a generated CUDA kernel (see
    codegen/OpLowering.h): the op's mnemonic and a hash of what its kernel
    depends on (the op's attributes, its tiles, the role and type of each
    operand and result), so ops that need the same code share a kernel. An
    op the CUDA target cannot run (no kernel, no cuBLAS product, not a
    view or weight-only) is an error at the op. Emission then only reads
    the tagged IR (`ssmc compile --emit=cuda`).
  }];
}

def SSMAssignGPUTypes : Pass<"ssm-assign-gpu-types", "func::FuncOp"> {
  let summary = "Gives every value the element type it has on the GPU";
  let description = [{
    Retypes a fused, planned model function for the CUDA target: matrices
    read by matrix products or the embedding (linear and logits weights, the
    embedding table, x_proj and dt_proj of the fused scan and decode step,
    the experts' gate, up and down matrices) and every activation take the
    compute dtype; the residual stream (the embedding's output and the sum
    of `add_rmsnorm`), the logits, the recurrent states and every other
    parameter (A, D, biases, norm and conv weights, the MoE router, whose
    logits choose the experts) stay `f32`. Views take their input's type. Kernels load values
    in their stored type and compute in f32.
  }];
  let options = [
    Option<"dtype", "dtype", "std::string", "\"bf16\"",
           "the compute dtype: bf16, fp16 or fp32">,
  ];
}

def SSMChooseCUDATiles : Pass<"ssm-choose-cuda-tiles", "func::FuncOp"> {
  let summary = "Chooses the tile parameters of every op with a CUDA kernel";
  let description = [{
    Sets `ssm.cuda_tiles`, a dictionary of tile parameters, on every op that
    gets a CUDA kernel: threads per block for row kernels; channels and
    timesteps per block for the conv; channels per block, thread groups along
    time, items (consecutive timesteps) per thread and the state tile for the
    selective scan, shrunk until its static shared memory fits
    `shared-memory-kb`; threads and x_proj segments for the decode step;
    for attention, 64-query tiles of the tensor-core kernel in a 16-bit
    prefill whose head_dim fits it, else about 16 query rows per block
    (fewer while its shared memory does not fit) and, in decode, up to
    `SPLITS` key slices; threads per block for the mixture of experts. The
    emitted kernels take these as overridable compile-time constants, so a
    tuner can vary them without recompiling the model.
  }];
  let options = [
    Option<"sharedMemoryKB", "shared-memory-kb", "int", "48",
           "static shared memory per block, in KiB">,
  ];
}

#endif // SSMC_CODEGEN_CUDA_PASSES_TD
