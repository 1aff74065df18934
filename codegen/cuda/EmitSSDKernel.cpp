//===- EmitSSDKernel.cpp - configuring kernels/ssd.cuh --------------------===//
#include "codegen/cuda/CUDAKernelWriter.h"
#include "codegen/cuda/CUDAKernels.h"
#include "codegen/cuda/TileTables.h"

#include "dialect/SSMOps.h"

using namespace mlir;
using namespace mlir::ssm;

ssmrt::CudaKernelDesc mlir::ssm::emitSSDKernel(SSDScanOp op) {
  CUDAKernelWriter w(op, "ssd.cuh", "ssm_ssd_scan");
  w.params({{"x", "x"},
            {"dt", "dt"},
            {"A", "A"},
            {"B", "B"},
            {"C", "C"},
            {"D", "D"},
            {"z", "z"},
            {"dt_bias", "dt_bias"},
            {"state", "init_state"},
            {"lens", "seq_lens"},
            {"out", "result"},
            {"final_state", "final_state"}});
  int64_t heads = op.getHeads(), headDim = op.getHeadDim(), groups = op.getGroups();
  int64_t states = llvm::cast<RankedTensorType>(op.getB().getType()).getDimSize(2) / groups;
  w.constant("heads", heads);
  w.constant("head_dim", headDim);
  w.constant("ns", states);
  w.constant("groups", groups);
  int64_t rows = w.tile(tiles::ssdTiles(), "ROWS");
  int64_t slice = w.tile(tiles::ssdTiles(), "SLICE");
  w.constant("slices", (states + slice - 1) / slice);
  w.tile(tiles::ssdTiles(), "CHUNK");
  w.tile(tiles::ssdTiles(), "THREADS");
  // The discretization that fusion folded in: softplus, then the clamp.
  w.function("float delta(float d)",
             cudaTimeStepBody(op.getDtSoftplus(), op.getDtMinAttr(), op.getDtMaxAttr()));
  ssmrt::CudaKernelDesc launch;
  launch.grid = ssmrt::LaunchGrid::ChannelBlocks;
  // One block per (head, ROWS state rows): ceil(channels / ROWS) blocks.
  launch.channels = heads * ((headDim + rows - 1) / rows) * rows;
  launch.gridParam = "ROWS";
  launch.blockParam = "THREADS";
  return w.finish(launch);
}
