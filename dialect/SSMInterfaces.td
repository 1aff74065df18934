//===- SSMInterfaces.td - ssm op interfaces -----------------*- tablegen -*-===//
#ifndef SSM_INTERFACES_TD
#define SSM_INTERFACES_TD

include "mlir/IR/OpBase.td"

def SSM_RecurrentStateOpInterface : OpInterface<"RecurrentStateOpInterface"> {
  let cppNamespace = "::mlir::ssm";
  let description = [{
    An op that carries recurrent state from one call to the next: it reads
    an initial state (an absent optional one means zeros) and returns the
    final state, so that a prefill in pieces equals a prefill at once. The
    state operands and results are the op's `SSM_StateTensor` ones; the op
    table (runtime/artifact/Ops.def: STATE_IN, STATE_REQ, STATE_OUT) lists
    the same, and the implementation reads it.
  }];
  let methods = [
    InterfaceMethod<[{
        The results that carry the final state, in order (one for a conv or
        scan state, two for a K and V cache).
      }], "::llvm::SmallVector<::mlir::OpResult>", "getStateResults", (ins), [{}],
      [{ return ::mlir::ssm::detail::stateResults($_op.getOperation()); }]>,
    InterfaceMethod<[{
        The operands that carry the initial state, aligned with
        getStateResults(); null where an optional initial state is absent.
      }], "::llvm::SmallVector<::mlir::Value>", "getInitialStates", (ins), [{}],
      [{ return ::mlir::ssm::detail::initialStates($_op.getOperation()); }]>,
  ];
}

#endif // SSM_INTERFACES_TD
