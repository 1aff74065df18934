//===- CpuFunction.cpp - runs one program function on the CPU -------------===//
#include "runtime/cpu/CpuFunction.h"
#include "runtime/cpu/Blas.h"
#include "runtime/reference/OnceValues.h"

#include "runtime/reference/ReferenceInterpreter.h"

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <cstring>

using namespace ssmrt;

namespace {

bool isView(OpCode op) { return op == OpCode::Split || op == OpCode::Reshape; }

/// Contiguous row-major strides of |sizes|.
std::vector<int64_t> stridesOf(const std::vector<int64_t> &sizes) {
  std::vector<int64_t> strides(sizes.size(), 1);
  for (size_t i = sizes.size(); i-- > 1;)
    strides[i - 1] = strides[i] * sizes[i];
  return strides;
}

} // namespace

void CpuFunction::AlignedFree::operator()(float *p) const { std::free(p); }

StatusOr<std::unique_ptr<CpuFunction>>
CpuFunction::create(const Program &program, const Function &function, const WeightStore &weights,
                    const KernelLibrary &kernels, ThreadPool &pool, int64_t maxTokens) {
  std::unique_ptr<CpuFunction> f(new CpuFunction(program, function, weights, kernels, pool));
  SSMRT_RETURN_IF_ERROR(f->prepare(maxTokens));
  return f;
}

Status CpuFunction::prepare(int64_t maxTokens) {
  const auto &values = function_.values;
  maxTokens_ = maxTokens;
  stateInput_.assign(values.size(), -1);
  for (size_t i = 2; i < function_.inputs.size(); ++i)
    stateInput_[function_.inputs[i]] = static_cast<int32_t>(i - 2);
  for (size_t i = 1; i < function_.outputs.size(); ++i)
    stateInput_[function_.outputs[i]] = static_cast<int32_t>(i - 1);

  auto planned = [&](int32_t id) {
    return id >= 0 && values[id].kind == ValueKind::Temp && values[id].buffer >= 0;
  };
  // Values produced by weight-only instructions.
  std::vector<bool> onceValue(values.size(), false);
  for (const Instr &in : function_.instrs)
    if (in.once)
      for (int32_t r : in.results)
        onceValue[r] = true;
  auto onceProducer = [&](int32_t id) { return bool(onceValue[id]); };
  auto isWeight = [&](int32_t id) {
    return values[id].kind == ValueKind::Param || onceProducer(id);
  };
  for (size_t i = 0; i < function_.instrs.size(); ++i) {
    const Instr &in = function_.instrs[i];
    std::string what = "function '" + function_.name + "', instruction " + std::to_string(i) +
                       " (" + opCodeName(in.op) + ")";
    if (in.once)
      continue;
    if (in.op == OpCode::Attention)
      return Status::error(what + ": attention layers are not supported by the CPU runtime yet");
    if (in.op == OpCode::Linear || in.op == OpCode::Logits) {
      bool ok = planned(in.operands[0]) && isWeight(in.operands[1]) &&
                (in.op == OpCode::Logits || planned(in.results[0])) &&
                (in.op == OpCode::Logits || in.operands[2] < 0 || isWeight(in.operands[2])) &&
                values[in.operands[1]].shape.size() == 2 &&
                rowWidth(in.operands[0]) == values[in.operands[1]].shape[1];
      if (!ok)
        return Status::error(what + ": operands are not an activation and a weight");
      if (in.op == OpCode::Logits)
        vocab_ = values[in.operands[1]].shape[0];
      continue;
    }
    if (isView(in.op)) {
      for (int32_t r : in.results)
        if (!planned(r) || values[r].buffer != values[in.operands[0]].buffer)
          return Status::error(what + ": a view outside its input's buffer");
      continue;
    }
    // Every operand must be something a kernel or the fallback can read.
    for (int32_t id : in.operands)
      if (id >= 0 && values[id].kind == ValueKind::Temp && !planned(id) && stateInput_[id] < 0 &&
          !onceProducer(id))
        return Status::error(what + ": operand value " + std::to_string(id) +
                             " has no storage");
    for (int32_t id : in.results)
      if (!planned(id) && stateInput_[id] < 0)
        return Status::error(what + ": result value " + std::to_string(id) + " has no storage");
  }

  // Kernel workspaces share one allocation (kernels run one at a time).
  int64_t workspacePerRow = 0;
  for (const Instr &in : function_.instrs)
    if (in.kernel >= 0)
      workspacePerRow = std::max(workspacePerRow, program_.cpu.kernels[in.kernel].workspace);
  std::vector<BufferDesc> allocations = function_.buffers;
  if (workspacePerRow)
    allocations.push_back({workspacePerRow});
  for (const BufferDesc &b : allocations) {
    size_t bytes = static_cast<size_t>(b.width) * maxTokens * sizeof(float);
    bytes = (bytes + 63) / 64 * 64;
    float *p = static_cast<float *>(std::aligned_alloc(64, bytes));
    if (!p)
      return Status::error("out of memory allocating " + std::to_string(bytes) +
                           " bytes of activations");
    buffers_.emplace_back(p);
  }

  // Weight-only instructions, once, in float64.
  auto once = evaluateOnceValues(function_, [&](int32_t i) { return weights_.param(i); });
  if (!once.ok())
    return once.status();
  once_ = std::move(*once);
  return okStatus();
}

int64_t CpuFunction::rowWidth(int32_t id) const {
  const std::vector<int64_t> &shape = function_.values[id].shape;
  int64_t width = 1;
  for (size_t d = 2; d < shape.size(); ++d)
    width *= shape[d];
  return width;
}

int64_t CpuFunction::bufferStride(int32_t id) const {
  return function_.buffers[function_.values[id].buffer].width;
}

float *CpuFunction::bufferRow(int32_t id, int64_t row) const {
  const ValueDesc &v = function_.values[id];
  return buffers_[v.buffer].get() + row * function_.buffers[v.buffer].width + v.column;
}

const void *CpuFunction::dataOf(int32_t id) const {
  const ValueDesc &v = function_.values[id];
  if (stateInput_[id] >= 0)
    return call_->states[stateInput_[id]];
  switch (v.kind) {
  case ValueKind::Param:
    return weights_.param(v.index);
  case ValueKind::Tokens:
    return call_->tokens;
  case ValueKind::SeqLens:
    return call_->seqLens;
  default:
    return once_[id].data();
  }
}

void CpuFunction::runKernel(const Instr &instr) {
  const auto &values = function_.values;
  const KernelDesc &desc = program_.cpu.kernels[instr.kernel];
  int64_t batch = call_->batch, seq = call_->seq, rows = batch * seq;
  // Memref descriptors, flattened: base, aligned base, offset, sizes, strides.
  std::vector<int64_t> slots;
  auto pushMemRef = [&](const void *base, int64_t offset, const std::vector<int64_t> &sizes,
                        const std::vector<int64_t> &strides) {
    int64_t ptr = reinterpret_cast<intptr_t>(base);
    slots.insert(slots.end(), {ptr, ptr, offset});
    slots.insert(slots.end(), sizes.begin(), sizes.end());
    slots.insert(slots.end(), strides.begin(), strides.end());
  };
  auto pushValue = [&](int32_t id) {
    const ValueDesc &v = values[id];
    if (v.kind == ValueKind::Temp && v.buffer >= 0) {
      pushMemRef(buffers_[v.buffer].get(), v.column, {rows, rowWidth(id)}, {bufferStride(id), 1});
    } else if (v.kind == ValueKind::Tokens) {
      pushMemRef(call_->tokens, 0, {rows}, {1});
    } else if (v.kind == ValueKind::SeqLens) {
      pushMemRef(call_->seqLens, 0, {batch}, {1});
    } else {
      std::vector<int64_t> sizes = v.shape;
      if (!sizes.empty() && sizes[0] == kDynamic)
        sizes[0] = batch; // a state: [batch, per-sequence shape]
      pushMemRef(dataOf(id), 0, sizes, stridesOf(sizes));
    }
  };
  for (int32_t id : instr.operands)
    if (id >= 0)
      pushValue(id);
  for (int32_t id : instr.results)
    pushValue(id);
  if (desc.workspace)
    pushMemRef(buffers_.back().get(), 0, {desc.workspace * batch}, {1});
  slots.insert(slots.end(), {batch, seq, 0, 0, 0}); // begin, end, phase set below

  int64_t items = desc.parallel == Parallel::Rows          ? rows
                  : desc.parallel == Parallel::BatchBlocks ? batch * desc.blocks
                                                           : batch;
  PackedKernel kernel = kernels_.kernel(instr.kernel);
  size_t n = slots.size();
  for (int64_t phase = 0; phase < desc.phases; ++phase)
    pool_.parallelFor(items, [&](int64_t begin, int64_t end) {
      std::vector<int64_t> local = slots;
      local[n - 3] = begin;
      local[n - 2] = end;
      local[n - 1] = phase;
      std::vector<void *> args(n);
      for (size_t i = 0; i < n; ++i)
        args[i] = &local[i];
      kernel(args.data());
    });
}

void CpuFunction::matmul(const float *x, int64_t ldx, int64_t rows, const float *weight,
                         int64_t out, int64_t in, const float *bias, float *y, int64_t ldy) {
  // Output features split across the pool; BLAS itself runs single-threaded
  // (the session sets it so), so only the pool's threads run.
  const int64_t grain = 16;
  pool_.parallelFor((out + grain - 1) / grain, [&](int64_t begin, int64_t end) {
    int64_t n0 = begin * grain, n1 = std::min(out, end * grain);
    gemmXWt(x, ldx, rows, weight + n0 * in, n1 - n0, in, y + n0, ldy);
    if (bias)
      for (int64_t r = 0; r < rows; ++r)
        for (int64_t c = n0; c < n1; ++c)
          y[r * ldy + c] += bias[c];
  });
}

void CpuFunction::runLinear(const Instr &instr) {
  int32_t x = instr.operands[0], w = instr.operands[1], bias = instr.operands[2];
  int32_t y = instr.results[0];
  const std::vector<int64_t> &wShape = function_.values[w].shape;
  matmul(bufferRow(x, 0), bufferStride(x), call_->batch * call_->seq,
         static_cast<const float *>(dataOf(w)), wShape[0], wShape[1],
         bias >= 0 ? static_cast<const float *>(dataOf(bias)) : nullptr, bufferRow(y, 0),
         bufferStride(y));
}

void CpuFunction::runLogits(const Instr &instr) {
  const std::vector<int64_t> *rows = call_->logitRows;
  if (!rows || rows->empty())
    return;
  int32_t x = instr.operands[0], w = instr.operands[1];
  int64_t vocab = function_.values[w].shape[0], width = function_.values[w].shape[1];
  int64_t n = static_cast<int64_t>(rows->size());
  std::vector<float> gathered(n * width);
  for (int64_t i = 0; i < n; ++i)
    std::memcpy(&gathered[i * width], bufferRow(x, (*rows)[i]), width * sizeof(float));
  matmul(gathered.data(), width, n, static_cast<const float *>(dataOf(w)), vocab, width, nullptr,
         call_->logits, vocab);
}

Status CpuFunction::runFallback(size_t index, const Instr &instr) {
  const auto &values = function_.values;
  int64_t batch = call_->batch, seq = call_->seq, rows = batch * seq;
  auto concreteShape = [&](int32_t id) {
    std::vector<int64_t> shape = values[id].shape;
    if (values[id].kind == ValueKind::Temp && values[id].buffer >= 0) {
      shape[0] = batch;
      shape[1] = seq;
    } else if (!shape.empty() && shape[0] == kDynamic) {
      shape[0] = batch;
      if (shape.size() > 1 && shape[1] == kDynamic)
        shape[1] = seq;
    }
    return shape;
  };
  std::vector<RefTensor> owned;
  owned.reserve(instr.operands.size());
  std::vector<const RefTensor *> operands;
  for (int32_t id : instr.operands) {
    if (id < 0) {
      operands.push_back(nullptr);
      continue;
    }
    RefTensor t(concreteShape(id));
    const ValueDesc &v = values[id];
    if (v.kind == ValueKind::Temp && v.buffer >= 0) {
      int64_t width = rowWidth(id);
      for (int64_t r = 0; r < rows; ++r)
        for (int64_t c = 0; c < width; ++c)
          t.data[r * width + c] = bufferRow(id, r)[c];
    } else if (v.kind == ValueKind::Tokens || v.kind == ValueKind::SeqLens) {
      const int32_t *src = static_cast<const int32_t *>(dataOf(id));
      for (int64_t k = 0; k < t.numElements(); ++k)
        t.data[k] = src[k];
    } else {
      const float *src = static_cast<const float *>(dataOf(id));
      for (int64_t k = 0; k < t.numElements(); ++k)
        t.data[k] = src[k];
    }
    owned.push_back(std::move(t));
    operands.push_back(&owned.back());
  }
  std::vector<RefTensor> results;
  SSMRT_RETURN_IF_ERROR(ReferenceInterpreter::evaluate(function_, instr, operands, results)
                            .withPrefix("function '" + function_.name + "', instruction " +
                                        std::to_string(index)));
  for (size_t r = 0; r < instr.results.size(); ++r) {
    int32_t id = instr.results[r];
    const RefTensor &t = results[r];
    if (values[id].kind == ValueKind::Temp && values[id].buffer >= 0) {
      int64_t width = rowWidth(id);
      for (int64_t row = 0; row < rows; ++row)
        for (int64_t c = 0; c < width; ++c)
          bufferRow(id, row)[c] = static_cast<float>(t.data[row * width + c]);
    } else if (stateInput_[id] >= 0) {
      float *dst = call_->states[stateInput_[id]];
      for (int64_t k = 0; k < t.numElements(); ++k)
        dst[k] = static_cast<float>(t.data[k]);
    }
  }
  return okStatus();
}

Status CpuFunction::run(const CallInputs &inputs) {
  if (inputs.batch < 1 || inputs.seq < 1 || inputs.batch * inputs.seq > maxTokens_)
    return Status::error("a call of " + std::to_string(inputs.batch) + " x " +
                         std::to_string(inputs.seq) + " tokens exceeds the " +
                         std::to_string(maxTokens_) + " token rows this function was prepared for");
  if (inputs.states.size() + 2 != function_.inputs.size())
    return Status::error("function '" + function_.name + "' needs " +
                         std::to_string(function_.inputs.size() - 2) + " states, got " +
                         std::to_string(inputs.states.size()));
  call_ = &inputs;
  for (size_t i = 0; i < function_.instrs.size(); ++i) {
    const Instr &in = function_.instrs[i];
    if (in.once || isView(in.op))
      continue;
    auto start = std::chrono::steady_clock::now();
    if (in.op == OpCode::Linear)
      runLinear(in);
    else if (in.op == OpCode::Logits)
      runLogits(in);
    else if (in.kernel >= 0)
      runKernel(in);
    else
      SSMRT_RETURN_IF_ERROR(runFallback(i, in));
    if (profiling_) {
      size_t op = static_cast<size_t>(in.op);
      if (profile_.size() <= op)
        profile_.resize(op + 1, 0.0);
      profile_[op] += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    }
  }
  call_ = nullptr;
  return okStatus();
}
