//===- CpuFunction.cpp - runs one program function on the CPU -------------===//
#include "runtime/cpu/CpuFunction.h"
#include "runtime/cpu/Blas.h"
#include "runtime/cpu/ParallelMatmul.h"
#include "runtime/cpu/SmallGemm.h"
#include "runtime/reference/OnceValues.h"

#include "runtime/reference/ReferenceInterpreter.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <cstring>

using namespace ssmrt;

namespace {
/// The most int64 slots a kernel call packs (memref descriptors of at most
/// rank 8, then batch, seq, begin, end, phase); prepare() checks each.
constexpr size_t kMaxKernelArgs = 256;
} // namespace

void CpuFunction::AlignedFree::operator()(float *p) const { std::free(p); }

StatusOr<std::unique_ptr<CpuFunction>>
CpuFunction::create(const Program &program, const Function &function, const WeightStore &weights,
                    const KernelLibrary &kernels, ThreadPool &pool, int64_t maxTokens,
                    ProductWeights productWeights) {
  std::unique_ptr<CpuFunction> f(new CpuFunction(program, function, weights, kernels, pool));
  SSMRT_RETURN_IF_ERROR(f->prepare(maxTokens, productWeights));
  return f;
}

Status CpuFunction::prepare(int64_t maxTokens, ProductWeights productWeights) {
  maxTokens_ = maxTokens;
  StatusOr<FunctionPlan> plan = planFunction(function_, cpuRules(program_));
  if (!plan.ok())
    return plan.status();
  plan_ = std::move(*plan);
  vocab_ = plan_.vocab;
  for (size_t i = 0; i < function_.instrs.size(); ++i) {
    const Instr &in = function_.instrs[i];
    if (plan_.steps[i] != FunctionPlan::Step::Kernel)
      continue;
    size_t args = 5;
    for (int32_t id : in.operands)
      args += id >= 0 ? 3 + 2 * std::max<size_t>(function_.values[id].shape.size(), 2) : 0;
    for (int32_t id : in.results)
      args += 3 + 2 * std::max<size_t>(function_.values[id].shape.size(), 2);
    if (args + 3 > kMaxKernelArgs)
      return Status::error("function '" + function_.name + "', instruction " + std::to_string(i) +
                           ": its kernel takes too many arguments");
  }
  args_.reserve(kMaxKernelArgs);

  // Kernel workspaces share one allocation (kernels run one at a time).
  std::vector<BufferDesc> allocations = function_.buffers;
  if (plan_.workspacePerRow)
    allocations.push_back({plan_.workspacePerRow});
  for (const BufferDesc &b : allocations) {
    size_t bytes = static_cast<size_t>(b.width) * maxTokens * sizeof(float);
    bytes = (bytes + 63) / 64 * 64;
    float *p = static_cast<float *>(std::aligned_alloc(64, bytes));
    if (!p)
      return Status::error("out of memory allocating " + std::to_string(bytes) +
                           " bytes of activations");
    buffers_.emplace_back(p);
  }
  logitRows_.resize(static_cast<size_t>(plan_.logitsWidth * maxTokens));

  // Which parameters are read how: the weight operand of a matrix product
  // in the dtype asked for; every other use as f32.
  std::vector<bool> asF32(weights_.numParams(), false), asLow(weights_.numParams(), false);
  std::vector<int64_t> cols(weights_.numParams(), 0);
  for (size_t i = 0; i < function_.instrs.size(); ++i) {
    const Instr &in = function_.instrs[i];
    bool product = plan_.steps[i] == FunctionPlan::Step::MatMul ||
                   plan_.steps[i] == FunctionPlan::Step::Logits;
    bool experts = plan_.steps[i] == FunctionPlan::Step::MoE;
    for (size_t o = 0; o < in.operands.size(); ++o) {
      int32_t id = in.operands[o];
      if (id < 0 || function_.values[id].kind != ValueKind::Param)
        continue;
      size_t p = static_cast<size_t>(function_.values[id].index);
      // The weight of a product; an expert's gate, up and down (the router
      // stays f32: its scores pick the experts).
      bool low =
          productWeights != ProductWeights::F32 && ((product && o == 1) || (experts && o >= 2));
      (low ? asLow : asF32)[p] = true;
      if (low)
        cols[p] = function_.values[id].shape[1];
    }
  }
  for (size_t i = 0; i < weights_.numParams(); ++i) {
    params_.push_back(asF32[i] ? weights_.param(i) : nullptr);
    LowWeights low;
    if (asLow[i] && productWeights == ProductWeights::BF16)
      low.bf16 = weights_.paramBf16(i);
    else if (asLow[i] && productWeights == ProductWeights::F16)
      low.f16 = weights_.paramF16(i);
    else if (asLow[i])
      low.int8 = weights_.paramInt8(i, cols[i], kInt8Group);
    lowParams_.push_back(low);
  }
  // Weight-only instructions, once, in float64.
  auto once = evaluateOnceValues(function_, [&](int32_t i) { return params_[i]; });
  if (!once.ok())
    return once.status();
  once_ = std::move(*once);
  attentionShapes_.resize(function_.instrs.size());
  for (size_t i = 0; i < function_.instrs.size(); ++i)
    if (plan_.steps[i] == FunctionPlan::Step::Attention) {
      const Instr &in = function_.instrs[i];
      AttentionShape &a = attentionShapes_[i];
      a.heads = in.attr("heads")->ints[0];
      a.kvHeads = in.attr("kv_heads")->ints[0];
      a.headDim = in.attr("head_dim")->ints[0];
      const Attr *causal = in.attr("causal"), *rope = in.attr("rope_theta"),
                 *scale = in.attr("scale");
      a.causal = !causal || causal->ints.empty() || causal->ints[0] != 0;
      a.ropeTheta = rope && !rope->floats.empty() ? rope->floats[0] : 0.0;
      a.scale = static_cast<float>(scale && !scale->floats.empty()
                                       ? scale->floats[0]
                                       : 1.0 / std::sqrt(static_cast<double>(a.headDim)));
      if (a.ropeTheta < 0 || (a.ropeTheta > 0 && a.headDim % 2 != 0))
        return Status::error("function '" + function_.name + "', instruction " + std::to_string(i) +
                             " (attention): rotary embedding needs a positive 'rope_theta' and "
                             "an even 'head_dim'");
    }
  moe_.resize(function_.instrs.size());
  moeWeights_.resize(function_.instrs.size());
  for (size_t i = 0; i < function_.instrs.size(); ++i)
    if (plan_.steps[i] == FunctionPlan::Step::MoE) {
      const Instr &in = function_.instrs[i];
      MoEWeights w = moeWeights(in);
      std::string what =
          "function '" + function_.name + "', instruction " + std::to_string(i) + " (moe): ";
      int64_t experts = static_cast<int64_t>(w.experts.size());
      if (w.topK < 1 || w.topK > experts)
        return Status::error(what + "top_k " + std::to_string(w.topK) + " is not in [1, " +
                             std::to_string(experts) + "]");
      moe_[i] = std::make_unique<MixtureOfExperts>();
      moe_[i]->prepare(w, maxTokens);
      moeWeights_[i] = std::move(w);
    }
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
  if (plan_.stateInput[id] >= 0)
    return reinterpret_cast<const void *>((*call_->states)[plan_.stateInput[id]]);
  switch (v.kind) {
  case ValueKind::Param: return params_[v.index];
  case ValueKind::Tokens: return call_->tokens;
  case ValueKind::SeqLens: return call_->seqLens;
  default: return once_[id].data();
  }
}

void CpuFunction::pushMemRef(int32_t id) {
  const ValueDesc &v = function_.values[id];
  int64_t batch = call_->batch, rows = batch * call_->seq;
  const void *base;
  int64_t offset = 0, rank, sizes[8], strides[8];
  if (FunctionPlan::planned(function_, id)) {
    // Token rows of a planned buffer: [rows, width], strided.
    base = buffers_[v.buffer].get();
    offset = v.column;
    rank = 2;
    sizes[0] = rows;
    sizes[1] = rowWidth(id);
    strides[0] = bufferStride(id);
    strides[1] = 1;
  } else if (v.kind == ValueKind::Tokens || v.kind == ValueKind::SeqLens) {
    base = dataOf(id);
    rank = 1;
    sizes[0] = v.kind == ValueKind::Tokens ? rows : batch;
    strides[0] = 1;
  } else {
    // Contiguous; a state is [batch, per-sequence shape].
    base = dataOf(id);
    rank = static_cast<int64_t>(v.shape.size());
    for (int64_t d = 0; d < rank; ++d)
      sizes[d] = d == 0 && v.shape[0] == kDynamic ? batch : v.shape[d];
    for (int64_t d = rank; d-- > 0;)
      strides[d] = d + 1 == rank ? 1 : strides[d + 1] * sizes[d + 1];
  }
  int64_t ptr = reinterpret_cast<intptr_t>(base);
  args_.insert(args_.end(), {ptr, ptr, offset});
  args_.insert(args_.end(), sizes, sizes + rank);
  args_.insert(args_.end(), strides, strides + rank);
}

CpuFunction::LowWeights CpuFunction::lowWeights(int32_t id) const {
  const ValueDesc &v = function_.values[id];
  return v.kind == ValueKind::Param ? lowParams_[v.index] : LowWeights();
}

double CpuFunction::productBytesPerValue(size_t index) const {
  const LowWeights &low = lowParams_[index];
  return low.bf16 || low.f16 ? 2.0 : low.int8.q ? 1.0 + 4.0 / kInt8Group : 4.0;
}

WeightMatrix CpuFunction::weightMatrix(int32_t id) const {
  const std::vector<int64_t> &shape = function_.values[id].shape;
  LowWeights low = lowWeights(id);
  WeightMatrix w;
  w.out = shape[0];
  w.in = shape[1];
  w.bf16 = low.bf16;
  w.f16 = low.f16;
  w.q = low.int8.q;
  w.scales = low.int8.scales;
  if (!w.bf16 && !w.f16 && !w.q)
    w.f32 = static_cast<const float *>(dataOf(id));
  return w;
}

void CpuFunction::runKernel(const Instr &instr) {
  const KernelDesc &desc = program_.cpu.kernels[instr.kernel];
  int64_t batch = call_->batch, seq = call_->seq;
  args_.clear();
  for (int32_t id : instr.operands)
    if (id >= 0)
      pushMemRef(id);
  for (int32_t id : instr.results)
    pushMemRef(id);
  if (desc.workspace) {
    int64_t ptr = reinterpret_cast<intptr_t>(buffers_.back().get());
    args_.insert(args_.end(), {ptr, ptr, 0, desc.workspace * batch, 1});
  }
  args_.insert(args_.end(), {batch, seq, 0, 0, 0}); // begin, end, phase set below

  int64_t items = desc.parallel == Parallel::Rows          ? batch * seq
                  : desc.parallel == Parallel::BatchBlocks ? batch * desc.blocks
                                                           : batch;
  PackedKernel kernel = kernels_.kernel(instr.kernel);
  size_t n = args_.size();
  for (int64_t phase = 0; phase < desc.phases; ++phase)
    pool_.parallelFor(
        items,
        [&](int64_t begin, int64_t end) {
          // Each thread its own copy of the scalars it changes, on its stack.
          int64_t local[kMaxKernelArgs];
          void *pointers[kMaxKernelArgs];
          std::copy_n(args_.data(), n, local);
          local[n - 3] = begin;
          local[n - 2] = end;
          local[n - 1] = phase;
          for (size_t i = 0; i < n; ++i)
            pointers[i] = &local[i];
          kernel(pointers);
        },
        desc.chunksPerThread);
}

void CpuFunction::runLinear(const Instr &instr) {
  int32_t x = instr.operands[0], w = instr.operands[1], bias = instr.operands[2];
  int32_t y = instr.results[0];
  parallelMatmul(pool_, bufferRow(x, 0), bufferStride(x), call_->batch * call_->seq,
                 weightMatrix(w), bias >= 0 ? static_cast<const float *>(dataOf(bias)) : nullptr,
                 bufferRow(y, 0), bufferStride(y));
}

void CpuFunction::runLogits(const Instr &instr) {
  const std::vector<int64_t> *rows = call_->logitRows;
  if (!rows || rows->empty())
    return;
  int32_t x = instr.operands[0], w = instr.operands[1];
  int64_t vocab = function_.values[w].shape[0], width = function_.values[w].shape[1];
  int64_t n = static_cast<int64_t>(rows->size());
  for (int64_t i = 0; i < n; ++i)
    std::memcpy(&logitRows_[i * width], bufferRow(x, (*rows)[i]), width * sizeof(float));
  parallelMatmul(pool_, logitRows_.data(), width, n, weightMatrix(w), nullptr, call_->logits,
                 vocab);
}

MoEWeights CpuFunction::moeWeights(const Instr &instr) const {
  MoEWeights w;
  w.router = static_cast<const float *>(dataOf(instr.operands[1]));
  w.width = function_.values[instr.operands[1]].shape[1];
  for (size_t i = 2; i + 2 < instr.operands.size(); i += 3)
    w.experts.push_back({weightMatrix(instr.operands[i]), weightMatrix(instr.operands[i + 1]),
                         weightMatrix(instr.operands[i + 2]),
                         function_.values[instr.operands[i]].shape[0]});
  const Attr *topK = instr.attr("top_k"), *renormalize = instr.attr("renormalize");
  w.topK = topK && !topK->ints.empty() ? topK->ints[0] : 0;
  w.renormalize = renormalize && !renormalize->ints.empty() && renormalize->ints[0] != 0;
  return w;
}

void CpuFunction::runMoE(size_t index, const Instr &instr) {
  int32_t x = instr.operands[0], y = instr.results[0];
  moe_[index]->run(pool_, moeWeights_[index], bufferRow(x, 0), bufferStride(x),
                   call_->batch * call_->seq, bufferRow(y, 0), bufferStride(y));
}

Status CpuFunction::runAttention(size_t index, const Instr &instr) {
  const AttentionShape &shape = attentionShapes_[index];
  int32_t q = instr.operands[0], k = instr.operands[1], v = instr.operands[2];
  int32_t out = instr.results[0];
  size_t state = static_cast<size_t>(function_.values[instr.operands[3]].index);
  KVCacheStore &caches = *call_->kvCaches;
  int64_t width = caches.width(state), seq = call_->seq;
  if (width != shape.kvHeads * shape.headDim)
    return Status::error("function '" + function_.name + "', instruction " + std::to_string(index) +
                         " (attention): its KV cache holds " + std::to_string(width) +
                         " floats per token, not kv_heads·head_dim");
  attentionCall_.clear();
  for (int64_t b = 0; b < call_->batch; ++b) {
    int64_t slot = (*call_->slots)[b];
    int64_t len = call_->seqLens ? call_->seqLens[b] : seq;
    KVRows &rows = caches.rows(state, slot);
    SSMRT_RETURN_IF_ERROR(caches.reserve(state, slot, rows.length + len));
    for (int64_t t = 0; t < len; ++t) {
      float *key = rows.hostKeys() + (rows.length + t) * width;
      std::memcpy(key, bufferRow(k, b * seq + t), width * sizeof(float));
      std::memcpy(rows.hostValues() + (rows.length + t) * width, bufferRow(v, b * seq + t),
                  width * sizeof(float));
      if (shape.ropeTheta > 0)
        for (int64_t h = 0; h < shape.kvHeads; ++h)
          applyRope(key + h * shape.headDim, shape.headDim, rows.length + t, shape.ropeTheta);
    }
    // Rows past a sequence's length are outputs nobody reads; keep them
    // finite.
    for (int64_t t = len; t < seq; ++t)
      std::fill_n(bufferRow(out, b * seq + t), rowWidth(out), 0.0f);
    AttentionSequence s;
    s.q = bufferRow(q, b * seq);
    s.ldq = bufferStride(q);
    s.out = bufferRow(out, b * seq);
    s.ldo = bufferStride(out);
    s.keys = rows.hostKeys();
    s.values = rows.hostValues();
    s.cached = rows.length;
    s.len = len;
    rows.length += len;
    attentionCall_.push_back(s);
  }
  attention_.run(pool_, shape, attentionCall_);
  return okStatus();
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
  SSMRT_RETURN_IF_ERROR(
      ReferenceInterpreter::evaluate(function_, instr, operands, results)
          .withPrefix("function '" + function_.name + "', instruction " + std::to_string(index)));
  for (size_t r = 0; r < instr.results.size(); ++r) {
    int32_t id = instr.results[r];
    const RefTensor &t = results[r];
    if (values[id].kind == ValueKind::Temp && values[id].buffer >= 0) {
      int64_t width = rowWidth(id);
      for (int64_t row = 0; row < rows; ++row)
        for (int64_t c = 0; c < width; ++c)
          bufferRow(id, row)[c] = static_cast<float>(t.data[row * width + c]);
    } else if (plan_.stateInput[id] >= 0) {
      float *dst = reinterpret_cast<float *>((*call_->states)[plan_.stateInput[id]]);
      for (int64_t k = 0; k < t.numElements(); ++k)
        dst[k] = static_cast<float>(t.data[k]);
    }
  }
  return okStatus();
}

Status CpuFunction::beginCall(const CallInputs &inputs) {
  if (inputs.batch < 1 || inputs.seq < 1 || inputs.batch * inputs.seq > maxTokens_)
    return Status::error("a call of " + std::to_string(inputs.batch) + " x " +
                         std::to_string(inputs.seq) + " tokens exceeds the " +
                         std::to_string(maxTokens_) + " token rows this function was prepared for");
  if (!inputs.states || inputs.states->size() + 2 != function_.inputs.size())
    return Status::error("function '" + function_.name + "' needs " +
                         std::to_string(function_.inputs.size() - 2) + " states, got " +
                         std::to_string(inputs.states ? inputs.states->size() : 0));
  if (inputs.logitRows && static_cast<int64_t>(inputs.logitRows->size()) > maxTokens_)
    return Status::error("more logits rows than token rows");
  call_ = &inputs;
  return okStatus();
}

Status CpuFunction::runSteps(size_t from, size_t to) {
  for (size_t i = from; i < to && i < function_.instrs.size(); ++i) {
    const Instr &in = function_.instrs[i];
    FunctionPlan::Step step = plan_.steps[i];
    if (step == FunctionPlan::Step::Skip)
      continue;
    auto start = std::chrono::steady_clock::now();
    if (step == FunctionPlan::Step::MatMul)
      runLinear(in);
    else if (step == FunctionPlan::Step::MoE)
      runMoE(i, in);
    else if (step == FunctionPlan::Step::Attention)
      SSMRT_RETURN_IF_ERROR(runAttention(i, in));
    else if (step == FunctionPlan::Step::Logits)
      runLogits(in);
    else if (step == FunctionPlan::Step::Kernel)
      runKernel(in);
    else
      SSMRT_RETURN_IF_ERROR(runFallback(i, in));
    if (profiling_) {
      size_t op = static_cast<size_t>(in.op);
      if (profile_.size() <= op)
        profile_.resize(op + 1, 0.0);
      profile_[op] +=
          std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    }
  }
  return okStatus();
}

Status CpuFunction::run(const CallInputs &inputs) {
  SSMRT_RETURN_IF_ERROR(beginCall(inputs));
  Status st = runSteps(0, function_.instrs.size());
  call_ = nullptr;
  return st;
}

std::vector<std::pair<float *, size_t>> CpuFunction::activationRegions(size_t instr) const {
  std::vector<std::pair<float *, size_t>> regions;
  const Instr &in = function_.instrs[instr];
  std::vector<int32_t> ids = in.operands;
  ids.insert(ids.end(), in.results.begin(), in.results.end());
  std::vector<int32_t> seen;
  for (int32_t id : ids) {
    if (id < 0 || !FunctionPlan::planned(function_, id))
      continue;
    int32_t buffer = function_.values[id].buffer;
    if (std::find(seen.begin(), seen.end(), buffer) != seen.end())
      continue;
    seen.push_back(buffer);
    regions.push_back(
        {buffers_[buffer].get(),
         static_cast<size_t>(call_->batch * call_->seq * function_.buffers[buffer].width)});
  }
  return regions;
}
