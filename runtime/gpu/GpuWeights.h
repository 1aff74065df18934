//===- GpuWeights.h - parameters in device memory ---------------*- C++ -*-===//
//
// Uploads every parameter the CUDA functions read, once, in the dtype the
// compiler gave it: straight from the checkpoint's memory map when it is
// stored in that dtype, else converted on the host one tensor at a time
// (round to nearest even), never through an f32 copy of the model; and the
// weight-only (`once`) values of each function, evaluated on the host in
// float64 and uploaded likewise.
//
//===----------------------------------------------------------------------===//
#ifndef SSMC_RUNTIME_GPU_GPUWEIGHTS_H
#define SSMC_RUNTIME_GPU_GPUWEIGHTS_H

#include "runtime/exec/WeightStore.h"
#include "runtime/gpu/GpuDevice.h"

#include <map>
#include <utility>

namespace ssmrt::gpu {

/// The checkpoint dtype of a float value type (F32, BF16, F16).
DType storageType(ValueType type);
/// |v| rounded to |type| (round to nearest even) and back.
float roundTo(ValueType type, float v);
/// Element |i| of |data| stored as |type|, as a float.
float loadAsFloat(const void *data, size_t i, ValueType type);
/// |n| floats converted to |type| into |out| (n * valueTypeBytes(type) bytes).
void convertFloats(const float *in, size_t n, ValueType type, void *out);

class GpuWeights {
public:
  /// Uploads what |functions| (of |program|) read from |weights|.
  static StatusOr<std::unique_ptr<GpuWeights>>
  upload(const Program &program, const std::vector<const Function *> &functions,
         const WeightStore &weights, GpuDevice &device);
  ~GpuWeights();

  /// The device copy of value |id| of |function|: a parameter or a
  /// weight-only result; 0 if there is none.
  DevicePtr valuePointer(const Function &function, int32_t id) const;
  /// Bytes in device memory.
  int64_t bytes() const { return bytes_; }

private:
  explicit GpuWeights(GpuDevice &device) : device_(device) {}
  /// |n| values of |from| at |data| on the device as |type|.
  StatusOr<DevicePtr> put(const void *data, DType from, size_t n, ValueType type,
                          const std::string &what);

  GpuDevice &device_;
  std::map<std::pair<int32_t, ValueType>, DevicePtr> params_;
  std::map<std::pair<const Function *, int32_t>, DevicePtr> once_;
  std::vector<DevicePtr> owned_;
  int64_t bytes_ = 0;
};

} // namespace ssmrt::gpu

#endif // SSMC_RUNTIME_GPU_GPUWEIGHTS_H
