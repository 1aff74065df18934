//===- EmitSSDKernel.cpp - configuring kernels/ssd{,_chunked}.cuh ---------===//
#include "codegen/cuda/CUDAKernelWriter.h"
#include "codegen/cuda/CUDAKernels.h"
#include "codegen/cuda/TileTables.h"

#include "dialect/SSMOps.h"

using namespace mlir;
using namespace mlir::ssm;

bool mlir::ssm::ssdOnTensorCores(SSDScanOp op) { return cudaElementType(op.getX()) != "float"; }

ssmrt::CudaKernelDesc mlir::ssm::emitSSDKernel(SSDScanOp op) {
  bool chunked = ssdOnTensorCores(op);
  CUDAKernelWriter w(op, chunked ? "ssd_chunked.cuh" : "ssd.cuh",
                     chunked ? "ssm_ssd_chunked" : "ssm_ssd_scan");
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
  const tiles::TileTable &table = chunked ? tiles::ssdChunkedTiles() : tiles::ssdTiles();
  const char *rowParam = chunked ? "PTILE" : "ROWS";
  int64_t rows = w.tile(table, rowParam);
  if (!chunked) {
    int64_t slice = w.tile(table, "SLICE");
    w.constant("slices", (states + slice - 1) / slice);
  }
  w.tile(table, "CHUNK");
  w.tile(table, "THREADS");
  // The discretization that fusion folded in: softplus, then the clamp.
  w.function("float delta(float d)",
             cudaTimeStepBody(op.getDtSoftplus(), op.getDtMinAttr(), op.getDtMaxAttr()));
  ssmrt::CudaKernelDesc launch;
  launch.grid = ssmrt::LaunchGrid::ChannelBlocks;
  // One block per (head, ROWS or PTILE state rows).
  launch.channels = heads * ((headDim + rows - 1) / rows) * rows;
  launch.gridParam = rowParam;
  launch.blockParam = "THREADS";
  return w.finish(launch);
}
