//===- SSMBase.td - ssm dialect definition and shared types -*- tablegen -*-===//
//
// The `ssm` dialect describes state-space language models at the level of
// ops: graph-level ops on tensors whose batch and sequence dimensions are
// dynamic and whose feature dimensions are static.
//
//===----------------------------------------------------------------------===//

#ifndef SSM_BASE_TD
#define SSM_BASE_TD

include "mlir/IR/OpBase.td"
include "mlir/IR/AttrTypeBase.td"

def SSM_Dialect : Dialect {
  let name = "ssm";
  let cppNamespace = "::mlir::ssm";
  let summary = "Ops for state-space language models (Mamba-1, Mamba-2, Jamba)";
  let description = [{
    Activations are ranked tensors `[batch, seq, features...]` with dynamic
    (or, after specialization, static) batch and sequence dimensions and
    static feature dimensions. Parameters enter through `ssm.param`, which
    names the checkpoint tensor it binds. Recurrent state is explicit: every
    stateful op takes an optional initial state and returns its final state,
    so a prefill in pieces equals a prefill at once.

    The kernel level is the same ops with the decisions of the passes as
    discardable `ssm.*` attributes, which the dialect verifies:

    | attribute | on | set by | meaning |
    |---|---|---|---|
    | `ssm.model`, `ssm.config` | model function | frontend | model name; config.json keys the checkpoint must agree with |
    | `ssm.input`, `ssm.output`, `ssm.state` | function arguments and results | frontend | `"tokens"` / `"seq_lens"`; `"logits"`; the name of a state slot |
    | `ssm.once` (unit) | op | `--ssm-plan-memory` | reads only parameters: evaluated once when the weights load |
    | `ssm.buffers`, `ssm.columns` (i64 arrays) | op | `--ssm-plan-memory` | per result, its activation buffer (-1: none) and its column in a buffer row |
    | `ssm.buffer_widths` (i64 array) | model function | `--ssm-plan-memory` | floats per token row of each buffer |
    | `ssm.kernel` (string) | op | `--ssm-outline-cpu-kernels`, `--ssm-assign-cuda-kernels` | the kernel that runs the op |
    | `ssm.reference` (unit) | op | `--ssm-outline-cpu-kernels` | no CPU kernel: the runtime's float64 reference interpreter runs the op |
    | `ssm.cpu_kernel` | kernel function | `--ssm-outline-cpu-kernels` | `#ssm.cpu_kernel<...>`: how the runtime runs it |
    | `ssm.cpu_vector_width` (i64) | module | `--ssm-outline-cpu-kernels` | f32 lanes of the CPU kernels: 4, 8 or 16 |
    | `ssm.cpu_tiles` (dictionary of i64) | op | `--ssm-apply-cpu-tuning` | its CPU kernel's configuration from the tuning database: `vector_width` (4, 8 or 16), `chunks_per_thread` (1 to 64), for `ssd_scan` `chunk` (a multiple of 16 up to 256) |
    | `ssm.cuda_tiles` (dictionary of i64) | op | `--ssm-choose-cuda-tiles` | tile parameters of its CUDA kernel, each positive |
  }];
  let dependentDialects = ["::mlir::func::FuncDialect"];
  let discardableAttrs = (ins
    "::mlir::StringAttr":$model,
    "::mlir::DictionaryAttr":$config,
    "::mlir::StringAttr":$input,
    "::mlir::StringAttr":$output,
    "::mlir::StringAttr":$state,
    "::mlir::UnitAttr":$once,
    "::mlir::DenseI64ArrayAttr":$buffers,
    "::mlir::DenseI64ArrayAttr":$columns,
    "::mlir::DenseI64ArrayAttr":$buffer_widths,
    "::mlir::StringAttr":$kernel,
    "::mlir::UnitAttr":$reference,
    "::mlir::ssm::CPUKernelAttr":$cpu_kernel,
    "::mlir::IntegerAttr":$cpu_vector_width,
    "::mlir::DictionaryAttr":$cpu_tiles,
    "::mlir::DictionaryAttr":$cuda_tiles
  );
  let hasOperationAttrVerify = 1;
  let hasRegionArgAttrVerify = 1;
  let hasRegionResultAttrVerify = 1;
  let useDefaultAttributePrinterParser = 1;
  let extraClassDeclaration = [{
    void registerAttributes();
  }];
}

class SSM_Op<string mnemonic, list<Trait> traits = []>
    : Op<SSM_Dialect, mnemonic, traits>;

// Floating-point tensors: activations, parameters and states.
def SSM_FloatTensor : RankedTensorOf<[F32, F16, BF16, F64]>;
// Token ids and sequence lengths.
def SSM_IntTensor : RankedTensorOf<[I32]>;
// Recurrent state carried from one call to the next: initial-state operands
// and final-state results (conv windows, scan states, KV caches). The op
// table (runtime/artifact/Ops.def) marks the same operands and results.
def SSM_StateTensor : RankedTensorOf<[F32, F16, BF16, F64]> {
  let summary = "recurrent state tensor";
}

#endif // SSM_BASE_TD
