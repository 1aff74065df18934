//===- KVCacheStore.cpp - every sequence slot's attention caches ----------===//
#include "runtime/exec/KVCacheStore.h"
#include "runtime/io/HostMemory.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>

using namespace ssmrt;

namespace {
/// The smallest capacity a cache grows to: one realloc covers short prompts.
constexpr int64_t kMinCapacity = 64;
/// Snapshots carry a cache's length as a float, exact up to 2^24 tokens.
constexpr int64_t kMaxSnapshotLength = int64_t(1) << 24;
} // namespace

KVCacheStore::KVCacheStore(const Program &program, int64_t slots) : slots_(slots) {
  for (const StateDesc &state : program.states) {
    names_.push_back(state.name);
    // A KV cache's per-token shape is [2, kv_heads, head_dim].
    width_.push_back(state.kind == StateKind::KVCache ? shapeElements(state.shape) / 2 : 0);
  }
  rows_.resize(program.states.size() * static_cast<size_t>(slots));
}

KVCacheStore::~KVCacheStore() {
  for (KVRows &r : rows_) {
    std::free(r.keys);
    std::free(r.values);
  }
}

Status KVCacheStore::reserve(size_t state, int64_t slot, int64_t tokens) {
  KVRows &r = rows(state, slot);
  if (tokens <= r.capacity)
    return okStatus();
  int64_t rowBytes = 2 * width_[state] * static_cast<int64_t>(sizeof(float));
  int64_t available = availableMemory();
  int64_t capacity = std::max({tokens, 2 * r.capacity, kMinCapacity});
  // Doubling past what the host has: take just what is needed.
  if (available >= 0 && (capacity - r.capacity) * rowBytes > available)
    capacity = tokens;
  if ((available >= 0 && (capacity - r.capacity) * rowBytes > available) ||
      capacity > INT64_MAX / std::max<int64_t>(rowBytes, 1))
    return Status::error("the KV cache of '" + names_[state] + "' (slot " + std::to_string(slot) +
                         ") would need " + formatBytes(tokens * rowBytes) + " for " +
                         std::to_string(tokens) + " tokens, but " + formatBytes(available) +
                         " of memory is available");
  size_t bytes = static_cast<size_t>(capacity * width_[state]) * sizeof(float);
  for (float **p : {&r.keys, &r.values}) {
    void *grown = std::realloc(*p, bytes);
    if (!grown)
      return Status::error("out of memory growing the KV cache of '" + names_[state] + "' to " +
                           std::to_string(capacity) + " tokens");
    *p = static_cast<float *>(grown);
  }
  r.capacity = capacity;
  return okStatus();
}

void KVCacheStore::reset(int64_t slot) {
  for (size_t s = 0; s < width_.size(); ++s)
    rows(s, slot).length = 0;
}

void KVCacheStore::snapshot(size_t state, int64_t slot, std::vector<float> &out) const {
  const KVRows &r = rows_[state * slots_ + slot];
  size_t n = static_cast<size_t>(r.length * width_[state]);
  out.push_back(static_cast<float>(r.length));
  out.insert(out.end(), r.keys, r.keys + n);
  out.insert(out.end(), r.values, r.values + n);
}

Status KVCacheStore::restore(size_t state, int64_t slot, const float *data, size_t size,
                             size_t &used) {
  std::string what = "the snapshot of the KV cache '" + names_[state] + "'";
  if (size < 1)
    return Status::error(what + " is missing");
  float length = data[0];
  if (!(length >= 0 && length < kMaxSnapshotLength && std::floor(length) == length))
    return Status::error(what + " has no valid token count");
  int64_t tokens = static_cast<int64_t>(length);
  size_t n = static_cast<size_t>(tokens * width_[state]);
  if (size - 1 < 2 * n)
    return Status::error(what + " holds fewer floats than its " + std::to_string(tokens) +
                         " tokens need");
  SSMRT_RETURN_IF_ERROR(reserve(state, slot, tokens));
  KVRows &r = rows(state, slot);
  std::memcpy(r.keys, data + 1, n * sizeof(float));
  std::memcpy(r.values, data + 1 + n, n * sizeof(float));
  r.length = tokens;
  used = 1 + 2 * n;
  return okStatus();
}
