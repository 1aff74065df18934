//===- EmitRowKernels.cpp - one block per token row -----------------------===//
//
// Embedding gather, RMSNorm, residual add + RMSNorm and elementwise ops:
// block r handles token row r, its THREADS threads stride over the row.
// The norms keep the row in registers (PER values per thread) between the
// sum of squares and the scaling.
//
//===----------------------------------------------------------------------===//
#include "codegen/cuda/CUDAKernels.h"

#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;
using namespace mlir::ssm;

namespace {

const std::vector<int64_t> kThreadChoices = {64, 128, 256, 512, 1024};

ssmrt::CudaKernelDesc rowsLaunch() {
  ssmrt::CudaKernelDesc launch;
  launch.grid = ssmrt::LaunchGrid::Rows;
  launch.blockParam = "THREADS";
  return launch;
}

ssmrt::CudaKernelDesc emitEmbedding(EmbeddingOp op) {
  CUDAKernelWriter w(op);
  w.param("THREADS", 256, kThreadChoices);
  w.declare({"table", "ids"}, {"out"});
  w.constant("WIDTH", rowWidth(op.getResult()));
  auto &os = w.body();
  os << "  const long long row = blockIdx.x;\n"
     << "  const long long id = ids[row];\n"
     << "  for (int d = threadIdx.x; d < WIDTH; d += THREADS)\n"
     << "    " << w.store("out", "row", "d", w.at("table", "id * WIDTH + d")) << "\n";
  return w.finish(rowsLaunch());
}

/// rmsnorm (input, weight) and add_rmsnorm (input, residual, weight).
ssmrt::CudaKernelDesc emitNorm(Operation *op, double eps) {
  bool add = isa<AddRMSNormOp>(op);
  CUDAKernelWriter w(op);
  w.param("THREADS", 256, {64, 128, 256, 512, 1024});
  if (add)
    w.declare({"x", "residual", "weight"}, {"out", "sum"});
  else
    w.declare({"x", "weight"}, {"out"});
  w.constant("WIDTH", rowWidth(op->getResult(0)));
  auto &os = w.body();
  std::string value = w.load("x", "row", "d");
  if (add)
    value += " + " + w.load("residual", "row", "d");
  os << "  constexpr int PER = (WIDTH + THREADS - 1) / THREADS;\n"
     << "  __shared__ float red[THREADS];\n"
     << "  const long long row = blockIdx.x;\n"
     << "  float v[PER];\n"
     << "  float squares = 0.0f;\n"
     << "#pragma unroll\n"
     << "  for (int i = 0; i < PER; ++i) {\n"
     << "    const int d = threadIdx.x + i * THREADS;\n"
     << "    v[i] = 0.0f;\n"
     << "    if (d < WIDTH) {\n"
     << "      v[i] = " << value << ";\n";
  if (add)
    os << "      " << w.store("sum", "row", "d", "v[i]") << "\n";
  os << "    }\n"
     << "    squares += v[i] * v[i];\n"
     << "  }\n"
     << "  const float scale = rsqrtf(ssm_block_sum<THREADS>(squares, red) / WIDTH + "
     << cudaFloat(eps) << ");\n"
     << "#pragma unroll\n"
     << "  for (int i = 0; i < PER; ++i) {\n"
     << "    const int d = threadIdx.x + i * THREADS;\n"
     << "    if (d < WIDTH)\n"
     << "      " << w.store("out", "row", "d", "v[i] * scale * " + w.at("weight", "d")) << "\n"
     << "  }\n";
  return w.finish(rowsLaunch());
}

/// neg, exp, silu, softplus, and add/mul of two activations or of an
/// activation and a per-column weight vector.
ssmrt::CudaKernelDesc emitElementwise(Operation *op) {
  CUDAKernelWriter w(op);
  w.param("THREADS", 256, kThreadChoices);
  bool binary = isa<AddOp, MulOp>(op);
  if (binary)
    w.declare({"lhs", "rhs"}, {"out"});
  else
    w.declare({"x"}, {"out"});
  w.constant("WIDTH", rowWidth(op->getResult(0)));
  std::string x = w.load(binary ? "lhs" : "x", "row", "d");
  std::string expr;
  if (binary) {
    std::string rhs = valueRole(w.value("rhs")) == ValueRole::Activation ? w.load("rhs", "row", "d")
                                                                        : w.at("rhs", "d");
    expr = "a " + std::string(isa<AddOp>(op) ? "+" : "*") + " (" + rhs + ")";
  } else {
    expr = llvm::TypeSwitch<Operation *, std::string>(op)
               .Case([](NegOp) { return "-a"; })
               .Case([](ExpOp) { return "__expf(a)"; })
               .Case([](SiluOp) { return "ssm_silu(a)"; })
               .Case([](SoftplusOp sp) {
                 std::string t = cudaFloat(sp.getThreshold().convertToDouble());
                 return "a > " + t + " ? a : log1pf(__expf(a))";
               })
               .Default([](Operation *) { return ""; });
  }
  auto &os = w.body();
  os << "  const long long row = blockIdx.x;\n"
     << "  for (int d = threadIdx.x; d < WIDTH; d += THREADS) {\n"
     << "    const float a = " << x << ";\n"
     << "    " << w.store("out", "row", "d", expr) << "\n"
     << "  }\n";
  return w.finish(rowsLaunch());
}

} // namespace

ssmrt::CudaKernelDesc mlir::ssm::emitRowKernel(Operation *op) {
  if (auto e = dyn_cast<EmbeddingOp>(op))
    return emitEmbedding(e);
  if (auto n = dyn_cast<RMSNormOp>(op))
    return emitNorm(op, n.getEps().convertToDouble());
  if (auto n = dyn_cast<AddRMSNormOp>(op))
    return emitNorm(op, n.getEps().convertToDouble());
  return emitElementwise(op);
}
