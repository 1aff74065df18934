//===- EmitStepKernel.cpp - configuring kernels/step.cuh ------------------===//
#include "codegen/cuda/CUDAKernels.h"

using namespace mlir;
using namespace mlir::ssm;

ssmrt::CudaKernelDesc mlir::ssm::emitStepKernel(MambaStepOp op) {
  CUDAKernelWriter w(op, "step.cuh", "ssm_mamba_step");
  w.params({{"x", "x"},
            {"z", "z"},
            {"conv_weight", "conv_weight"},
            {"conv_state", "conv_state"},
            {"x_proj", "x_proj"},
            {"delta_proj", "delta_proj"},
            {"delta_bias", "delta_bias"},
            {"A", "A"},
            {"ssm_state", "ssm_state"},
            {"conv_bias", "conv_bias"},
            {"D", "D"},
            {"out", "result"},
            {"conv_state_out", "conv_state_out"},
            {"ssm_state_out", "ssm_state_out"}});
  w.workspace();
  auto aType = llvm::cast<RankedTensorType>(op.getA().getType());
  int64_t width = aType.getDimSize(0), states = aType.getDimSize(1);
  int64_t taps = llvm::cast<RankedTensorType>(op.getConvWeight().getType()).getShape().back();
  int64_t rank = llvm::cast<RankedTensorType>(op.getDeltaProj().getType()).getDimSize(1);
  int64_t rows = rank + 2 * states;
  w.constant("width", width);
  w.constant("k", taps);
  w.constant("ns", states);
  w.constant("rank", rank);
  w.constant("rows", rows);
  w.tile(tiles::stepTiles(), "THREADS");
  int64_t segments = w.tile(tiles::stepTiles(), "SEGMENTS");
  ssmrt::CudaKernelDesc launch;
  launch.grid = ssmrt::LaunchGrid::Persistent;
  launch.channels = std::max(width, rows * segments);
  launch.blockParam = "THREADS";
  launch.cooperative = true;
  launch.workspace = tiles::stepWorkspace(width, rows);
  return w.finish(launch);
}
