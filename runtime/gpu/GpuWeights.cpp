//===- GpuWeights.cpp - parameters in device memory -----------------------===//
#include "runtime/gpu/GpuWeights.h"
#include "runtime/io/TensorView.h"
#include "runtime/reference/OnceValues.h"

#include <cstring>

using namespace ssmrt;
using namespace ssmrt::gpu;

DType gpu::storageType(ValueType type) {
  return type == ValueType::BF16 ? DType::BF16 : type == ValueType::F16 ? DType::F16 : DType::F32;
}

float gpu::roundTo(ValueType type, float v) {
  uint8_t stored[4];
  convertElements(&v, DType::F32, stored, storageType(type), 1);
  convertElements(stored, storageType(type), &v, DType::F32, 1);
  return v;
}

float gpu::loadAsFloat(const void *data, size_t i, ValueType type) {
  float v;
  convertElements(static_cast<const uint8_t *>(data) + i * valueTypeBytes(type), storageType(type),
                  &v, DType::F32, 1);
  return v;
}

void gpu::convertFloats(const float *in, size_t n, ValueType type, void *out) {
  convertElements(in, DType::F32, out, storageType(type), n);
}

StatusOr<DevicePtr> GpuWeights::put(const void *data, DType from, size_t n, ValueType type,
                                    const std::string &what) {
  size_t bytes = n * valueTypeBytes(type);
  StatusOr<DevicePtr> p = device_.allocate(bytes, what);
  if (!p.ok())
    return p.status();
  owned_.push_back(*p);
  if (from == storageType(type)) {
    SSMRT_RETURN_IF_ERROR(device_.upload(*p, data, bytes));
  } else {
    std::vector<uint8_t> converted(bytes);
    convertElements(data, from, converted.data(), storageType(type), n);
    SSMRT_RETURN_IF_ERROR(device_.upload(*p, converted.data(), bytes));
  }
  bytes_ += static_cast<int64_t>(bytes);
  return *p;
}

StatusOr<std::unique_ptr<GpuWeights>>
GpuWeights::upload(const Program &program, const std::vector<const Function *> &functions,
                   const WeightStore &weights, GpuDevice &device) {
  std::unique_ptr<GpuWeights> w(new GpuWeights(device));
  for (const Function *f : functions) {
    for (const ValueDesc &v : f->values) {
      if (v.kind != ValueKind::Param || w->params_.count({v.index, v.dtype}))
        continue;
      const ParamDesc &param = program.params[v.index];
      const WeightStore::Stored &stored = weights.stored(v.index);
      if (!stored.data)
        continue; // not loaded (a benchmark of single kernels)
      auto p = w->put(stored.data, stored.dtype, shapeElements(param.shape), v.dtype,
                      "parameter '" + param.names[0] + "'");
      if (!p.ok())
        return p.status();
      w->params_[{v.index, v.dtype}] = *p;
    }
    auto once = evaluateOnceValues(*f, [&](int32_t i) { return weights.param(i); });
    if (!once.ok())
      return once.status();
    for (size_t id = 0; id < once->size(); ++id) {
      const std::vector<float> &data = (*once)[id];
      if (data.empty())
        continue;
      auto p = w->put(data.data(), DType::F32, data.size(), f->values[id].dtype,
                      "a weight-only value of '" + f->name + "'");
      if (!p.ok())
        return p.status();
      w->once_[{f, static_cast<int32_t>(id)}] = *p;
    }
  }
  return w;
}

GpuWeights::~GpuWeights() {
  for (DevicePtr p : owned_)
    device_.release(p);
}

DevicePtr GpuWeights::valuePointer(const Function &function, int32_t id) const {
  const ValueDesc &v = function.values[id];
  if (v.kind == ValueKind::Param) {
    auto it = params_.find({v.index, v.dtype});
    return it == params_.end() ? 0 : it->second;
  }
  auto it = once_.find({&function, id});
  return it == once_.end() ? 0 : it->second;
}
