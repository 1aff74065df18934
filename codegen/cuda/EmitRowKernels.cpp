//===- EmitRowKernels.cpp - configuring kernels/rows.cuh ------------------===//
//
// Embedding gather, RMSNorm, residual add + RMSNorm, gated RMSNorm and
// elementwise ops:
// one block per token row (kernels/rows.cuh). The elementwise expression is
// the op's; everything else is shapes, dtypes and which arguments exist.
//
//===----------------------------------------------------------------------===//
#include "codegen/cuda/CUDAKernels.h"

#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;
using namespace mlir::ssm;

namespace {

ssmrt::CudaKernelDesc rowsLaunch() {
  ssmrt::CudaKernelDesc launch;
  launch.grid = ssmrt::LaunchGrid::Rows;
  launch.blockParam = "THREADS";
  return launch;
}

ssmrt::CudaKernelDesc emitEmbedding(EmbeddingOp op) {
  CUDAKernelWriter w(op, "rows.cuh", "ssm_embedding");
  w.params({{"table", "table"}, {"ids", "ids"}, {"out", "result"}});
  w.constant("width", rowWidth(op.getResult()));
  w.tile(tiles::rowTiles(), "THREADS");
  return w.finish(rowsLaunch());
}

/// rmsnorm (input, weight) and add_rmsnorm (input, residual, weight).
ssmrt::CudaKernelDesc emitNorm(Operation *op, double eps) {
  bool add = isa<AddRMSNormOp>(op);
  CUDAKernelWriter w(op, "rows.cuh", "ssm_rmsnorm");
  w.params({{"x", "input"},
            {"residual", add ? "residual" : ""},
            {"weight", "weight"},
            {"out", add ? "normed" : "result"},
            {"sum", add ? "sum" : ""}});
  w.constant("width", rowWidth(op->getResult(0)));
  w.tile(tiles::rowTiles(), "THREADS");
  w.constant("eps", eps);
  return w.finish(rowsLaunch());
}

ssmrt::CudaKernelDesc emitGatedNorm(GatedRMSNormOp op) {
  CUDAKernelWriter w(op, "rows.cuh", "ssm_gated_rmsnorm");
  w.params({{"x", "input"}, {"z", "gate"}, {"weight", "weight"}, {"out", "result"}});
  w.constant("width", rowWidth(op.getResult()));
  w.constant("group", static_cast<int64_t>(op.getGroupSize()));
  w.tile(tiles::rowTiles(), "THREADS");
  w.constant("eps", op.getEps().convertToDouble());
  w.flag("gate_first", !op.getNormBeforeGate());
  return w.finish(rowsLaunch());
}

/// The f32 expression of a unary op of |a|, or of a binary op of |a| and |b|.
std::string elementwiseExpression(Operation *op) {
  return llvm::TypeSwitch<Operation *, std::string>(op)
      .Case([](AddOp) { return "a + b"; })
      .Case([](MulOp) { return "a * b"; })
      .Case([](NegOp) { return "-a"; })
      .Case([](ExpOp) { return "__expf(a)"; })
      .Case([](SiluOp) { return "ssm_silu(a)"; })
      .Case([](SoftplusOp sp) {
        std::string t = cudaFloat(sp.getThreshold().convertToDouble());
        return "a > " + t + " ? a : log1pf(__expf(a))";
      })
      .Default([](Operation *) { return ""; });
}

/// Unary ops and binary ops of two activations or of an activation and a
/// per-column weight vector.
FailureOr<ssmrt::CudaKernelDesc> emitElementwise(Operation *op) {
  std::string expression = elementwiseExpression(op);
  if (expression.empty())
    return op->emitError() << "internal: '" << op->getName()
                           << "' is elementwise in the op table but has no CUDA expression "
                              "(codegen/cuda/EmitRowKernels.cpp)";
  bool binary = opInfoOf(op)->form == ssmrt::OpForm::Binary;
  CUDAKernelWriter w(op, "rows.cuh", "ssm_elementwise");
  w.params({{"lhs", binary ? "lhs" : "input"}, {"rhs", binary ? "rhs" : ""}, {"out", "result"}});
  w.constant("width", rowWidth(op->getResult(0)));
  w.tile(tiles::rowTiles(), "THREADS");
  w.flag("rhs_is_row", binary && valueRole(w.value("rhs")) == ValueRole::Activation);
  w.function("float apply(float a, float b)", "return " + expression + ";");
  return w.finish(rowsLaunch());
}

} // namespace

FailureOr<ssmrt::CudaKernelDesc> mlir::ssm::emitRowKernel(Operation *op) {
  if (auto e = dyn_cast<EmbeddingOp>(op))
    return emitEmbedding(e);
  if (auto n = dyn_cast<RMSNormOp>(op))
    return emitNorm(op, n.getEps().convertToDouble());
  if (auto n = dyn_cast<AddRMSNormOp>(op))
    return emitNorm(op, n.getEps().convertToDouble());
  if (auto n = dyn_cast<GatedRMSNormOp>(op))
    return emitGatedNorm(n);
  return emitElementwise(op);
}
