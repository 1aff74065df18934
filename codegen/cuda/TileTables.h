//===- TileTables.h - the tile parameters of each CUDA kernel family -*- C++ -*-===//
//
// One table per kernel family (kernels/*.cuh): its tile parameters, their
// defaults, the values a tuner may try, and the family's validity rules.
// ssm-choose-cuda-tiles starts from the defaults and adapts them to the
// op's shapes; the emitters read the chosen values from `ssm.cuda_tiles`
// (the defaults where an op has none) and record the choices in the
// artifact. Nothing else names a tile parameter's default.
//
//===----------------------------------------------------------------------===//
#ifndef SSMC_CODEGEN_CUDA_TILETABLES_H
#define SSMC_CODEGEN_CUDA_TILETABLES_H

#include <cstdint>
#include <string_view>
#include <vector>

namespace mlir::ssm::tiles {

/// The static shared memory a block may use on every supported GPU (48 KiB):
/// what the tiles are chosen within.
constexpr int64_t kStaticSharedMemory = 48 * 1024;

struct TileParamSpec {
  const char *name;
  int64_t dflt;
  std::vector<int64_t> choices;
};

struct TileTable {
  std::vector<TileParamSpec> params;
  const TileParamSpec *find(std::string_view name) const;
};

/// rows.cuh: one block of THREADS threads per token row (embedding, norms,
/// elementwise ops).
const TileTable &rowTiles();

/// conv.cuh: CHANNELS threads per block, one channel each, over TIME steps.
/// Valid when TIME >= K - 1 (a time block covers the conv history).
const TileTable &convTiles();

/// scan.cuh: THREADS = CHANNELS x GROUPS threads; each thread ITEMS
/// consecutive steps; STATE_TILE states at a time, dividing d_state.
const TileTable &scanTiles();
/// Static shared memory of the scan kernel, in bytes, for |states| (d_state)
/// and |rank| (the folded dt_proj's rank, or 0).
int64_t scanSharedBytes(int64_t channels, int64_t groups, int64_t items, int64_t stateTile,
                        int64_t states, int64_t rank);

/// ssd.cuh: THREADS = ROWS x ceil(d_state / SLICE) threads, ROWS state
/// rows of one head per block, SLICE state columns per thread; CHUNK steps
/// staged at a time.
const TileTable &ssdTiles();
/// Static shared memory of the SSD kernel, in bytes.
int64_t ssdSharedBytes(int64_t rows, int64_t slice, int64_t chunk, int64_t states);

/// ssd_chunked.cuh (16-bit inputs, tensor cores): THREADS threads per
/// block, PTILE state rows of one head, CHUNK steps per chunk; PTILE and
/// CHUNK are multiples of 16, THREADS of 32.
const TileTable &ssdChunkedTiles();
/// Static shared memory of the chunked SSD kernel, in bytes.
int64_t ssdChunkedSharedBytes(int64_t ptile, int64_t chunk, int64_t states);

/// step.cuh: a persistent cooperative grid of THREADS-thread blocks;
/// x_proj's rows split into SEGMENTS partial sums.
const TileTable &stepTiles();
/// Workspace floats per batch row of the decode step, sized for every
/// SEGMENTS value a tuner may choose.
int64_t stepWorkspace(int64_t width, int64_t rows);

/// kernels/attention.cuh: THREADS, QTOK (query tokens per block; the
/// tensor-core kernel's is kAttentionMmaQueries) and SPLITS (the most key
/// slices a decode step spreads a cache over).
const TileTable &attentionTiles();
constexpr int64_t kAttentionMmaQueries = 64;
int64_t attentionMmaSharedBytes(int64_t headDim);
int64_t attentionRowsSharedBytes(int64_t rows, int64_t headDim, int64_t threads);
/// Floats per sequence: a counter per KV head, then (head_dim + 2) per
/// (query head, split) (one query token: decode).
int64_t attentionWorkspace(int64_t heads, int64_t kvHeads, int64_t headDim, int64_t splits);

/// kernels/moe.cuh: THREADS (a warp per token row, or per row of an
/// expert matrix).
const TileTable &moeTiles();

} // namespace mlir::ssm::tiles

#endif // SSMC_CODEGEN_CUDA_TILETABLES_H
