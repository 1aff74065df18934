//===- SSMAttrs.td - ssm dialect attributes -----------------*- tablegen -*-===//
//
// The attributes of the kernel level: what the memory planner, the kernel
// outliners and the CUDA tile chooser put on ops and functions. Their names
// are the dialect's discardable attributes (SSMBase.td); the dialect
// verifies them (SSMAttrs.cpp).
//
//===----------------------------------------------------------------------===//
#ifndef SSM_ATTRS_TD
#define SSM_ATTRS_TD

include "dialect/SSMBase.td"
include "mlir/IR/AttrTypeBase.td"
include "mlir/IR/EnumAttr.td"

def SSM_KernelParallel : I32EnumAttr<"KernelParallel",
    "what the work range of a CPU kernel counts", [
      I32EnumAttrCase<"Rows", 0, "rows">,
      I32EnumAttrCase<"BatchBlocks", 1, "batch_blocks">,
      I32EnumAttrCase<"Batch", 2, "batch">
    ]> {
  let cppNamespace = "::mlir::ssm";
  let genSpecializedAttr = 0;
}

def SSM_CPUKernelAttr : AttrDef<SSM_Dialect, "CPUKernel"> {
  let mnemonic = "cpu_kernel";
  let summary = "How the runtime runs an outlined CPU kernel function";
  let description = [{
    Set by `--ssm-outline-cpu-kernels` on every kernel function as
    `ssm.cpu_kernel`. The runtime splits the work range [0, items) across
    its threads, where items is the number of token rows (`rows`), batch
    rows times `blocks` channel blocks (`batch_blocks`) or batch rows
    (`batch`), in `chunks_per_thread` contiguous chunks per thread that
    threads claim as they finish (1, the default: one chunk each); it calls
    the kernel once per phase (`phases`, 1 to 16) with a barrier in between,
    and gives it `workspace` scratch floats per batch row (0: no workspace
    argument). `tuned` marks a kernel built with a configuration from the
    tuning database (its op's `ssm.cpu_tiles`).

    ```mlir
    func.func private @ssm_selective_scan_3(memref<?xf32>, index, index) attributes {ssm.cpu_kernel = #ssm.cpu_kernel<parallel = batch_blocks, blocks = 96, phases = 1, workspace = 0>}
    ```
  }];
  let parameters = (ins EnumParameter<SSM_KernelParallel>:$parallel,
                        "int64_t":$blocks, "int64_t":$phases,
                        "int64_t":$workspace,
                        DefaultValuedParameter<"int64_t", "1">:$chunks_per_thread,
                        DefaultValuedParameter<"bool", "false">:$tuned);
  let assemblyFormat = "`<` struct(params) `>`";
  let genVerifyDecl = 1;
}

#endif // SSM_ATTRS_TD
