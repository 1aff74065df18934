//===- EmitStepKernel.cpp - configuring kernels/step.cuh ------------------===//
#include "codegen/cuda/CUDAKernels.h"

#include <algorithm>

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

ssmrt::CudaKernelDesc mlir::ssm::emitMamba2StepKernel(Mamba2StepOp op) {
  CUDAKernelWriter w(op, "step.cuh", "ssm_mamba2_step");
  w.params({{"xbc", "xbc"},
            {"dt", "dt"},
            {"z", "z"},
            {"conv_weight", "conv_weight"},
            {"conv_state", "conv_state"},
            {"A", "A"},
            {"ssm_state", "ssm_state"},
            {"norm_weight", "norm_weight"},
            {"conv_bias", "conv_bias"},
            {"D", "D"},
            {"dt_bias", "dt_bias"},
            {"out", "result"},
            {"conv_state_out", "conv_state_out"},
            {"ssm_state_out", "ssm_state_out"}});
  w.workspace();
  auto shape = [](Value v) { return llvm::cast<RankedTensorType>(v.getType()).getShape(); };
  int64_t conv = shape(op.getConvWeight())[0], taps = shape(op.getConvWeight())[2];
  int64_t heads = op.getHeads(), headDim = op.getHeadDim(), inner = heads * headDim;
  w.constant("conv", conv);
  w.constant("k", taps);
  w.constant("heads", heads);
  w.constant("head_dim", headDim);
  w.constant("ns", shape(op.getSsmState())[3]);
  w.constant("groups", static_cast<int64_t>(op.getGroups()));
  w.constant("group", static_cast<int64_t>(op.getGroupSize()));
  w.constant("eps", op.getEps().convertToDouble());
  w.tile(tiles::stepTiles(), "THREADS");
  w.tile(tiles::stepTiles(), "SEGMENTS");
  // The discretization the ssd_scan carried: softplus, then the clamp.
  w.function("float delta(float d)",
             cudaTimeStepBody(op.getDtSoftplus(), op.getDtMinAttr(), op.getDtMaxAttr()));
  ssmrt::CudaKernelDesc launch;
  launch.grid = ssmrt::LaunchGrid::Persistent;
  launch.channels = std::max(conv, inner);
  launch.blockParam = "THREADS";
  launch.cooperative = true;
  // xc, y and the norm's partial sums per batch row, sized for every
  // SEGMENTS a tuner may choose (the runtime adds the barrier's 64 words).
  const std::vector<int64_t> &segments = tiles::stepTiles().find("SEGMENTS")->choices;
  launch.workspace = conv + inner +
                     static_cast<int64_t>(inner / op.getGroupSize()) *
                         *std::max_element(segments.begin(), segments.end());
  return w.finish(launch);
}
