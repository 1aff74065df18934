//===- EmitConvKernel.cpp - configuring kernels/conv.cuh ------------------===//
#include "codegen/cuda/CUDAKernels.h"

using namespace mlir;
using namespace mlir::ssm;

ssmrt::CudaKernelDesc mlir::ssm::emitConvKernel(CausalConv1dOp op) {
  CUDAKernelWriter w(op, "conv.cuh", "ssm_causal_conv1d");
  w.params({{"x", "input"},
            {"weight", "weight"},
            {"bias", "bias"},
            {"state", "init_state"},
            {"lens", "seq_lens"},
            {"out", "result"},
            {"final_state", "final_state"}});
  int64_t width = rowWidth(op.getResult());
  w.constant("width", width);
  w.constant("k", op.getKernelSize());
  w.tile(tiles::convTiles(), "CHANNELS");
  w.tile(tiles::convTiles(), "TIME");
  // The activation that fusion put after the convolution.
  w.function("float epilogue(float acc)", op.getSilu() ? "return ssm_silu(acc);" : "return acc;");
  ssmrt::CudaKernelDesc launch;
  launch.grid = ssmrt::LaunchGrid::ChannelBlocks;
  launch.channels = width;
  launch.gridParam = "CHANNELS";
  launch.timeParam = "TIME";
  launch.blockParam = "CHANNELS";
  return w.finish(launch);
}
