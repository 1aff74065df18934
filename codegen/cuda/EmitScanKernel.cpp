//===- EmitScanKernel.cpp - configuring kernels/scan.cuh ------------------===//
#include "codegen/cuda/CUDAKernels.h"

using namespace mlir;
using namespace mlir::ssm;

ssmrt::CudaKernelDesc mlir::ssm::emitScanKernel(SelectiveScanOp op) {
  CUDAKernelWriter w(op, "scan.cuh", "ssm_selective_scan");
  w.params({{"u", "u"},
            {"delta", "delta"},
            {"A", "A"},
            {"B", "B"},
            {"C", "C"},
            {"D", "D"},
            {"z", "z"},
            {"delta_bias", "delta_bias"},
            {"delta_proj", "delta_proj"},
            {"state", "init_state"},
            {"lens", "seq_lens"},
            {"delta_norm", "delta_norm"},
            {"B_norm", "B_norm"},
            {"C_norm", "C_norm"},
            {"out", "result"},
            {"final_state", "final_state"}});
  int64_t width = op.getDInner(), rank = 0;
  if (Value proj = op.getDeltaProj())
    rank = llvm::cast<RankedTensorType>(proj.getType()).getDimSize(1);
  w.constant("width", width);
  w.constant("ns", op.getDState());
  w.constant("rank", rank);
  FloatAttr eps = op.getNormEpsAttr();
  w.constant("norm_eps", eps ? eps.getValueAsDouble() : 0.0);
  for (const char *tile : {"CHANNELS", "GROUPS", "ITEMS", "STATE_TILE", "THREADS"})
    w.tile(tiles::scanTiles(), tile);
  // The discretization that fusion folded in.
  w.function("float delta(float d)",
             op.getDeltaSoftplus() ? "return ssm_softplus(d);" : "return d;");
  ssmrt::CudaKernelDesc launch;
  launch.grid = ssmrt::LaunchGrid::ChannelBlocks;
  launch.channels = width;
  launch.gridParam = "CHANNELS";
  launch.blockParam = "THREADS";
  return w.finish(launch);
}
