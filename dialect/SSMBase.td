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
  }];
  let dependentDialects = ["::mlir::func::FuncDialect"];
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
