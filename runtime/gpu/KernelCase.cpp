//===- KernelCase.cpp - one kernel of an artifact on inputs of its own ----===//
#include "runtime/gpu/KernelCase.h"
#include "runtime/gpu/GpuWeights.h"
#include "runtime/gpu/KernelLaunch.h"
#include "runtime/reference/OnceValues.h"
#include "runtime/reference/ReferenceInterpreter.h"

#include <cmath>
#include <cstring>
#include <random>

using namespace ssmrt;
using namespace ssmrt::gpu;

namespace {

bool isActivation(const ValueDesc &v) { return v.kind == ValueKind::Temp && v.buffer >= 0; }

int64_t rowWidth(const ValueDesc &v) {
  int64_t w = 1;
  for (size_t d = 2; d < v.shape.size(); ++d)
    w *= v.shape[d];
  return w;
}

} // namespace

KernelCase::KernelCase(const Program &program, const Function &function, size_t instr,
                       GpuDevice &device, KernelCaseOptions options)
    : program_(program), function_(function), instr_(function.instrs[instr]), device_(device),
      options_(std::move(options)) {}

KernelCase::~KernelCase() {
  for (const Value &v : operands_)
    if (v.pointer && v.ownsMemory)
      device_.release(v.pointer);
  for (const Value &v : results_)
    if (v.pointer && v.ownsMemory)
      device_.release(v.pointer);
  if (workspace_)
    device_.release(workspace_);
}

StatusOr<std::unique_ptr<KernelCase>>
KernelCase::create(const Program &program, const Function &function, size_t instr,
                   GpuDevice &device, const WeightStore &weights, KernelCaseOptions options) {
  if (instr >= function.instrs.size() || function.instrs[instr].kernel < 0)
    return Status::error("instruction " + std::to_string(instr) + " of '" + function.name +
                         "' has no CUDA kernel");
  LaunchGrid grid = program.cuda.kernels[function.instrs[instr].kernel].grid;
  if (grid == LaunchGrid::Attention || grid == LaunchGrid::Experts)
    return Status::error("instruction " + std::to_string(instr) + " of '" + function.name +
                         "' reads the executor's KV caches or expert tables: it is checked "
                         "through the executor, not as a kernel case");
  if (options.batch < 1 || options.seq < 1)
    return Status::error("a kernel case needs a positive batch and sequence length");
  if (options.seqLens.empty())
    options.seqLens.assign(options.batch, static_cast<int32_t>(options.seq));
  if (static_cast<int64_t>(options.seqLens.size()) != options.batch)
    return Status::error("one sequence length per batch row");
  for (int32_t len : options.seqLens)
    if (len < 0 || len > options.seq)
      return Status::error("a sequence length outside [0, seq]");
  std::unique_ptr<KernelCase> c(new KernelCase(program, function, instr, device, options));
  SSMRT_RETURN_IF_ERROR(c->build(weights));
  return c;
}

Status KernelCase::build(const WeightStore &weights) {
  const auto &values = function_.values;
  kernel_ = program_.cuda.kernels[instr_.kernel];
  StatusOr<int> handle = device_.loadKernel(kernel_, options_.overrides);
  if (!handle.ok())
    return handle.status();
  handle_ = *handle;
  int64_t batch = options_.batch, seq = options_.seq, rows = batch * seq;
  std::mt19937_64 rng(options_.seed);
  std::uniform_real_distribution<float> uniform(-1.0f, 1.0f);
  auto once = evaluateOnceValues(function_, [&](int32_t i) { return weights.param(i); });
  if (!once.ok())
    return once.status();

  auto concrete = [&](const ValueDesc &v) {
    std::vector<int64_t> shape = v.shape;
    if (!shape.empty() && shape[0] == kDynamic)
      shape[0] = batch;
    if (shape.size() > 1 && shape[1] == kDynamic)
      shape[1] = seq;
    return shape;
  };
  auto allocate = [&](Value &v) -> Status {
    StatusOr<DevicePtr> p = device_.allocate(v.bytes, "a kernel case value");
    if (!p.ok())
      return p.status();
    v.pointer = *p;
    return okStatus();
  };

  for (int32_t id : instr_.operands) {
    Value v;
    v.id = id;
    if (id < 0) {
      operands_.push_back(v);
      continue;
    }
    const ValueDesc &d = values[id];
    v.shape = concrete(d);
    v.activation = isActivation(d);
    int64_t n = v.activation ? rows * rowWidth(d) : shapeElements(v.shape);
    v.ld = v.activation ? rowWidth(d) : 0;
    v.host.resize(n);
    if (d.kind == ValueKind::Tokens) {
      int64_t limit = 1;
      for (const Instr &in : function_.instrs)
        if (in.op == OpCode::Embedding)
          limit = values[in.operands[0]].shape[0];
      for (float &x : v.host)
        x = static_cast<float>(rng() % static_cast<uint64_t>(limit));
    } else if (d.kind == ValueKind::SeqLens) {
      for (int64_t b = 0; b < batch; ++b)
        v.host[b] = static_cast<float>(options_.seqLens[b]);
    } else if (d.kind == ValueKind::Param) {
      std::memcpy(v.host.data(), weights.param(d.index), n * sizeof(float));
    } else if (!(*once)[id].empty()) {
      v.host = (*once)[id];
    } else {
      // Activations uniform in [-1, 1]; states smaller, as after a prompt.
      float scale = d.kind == ValueKind::State ? 0.5f : 1.0f;
      for (float &x : v.host)
        x = scale * uniform(rng);
    }
    bool ids = d.kind == ValueKind::Tokens || d.kind == ValueKind::SeqLens;
    if (!ids)
      for (float &x : v.host)
        x = roundTo(d.dtype, x);
    v.bytes = n * valueTypeBytes(ids ? ValueType::I32 : d.dtype);
    SSMRT_RETURN_IF_ERROR(allocate(v));
    bytes_ += static_cast<int64_t>(v.bytes);
    operands_.push_back(std::move(v));
  }
  // A state result is updated in place in the state operand it continues.
  for (int32_t id : instr_.results) {
    Value v;
    v.id = id;
    const ValueDesc &d = values[id];
    v.shape = concrete(d);
    v.activation = isActivation(d);
    int64_t n = v.activation ? rows * rowWidth(d) : shapeElements(v.shape);
    v.ld = v.activation ? rowWidth(d) : 0;
    v.bytes = n * valueTypeBytes(d.dtype);
    bytes_ += static_cast<int64_t>(v.bytes);
    int32_t input = -1;
    for (size_t k = 1; k < function_.outputs.size(); ++k)
      if (function_.outputs[k] == id)
        input = function_.inputs[k + 1];
    for (const Value &o : operands_)
      if (input >= 0 && o.id == input) {
        v.pointer = o.pointer;
        v.ownsMemory = false;
      }
    if (!v.pointer)
      SSMRT_RETURN_IF_ERROR(allocate(v));
    results_.push_back(std::move(v));
  }
  if (kernel_.workspace) {
    StatusOr<DevicePtr> p =
        device_.allocate((64 + kernel_.workspace * batch) * sizeof(float), "a kernel workspace");
    if (!p.ok())
      return p.status();
    workspace_ = *p;
  }
  StatusOr<int64_t> resident = residentBlocks(device_, handle_, kernel_, options_.overrides);
  if (!resident.ok())
    return resident.status();
  dims_ = launchDims(kernel_, options_.overrides, batch, seq, *resident);
  return reset();
}

Status KernelCase::reset() {
  const auto &values = function_.values;
  for (const Value &v : operands_) {
    if (v.id < 0)
      continue;
    const ValueDesc &d = values[v.id];
    std::vector<uint8_t> bytes(v.bytes);
    if (d.kind == ValueKind::Tokens || d.kind == ValueKind::SeqLens) {
      for (size_t i = 0; i < v.host.size(); ++i)
        reinterpret_cast<int32_t *>(bytes.data())[i] = static_cast<int32_t>(v.host[i]);
    } else {
      convertFloats(v.host.data(), v.host.size(), d.dtype, bytes.data());
    }
    SSMRT_RETURN_IF_ERROR(device_.upload(v.pointer, bytes.data(), bytes.size()));
  }
  for (const Value &v : results_)
    if (v.ownsMemory) {
      std::vector<uint8_t> poison(v.bytes, 0xff); // NaN in f32, bf16 and f16
      SSMRT_RETURN_IF_ERROR(device_.upload(v.pointer, poison.data(), poison.size()));
    }
  return okStatus();
}

Status KernelCase::launch() {
  std::vector<KernelArg> args;
  auto push = [&](const Value &v) {
    args.push_back(KernelArg::pointer(v.pointer));
    if (v.activation)
      args.push_back(KernelArg::int64(v.ld));
  };
  for (const Value &v : operands_)
    if (v.id >= 0)
      push(v);
  for (const Value &v : results_)
    push(v);
  if (kernel_.workspace)
    args.push_back(KernelArg::pointer(workspace_));
  args.push_back(KernelArg::int32(static_cast<int32_t>(options_.batch)));
  args.push_back(KernelArg::int32(static_cast<int32_t>(options_.seq)));
  return device_.launch(handle_, dims_, args, kernel_.cooperative);
}

StatusOr<double> KernelCase::compareWithReference() {
  const auto &values = function_.values;
  std::vector<RefTensor> owned;
  owned.reserve(operands_.size());
  std::vector<const RefTensor *> operands;
  for (const Value &v : operands_) {
    if (v.id < 0) {
      operands.push_back(nullptr);
      continue;
    }
    RefTensor t(v.shape);
    for (size_t i = 0; i < v.host.size(); ++i)
      t.data[i] = v.host[i];
    owned.push_back(std::move(t));
    operands.push_back(&owned.back());
  }
  std::vector<RefTensor> want;
  SSMRT_RETURN_IF_ERROR(ReferenceInterpreter::evaluate(function_, instr_, operands, want));
  double worst = 0;
  for (size_t r = 0; r < results_.size(); ++r) {
    const Value &v = results_[r];
    const ValueDesc &d = values[v.id];
    std::vector<uint8_t> got(v.bytes);
    SSMRT_RETURN_IF_ERROR(device_.download(got.data(), v.pointer, v.bytes));
    double diff = 0, norm = 0;
    int64_t n = static_cast<int64_t>(want[r].data.size());
    int64_t width = v.activation ? v.ld : 0;
    for (int64_t i = 0; i < n; ++i) {
      if (v.activation) {
        // Rows past a sequence's length are padding the op leaves undefined.
        int64_t row = i / width, b = row / options_.seq, t = row % options_.seq;
        if (t >= options_.seqLens[b])
          continue;
      }
      double g = loadAsFloat(got.data(), i, d.dtype), w = want[r].data[i];
      if (std::isnan(g) || std::isnan(w))
        return INFINITY;
      diff += (g - w) * (g - w);
      norm += w * w;
    }
    worst = std::max(worst, norm > 0 ? std::sqrt(diff / norm) : std::sqrt(diff));
  }
  return worst;
}
