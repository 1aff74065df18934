//===- MemoryEstimate.cpp - host memory a session will allocate -----------===//
#include "runtime/engine/MemoryEstimate.h"

#include <limits>
#include <sstream>

using namespace ssmrt;

namespace {

constexpr int64_t kMax = std::numeric_limits<int64_t>::max();

/// a + b and a * b, saturating at kMax (sizes are non-negative).
int64_t add(int64_t a, int64_t b) { return a > kMax - b ? kMax : a + b; }
int64_t mul(int64_t a, int64_t b) { return a != 0 && b > kMax / a ? kMax : a * b; }

int64_t elements(const std::vector<int64_t> &shape) {
  int64_t n = 1;
  for (int64_t d : shape)
    n = mul(n, d < 0 ? 1 : d);
  return n;
}

int64_t bufferBytes(const Function &f, int64_t rows) {
  int64_t bytes = 0;
  for (const BufferDesc &b : f.buffers)
    bytes = add(bytes, mul(mul(b.width, rows), 4));
  return bytes;
}

} // namespace

MemoryEstimate ssmrt::estimateHostMemory(const Program &program, const Checkpoint *checkpoint,
                                         bool onCpu, int64_t slots, int64_t maxTokens) {
  MemoryEstimate e;
  for (const ParamDesc &p : program.params) {
    bool converted = !checkpoint;
    if (checkpoint && onCpu)
      for (const std::string &name : p.names)
        if (const TensorView *t = checkpoint->find(name)) {
          converted = t->dtype != DType::F32;
          break;
        }
    if (converted)
      e.weights = add(e.weights, mul(elements(p.shape), 4));
  }
  if (!onCpu)
    return e;
  e.activations = add(bufferBytes(program.forward, maxTokens), bufferBytes(program.decode, slots));
  for (const StateDesc &s : program.states)
    e.states = add(e.states, mul(mul(elements(s.shape), slots), 2 * 4));
  return e;
}

Status ssmrt::checkMemory(const MemoryEstimate &estimate) {
  int64_t available = availableMemory();
  if (available < 0 || estimate.total() <= available)
    return okStatus();
  std::string parts = "weights " + formatBytes(estimate.weights);
  if (estimate.activations)
    parts += ", activations " + formatBytes(estimate.activations);
  if (estimate.states)
    parts += ", states " + formatBytes(estimate.states);
  // Fewer sequences or shorter prefill chunks help only when the weights fit.
  std::string advice = estimate.weights < available
                           ? "; fewer sequences at once, or shorter prompts, need less"
                           : "";
  return Status::error("not enough memory: this needs about " + formatBytes(estimate.total()) +
                       " (" + parts + ") but " + formatBytes(available) + " is available, " +
                       formatBytes(estimate.total() - available) + " short" + advice);
}
