//===- WeightStore.h - a program's parameters as float arrays ---*- C++ -*-===//
#ifndef SSMC_RUNTIME_ENGINE_WEIGHTSTORE_H
#define SSMC_RUNTIME_ENGINE_WEIGHTSTORE_H

#include "runtime/Status.h"
#include "runtime/artifact/Program.h"
#include "runtime/io/Checkpoint.h"

#include <functional>
#include <memory>
#include <vector>

namespace ssmrt {

/// Parameter i of a Program as |numElements| floats, row-major. F32 tensors
/// that are 4-byte aligned in the checkpoint's memory map are used in place;
/// BF16/F16 (and unaligned) ones are converted once. The checkpoint must
/// outlive the store.
class WeightStore {
public:
  /// Binds every parameter to the first of its names present in
  /// |checkpoint|; a missing tensor, another shape, or a dtype that is not
  /// F32/BF16/F16 is an error naming the file and the tensor.
  static StatusOr<WeightStore> fromCheckpoint(const Program &program, const Checkpoint &checkpoint);
  /// Deterministic random weights with the usual initialization of each
  /// kind of parameter (A_log = log(1..N), D = 1, norm weights 1, dt biases
  /// from softplus⁻¹ of dt in [1e-3, 0.1], projections uniform ±1/√fan_in):
  /// a numerically sane model for benchmarks and tests.
  /// With |wanted|, only the parameters it accepts get values (the others
  /// are null), for benchmarks of single kernels of large models.
  static WeightStore random(const Program &program, uint64_t seed,
                            const std::function<bool(size_t)> &wanted = nullptr);

  const float *param(size_t index) const { return params_[index]; }
  size_t numParams() const { return params_.size(); }
  /// Bytes of all parameters as floats (what a decode step reads).
  int64_t totalBytes() const { return bytes_; }

private:
  std::vector<const float *> params_;
  std::vector<std::unique_ptr<float[]>> owned_;
  int64_t bytes_ = 0;
};

/// Compares the model's config checks with |config| (config.json): a key
/// the file has must agree; absent keys are not checked. vocab_size may be
/// the unpadded size when pad_vocab_size_multiple rounds it up to the
/// model's. Also rejects a model_type other than the model's.
Status checkConfig(const Program &program, const JsonDocument &config);

} // namespace ssmrt

#endif // SSMC_RUNTIME_ENGINE_WEIGHTSTORE_H
