//===- GpuFunction.cpp - runs one program function on a GPU ---------------===//
#include "runtime/gpu/GpuFunction.h"
#include "runtime/gpu/KernelLaunch.h"

#include <algorithm>

using namespace ssmrt;
using namespace ssmrt::gpu;

StatusOr<std::unique_ptr<GpuFunction>>
GpuFunction::create(const Program &program, const Function &function, GpuDevice &device,
                    const GpuWeights &weights, const std::vector<int> &kernels, int64_t maxTokens,
                    int64_t maxBatch) {
  std::unique_ptr<GpuFunction> f(new GpuFunction(program, function, device, weights, kernels));
  SSMRT_RETURN_IF_ERROR(f->prepare(maxTokens, maxBatch));
  return f;
}

namespace {
/// 64-bit words of one attention instruction's table for |batch| sequences:
/// key addresses, value addresses, then int32 token counts.
int64_t tableWords(int64_t batch) { return 2 * batch + (batch + 1) / 2; }
/// An ssm.moe instruction's experts per token.
int64_t topK(const Instr &instr) {
  const Attr *k = instr.attr("top_k");
  return k && !k->ints.empty() ? k->ints[0] : 1;
}
} // namespace

GpuFunction::~GpuFunction() {
  if (attentionTables_)
    device_.release(attentionTables_);
  for (DevicePtr p : attentionWorkspace_)
    if (p)
      device_.release(p);
  for (DevicePtr p : moeTables_)
    device_.release(p);
  if (moeScratch_)
    device_.release(moeScratch_);
  for (DevicePtr p : buffers_)
    device_.release(p);
  if (workspace_)
    device_.release(workspace_);
  if (gather_)
    device_.release(gather_);
}

bool GpuFunction::planned(int32_t id) const { return FunctionPlan::planned(function_, id); }

DevicePtr GpuFunction::activation(int32_t id) const {
  const ValueDesc &v = function_.values[id];
  return buffers_[v.buffer] + static_cast<DevicePtr>(v.column) * valueTypeBytes(v.dtype);
}

int64_t GpuFunction::ld(int32_t id) const {
  return function_.buffers[function_.values[id].buffer].width;
}

DevicePtr GpuFunction::dataOf(int32_t id, const GpuCall &call) const {
  const ValueDesc &v = function_.values[id];
  if (plan_.stateInput[id] >= 0)
    return (*call.states)[plan_.stateInput[id]];
  if (v.kind == ValueKind::Tokens)
    return call.tokens;
  if (v.kind == ValueKind::SeqLens)
    return call.seqLens;
  return weights_.valuePointer(function_, id);
}

Status GpuFunction::prepare(int64_t maxTokens, int64_t maxBatch) {
  const auto &values = function_.values;
  maxTokens_ = maxTokens;
  maxBatch_ = maxBatch;
  DeviceRules rules = DeviceRules::of(program_.cuda.kernels, /*referenceFallback=*/false,
                                      /*matmulBias=*/false);
  rules.attention = true;
  rules.moe = true;
  StatusOr<FunctionPlan> plan = planFunction(function_, rules);
  if (!plan.ok())
    return plan.status();
  plan_ = std::move(*plan);
  vocab_ = plan_.vocab;
  resident_.assign(program_.cuda.kernels.size(), 0);
  tableIndex_.assign(function_.instrs.size(), 0);
  for (size_t i = 0; i < function_.instrs.size(); ++i) {
    const Instr &in = function_.instrs[i];
    std::string what = "function '" + function_.name + "', instruction " + std::to_string(i) +
                       " (" + opCodeName(in.op) + ")";
    if (plan_.steps[i] == FunctionPlan::Step::Attention) {
      // The caches hold the activations' type (GpuExecutor's StateStore).
      if (in.kernel < 0 || in.kernel >= static_cast<int32_t>(kernels_.size()))
        return Status::error(what + ": has no loaded CUDA kernel");
      if (program_.cuda.kernels[in.kernel].grid != LaunchGrid::Attention ||
          values[in.operands[1]].dtype != program_.cuda.dtype)
        return Status::error(what + ": its kernel is not an attention kernel over caches of "
                                    "the GPU dtype");
      tableIndex_[i] = attention_.size();
      attention_.push_back(i);
      attentionWorkspace_.push_back(0);
      if (int64_t perRow = program_.cuda.kernels[in.kernel].workspace) {
        StatusOr<DevicePtr> p =
            device_.allocate((64 + perRow * maxBatch) * sizeof(float), "the workspace of " + what);
        if (!p.ok())
          return p.status();
        attentionWorkspace_.back() = *p;
      }
      continue;
    }
    if (plan_.steps[i] == FunctionPlan::Step::MoE) {
      if (in.kernel < 0 || in.kernel >= static_cast<int32_t>(kernels_.size()) ||
          program_.cuda.kernels[in.kernel].grid != LaunchGrid::Experts)
        return Status::error(what + ": has no loaded CUDA kernel for its experts");
      std::vector<uint64_t> table;
      for (size_t e = 2; e < in.operands.size(); ++e) {
        DevicePtr w = weights_.valuePointer(function_, in.operands[e]);
        if (!w)
          return Status::error(what + ": expert weight value " + std::to_string(in.operands[e]) +
                               " is not on the device");
        table.push_back(w);
      }
      StatusOr<DevicePtr> p =
          device_.allocate(table.size() * sizeof(uint64_t), "the expert table of " + what);
      if (!p.ok())
        return p.status();
      moeTables_.push_back(*p);
      SSMRT_RETURN_IF_ERROR(device_.upload(*p, table.data(), table.size() * sizeof(uint64_t)));
      moeHostTables_.push_back(std::move(table));
      tableIndex_[i] = moe_.size();
      moe_.push_back(i);
      continue;
    }
    if (plan_.steps[i] != FunctionPlan::Step::Kernel)
      continue;
    if (in.kernel >= static_cast<int32_t>(kernels_.size()))
      return Status::error(what + ": has no loaded CUDA kernel");
    for (int32_t id : in.operands)
      if (id >= 0 && (values[id].kind == ValueKind::Param || plan_.once[id]) &&
          !weights_.valuePointer(function_, id))
        return Status::error(what + ": operand value " + std::to_string(id) +
                             " is not on the device");
    const CudaKernelDesc &desc = program_.cuda.kernels[in.kernel];
    // Occupancy is asked here, not while a decode step is being captured.
    if (desc.grid == LaunchGrid::Persistent && !resident_[in.kernel]) {
      StatusOr<int64_t> r = residentBlocks(device_, kernels_[in.kernel], desc, {});
      if (!r.ok())
        return r.status();
      resident_[in.kernel] = *r;
    }
  }
  int64_t workspacePerRow = plan_.workspacePerRow, gatherWidth = plan_.logitsWidth;
  for (const ValueDesc &v : values)
    if (v.kind == ValueKind::Param)
      weightBytes_ += static_cast<int64_t>(valueTypeBytes(v.dtype)) * shapeElements(v.shape);

  for (size_t b = 0; b < function_.buffers.size(); ++b) {
    size_t bytes = static_cast<size_t>(function_.buffers[b].width) * maxTokens * sizeof(float);
    StatusOr<DevicePtr> p = device_.allocate(bytes, "activation buffer " + std::to_string(b) +
                                                        " of '" + function_.name + "'");
    if (!p.ok())
      return p.status();
    buffers_.push_back(*p);
  }
  if (workspacePerRow) {
    // 64 words of grid-barrier state, then the per-row scratch.
    StatusOr<DevicePtr> p = device_.allocate((64 + workspacePerRow * maxBatch) * sizeof(float),
                                             "the kernel workspace of '" + function_.name + "'");
    if (!p.ok())
      return p.status();
    workspace_ = *p;
  }
  int64_t moeScratch = 0;
  for (size_t i : moe_) {
    const Instr &in = function_.instrs[i];
    const std::vector<int64_t> &gate = values[in.operands[2]].shape;
    int64_t experts = static_cast<int64_t>(in.operands.size() - 2) / 3;
    moeScratch =
        std::max(moeScratch, moeLayout(maxTokens * topK(in), gate[0], gate[1], experts).total);
  }
  if (moeScratch) {
    StatusOr<DevicePtr> p = device_.allocate(moeScratch * sizeof(float),
                                             "the expert scratch of '" + function_.name + "'");
    if (!p.ok())
      return p.status();
    moeScratch_ = *p;
  }
  if (!attention_.empty()) {
    attentionHost_.assign(attention_.size() * tableWords(maxBatch), 0);
    StatusOr<DevicePtr> p = device_.allocate(attentionHost_.size() * sizeof(uint64_t),
                                             "the KV cache tables of '" + function_.name + "'");
    if (!p.ok())
      return p.status();
    attentionTables_ = *p;
  }
  if (gatherWidth) {
    StatusOr<DevicePtr> p = device_.allocate(gatherWidth * maxTokens * sizeof(float),
                                             "the logits rows of '" + function_.name + "'");
    if (!p.ok())
      return p.status();
    gather_ = *p;
  }
  return okStatus();
}

Status GpuFunction::runKernel(size_t index, const Instr &instr, const GpuCall &call) {
  const CudaKernelDesc &desc = program_.cuda.kernels[instr.kernel];
  std::vector<KernelArg> &args = args_;
  args.clear();
  auto push = [&](int32_t id) {
    if (planned(id)) {
      args.push_back(KernelArg::pointer(activation(id)));
      args.push_back(KernelArg::int64(ld(id)));
    } else {
      args.push_back(KernelArg::pointer(dataOf(id, call)));
    }
  };
  for (int32_t id : instr.operands)
    if (id >= 0)
      push(id);
  for (int32_t id : instr.results)
    push(id);
  if (desc.workspace)
    args.push_back(KernelArg::pointer(workspace_));
  args.push_back(KernelArg::int32(static_cast<int32_t>(call.batch)));
  args.push_back(KernelArg::int32(static_cast<int32_t>(call.seq)));

  int kernel = kernels_[instr.kernel];
  LaunchDims dims = launchDims(desc, {}, call.batch, call.seq, resident_[instr.kernel]);
  Status launched = device_.launch(kernel, dims, args, desc.cooperative);
  if (launched.ok()) // the message is built only for a failure (a launch is a hot path)
    return launched;
  return launched.withPrefix("function '" + function_.name + "', instruction " +
                             std::to_string(index) + " (kernel '" + desc.name + "')");
}

Status GpuFunction::prepareAttention(KVCacheStore &caches, const std::vector<int64_t> &slots,
                                     const int32_t *lens) {
  if (attention_.empty())
    return okStatus();
  int64_t batch = static_cast<int64_t>(slots.size());
  if (batch > maxBatch_)
    return Status::error("a call of " + std::to_string(batch) + " sequences exceeds the " +
                         std::to_string(maxBatch_) + " this function was prepared for");
  for (size_t a = 0; a < attention_.size(); ++a) {
    const Instr &in = function_.instrs[attention_[a]];
    size_t state = kvState(in);
    uint64_t *table = attentionHost_.data() + a * tableWords(maxBatch_);
    auto *counts = reinterpret_cast<int32_t *>(table + 2 * maxBatch_);
    for (int64_t b = 0; b < batch; ++b) {
      KVRows &rows = caches.rows(state, slots[b]);
      if (rows.length > INT32_MAX - std::max(lens[b], 0))
        return Status::error("a KV cache past 2^31 tokens");
      SSMRT_RETURN_IF_ERROR(caches.reserve(state, slots[b], rows.length + std::max(lens[b], 0)));
      table[b] = rows.keys;
      table[maxBatch_ + b] = rows.values;
      counts[b] = static_cast<int32_t>(rows.length);
    }
  }
  return device_.upload(attentionTables_, attentionHost_.data(),
                        attentionHost_.size() * sizeof(uint64_t));
}

void GpuFunction::commitAttention(KVCacheStore &caches, const std::vector<int64_t> &slots,
                                  const int32_t *lens) {
  for (size_t i : attention_)
    for (size_t b = 0; b < slots.size(); ++b)
      caches.rows(kvState(function_.instrs[i]), slots[b]).length += std::max(lens[b], 0);
}

Status GpuFunction::runAttention(size_t index, const Instr &instr, const GpuCall &call) {
  const CudaKernelDesc &desc = program_.cuda.kernels[instr.kernel];
  size_t a = tableIndex_[index];
  DevicePtr table =
      attentionTables_ + static_cast<DevicePtr>(a * tableWords(maxBatch_)) * sizeof(uint64_t);
  int32_t q = instr.operands[0], k = instr.operands[1], v = instr.operands[2];
  int32_t out = instr.results[0];
  std::vector<KernelArg> &args = args_;
  args.clear();
  for (int32_t id : {q, k, v}) {
    args.push_back(KernelArg::pointer(activation(id)));
    args.push_back(KernelArg::int64(ld(id)));
  }
  args.push_back(KernelArg::pointer(table));
  args.push_back(KernelArg::pointer(table + maxBatch_ * sizeof(uint64_t)));
  args.push_back(KernelArg::pointer(table + 2 * maxBatch_ * sizeof(uint64_t)));
  args.push_back(KernelArg::pointer(call.seqLens));
  args.push_back(KernelArg::pointer(activation(out)));
  args.push_back(KernelArg::int64(ld(out)));
  if (desc.workspace)
    args.push_back(KernelArg::pointer(attentionWorkspace_[a]));
  args.push_back(KernelArg::int32(static_cast<int32_t>(call.batch)));
  args.push_back(KernelArg::int32(static_cast<int32_t>(call.seq)));
  LaunchDims dims = launchDims(desc, {}, call.batch, call.seq, 0);
  // Decode: a long cache in slices over more blocks, about two per
  // multiprocessor in all (the kernel skips slices past a short cache).
  if (call.seq == 1 && desc.workspace) {
    int64_t blocks = call.batch * desc.channels;
    int64_t splits = (2 * device_.multiprocessors() + blocks - 1) / blocks;
    dims.grid[1] = static_cast<unsigned>(std::clamp<int64_t>(splits, 1, desc.param("SPLITS")));
  }
  Status launched = device_.launch(kernels_[instr.kernel], dims, args, false);
  if (launched.ok())
    return launched;
  return launched.withPrefix("function '" + function_.name + "', instruction " +
                             std::to_string(index) + " (kernel '" + desc.name + "')");
}

GpuFunction::MoELayout GpuFunction::moeLayout(int64_t a, int64_t inner, int64_t width,
                                              int64_t experts) {
  MoELayout l;
  l.sel = 0;
  l.wts = a;
  l.h = 2 * a;
  l.y = l.h + a * inner;
  l.u = l.y + a * width;
  l.hg = l.u + a * inner;
  l.xg = l.hg + a * inner;
  l.pos = l.xg + a * width;
  l.dst = l.pos + a;
  l.counts = l.dst + a;
  l.total = l.counts + experts;
  return l;
}

Status GpuFunction::runMoE(size_t index, const Instr &instr, const GpuCall &call) {
  const CudaKernelDesc &desc = program_.cuda.kernels[instr.kernel];
  size_t m = tableIndex_[index];
  const std::vector<int64_t> &gate = function_.values[instr.operands[2]].shape;
  int64_t k = topK(instr), experts = desc.channels;
  int64_t rows = call.batch * call.seq, inner = gate[0], width = gate[1], a = rows * k;
  unsigned threads = static_cast<unsigned>(desc.param(desc.blockParam)), warps = threads / 32;
  auto blocks = [](int64_t n, int64_t per) { return static_cast<unsigned>((n + per - 1) / per); };
  int32_t x = instr.operands[0], out = instr.results[0];
  auto launch = [&](int phase, unsigned gx, unsigned gy) {
    std::vector<KernelArg> &args = args_;
    args.clear();
    args.push_back(KernelArg::int32(phase));
    args.push_back(KernelArg::pointer(activation(x)));
    args.push_back(KernelArg::int64(ld(x)));
    args.push_back(KernelArg::pointer(weights_.valuePointer(function_, instr.operands[1])));
    args.push_back(KernelArg::pointer(moeTables_[m]));
    args.push_back(KernelArg::pointer(moeScratch_));
    args.push_back(KernelArg::pointer(call.seqLens));
    args.push_back(KernelArg::pointer(activation(out)));
    args.push_back(KernelArg::int64(ld(out)));
    args.push_back(KernelArg::int32(static_cast<int32_t>(call.batch)));
    args.push_back(KernelArg::int32(static_cast<int32_t>(call.seq)));
    LaunchDims dims;
    dims.block = threads;
    dims.grid[0] = gx;
    dims.grid[1] = gy;
    Status launched = device_.launch(kernels_[instr.kernel], dims, args, false);
    if (launched.ok())
      return launched;
    return launched.withPrefix("function '" + function_.name + "', instruction " +
                               std::to_string(index) + " (kernel '" + desc.name + "', phase " +
                               std::to_string(phase) + ")");
  };
  SSMRT_RETURN_IF_ERROR(launch(0, blocks(rows, warps), 1));
  // Token by token in decode (a captured graph: no host round trip) and for
  // few tokens per expert; else each expert's tokens as one product.
  if (call.seq == 1 || a < 4 * experts) {
    SSMRT_RETURN_IF_ERROR(launch(1, static_cast<unsigned>(a), blocks(inner, warps)));
    SSMRT_RETURN_IF_ERROR(launch(2, static_cast<unsigned>(a), blocks(width, warps)));
    return launch(3, static_cast<unsigned>(rows), 1);
  }
  MoELayout l = moeLayout(a, inner, width, experts);
  auto at = [&](int64_t slot) { return moeScratch_ + static_cast<DevicePtr>(slot) * 4; };
  SSMRT_RETURN_IF_ERROR(launch(4, 1, 1));
  SSMRT_RETURN_IF_ERROR(launch(5, blocks(a, threads), 1));
  moeCounts_.resize(experts);
  SSMRT_RETURN_IF_ERROR(device_.download(moeCounts_.data(), at(l.counts), experts * 4));
  SSMRT_RETURN_IF_ERROR(launch(6, static_cast<unsigned>(a), 1));
  ValueType t = function_.values[x].dtype;
  size_t tb = valueTypeBytes(t);
  const std::vector<uint64_t> &table = moeHostTables_[m];
  // G = Xg · gateᵀ and U = Xg · upᵀ, then Yg = Hg · downᵀ, per expert.
  for (int pass = 0; pass < 2; ++pass) {
    int64_t offset = 0;
    for (int64_t e = 0; e < experts; ++e) {
      int64_t c = moeCounts_[e];
      if (c < 0 || offset + c > a)
        return Status::error("the expert counts of instruction " + std::to_string(index) +
                             " do not add up");
      for (int w = pass == 0 ? 0 : 2; c && w < (pass == 0 ? 2 : 3); ++w) {
        GemmArgs g;
        g.w = table[3 * e + w];
        g.rows = c;
        g.inType = t;
        g.outType = ValueType::F32;
        if (pass == 0) {
          g.x = at(l.xg) + static_cast<DevicePtr>(offset * width) * tb;
          g.y = at(w == 0 ? l.h : l.u) + static_cast<DevicePtr>(offset * inner) * 4;
          g.out = inner;
          g.in = width;
        } else {
          g.x = at(l.hg) + static_cast<DevicePtr>(offset * inner) * tb;
          g.y = at(l.y) + static_cast<DevicePtr>(offset * width) * 4;
          g.out = width;
          g.in = inner;
        }
        g.ldx = g.in;
        g.ldy = g.out;
        SSMRT_RETURN_IF_ERROR(device_.gemm(g));
      }
      offset += c;
    }
    if (pass == 0)
      SSMRT_RETURN_IF_ERROR(launch(7, static_cast<unsigned>(a), 1));
  }
  return launch(8, static_cast<unsigned>(rows), 1);
}

Status GpuFunction::runLinear(const Instr &instr, const GpuCall &call) {
  int32_t x = instr.operands[0], w = instr.operands[1], y = instr.results[0];
  const auto &values = function_.values;
  GemmArgs g;
  g.x = activation(x);
  g.w = weights_.valuePointer(function_, w);
  g.y = activation(y);
  g.rows = call.batch * call.seq;
  g.out = values[w].shape[0];
  g.in = values[w].shape[1];
  g.ldx = ld(x);
  g.ldy = ld(y);
  g.inType = values[x].dtype;
  g.outType = values[y].dtype;
  return device_.gemm(g);
}

Status GpuFunction::runLogits(const Instr &instr, const GpuCall &call) {
  if (!call.logitRows || call.logitRows->empty())
    return okStatus();
  int32_t x = instr.operands[0], w = instr.operands[1];
  const auto &values = function_.values;
  int64_t width = values[w].shape[1];
  size_t bytes = valueTypeBytes(values[x].dtype);
  GemmArgs g;
  g.w = weights_.valuePointer(function_, w);
  g.out = vocab_;
  g.in = width;
  g.ldy = vocab_;
  g.inType = values[x].dtype;
  g.outType = ValueType::F32;
  const std::vector<int64_t> &rows = *call.logitRows;
  int64_t n = static_cast<int64_t>(rows.size());
  bool contiguous = true;
  for (int64_t i = 1; i < n; ++i)
    contiguous &= rows[i] == rows[0] + i;
  if (contiguous) {
    g.x = activation(x) + static_cast<DevicePtr>(rows[0] * ld(x)) * bytes;
    g.ldx = ld(x);
  } else {
    // Gather the rows (one copy each) and multiply once.
    for (int64_t i = 0; i < n; ++i)
      SSMRT_RETURN_IF_ERROR(device_.copy(
          gather_ + static_cast<DevicePtr>(i * width) * bytes,
          activation(x) + static_cast<DevicePtr>(rows[i] * ld(x)) * bytes, width * bytes));
    g.x = gather_;
    g.ldx = width;
  }
  g.rows = n;
  g.y = call.logits;
  return device_.gemm(g);
}

Status GpuFunction::run(const GpuCall &call) {
  if (call.batch < 1 || call.seq < 1 || call.batch * call.seq > maxTokens_ ||
      call.batch > maxBatch_)
    return Status::error("a call of " + std::to_string(call.batch) + " x " +
                         std::to_string(call.seq) + " tokens exceeds the " +
                         std::to_string(maxTokens_) + " token rows (" + std::to_string(maxBatch_) +
                         " sequences) this function was prepared for");
  if (!call.states || call.states->size() + 2 != function_.inputs.size())
    return Status::error("function '" + function_.name + "' needs " +
                         std::to_string(function_.inputs.size() - 2) + " states, got " +
                         std::to_string(call.states ? call.states->size() : 0));
  if (call.logitRows && static_cast<int64_t>(call.logitRows->size()) > maxTokens_)
    return Status::error("more logits rows than token rows");
  for (size_t i = 0; i < function_.instrs.size(); ++i) {
    const Instr &in = function_.instrs[i];
    FunctionPlan::Step step = plan_.steps[i];
    if (step == FunctionPlan::Step::Skip)
      continue;
    auto work = [&] {
      if (step == FunctionPlan::Step::MatMul)
        return runLinear(in, call);
      if (step == FunctionPlan::Step::Logits)
        return runLogits(in, call);
      if (step == FunctionPlan::Step::Attention)
        return runAttention(i, in, call);
      if (step == FunctionPlan::Step::MoE)
        return runMoE(i, in, call);
      return runKernel(i, in, call);
    };
    if (!profiling_) {
      SSMRT_RETURN_IF_ERROR(work());
      continue;
    }
    StatusOr<double> ms = device_.timeMs(work);
    if (!ms.ok())
      return ms.status();
    size_t op = static_cast<size_t>(in.op);
    if (profile_.size() <= op)
      profile_.resize(op + 1, 0.0);
    profile_[op] += *ms * 1e-3;
  }
  return okStatus();
}
