//===- TileTables.cpp - the tile parameters of each CUDA kernel family ----===//
#include "codegen/cuda/TileTables.h"

#include <algorithm>

using namespace mlir::ssm::tiles;

const TileParamSpec *TileTable::find(std::string_view name) const {
  for (const TileParamSpec &p : params)
    if (name == p.name)
      return &p;
  return nullptr;
}

const TileTable &mlir::ssm::tiles::rowTiles() {
  static const TileTable table = {{{"THREADS", 256, {64, 128, 256, 512, 1024}}}};
  return table;
}

const TileTable &mlir::ssm::tiles::convTiles() {
  static const TileTable table = {{
      {"CHANNELS", 128, {32, 64, 128, 256, 512}},
      {"TIME", 64, {16, 32, 64, 128, 256}},
  }};
  return table;
}

const TileTable &mlir::ssm::tiles::scanTiles() {
  static const TileTable table = {{
      {"CHANNELS", 32, {8, 16, 32, 64}},
      {"GROUPS", 2, {1, 2, 4, 8, 16}},
      {"ITEMS", 8, {1, 2, 4, 8, 16, 32}},
      {"STATE_TILE", 4, {1, 2, 4, 8}},
      {"THREADS", 64, {32, 64, 128, 256, 512, 1024}},
  }};
  return table;
}

int64_t mlir::ssm::tiles::scanSharedBytes(int64_t channels, int64_t groups, int64_t items,
                                          int64_t stateTile, int64_t states, int64_t rank) {
  // sB, sC [CHUNK][NS]; sH, sA [NS][CHANNELS]; sP, sS [2][STATE_TILE][GROUPS]
  // [CHANNELS]; sDt [CHUNK][RANK] (kernels/scan.cuh).
  int64_t chunk = groups * items;
  return 4 * (2 * chunk * states + 2 * states * channels + 2 * 2 * stateTile * groups * channels +
              chunk * rank);
}

const TileTable &mlir::ssm::tiles::ssdTiles() {
  static const TileTable table = {{
      {"ROWS", 32, {8, 16, 32, 64}},
      {"SLICE", 16, {4, 8, 16, 32}},
      {"CHUNK", 8, {4, 8, 16}},
      {"THREADS", 256, {32, 64, 128, 256, 512, 1024}},
  }};
  return table;
}

int64_t mlir::ssm::tiles::ssdSharedBytes(int64_t rows, int64_t slice, int64_t chunk,
                                         int64_t states) {
  // sB, sC [CHUNK][NS]; sDt, sDecay [CHUNK]; sPart [CHUNK][ROWS][SLICES]
  // (kernels/ssd.cuh).
  int64_t slices = (states + slice - 1) / slice;
  return 4 * (2 * chunk * states + 2 * chunk + chunk * rows * slices);
}

const TileTable &mlir::ssm::tiles::ssdChunkedTiles() {
  static const TileTable table = {{
      {"PTILE", 32, {16, 32, 64}},
      {"CHUNK", 32, {16, 32, 64}},
      {"THREADS", 128, {64, 128, 256}},
  }};
  return table;
}

int64_t mlir::ssm::tiles::ssdChunkedSharedBytes(int64_t ptile, int64_t chunk, int64_t states) {
  // 16-bit sC, sB [CHUNK][NP]; sX, sXw [CHUNK][PTILE]; sM [CHUNK][CHUNK];
  // sS [PTILE][NP]; f32 sDt, sCum [CHUNK] (kernels/ssd_chunked.cuh).
  int64_t np = (states + 15) / 16 * 16;
  return 2 * (2 * chunk * np + 2 * chunk * ptile + chunk * chunk + ptile * np) + 8 * chunk;
}

const TileTable &mlir::ssm::tiles::stepTiles() {
  static const TileTable table = {{
      {"THREADS", 64, {64, 128, 256, 512, 1024}},
      {"SEGMENTS", 64, {8, 16, 32, 64, 128}},
  }};
  return table;
}

int64_t mlir::ssm::tiles::stepWorkspace(int64_t width, int64_t rows) {
  // xc [WIDTH], partial products [ROWS][SEGMENTS], dt/B/C [ROWS].
  const std::vector<int64_t> &segments = stepTiles().find("SEGMENTS")->choices;
  return width + rows * *std::max_element(segments.begin(), segments.end()) + rows;
}

const TileTable &mlir::ssm::tiles::attentionTiles() {
  static const TileTable table = {{
      {"THREADS", 128, {32, 64, 128}},
      {"QTOK", 16, {1, 2, 4, 8, 16, kAttentionMmaQueries}},
      {"SPLITS", 16, {1, 4, 16, 32}},
  }};
  return table;
}

int64_t mlir::ssm::tiles::attentionMmaSharedBytes(int64_t headDim) {
  // 16-bit sK, sV [64][D + 8], sP [4 warps][16][64 + 8].
  return 2 * (2 * 64 * (headDim + 8) + 4 * 16 * 72);
}

int64_t mlir::ssm::tiles::attentionRowsSharedBytes(int64_t rows, int64_t headDim, int64_t threads) {
  // f32 sQ [ROWS][D], sK [32][D + 1], sS and sP [WARPS][rows per warp][32].
  int64_t warps = threads / 32, perWarp = (rows + warps - 1) / warps;
  return 4 * (rows * headDim + 32 * (headDim + 1) + 2 * warps * perWarp * 32) + 4;
}

int64_t mlir::ssm::tiles::attentionWorkspace(int64_t heads, int64_t kvHeads, int64_t headDim,
                                             int64_t splits) {
  return kvHeads + heads * splits * (headDim + 2);
}

const TileTable &mlir::ssm::tiles::moeTiles() {
  static const TileTable table = {{
      {"THREADS", 256, {128, 256, 512}},
  }};
  return table;
}
