//===- GpuWeights.cpp - parameters in device memory -----------------------===//
#include "runtime/gpu/GpuWeights.h"
#include "runtime/io/HalfFloat.h"
#include "runtime/reference/OnceValues.h"

#include <cstring>

using namespace ssmrt;
using namespace ssmrt::gpu;

float gpu::roundTo(ValueType type, float v) {
  switch (type) {
  case ValueType::BF16:
    return bf16ToFloat(floatToBf16(v));
  case ValueType::F16:
    return halfToFloat(floatToHalf(v));
  default:
    return v;
  }
}

float gpu::loadAsFloat(const void *data, size_t i, ValueType type) {
  switch (type) {
  case ValueType::BF16:
    return bf16ToFloat(static_cast<const uint16_t *>(data)[i]);
  case ValueType::F16:
    return halfToFloat(static_cast<const uint16_t *>(data)[i]);
  default:
    return static_cast<const float *>(data)[i];
  }
}

void gpu::convertFloats(const float *in, size_t n, ValueType type, void *out) {
  switch (type) {
  case ValueType::BF16:
    for (size_t i = 0; i < n; ++i)
      static_cast<uint16_t *>(out)[i] = floatToBf16(in[i]);
    break;
  case ValueType::F16:
    for (size_t i = 0; i < n; ++i)
      static_cast<uint16_t *>(out)[i] = floatToHalf(in[i]);
    break;
  default:
    std::memcpy(out, in, n * sizeof(float));
  }
}

StatusOr<DevicePtr> GpuWeights::put(const float *data, size_t n, ValueType type,
                                    const std::string &what) {
  std::vector<uint8_t> bytes(n * valueTypeBytes(type));
  convertFloats(data, n, type, bytes.data());
  StatusOr<DevicePtr> p = device_.allocate(bytes.size(), what);
  if (!p.ok())
    return p.status();
  owned_.push_back(*p);
  SSMRT_RETURN_IF_ERROR(device_.upload(*p, bytes.data(), bytes.size()));
  bytes_ += static_cast<int64_t>(bytes.size());
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
      auto p = w->put(weights.param(v.index), shapeElements(param.shape), v.dtype,
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
      auto p = w->put(data.data(), data.size(), f->values[id].dtype,
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
