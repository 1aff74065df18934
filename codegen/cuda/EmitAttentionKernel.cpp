//===- EmitAttentionKernel.cpp - configuring kernels/attention.cuh --------===//
#include "codegen/cuda/CUDAKernelWriter.h"
#include "codegen/cuda/CUDAKernels.h"
#include "codegen/cuda/TileTables.h"

#include "dialect/SSMOps.h"

#include <cmath>

using namespace mlir;
using namespace mlir::ssm;

bool mlir::ssm::attentionFitsTensorCores(AttentionOp op) {
  return cudaElementType(op.getQ()) != "float" && op.getHeadDim() % 16 == 0 &&
         op.getHeadDim() <= 128;
}

ssmrt::CudaKernelDesc mlir::ssm::emitAttentionKernel(AttentionOp op) {
  const tiles::TileTable &table = tiles::attentionTiles();
  DictionaryAttr chosen = ssmDialect(op).getCudaTilesAttrHelper().getAttr(op);
  auto qtokAttr = chosen ? chosen.getAs<IntegerAttr>("QTOK") : IntegerAttr();
  bool mma =
      attentionFitsTensorCores(op) && qtokAttr && qtokAttr.getInt() == tiles::kAttentionMmaQueries;
  CUDAKernelWriter w(op, "attention.cuh", mma ? "ssm_attention_mma" : "ssm_attention_rows");
  std::string T = cudaElementType(op.getQ());
  int64_t heads = op.getHeads(), kvHeads = op.getKvHeads(), headDim = op.getHeadDim();
  w.alias("T", T);
  w.constant("heads", heads);
  w.constant("kv_heads", kvHeads);
  w.constant("head_dim", headDim);
  w.flag("causal", op.getCausal());
  FloatAttr scale = op.getScaleAttr();
  w.constant("scale", scale ? scale.getValueAsDouble() : 1.0 / std::sqrt(double(headDim)));
  w.tile(table, "THREADS");
  w.tile(table, "QTOK");
  int64_t splits = mma ? 1 : w.tile(table, "SPLITS");
  // The attention ABI (docs/artifact.md): the q, k, v activations, the
  // runtime's per-sequence tables of cache pointers and cached token
  // counts, the lengths, the output; then workspace, batch, seq.
  w.entry({"const " + T + " *__restrict__ q, long long q_ld",
           "const " + T + " *__restrict__ k, long long k_ld",
           "const " + T + " *__restrict__ v, long long v_ld", T + " *const *keys",
           T + " *const *values", "const int *__restrict__ cached", "const int *__restrict__ lens",
           T + " *__restrict__ result, long long result_ld"},
          {"q, q_ld, k, k_ld, v, v_ld, keys, values, cached, lens, result, result_ld" +
           std::string(!mma && splits == 1 ? ", nullptr" : "")});
  if (splits > 1) // the slices' partial results
    w.workspace();
  w.minBlocksPerMultiprocessor(1);
  ssmrt::CudaKernelDesc launch;
  launch.grid = ssmrt::LaunchGrid::Attention;
  launch.channels = mma ? heads : kvHeads;
  launch.timeParam = "QTOK";
  launch.blockParam = "THREADS";
  if (splits > 1)
    launch.workspace = tiles::attentionWorkspace(heads, kvHeads, headDim, splits);
  return w.finish(launch);
}
