//===- EmitConvKernel.cpp - causal depthwise conv1d (+ SiLU) --------------===//
//
// Block (channel block, time block, b): CHANNELS threads, one channel each,
// walking TIME consecutive steps with the K-tap window in registers. The
// first K-1 window entries come from earlier steps of the same sequence, or
// from the conv state before step 0. The final state (the last K-1 inputs,
// shifted by the sequence length) is written by the thread of time block 0,
// the only one that reads the old state, so the update can be in place.
// Steps at or past a sequence's length are not computed.
//
//===----------------------------------------------------------------------===//
#include "codegen/cuda/CUDAKernels.h"

using namespace mlir;
using namespace mlir::ssm;

ssmrt::CudaKernelDesc mlir::ssm::emitConvKernel(CausalConv1dOp op) {
  CUDAKernelWriter w(op);
  w.param("CHANNELS", 128, {32, 64, 128, 256, 512});
  w.param("TIME", 64, {16, 32, 64, 128, 256});
  w.declare({"x", "weight", "bias", "state", "lens"}, {"out", "final_state"});
  auto weightType = llvm::cast<RankedTensorType>(op.getWeight().getType());
  int64_t width = rowWidth(op.getResult()), taps = weightType.getShape().back();
  w.constant("WIDTH", width);
  w.constant("K", taps);
  auto &os = w.body();
  os << "  static_assert(TIME >= K - 1, \"a time block must cover the conv history\");\n"
     << "  const int c = blockIdx.x * CHANNELS + threadIdx.x;\n"
     << "  if (c >= WIDTH)\n    return;\n"
     << "  const int b = blockIdx.z, t0 = blockIdx.y * TIME;\n"
     << "  const int len = " << (w.has("lens") ? "lens[b]" : "seq") << ";\n"
     << "  const long long rowBase = (long long)b * seq;\n"
     << "  float wk[K], win[K], old[K > 1 ? K - 1 : 1];\n"
     << "#pragma unroll\n"
     << "  for (int k = 0; k < K; ++k)\n"
     << "    wk[k] = " << w.at("weight", "c * K + k") << ";\n"
     << "  const float bias0 = " << (w.has("bias") ? w.at("bias", "c") : "0.0f") << ";\n"
     << "#pragma unroll\n"
     << "  for (int j = 0; j < K - 1; ++j)\n"
     << "    old[j] = "
     << (w.has("state") ? "blockIdx.y == 0 ? state[((long long)b * (K - 1) + j) * WIDTH + c] : 0.0f"
                        : "0.0f")
     << ";\n"
     << "  // old[i] by a run-time i without indexing registers dynamically.\n"
     << "  auto oldAt = [&](int i) {\n"
     << "    float v = 0.0f;\n"
     << "#pragma unroll\n"
     << "    for (int q = 0; q < K - 1; ++q)\n"
     << "      v = q == i ? old[q] : v;\n"
     << "    return v;\n"
     << "  };\n"
     << "  // win[k] holds the input at step t - (K - 1) + k.\n"
     << "#pragma unroll\n"
     << "  for (int k = 1; k < K; ++k) {\n"
     << "    const int p = t0 - K + k;\n"
     << "    win[k] = p >= 0 ? (p < len ? " << w.load("x", "rowBase + p", "c")
     << " : 0.0f) : oldAt(K - 1 + p);\n"
     << "  }\n"
     << "  const int end = min(t0 + TIME, len);\n"
     << "  for (int t = t0; t < end; ++t) {\n"
     << "#pragma unroll\n"
     << "    for (int k = 0; k < K - 1; ++k)\n"
     << "      win[k] = win[k + 1];\n"
     << "    win[K - 1] = " << w.load("x", "rowBase + t", "c") << ";\n"
     << "    float acc = bias0;\n"
     << "#pragma unroll\n"
     << "    for (int k = 0; k < K; ++k)\n"
     << "      acc = fmaf(wk[k], win[k], acc);\n"
     << "    " << w.store("out", "rowBase + t", "c", op.getSilu() ? "ssm_silu(acc)" : "acc") << "\n"
     << "  }\n"
     << "  if (blockIdx.y != 0)\n    return;\n"
     << "#pragma unroll\n"
     << "  for (int j = 0; j < K - 1; ++j) {\n"
     << "    const int p = len - (K - 1) + j;\n"
     << "    final_state[((long long)b * (K - 1) + j) * WIDTH + c] = p >= 0 ? "
     << w.load("x", "rowBase + p", "c") << " : oldAt(j + len);\n"
     << "  }\n";
  ssmrt::CudaKernelDesc launch;
  launch.grid = ssmrt::LaunchGrid::ChannelBlocks;
  launch.channels = width;
  launch.gridParam = "CHANNELS";
  launch.timeParam = "TIME";
  launch.blockParam = "CHANNELS";
  return w.finish(launch);
}
