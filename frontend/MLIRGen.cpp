//===- MLIRGen.cpp - lowers an elaborated model to the ssm dialect --------===//
#include "frontend/MLIRGen.h"

#include "dialect/SSMOps.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/Verifier.h"

using namespace mlir;
using namespace ssmc::fe;

namespace {

class MLIRGenImpl {
public:
  MLIRGenImpl(MLIRContext &context, const Graph &graph, const SourceManager &sources)
      : builder_(&context), graph_(graph), sources_(sources) {}

  OwningOpRef<ModuleOp> build();

private:
  Location loc(Loc l) {
    LineCol lc = sources_.lineCol(l);
    return FileLineColLoc::get(builder_.getContext(), sources_.path(l.file), lc.line, lc.col);
  }
  RankedTensorType tensorType(const Shape &shape, Type element) {
    SmallVector<int64_t> dims;
    for (int64_t d : shape)
      dims.push_back(d == kDyn ? ShapedType::kDynamic : d);
    return RankedTensorType::get(dims, element);
  }
  RankedTensorType f32Type(const Shape &shape) { return tensorType(shape, builder_.getF32Type()); }
  /// Per-batch state type: the slot's per-sequence shape behind a dynamic batch.
  RankedTensorType stateType(const Shape &perSequence) {
    Shape s = {kDyn};
    s.insert(s.end(), perSequence.begin(), perSequence.end());
    return f32Type(s);
  }
  Value value(int id) { return id < 0 ? Value() : values_[id]; }
  int64_t attrInt(const GraphNode &n, const char *name) {
    return std::get<int64_t>(n.attrs.at(name));
  }
  double attrFloat(const GraphNode &n, const char *name) {
    return std::get<double>(n.attrs.at(name));
  }
  bool attrBool(const GraphNode &n, const char *name) {
    return std::get<bool>(n.attrs.at(name));
  }
  void buildNode(const GraphNode &node);

  OpBuilder builder_;
  const Graph &graph_;
  const SourceManager &sources_;
  std::vector<Value> values_;
  /// Per state slot, the block arguments holding its initial state (two for
  /// a KV cache), and the values of its final state.
  std::vector<SmallVector<Value, 2>> stateIn_, stateOut_;
  Value seqLens_;
};

OwningOpRef<ModuleOp> MLIRGenImpl::build() {
  MLIRContext *ctx = builder_.getContext();
  Location modelLoc =
      graph_.nodes.empty() ? builder_.getUnknownLoc() : loc(graph_.nodes.front().loc);
  OwningOpRef<ModuleOp> module = ModuleOp::create(modelLoc);

  // Signature: tokens, seq_lens, state slots; logits, state slots.
  SmallVector<Type> inputs = {tensorType({kDyn, kDyn}, builder_.getI32Type()),
                              tensorType({kDyn}, builder_.getI32Type())};
  SmallVector<Type> outputs = {f32Type(graph_.values[graph_.output].shape)};
  SmallVector<std::pair<std::string, int>> stateArgs; // name, slot
  for (size_t s = 0; s < graph_.states.size(); ++s) {
    const StateSlot &slot = graph_.states[s];
    if (slot.kind == StateKind::KVCache) {
      Type cache = f32Type({kDyn, slot.shape[1], kDyn, slot.shape[2]});
      inputs.append({cache, cache});
      outputs.append({cache, cache});
      stateArgs.push_back({slot.name + ":k", int(s)});
      stateArgs.push_back({slot.name + ":v", int(s)});
    } else {
      inputs.push_back(stateType(slot.shape));
      outputs.push_back(stateType(slot.shape));
      stateArgs.push_back({slot.name, int(s)});
    }
  }
  auto func = func::FuncOp::create(modelLoc, "forward", builder_.getFunctionType(inputs, outputs));
  module->push_back(func);
  func->setAttr("ssm.model", builder_.getStringAttr(graph_.modelName));
  SmallVector<NamedAttribute> config;
  for (const ConfigCheck &c : graph_.configChecks) {
    Attribute value;
    if (auto *i = std::get_if<int64_t>(&c.value))
      value = builder_.getI64IntegerAttr(*i);
    else if (auto *f = std::get_if<double>(&c.value))
      value = builder_.getF64FloatAttr(*f);
    else if (auto *b = std::get_if<bool>(&c.value))
      value = builder_.getBoolAttr(*b);
    else
      value = builder_.getStringAttr(std::get<std::string>(c.value));
    config.push_back(builder_.getNamedAttr(c.key, value));
  }
  func->setAttr("ssm.config", DictionaryAttr::get(ctx, config));
  func.setArgAttr(0, "ssm.input", builder_.getStringAttr("tokens"));
  func.setArgAttr(1, "ssm.input", builder_.getStringAttr("seq_lens"));
  func.setResultAttr(0, "ssm.output", builder_.getStringAttr("logits"));

  Block *entry = func.addEntryBlock();
  builder_.setInsertionPointToStart(entry);
  stateIn_.assign(graph_.states.size(), {});
  stateOut_.assign(graph_.states.size(), {});
  for (size_t i = 0; i < stateArgs.size(); ++i) {
    func.setArgAttr(2 + i, "ssm.state", builder_.getStringAttr(stateArgs[i].first));
    func.setResultAttr(1 + i, "ssm.state", builder_.getStringAttr(stateArgs[i].first));
    stateIn_[stateArgs[i].second].push_back(entry->getArgument(2 + i));
  }
  seqLens_ = entry->getArgument(1);

  values_.assign(graph_.values.size(), Value());
  values_[graph_.tokens] = entry->getArgument(0);
  for (const GraphParam &p : graph_.params) {
    std::string names;
    for (const std::string &n : p.names)
      names += (names.empty() ? "" : "|") + n;
    values_[p.value] = builder_.create<ssm::ParamOp>(loc(p.loc), f32Type(p.shape),
                                                     builder_.getStringAttr(names));
  }
  for (const GraphNode &node : graph_.nodes)
    buildNode(node);

  SmallVector<Value> results = {values_[graph_.output]};
  for (auto &out : stateOut_)
    results.append(out.begin(), out.end());
  builder_.create<func::ReturnOp>(modelLoc, results);
  if (failed(verify(*module)))
    return nullptr;
  return module;
}

void MLIRGenImpl::buildNode(const GraphNode &n) {
  Location l = loc(n.loc);
  auto ops = [&](size_t i) { return value(n.operands[i]); };
  auto type = [&](size_t r = 0) { return f32Type(graph_.values[n.results[r]].shape); };
  auto f64 = [&](double v) { return builder_.getF64FloatAttr(v); };
  auto i64 = [&](int64_t v) { return builder_.getI64IntegerAttr(v); };
  auto unit = [&](bool v) { return v ? builder_.getUnitAttr() : UnitAttr(); };
  auto init = [&](size_t k = 0) { return stateIn_[n.stateSlot][k]; };
  SmallVector<Value> results;

  switch (n.kind) {
  case OpKind::Embedding:
    results.push_back(builder_.create<ssm::EmbeddingOp>(l, type(), ops(0), ops(1)));
    break;
  case OpKind::Logits:
    results.push_back(builder_.create<ssm::LogitsOp>(l, type(), ops(0), ops(1)));
    break;
  case OpKind::RMSNorm:
    results.push_back(builder_.create<ssm::RMSNormOp>(l, type(), ops(0), ops(1),
                                                      f64(attrFloat(n, "eps"))));
    break;
  case OpKind::GatedRMSNorm:
    results.push_back(builder_.create<ssm::GatedRMSNormOp>(
        l, type(), ops(0), ops(1), ops(2), f64(attrFloat(n, "eps")),
        i64(attrInt(n, "group_size")), builder_.getBoolAttr(attrBool(n, "norm_before_gate"))));
    break;
  case OpKind::Linear:
    results.push_back(builder_.create<ssm::LinearOp>(l, type(), ops(0), ops(1), ops(2)));
    break;
  case OpKind::Split: {
    SmallVector<Type> types;
    for (size_t r = 0; r < n.results.size(); ++r)
      types.push_back(type(r));
    auto op = builder_.create<ssm::SplitOp>(
        l, types, ops(0),
        builder_.getDenseI64ArrayAttr(std::get<std::vector<int64_t>>(n.attrs.at("sizes"))),
        i64(attrInt(n, "axis")));
    results.append(op.getResults().begin(), op.getResults().end());
    break;
  }
  case OpKind::Concat: {
    SmallVector<Value> inputs;
    for (size_t i = 0; i < n.operands.size(); ++i)
      inputs.push_back(ops(i));
    results.push_back(
        builder_.create<ssm::ConcatOp>(l, type(), inputs, i64(attrInt(n, "axis"))));
    break;
  }
  case OpKind::Reshape:
    results.push_back(builder_.create<ssm::ReshapeOp>(l, type(), ops(0)));
    break;
  case OpKind::Transpose:
    results.push_back(builder_.create<ssm::TransposeOp>(
        l, type(), ops(0),
        builder_.getDenseI64ArrayAttr(std::get<std::vector<int64_t>>(n.attrs.at("permutation")))));
    break;
  case OpKind::Add:
    results.push_back(builder_.create<ssm::AddOp>(l, type(), ops(0), ops(1)));
    break;
  case OpKind::Mul:
    results.push_back(builder_.create<ssm::MulOp>(l, type(), ops(0), ops(1)));
    break;
  case OpKind::Neg:
    results.push_back(builder_.create<ssm::NegOp>(l, type(), ops(0)));
    break;
  case OpKind::Exp:
    results.push_back(builder_.create<ssm::ExpOp>(l, type(), ops(0)));
    break;
  case OpKind::Silu:
    results.push_back(builder_.create<ssm::SiluOp>(l, type(), ops(0)));
    break;
  case OpKind::Softplus:
    results.push_back(
        builder_.create<ssm::SoftplusOp>(l, type(), ops(0), f64(attrFloat(n, "threshold"))));
    break;
  case OpKind::CausalConv1d: {
    auto op = builder_.create<ssm::CausalConv1dOp>(
        l, type(), init().getType(), ops(0), ops(1), ops(2), init(), seqLens_, UnitAttr());
    results.push_back(op.getResult());
    stateOut_[n.stateSlot] = {op.getFinalState()};
    break;
  }
  case OpKind::SelectiveScan: {
    auto op = builder_.create<ssm::SelectiveScanOp>(
        l, type(), init().getType(), ops(0), ops(1), ops(2), ops(3), ops(4), ops(5), ops(6),
        ops(7), Value(), init(), seqLens_, i64(attrInt(n, "groups")),
        unit(attrBool(n, "delta_softplus")));
    results.push_back(op.getResult());
    stateOut_[n.stateSlot] = {op.getFinalState()};
    break;
  }
  case OpKind::SSDScan: {
    auto op = builder_.create<ssm::SSDScanOp>(
        l, type(), init().getType(), ops(0), ops(1), ops(2), ops(3), ops(4), ops(5), ops(6),
        ops(7), init(), seqLens_, i64(attrInt(n, "heads")), i64(attrInt(n, "head_dim")),
        i64(attrInt(n, "groups")), i64(attrInt(n, "chunk_size")),
        unit(attrBool(n, "dt_softplus")));
    results.push_back(op.getResult());
    stateOut_[n.stateSlot] = {op.getFinalState()};
    break;
  }
  case OpKind::Attention: {
    auto rope = n.attrs.count("rope_theta") ? f64(attrFloat(n, "rope_theta")) : FloatAttr();
    auto scale = n.attrs.count("scale") ? f64(attrFloat(n, "scale")) : FloatAttr();
    auto op = builder_.create<ssm::AttentionOp>(
        l, type(), init(0).getType(), init(1).getType(), ops(0), ops(1), ops(2), init(0),
        init(1), seqLens_, i64(attrInt(n, "heads")), i64(attrInt(n, "kv_heads")),
        i64(attrInt(n, "head_dim")), builder_.getBoolAttr(attrBool(n, "causal")), rope, scale);
    results.push_back(op.getResult());
    stateOut_[n.stateSlot] = {op.getKCacheOut(), op.getVCacheOut()};
    break;
  }
  case OpKind::MoE: {
    SmallVector<Value> experts;
    for (size_t i = 2; i < n.operands.size(); ++i)
      experts.push_back(ops(i));
    results.push_back(builder_.create<ssm::MoEOp>(l, type(), ops(0), ops(1), experts,
                                                  i64(attrInt(n, "top_k")),
                                                  builder_.getBoolAttr(attrBool(n, "renormalize"))));
    break;
  }
  }
  for (size_t r = 0; r < n.results.size(); ++r)
    values_[n.results[r]] = results[r];
}

} // namespace

OwningOpRef<ModuleOp> ssmc::fe::mlirGen(MLIRContext &context, const Graph &graph,
                                        const SourceManager &sources) {
  context.loadDialect<ssm::SSMDialect, func::FuncDialect>();
  return MLIRGenImpl(context, graph, sources).build();
}
