//===- EmitScanKernel.cpp - the fused selective scan, tiled ----------------===//
//
// Block (channel block, -, b): THREADS = CHANNELS x GROUPS threads. Lane l
// of group g owns channel c = block * CHANNELS + l and, in each chunk of
// CHUNK = GROUPS * ITEMS steps, the ITEMS consecutive steps starting at
// g * ITEMS. Per chunk:
//
//   stage B[t, :], C[t, :] (and the low-rank dt rows when dt_proj is
//   folded) of the chunk's steps in shared memory (f32);
//   per step of the thread: Δ = softplus(dt_proj · dt + bias) (or the
//   full-width delta), Δ·u;
//   per state tile (STATE_TILE states n at a time):
//     1. each thread composes its steps with the associative operator on
//        (decay, input) pairs, (a1, b1) ∘ (a2, b2) = (a1·a2, a2·b1 + b2),
//        with decay exp(Δ·A[c, n]) and input Δ·u·B[t, n], keeping the
//        per-step pairs in registers; group 0 applies the running state;
//     2. the groups' aggregates go through shared memory (double-buffered,
//        one barrier per tile); each thread folds those of the groups
//        before it into its starting state and replays its steps with FMAs:
//        h = decay·h + input, y += C[t, n]·h;
//     3. the last group keeps the end state as the running state.
//   y = (y + D·u) · silu(z), stored.
//
// Steps at or past the sequence length are identities (decay 1, input 0),
// so the running state after the last chunk is the final state. Every
// exponential is exp2 of Δ·(A·log2 e): one special-function instruction.
//
//===----------------------------------------------------------------------===//
#include "codegen/cuda/CUDAKernels.h"

using namespace mlir;
using namespace mlir::ssm;

ssmrt::CudaKernelDesc mlir::ssm::emitScanKernel(SelectiveScanOp op) {
  CUDAKernelWriter w(op);
  w.param("CHANNELS", 32, {8, 16, 32, 64});
  w.param("GROUPS", 2, {1, 2, 4, 8, 16});
  w.param("ITEMS", 8, {1, 2, 4, 8, 16, 32});
  w.param("STATE_TILE", 4, {1, 2, 4, 8});
  w.param("THREADS", 64, {32, 64, 128, 256, 512, 1024});
  w.declare({"u", "delta", "A", "B", "C", "D", "z", "delta_bias", "delta_proj", "state", "lens"},
            {"out", "final_state"});
  int64_t width = op.getDInner(), states = op.getDState();
  int64_t rank = 0;
  if (Value proj = op.getDeltaProj())
    rank = llvm::cast<RankedTensorType>(proj.getType()).getDimSize(1);
  w.constant("WIDTH", width);
  w.constant("NS", states);
  if (rank)
    w.constant("RANK", rank);

  // B and C rows of the chunk starting at |base| into registers (inline
  // code: a lambda over the register arrays could put them on the stack).
  auto fetchBC = [&](const std::string &base) {
    return "#pragma unroll\n"
           "  for (int q = 0; q < BC_PER; ++q) {\n"
           "    const int i = threadIdx.x + q * THREADS, tt = i / NS, n = i % NS, t = " +
           base + " + tt;\n"
           "    const bool in = i < CHUNK * NS && t < len;\n"
           "    nextB[q] = in ? " + w.load("B", "rowBase + t", "n") + " : 0.0f;\n"
           "    nextC[q] = in ? " + w.load("C", "rowBase + t", "n") + " : 0.0f;\n"
           "  }\n";
  };
  auto &os = w.body();
  os << "  static_assert(THREADS == CHANNELS * GROUPS, \"THREADS must be CHANNELS * GROUPS\");\n"
     << "  static_assert(NS % STATE_TILE == 0, \"STATE_TILE must divide the state size\");\n"
     << "  constexpr int CHUNK = GROUPS * ITEMS;\n"
     << "  constexpr float LOG2E = 1.4426950408889634f;\n"
     << "  alignas(16) __shared__ float sB[CHUNK][NS];\n"
     << "  alignas(16) __shared__ float sC[CHUNK][NS];\n"
     << "  __shared__ float sH[NS][CHANNELS];\n"
     << "  __shared__ float sA[NS][CHANNELS]; // A · log2(e), read once\n"
     << "  __shared__ float sP[2][STATE_TILE][GROUPS][CHANNELS], sS[2][STATE_TILE][GROUPS][CHANNELS];\n";
  if (rank)
    os << "  __shared__ float sDt[CHUNK][RANK];\n";
  os << "  const int lane = threadIdx.x % CHANNELS, g = threadIdx.x / CHANNELS;\n"
     << "  const int c = blockIdx.x * CHANNELS + lane;\n"
     << "  const bool active = c < WIDTH;\n"
     << "  const int cc = active ? c : WIDTH - 1; // inactive lanes compute a copy, store nothing\n"
     << "  const int b = blockIdx.z;\n"
     << "  const int len = " << (w.has("lens") ? "lens[b]" : "seq") << ";\n"
     << "  const long long rowBase = (long long)b * seq;\n"
     << "  for (int n = g; n < NS; n += GROUPS)\n"
     << "    sA[n][lane] = " << w.at("A", "(long long)cc * NS + n") << " * LOG2E;\n"
     << "  for (int n = g; n < NS; n += GROUPS)\n"
     << "    sH[n][lane] = "
     << (w.has("state") ? "state[((long long)b * WIDTH + cc) * NS + n]" : "0.0f") << ";\n"
     << "  const float dtBias = " << (w.has("delta_bias") ? w.at("delta_bias", "cc") : "0.0f")
     << ";\n"
     << "  // B and C of the next chunk are fetched into registers while this one\n"
     << "  // is computed, and stored to shared memory at the next chunk's start.\n"
     << "  constexpr int BC_PER = (CHUNK * NS + THREADS - 1) / THREADS;\n"
     << "  float nextB[BC_PER], nextC[BC_PER];\n"
     << fetchBC("0")
     << "  for (int t0 = 0; t0 < len; t0 += CHUNK) {\n"
     << "    // This thread's inputs, issued before the barriers they do not need.\n"
     << "    float dt[ITEMS], du[ITEMS], y[ITEMS], uv[ITEMS], zv[ITEMS];\n"
     << "#pragma unroll\n"
     << "    for (int i = 0; i < ITEMS; ++i) {\n"
     << "      const int t = t0 + g * ITEMS + i;\n"
     << "      const bool in = t < len;\n"
     << "      uv[i] = in ? " << w.load("u", "rowBase + t", "cc") << " : 0.0f;\n"
     << "      dt[i] = " << (rank ? "dtBias" : "in ? " + w.load("delta", "rowBase + t", "cc") + " + dtBias : 0.0f") << ";\n"
     << "      zv[i] = " << (w.has("z") ? "in ? " + w.load("z", "rowBase + t", "cc") + " : 0.0f" : "0.0f") << ";\n"
     << "    }\n"
     << "    __syncthreads(); // the previous chunk is done with the tiles\n"
     << "#pragma unroll\n"
     << "    for (int q = 0; q < BC_PER; ++q) {\n"
     << "      const int i = threadIdx.x + q * THREADS;\n"
     << "      if (i < CHUNK * NS) {\n"
     << "        sB[i / NS][i % NS] = nextB[q];\n"
     << "        sC[i / NS][i % NS] = nextC[q];\n"
     << "      }\n"
     << "    }\n";
  if (rank)
    os << "    for (int i = threadIdx.x; i < CHUNK * RANK; i += THREADS) {\n"
       << "      const int tt = i / RANK, r = i % RANK, t = t0 + tt;\n"
       << "      sDt[tt][r] = t < len ? " << w.load("delta", "rowBase + t", "r") << " : 0.0f;\n"
       << "    }\n";
  os << "    __syncthreads();\n"
     << fetchBC("t0 + CHUNK");
  if (rank)
    os << "    for (int r = 0; r < RANK; ++r) {\n"
       << "      const float wr = " << w.at("delta_proj", "(long long)cc * RANK + r") << ";\n"
       << "#pragma unroll\n"
       << "      for (int i = 0; i < ITEMS; ++i)\n"
       << "        dt[i] = fmaf(sDt[g * ITEMS + i][r], wr, dt[i]);\n"
       << "    }\n";
  os << "#pragma unroll\n"
     << "    for (int i = 0; i < ITEMS; ++i) {\n"
     << "      const int t = t0 + g * ITEMS + i;\n"
     << "      float d = 0.0f;\n"
     << "      if (t < len)\n"
     << "        d = " << (op.getDeltaSoftplus() ? "ssm_softplus(dt[i])" : "dt[i]") << ";\n"
     << "      dt[i] = d; // 0 past the end: decay 1, input 0\n"
     << "      du[i] = d * uv[i];\n"
     << "      y[i] = 0.0f;\n"
     << "    }\n"
     << "    for (int n0 = 0; n0 < NS; n0 += STATE_TILE) {\n"
     << "      const int par = (n0 / STATE_TILE) & 1;\n"
     << "      float decay[STATE_TILE][ITEMS], input[STATE_TILE][ITEMS], a[STATE_TILE];\n"
     << "      float P[STATE_TILE], S[STATE_TILE], h0[STATE_TILE];\n"
     << "#pragma unroll\n"
     << "      for (int j = 0; j < STATE_TILE; ++j) {\n"
     << "        a[j] = sA[n0 + j][lane];\n"
     << "        P[j] = 1.0f;\n"
     << "        S[j] = 0.0f;\n"
     << "      }\n"
     << "      // 1. this thread's steps composed; B read as one vector per step\n"
     << "#pragma unroll\n"
     << "      for (int i = 0; i < ITEMS; ++i) {\n"
     << "        const ssm_floats<STATE_TILE> bv =\n"
     << "            *reinterpret_cast<const ssm_floats<STATE_TILE> *>(&sB[g * ITEMS + i][n0]);\n"
     << "#pragma unroll\n"
     << "        for (int j = 0; j < STATE_TILE; ++j) {\n"
     << "          decay[j][i] = exp2f(dt[i] * a[j]);\n"
     << "          input[j][i] = du[i] * bv.v[j];\n"
     << "          P[j] *= decay[j][i];\n"
     << "          S[j] = fmaf(decay[j][i], S[j], input[j][i]);\n"
     << "        }\n"
     << "      }\n"
     << "#pragma unroll\n"
     << "      for (int j = 0; j < STATE_TILE; ++j) {\n"
     << "        h0[j] = 0.0f;\n"
     << "        if (g == 0) {\n"
     << "          h0[j] = sH[n0 + j][lane];\n"
     << "          S[j] = fmaf(P[j], h0[j], S[j]);\n"
     << "        }\n"
     << "        if (GROUPS > 1) {\n"
     << "          sP[par][j][g][lane] = P[j];\n"
     << "          sS[par][j][g][lane] = S[j];\n"
     << "        }\n"
     << "      }\n"
     << "      if (GROUPS > 1) // one group: no aggregates to exchange\n"
     << "        __syncthreads();\n"
     << "      // 2. the starting state from the groups before, then the steps\n"
     << "      float h[STATE_TILE];\n"
     << "#pragma unroll\n"
     << "      for (int j = 0; j < STATE_TILE; ++j) {\n"
     << "        h[j] = g == 0 ? h0[j] : sS[par][j][0][lane];\n"
     << "        for (int k = 1; k < g; ++k)\n"
     << "          h[j] = fmaf(sP[par][j][k][lane], h[j], sS[par][j][k][lane]);\n"
     << "      }\n"
     << "#pragma unroll\n"
     << "      for (int i = 0; i < ITEMS; ++i) {\n"
     << "        const ssm_floats<STATE_TILE> cv =\n"
     << "            *reinterpret_cast<const ssm_floats<STATE_TILE> *>(&sC[g * ITEMS + i][n0]);\n"
     << "#pragma unroll\n"
     << "        for (int j = 0; j < STATE_TILE; ++j) {\n"
     << "          h[j] = fmaf(decay[j][i], h[j], input[j][i]);\n"
     << "          y[i] = fmaf(cv.v[j], h[j], y[i]);\n"
     << "        }\n"
     << "      }\n"
     << "      // 3. the last group's end state carries into the next chunk\n"
     << "      if (g == GROUPS - 1)\n"
     << "#pragma unroll\n"
     << "        for (int j = 0; j < STATE_TILE; ++j)\n"
     << "          sH[n0 + j][lane] = h[j];\n"
     << "    }\n"
     << "#pragma unroll\n"
     << "    for (int i = 0; i < ITEMS; ++i) {\n"
     << "      const int t = t0 + g * ITEMS + i;\n"
     << "      if (active && t < len) {\n"
     << "        float v = y[i];\n";
  if (w.has("D"))
    os << "        v = fmaf(" << w.at("D", "c") << ", uv[i], v);\n";
  if (w.has("z"))
    os << "        v *= ssm_silu(zv[i]);\n";
  os << "        " << w.store("out", "rowBase + t", "c", "v") << "\n"
     << "      }\n"
     << "    }\n"
     << "  }\n"
     << "  __syncthreads();\n"
     << "  if (active)\n"
     << "    for (int n = g; n < NS; n += GROUPS)\n"
     << "      final_state[((long long)b * WIDTH + c) * NS + n] = sH[n][lane];\n";
  ssmrt::CudaKernelDesc launch;
  launch.grid = ssmrt::LaunchGrid::ChannelBlocks;
  launch.channels = width;
  launch.gridParam = "CHANNELS";
  launch.blockParam = "THREADS";
  return w.finish(launch);
}
