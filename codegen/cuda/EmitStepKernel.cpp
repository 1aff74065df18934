//===- EmitStepKernel.cpp - the single-token Mamba-1 decode step ----------===//
//
// One cooperative launch per layer and token: a persistent grid whose
// threads stride over each phase's work, with grid-wide barriers between
// the phases (workspace row of batch row b: xc [WIDTH], partial dot
// products [ROWS][SEGMENTS], dt/B/C [ROWS], ROWS = RANK + 2 NS):
//
//   1. (b, c): conv-state shift, conv, SiLU -> xc; state updated in place
//   2. (b, row, segment): x_proj row · xc over the columns ≡ segment
//      (mod SEGMENTS); consecutive threads read consecutive columns
//   3. (b, row): the partial products summed in a fixed order (the result
//      does not depend on the grid size)
//   4. (b, c): Δ = softplus(dt_proj · dt + bias); per state n
//      h = exp(Δ·A)·h + Δ·xc·B[n], y += C[n]·h; y = (y + D·xc)·silu(z)
//
//===----------------------------------------------------------------------===//
#include "codegen/cuda/CUDAKernels.h"

using namespace mlir;
using namespace mlir::ssm;

namespace {
/// Workspace floats per batch row for |op| with |segments| partial sums.
int64_t stepWorkspace(int64_t width, int64_t rows, int64_t segments) {
  return width + rows * segments + rows;
}
} // namespace

ssmrt::CudaKernelDesc mlir::ssm::emitStepKernel(MambaStepOp op) {
  CUDAKernelWriter w(op);
  w.param("THREADS", 256, {64, 128, 256, 512, 1024});
  const std::vector<int64_t> segmentChoices = {8, 16, 32, 64, 128};
  int64_t segments = w.param("SEGMENTS", 32, segmentChoices);
  w.declare({"x", "z", "conv_weight", "conv_state", "x_proj", "delta_proj", "delta_bias", "A",
             "ssm_state", "conv_bias", "D"},
            {"out", "conv_state_out", "ssm_state_out"}, /*workspace=*/true);
  auto aType = llvm::cast<RankedTensorType>(op.getA().getType());
  int64_t width = aType.getDimSize(0), states = aType.getDimSize(1);
  int64_t taps = llvm::cast<RankedTensorType>(op.getConvWeight().getType()).getShape().back();
  int64_t rank = llvm::cast<RankedTensorType>(op.getDeltaProj().getType()).getDimSize(1);
  int64_t rows = rank + 2 * states;
  w.constant("WIDTH", width);
  w.constant("K", taps);
  w.constant("NS", states);
  w.constant("RANK", rank);
  w.constant("ROWS", rows);

  auto &os = w.body();
  os << "  constexpr float LOG2E = 1.4426950408889634f;\n"
     << "  constexpr long long PER_ROW = WIDTH + ROWS * SEGMENTS + ROWS;\n"
     << "  unsigned *barrier = reinterpret_cast<unsigned *>(workspace);\n"
     << "  float *ws = workspace + 64;\n"
     << "  const long long first = (long long)blockIdx.x * THREADS + threadIdx.x;\n"
     << "  const long long stride = (long long)gridDim.x * THREADS;\n"
     << "  // 1. conv + SiLU\n"
     << "  for (long long i = first; i < (long long)batch * WIDTH; i += stride) {\n"
     << "    const int b = i / WIDTH, c = i % WIDTH;\n"
     << "    float win[K];\n"
     << "#pragma unroll\n"
     << "    for (int j = 0; j < K - 1; ++j)\n"
     << "      win[j] = conv_state[((long long)b * (K - 1) + j) * WIDTH + c];\n"
     << "    win[K - 1] = " << w.load("x", "b", "c") << ";\n"
     << "    float acc = " << (w.has("conv_bias") ? w.at("conv_bias", "c") : "0.0f") << ";\n"
     << "#pragma unroll\n"
     << "    for (int k = 0; k < K; ++k)\n"
     << "      acc = fmaf(" << w.at("conv_weight", "c * K + k") << ", win[k], acc);\n"
     << "    ws[b * PER_ROW + c] = ssm_silu(acc);\n"
     << "#pragma unroll\n"
     << "    for (int j = 0; j < K - 1; ++j)\n"
     << "      conv_state_out[((long long)b * (K - 1) + j) * WIDTH + c] = win[j + 1];\n"
     << "  }\n"
     << "  ssm_grid_barrier(barrier);\n"
     << "  // 2. x_proj partial products\n"
     << "  for (long long i = first; i < (long long)batch * ROWS * SEGMENTS; i += stride) {\n"
     << "    const int s = i % SEGMENTS, r = (i / SEGMENTS) % ROWS, b = i / (SEGMENTS * ROWS);\n"
     << "    const float *xc = ws + b * PER_ROW;\n"
     << "    // Four independent sums keep several loads in flight.\n"
     << "    float acc[4] = {0.0f, 0.0f, 0.0f, 0.0f};\n"
     << "    int e = s;\n"
     << "    for (; e + 3 * SEGMENTS < WIDTH; e += 4 * SEGMENTS) {\n"
     << "#pragma unroll\n"
     << "      for (int q = 0; q < 4; ++q)\n"
     << "        acc[q] = fmaf(" << w.at("x_proj", "(long long)r * WIDTH + e + q * SEGMENTS")
     << ", xc[e + q * SEGMENTS], acc[q]);\n"
     << "    }\n"
     << "    for (; e < WIDTH; e += SEGMENTS)\n"
     << "      acc[0] = fmaf(" << w.at("x_proj", "(long long)r * WIDTH + e") << ", xc[e], acc[0]);\n"
     << "    ws[b * PER_ROW + WIDTH + r * SEGMENTS + s] = (acc[0] + acc[1]) + (acc[2] + acc[3]);\n"
     << "  }\n"
     << "  ssm_grid_barrier(barrier);\n"
     << "  // 3. dt, B, C\n"
     << "  for (long long i = first; i < (long long)batch * ROWS; i += stride) {\n"
     << "    const int r = i % ROWS, b = i / ROWS;\n"
     << "    const float *part = ws + b * PER_ROW + WIDTH + r * SEGMENTS;\n"
     << "    float acc = 0.0f;\n"
     << "    for (int s = 0; s < SEGMENTS; ++s)\n"
     << "      acc += part[s];\n"
     << "    ws[b * PER_ROW + WIDTH + ROWS * SEGMENTS + r] = acc;\n"
     << "  }\n"
     << "  ssm_grid_barrier(barrier);\n"
     << "  // 4. the scan step, skip and gate\n"
     << "  for (long long i = first; i < (long long)batch * WIDTH; i += stride) {\n"
     << "    const int b = i / WIDTH, c = i % WIDTH;\n"
     << "    const float *dbc = ws + b * PER_ROW + WIDTH + ROWS * SEGMENTS;\n"
     << "    float dp[4] = {" << w.at("delta_bias", "c") << ", 0.0f, 0.0f, 0.0f};\n"
     << "    int r = 0;\n"
     << "    for (; r + 3 < RANK; r += 4) {\n"
     << "#pragma unroll\n"
     << "      for (int q = 0; q < 4; ++q)\n"
     << "        dp[q] = fmaf(" << w.at("delta_proj", "(long long)c * RANK + r + q")
     << ", dbc[r + q], dp[q]);\n"
     << "    }\n"
     << "    for (; r < RANK; ++r)\n"
     << "      dp[0] = fmaf(" << w.at("delta_proj", "(long long)c * RANK + r") << ", dbc[r], dp[0]);\n"
     << "    const float d = ssm_softplus((dp[0] + dp[1]) + (dp[2] + dp[3]));\n"
     << "    const float xc = ws[b * PER_ROW + c], dx = d * xc;\n"
     << "    const long long hBase = ((long long)b * WIDTH + c) * NS;\n"
     << "    float y = 0.0f;\n"
     << "    for (int n = 0; n < NS; ++n) {\n"
     << "      const float a = " << w.at("A", "(long long)c * NS + n") << " * LOG2E;\n"
     << "      const float h = fmaf(exp2f(d * a), ssm_state[hBase + n], dx * dbc[RANK + n]);\n"
     << "      ssm_state_out[hBase + n] = h;\n"
     << "      y = fmaf(dbc[RANK + NS + n], h, y);\n"
     << "    }\n";
  if (w.has("D"))
    os << "    y = fmaf(" << w.at("D", "c") << ", xc, y);\n";
  os << "    y *= ssm_silu(" << w.load("z", "b", "c") << ");\n"
     << "    " << w.store("out", "b", "c", "y") << "\n"
     << "  }\n";
  ssmrt::CudaKernelDesc launch;
  launch.grid = ssmrt::LaunchGrid::Persistent;
  launch.channels = std::max(width, rows * segments);
  launch.blockParam = "THREADS";
  launch.cooperative = true;
  // Sized for every SEGMENTS a tuner may choose.
  launch.workspace = stepWorkspace(width, rows, std::max(segments, segmentChoices.back()));
  return w.finish(launch);
}
