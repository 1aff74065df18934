//===- StateStore.cpp - every sequence slot's recurrent state -------------===//
#include "runtime/exec/StateStore.h"

#include <cstdlib>
#include <cstring>

using namespace ssmrt;

StatusOr<std::unique_ptr<StateStore>> StateStore::create(const Program &program, int64_t slots,
                                                         std::unique_ptr<StateMemory> memory,
                                                         ValueType kvElement) {
  std::unique_ptr<StateStore> store(new StateStore(std::move(memory)));
  store->kv_ = std::make_unique<KVCacheStore>(program, slots, *store->memory_, kvElement);
  int64_t largest = 0;
  for (const StateDesc &state : program.states) {
    if (state.kind == StateKind::KVCache) {
      store->sizes_.push_back(0);
      store->states_.push_back(0);
      store->scratch_.push_back(0);
      continue;
    }
    int64_t size = shapeElements(state.shape);
    size_t bytes = static_cast<size_t>(size * slots) * sizeof(float);
    largest = std::max(largest, size);
    store->sizes_.push_back(size);
    for (auto *list : {&store->states_, &store->scratch_}) {
      StatusOr<uint64_t> p = store->memory_->allocate(bytes, "state '" + state.name + "'");
      if (!p.ok())
        return p.status();
      list->push_back(*p);
    }
  }
  store->zeros_.assign(largest, 0.0f);
  return store;
}

StateStore::~StateStore() {
  for (const auto *list : {&states_, &scratch_})
    for (uint64_t p : *list)
      if (p)
        memory_->release(p);
}

bool StateStore::consecutive(const std::vector<int64_t> &slots) {
  for (size_t i = 1; i < slots.size(); ++i)
    if (slots[i] != slots[0] + static_cast<int64_t>(i))
      return false;
  return true;
}

Status StateStore::gather(const Function &function, const std::vector<int64_t> &slots,
                          std::vector<uint64_t> &addresses) {
  addresses.clear();
  bool inPlace = consecutive(slots);
  for (size_t i = 2; i < function.inputs.size(); ++i) {
    size_t state = static_cast<size_t>(function.values[function.inputs[i]].index);
    if (inPlace || !sizes_[state]) {
      addresses.push_back(slotAddress(state, slots[0]));
      continue;
    }
    size_t bytes = static_cast<size_t>(sizes_[state]) * sizeof(float);
    for (size_t b = 0; b < slots.size(); ++b)
      SSMRT_RETURN_IF_ERROR(
          memory_->copy(scratch_[state] + b * bytes, slotAddress(state, slots[b]), bytes));
    addresses.push_back(scratch_[state]);
  }
  return okStatus();
}

Status StateStore::scatter(const Function &function, const std::vector<int64_t> &slots) {
  if (consecutive(slots))
    return okStatus();
  for (size_t i = 2; i < function.inputs.size(); ++i) {
    size_t state = static_cast<size_t>(function.values[function.inputs[i]].index);
    size_t bytes = static_cast<size_t>(sizes_[state]) * sizeof(float);
    for (size_t b = 0; bytes && b < slots.size(); ++b)
      SSMRT_RETURN_IF_ERROR(
          memory_->copy(slotAddress(state, slots[b]), scratch_[state] + b * bytes, bytes));
  }
  return okStatus();
}

Status StateStore::reset(int64_t slot) {
  kv_->reset(slot);
  for (size_t s = 0; s < states_.size(); ++s)
    if (sizes_[s])
      SSMRT_RETURN_IF_ERROR(
          memory_->upload(slotAddress(s, slot), zeros_.data(), sizes_[s] * sizeof(float)));
  return okStatus();
}

StatusOr<std::vector<float>> StateStore::snapshot(int64_t slot) {
  std::vector<float> out;
  for (size_t s = 0; s < states_.size(); ++s) {
    if (kv_->width(s)) {
      SSMRT_RETURN_IF_ERROR(kv_->snapshot(s, slot, out));
      continue;
    }
    size_t offset = out.size();
    out.resize(offset + sizes_[s]);
    SSMRT_RETURN_IF_ERROR(
        memory_->download(out.data() + offset, slotAddress(s, slot), sizes_[s] * sizeof(float)));
  }
  return out;
}

Status StateStore::restore(int64_t slot, const std::vector<float> &state) {
  // Whether it fits, before anything is written: a KV cache's size follows
  // from the token count it starts with.
  size_t offset = 0;
  for (size_t s = 0; s < states_.size() && offset <= state.size(); ++s) {
    if (kv_->width(s) && offset < state.size() && state[offset] >= 0 && state[offset] < 1e12)
      offset += 1 + 2 * static_cast<size_t>(state[offset]) * kv_->width(s);
    else
      offset += kv_->width(s) ? state.size() + 1 : static_cast<size_t>(sizes_[s]);
  }
  if (offset != state.size())
    return Status::error("a state snapshot of " + std::to_string(state.size()) +
                         " floats does not fit this model");
  offset = 0;
  for (size_t s = 0; s < states_.size(); ++s) {
    size_t used = static_cast<size_t>(sizes_[s]);
    if (kv_->width(s))
      SSMRT_RETURN_IF_ERROR(
          kv_->restore(s, slot, state.data() + offset, state.size() - offset, used));
    else
      SSMRT_RETURN_IF_ERROR(
          memory_->upload(slotAddress(s, slot), state.data() + offset, used * sizeof(float)));
    offset += used;
  }
  return okStatus();
}
