//===- WeightStore.h - a program's parameters, as stored and as f32 -*- C++ -*-===//
#ifndef SSMC_RUNTIME_EXEC_WEIGHTSTORE_H
#define SSMC_RUNTIME_EXEC_WEIGHTSTORE_H

#include "runtime/Status.h"
#include "runtime/artifact/Program.h"
#include "runtime/io/Checkpoint.h"

#include <functional>
#include <memory>
#include <mutex>
#include <vector>

namespace ssmrt {

/// The parameters of a Program. Checkpoint tensors stay in the file's
/// memory map in their stored dtype (F32, BF16 or F16): a device that keeps
/// that dtype reads them from there (stored()), and param() gives f32 - the
/// mapped bytes themselves for aligned F32 tensors, otherwise a copy made on
/// first use. The checkpoint must outlive the store.
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

  /// A parameter as stored: |elements| values of |dtype| at |data|
  /// (unaligned for a memory-mapped tensor); data is null for a parameter
  /// |random| left out.
  struct Stored {
    const void *data = nullptr;
    DType dtype = DType::F32;
    int64_t elements = 0;
  };
  const Stored &stored(size_t index) const { return stored_[index]; }

  /// Parameter |index| as |elements| f32 values, row-major; null where
  /// stored() has no data. Thread-safe; a conversion happens once.
  const float *param(size_t index) const;
  /// Parameter |index| as bf16 (the upper halves of f32 values, rounded to
  /// nearest even): the stored bytes of a BF16 tensor at an even address,
  /// otherwise a copy made on first use; null where stored() has no data.
  /// Thread-safe.
  const uint16_t *paramBf16(size_t index) const { return paramHalves(index, DType::BF16); }
  /// The same as IEEE f16: the stored bytes of an F16 tensor, otherwise a
  /// copy rounded to nearest even (values beyond f16's range become
  /// infinities: a model whose weights do not fit f16 should use bf16).
  const uint16_t *paramF16(size_t index) const { return paramHalves(index, DType::F16); }
  /// Parameter |index|, a matrix [rows, cols], as int8 with one f32 scale
  /// per |group| consecutive values of a row (symmetric: scale = max|w| /
  /// 127, q = round(w / scale)); made on first use, kept. Thread-safe.
  struct Int8 {
    const int8_t *q = nullptr;     ///< [rows, cols]
    const float *scales = nullptr; ///< [rows, ceil(cols / group)]
  };
  Int8 paramInt8(size_t index, int64_t cols, int64_t group) const;
  size_t numParams() const { return stored_.size(); }
  /// Bytes of all parameters as f32 (what a CPU decode step reads).
  int64_t totalBytes() const { return bytes_; }
  /// Bytes of the f32 and bf16 copies param() and paramBf16() have made so
  /// far (host memory beyond the memory map).
  int64_t convertedBytes() const;

  /// Fails at the first NaN or infinity of a parameter read from a
  /// checkpoint, naming the file, the tensor and the element. One pass over
  /// the stored bytes; |progress(done, total)| (bytes) after each tensor.
  Status checkFinite(const std::function<void(int64_t, int64_t)> &progress = nullptr) const;

private:
  std::vector<Stored> stored_;
  /// Where each parameter was read from (null for random weights).
  std::vector<const TensorView *> sources_;
  /// f32 values per parameter: owned random values, or copies made by
  /// param(); empty where the stored bytes serve.
  mutable std::vector<std::unique_ptr<float[]>> floats_;
  /// bf16 copies made by paramBf16(), by parameter.
  /// paramBf16 (|dtype| BF16) or paramF16 (F16).
  const uint16_t *paramHalves(size_t index, DType dtype) const;
  mutable std::vector<std::unique_ptr<uint16_t[]>> halves_, f16Halves_;
  /// int8 copies and their scales made by paramInt8(), by parameter.
  mutable std::vector<std::unique_ptr<int8_t[]>> quantized_;
  mutable std::vector<std::unique_ptr<float[]>> scales_;
  mutable std::unique_ptr<std::mutex> mutex_ = std::make_unique<std::mutex>();
  int64_t bytes_ = 0;
};

/// Compares the model's config checks with |config| (config.json): a key
/// the file has must agree; absent keys are not checked. vocab_size may be
/// the unpadded size when pad_vocab_size_multiple rounds it up to the
/// model's. Also rejects a model_type other than the model's.
Status checkConfig(const Program &program, const JsonDocument &config);

} // namespace ssmrt

#endif // SSMC_RUNTIME_EXEC_WEIGHTSTORE_H
