//===- KVCacheStore.cpp - every sequence slot's attention caches ----------===//
#include "runtime/exec/KVCacheStore.h"
#include "runtime/io/HalfFloat.h"
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

KVCacheStore::KVCacheStore(const Program &program, int64_t slots, StateMemory &memory,
                           ValueType element)
    : memory_(memory), element_(element), elementBytes_(valueTypeBytes(element)), slots_(slots) {
  for (const StateDesc &state : program.states) {
    names_.push_back(state.name);
    // A KV cache's per-token shape is [2, kv_heads, head_dim].
    width_.push_back(state.kind == StateKind::KVCache ? shapeElements(state.shape) / 2 : 0);
  }
  rows_.resize(program.states.size() * static_cast<size_t>(slots));
}

KVCacheStore::~KVCacheStore() {
  for (KVRows &r : rows_)
    for (uint64_t p : {r.keys, r.values})
      if (p)
        memory_.release(p);
}

Status KVCacheStore::reserve(size_t state, int64_t slot, int64_t tokens) {
  KVRows &r = rows(state, slot);
  if (tokens <= r.capacity)
    return okStatus();
  int64_t rowBytes = 2 * width_[state] * static_cast<int64_t>(elementBytes_);
  int64_t available = memory_.available();
  int64_t capacity = std::max({tokens, 2 * r.capacity, kMinCapacity});
  // Doubling past what there is: take just what is needed. The old arrays
  // are freed only after the copy, so they count too.
  auto fits = [&](int64_t c) { return available < 0 || c * rowBytes <= available; };
  if (!fits(capacity))
    capacity = tokens;
  std::string what = "the KV cache of '" + names_[state] + "' (slot " + std::to_string(slot) + ")";
  if (!fits(capacity) || capacity > INT64_MAX / std::max<int64_t>(rowBytes, 1))
    return Status::error(what + " would need " + formatBytes(tokens * rowBytes) + " for " +
                         std::to_string(tokens) + " tokens, but " + formatBytes(available) +
                         " of memory is available");
  size_t bytes = static_cast<size_t>(capacity * width_[state]) * elementBytes_;
  size_t kept = static_cast<size_t>(r.length * width_[state]) * elementBytes_;
  uint64_t grown[2] = {0, 0};
  for (int i = 0; i < 2; ++i) {
    StatusOr<uint64_t> p =
        memory_.allocate(bytes, what + " at " + std::to_string(capacity) + " tokens");
    if (!p.ok()) {
      if (grown[0])
        memory_.release(grown[0]);
      return p.status();
    }
    grown[i] = *p;
  }
  uint64_t *arrays[2] = {&r.keys, &r.values};
  for (int i = 0; i < 2; ++i) {
    if (*arrays[i]) {
      Status copied = kept ? memory_.copy(grown[i], *arrays[i], kept) : okStatus();
      memory_.release(*arrays[i]);
      if (!copied.ok())
        return copied;
    }
    *arrays[i] = grown[i];
  }
  r.capacity = capacity;
  return okStatus();
}

void KVCacheStore::reset(int64_t slot) {
  for (size_t s = 0; s < width_.size(); ++s)
    rows(s, slot).length = 0;
}

Status KVCacheStore::download(uint64_t address, size_t n, std::vector<float> &out) const {
  size_t offset = out.size();
  if (element_ == ValueType::F32) {
    out.resize(offset + n);
    return n ? memory_.download(out.data() + offset, address, n * sizeof(float)) : okStatus();
  }
  std::vector<uint16_t> bits(n);
  if (n)
    SSMRT_RETURN_IF_ERROR(memory_.download(bits.data(), address, n * 2));
  for (uint16_t b : bits)
    out.push_back(element_ == ValueType::BF16 ? bf16ToFloat(b) : halfToFloat(b));
  return okStatus();
}

Status KVCacheStore::upload(uint64_t address, const float *data, size_t n) {
  if (!n)
    return okStatus();
  if (element_ == ValueType::F32)
    return memory_.upload(address, data, n * sizeof(float));
  std::vector<uint16_t> bits(n);
  for (size_t i = 0; i < n; ++i)
    bits[i] = element_ == ValueType::BF16 ? floatToBf16(data[i]) : floatToHalf(data[i]);
  return memory_.upload(address, bits.data(), n * 2);
}

Status KVCacheStore::snapshot(size_t state, int64_t slot, std::vector<float> &out) const {
  const KVRows &r = rows_[state * slots_ + slot];
  size_t n = static_cast<size_t>(r.length * width_[state]);
  out.push_back(static_cast<float>(r.length));
  SSMRT_RETURN_IF_ERROR(download(r.keys, n, out));
  return download(r.values, n, out);
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
  SSMRT_RETURN_IF_ERROR(upload(r.keys, data + 1, n));
  SSMRT_RETURN_IF_ERROR(upload(r.values, data + 1 + n, n));
  r.length = tokens;
  used = 1 + 2 * n;
  return okStatus();
}
