//===- WeightStore.cpp - a program's parameters, as stored and as f32 -----===//
#include "runtime/exec/WeightStore.h"
#include "runtime/exec/QuantizeInt8.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>

using namespace ssmrt;

namespace {

std::string formatShape(const std::vector<int64_t> &shape) {
  std::string s = "[";
  for (size_t i = 0; i < shape.size(); ++i)
    s += (i ? ", " : "") + std::to_string(shape[i]);
  return s + "]";
}

/// splitmix64: a small, portable, seeded generator.
struct Rng {
  uint64_t state;
  uint64_t next() {
    uint64_t z = (state += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
  }
  /// Uniform in [0, 1).
  double uniform() { return (next() >> 11) * (1.0 / 9007199254740992.0); }
  double uniform(double lo, double hi) { return lo + (hi - lo) * uniform(); }
};

/// A config value as it would be written in the file (for messages).
std::string jsonText(const JsonValue &v) {
  if (v.isString())
    return quoteJson(v.asString());
  if (v.isBool())
    return v.asBool() ? "true" : "false";
  if (v.isInteger())
    return std::to_string(v.asInt());
  if (v.isNumber()) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%g", v.asNumber());
    return buf;
  }
  return v.describe();
}

bool endsWith(const std::string &s, const char *suffix) {
  size_t n = std::strlen(suffix);
  return s.size() >= n && s.compare(s.size() - n, n, suffix) == 0;
}

} // namespace

StatusOr<WeightStore> WeightStore::fromCheckpoint(const Program &program,
                                                  const Checkpoint &checkpoint) {
  WeightStore store;
  for (const ParamDesc &param : program.params) {
    const TensorView *tensor = nullptr;
    for (const std::string &name : param.names)
      if ((tensor = checkpoint.find(name)))
        break;
    if (!tensor) {
      std::string names = "'" + param.names[0] + "'";
      for (size_t i = 1; i < param.names.size(); ++i)
        names += " or '" + param.names[i] + "'";
      return Status::error(checkpoint.path() + ": missing tensor " + names);
    }
    if (tensor->shape != param.shape)
      return Status::error(tensor->file + ": tensor '" + tensor->name + "' has shape " +
                           formatShape(tensor->shape) + " but the model needs " +
                           formatShape(param.shape));
    SSMRT_RETURN_IF_ERROR(checkFloatConvertible(*tensor));
    int64_t n = shapeElements(param.shape);
    store.bytes_ += n * 4;
    store.stored_.push_back({tensor->data, tensor->dtype, n});
    store.sources_.push_back(tensor);
  }
  store.floats_.resize(store.stored_.size());
  return store;
}

Status WeightStore::checkFinite(const std::function<void(int64_t, int64_t)> &progress) const {
  int64_t total = 0, done = 0;
  for (const TensorView *t : sources_)
    total += static_cast<int64_t>(t ? t->nbytes : 0);
  for (size_t i = 0; i < sources_.size(); ++i) {
    const TensorView *t = sources_[i];
    if (!t)
      continue;
    int64_t at = firstNonFinite(stored_[i].data, stored_[i].dtype, stored_[i].elements);
    if (at >= 0) {
      float v;
      convertElements(static_cast<const uint8_t *>(stored_[i].data) +
                          at * dtypeSize(stored_[i].dtype),
                      stored_[i].dtype, &v, DType::F32, 1);
      std::string index;
      for (size_t d = t->shape.size(), rest = static_cast<size_t>(at); d-- > 0;) {
        index = std::to_string(rest % t->shape[d]) + (index.empty() ? "" : ", ") + index;
        rest /= t->shape[d];
      }
      return Status::error(t->file + ": tensor '" + t->name + "' holds " +
                           (std::isnan(v) ? "NaN"
                            : v > 0       ? "+inf"
                                          : "-inf") +
                           " at [" + index + "] (element " + std::to_string(at) + ")");
    }
    done += static_cast<int64_t>(t->nbytes);
    if (progress)
      progress(done, total);
  }
  return okStatus();
}

WeightStore WeightStore::random(const Program &program, uint64_t seed,
                                const std::function<bool(size_t)> &wanted) {
  WeightStore store;
  Rng rng{seed};
  for (size_t index = 0; index < program.params.size(); ++index) {
    const ParamDesc &param = program.params[index];
    if (wanted && !wanted(index)) {
      store.stored_.push_back({});
      store.floats_.emplace_back();
      continue;
    }
    const std::string &name = param.names[0];
    int64_t n = shapeElements(param.shape);
    std::unique_ptr<float[]> data(new float[n]);
    int64_t fanIn = param.shape.size() > 1 ? n / param.shape[0] : param.shape[0];
    double bound = 1.0 / std::sqrt(static_cast<double>(fanIn));
    enum { ALog, One, DtBias, Bias, Uniform } kind = Uniform;
    if (endsWith(name, "A_log"))
      kind = ALog;
    else if (endsWith(name, ".D") || endsWith(name, "norm.weight") ||
             endsWith(name, "norm_f.weight") || endsWith(name, "layernorm.weight"))
      kind = One;
    else if (endsWith(name, "dt_proj.bias") || endsWith(name, "dt_bias"))
      kind = DtBias;
    else if (endsWith(name, "bias"))
      kind = Bias;
    for (int64_t i = 0; i < n; ++i) {
      double v;
      switch (kind) {
      case ALog:
        v = param.shape.size() == 2 ? std::log(double(i % param.shape[1] + 1))
                                    : std::log(rng.uniform(1.0, 16.0));
        break;
      case One: v = 1.0; break;
      case DtBias: {
        double dt = std::exp(rng.uniform(std::log(1e-3), std::log(0.1)));
        v = dt + std::log(-std::expm1(-dt)); // softplus⁻¹
        break;
      }
      case Bias: v = rng.uniform(-0.1, 0.1); break;
      default: v = rng.uniform(-bound, bound);
      }
      data[i] = static_cast<float>(v);
    }
    store.bytes_ += n * 4;
    store.stored_.push_back({data.get(), DType::F32, n});
    store.floats_.push_back(std::move(data));
  }
  store.sources_.assign(store.stored_.size(), nullptr);
  return store;
}

int64_t WeightStore::convertedBytes() const {
  std::lock_guard<std::mutex> lock(*mutex_);
  int64_t bytes = 0;
  for (size_t i = 0; i < stored_.size(); ++i)
    if (floats_[i] && floats_[i].get() != stored_[i].data)
      bytes += stored_[i].elements * static_cast<int64_t>(sizeof(float));
  for (size_t i = 0; i < halves_.size(); ++i)
    if (halves_[i])
      bytes += stored_[i].elements * static_cast<int64_t>(sizeof(uint16_t));
  for (size_t i = 0; i < quantized_.size(); ++i)
    if (quantized_[i])
      bytes += stored_[i].elements; // (the scales add 4 bytes per group)
  return bytes;
}

const float *WeightStore::param(size_t index) const {
  const Stored &s = stored_[index];
  if (!s.data)
    return nullptr;
  if (s.dtype == DType::F32 && reinterpret_cast<uintptr_t>(s.data) % alignof(float) == 0)
    return static_cast<const float *>(s.data);
  std::lock_guard<std::mutex> lock(*mutex_);
  if (!floats_[index]) {
    floats_[index].reset(new float[s.elements]);
    convertElements(s.data, s.dtype, floats_[index].get(), DType::F32, s.elements);
  }
  return floats_[index].get();
}

const uint16_t *WeightStore::paramHalves(size_t index, DType dtype) const {
  const Stored &s = stored_[index];
  if (!s.data)
    return nullptr;
  if (s.dtype == dtype && reinterpret_cast<uintptr_t>(s.data) % alignof(uint16_t) == 0)
    return static_cast<const uint16_t *>(s.data);
  std::lock_guard<std::mutex> lock(*mutex_);
  auto &copies = dtype == DType::BF16 ? halves_ : f16Halves_;
  if (copies.size() < stored_.size())
    copies.resize(stored_.size());
  if (!copies[index]) {
    copies[index].reset(new uint16_t[s.elements]);
    convertElements(s.data, s.dtype, copies[index].get(), dtype, s.elements);
  }
  return copies[index].get();
}

WeightStore::Int8 WeightStore::paramInt8(size_t index, int64_t cols, int64_t group) const {
  const Stored &s = stored_[index];
  if (!s.data || cols < 1 || group < 1 || s.elements % cols != 0)
    return {};
  std::lock_guard<std::mutex> lock(*mutex_);
  if (quantized_.size() < stored_.size()) {
    quantized_.resize(stored_.size());
    scales_.resize(stored_.size());
  }
  if (!quantized_[index]) {
    // The values as f32: a temporary copy unless stored so (no f32 copy is
    // kept for a 16-bit tensor).
    std::vector<float> converted;
    const float *w = static_cast<const float *>(s.data);
    if (s.dtype != DType::F32 || reinterpret_cast<uintptr_t>(s.data) % alignof(float) != 0) {
      converted.resize(s.elements);
      convertElements(s.data, s.dtype, converted.data(), DType::F32, s.elements);
      w = converted.data();
    }
    int64_t rows = s.elements / cols, groups = (cols + group - 1) / group;
    quantized_[index].reset(new int8_t[s.elements]);
    scales_[index].reset(new float[rows * groups]);
    quantizeInt8Groups(w, cols, rows, cols, group, quantized_[index].get(), scales_[index].get());
  }
  return {quantized_[index].get(), scales_[index].get()};
}

Status ssmrt::checkConfig(const Program &program, const JsonDocument &config) {
  StatusOr<JsonObjectReader> root = config.rootObject();
  if (!root.ok())
    return root.status();
  for (const ConfigCheck &check : program.config) {
    const JsonValue *v = root->find(check.key);
    if (!v)
      continue;
    auto mismatch = [&](const std::string &want) {
      return Status::error(config.name + ": key '" + check.key + "' is " + jsonText(*v) +
                           " but the model file says " + want);
    };
    switch (check.type) {
    case ConfigCheck::Type::Int: {
      int64_t found;
      if (!v->asIntegral(found))
        return mismatch(std::to_string(check.intValue));
      if (check.key == "vocab_size" && found != check.intValue) {
        // Original mamba_ssm configs give the unpadded vocabulary.
        int64_t multiple = 1;
        if (const JsonValue *m = root->find("pad_vocab_size_multiple"))
          if (m->isInteger() && m->asInt() > 0)
            multiple = m->asInt();
        if ((found + multiple - 1) / multiple * multiple == check.intValue)
          break;
      }
      if (found != check.intValue)
        return mismatch(std::to_string(check.intValue));
      break;
    }
    case ConfigCheck::Type::Float:
      if (!v->isNumber() || std::fabs(v->asNumber() - check.floatValue) >
                                1e-9 * std::max(1.0, std::fabs(check.floatValue)))
        return mismatch(std::to_string(check.floatValue));
      break;
    case ConfigCheck::Type::Bool:
      if (!v->isBool() || v->asBool() != check.boolValue)
        return mismatch(check.boolValue ? "true" : "false");
      break;
    case ConfigCheck::Type::String:
      if (!v->isString() || v->asString() != check.stringValue)
        return mismatch("'" + check.stringValue + "'");
      break;
    }
  }
  return okStatus();
}
