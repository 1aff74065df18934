//===- MLIRGen.cpp - lowers an elaborated model to the ssm dialect --------===//
#include "frontend/MLIRGen.h"

#include "dialect/SSMOpTable.h"
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
  /// |value| as an attribute of |kind|; null for a false unit attribute.
  Attribute attribute(ssmrt::AttrKind kind, const Attr &value);
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
  ssm::SSMDialect &dialect = *ctx->getLoadedDialect<ssm::SSMDialect>();
  dialect.getModelAttrHelper().setAttr(func, builder_.getStringAttr(graph_.modelName));
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
  dialect.getConfigAttrHelper().setAttr(func, DictionaryAttr::get(ctx, config));
  StringAttr inputAttr = dialect.getInputAttrHelper().getName();
  StringAttr stateAttr = dialect.getStateAttrHelper().getName();
  // All argument and result attributes at once: setArgAttr per argument
  // would build a new uniqued array of every argument's attributes each
  // time, memory quadratic in the number of layers.
  auto named = [&](StringAttr name, StringRef value) {
    return DictionaryAttr::get(ctx, {builder_.getNamedAttr(name, builder_.getStringAttr(value))});
  };
  SmallVector<DictionaryAttr> argAttrs = {named(inputAttr, "tokens"), named(inputAttr, "seq_lens")};
  SmallVector<DictionaryAttr> resultAttrs = {
      named(dialect.getOutputAttrHelper().getName(), "logits")};
  for (const auto &arg : stateArgs) {
    argAttrs.push_back(named(stateAttr, arg.first));
    resultAttrs.push_back(named(stateAttr, arg.first));
  }
  func.setAllArgAttrs(argAttrs);
  func.setAllResultAttrs(resultAttrs);

  Block *entry = func.addEntryBlock();
  builder_.setInsertionPointToStart(entry);
  stateIn_.assign(graph_.states.size(), {});
  stateOut_.assign(graph_.states.size(), {});
  for (size_t i = 0; i < stateArgs.size(); ++i)
    stateIn_[stateArgs[i].second].push_back(entry->getArgument(2 + i));
  seqLens_ = entry->getArgument(1);

  values_.assign(graph_.values.size(), Value());
  values_[graph_.tokens] = entry->getArgument(0);
  for (const GraphParam &p : graph_.params) {
    std::string names;
    for (const std::string &n : p.names)
      names += (names.empty() ? "" : "|") + n;
    values_[p.value] =
        builder_.create<ssm::ParamOp>(loc(p.loc), f32Type(p.shape), builder_.getStringAttr(names));
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

Attribute MLIRGenImpl::attribute(ssmrt::AttrKind kind, const Attr &value) {
  switch (kind) {
  case ssmrt::AttrKind::Int: return builder_.getI64IntegerAttr(std::get<int64_t>(value));
  case ssmrt::AttrKind::Float:
  case ssmrt::AttrKind::OptFloat: return builder_.getF64FloatAttr(std::get<double>(value));
  case ssmrt::AttrKind::Bool: return builder_.getBoolAttr(std::get<bool>(value));
  case ssmrt::AttrKind::Unit: return std::get<bool>(value) ? builder_.getUnitAttr() : Attribute();
  case ssmrt::AttrKind::IntList:
    return builder_.getDenseI64ArrayAttr(std::get<std::vector<int64_t>>(value));
  default: return Attribute();
  }
}

void MLIRGenImpl::buildNode(const GraphNode &n) {
  // Operands in the op table's order: the node's tensors for the data
  // operands, the state slot's block arguments for the initial states, the
  // function's sequence lengths; result types from the graph, the final
  // states typed like the initial ones.
  const ssmrt::OpInfo &info = ssmrt::opInfo(n.kind);
  OperationState state(loc(n.loc), "ssm." + std::string(info.name));
  SmallVector<int32_t> segments;
  size_t next = 0, nextState = 0;
  for (const ssmrt::OperandInfo &o : info.operands) {
    size_t before = state.operands.size();
    switch (o.role) {
    case ssmrt::OperandRole::Data:
      if (o.arity == ssmrt::Arity::Variadic) {
        for (; next < n.operands.size(); ++next)
          state.operands.push_back(value(n.operands[next]));
      } else if (next < n.operands.size() && n.operands[next] >= 0) {
        state.operands.push_back(value(n.operands[next++]));
      } else {
        ++next;
      }
      break;
    case ssmrt::OperandRole::State:
      state.operands.push_back(stateIn_[n.stateSlot][nextState++]);
      break;
    case ssmrt::OperandRole::SeqLens: state.operands.push_back(seqLens_); break;
    }
    segments.push_back(static_cast<int32_t>(state.operands.size() - before));
  }
  auto registered = state.name.getRegisteredInfo();
  if (registered && registered->hasTrait<OpTrait::AttrSizedOperandSegments>())
    state.addAttribute("operandSegmentSizes", builder_.getDenseI32ArrayAttr(segments));
  size_t nextResult = 0;
  nextState = 0;
  for (const ssmrt::ResultInfo &r : info.results) {
    if (r.isState()) {
      state.types.push_back(stateIn_[n.stateSlot][nextState++].getType());
      continue;
    }
    size_t end = r.arity == ssmrt::Arity::Variadic ? n.results.size() : nextResult + 1;
    for (; nextResult < end; ++nextResult)
      state.types.push_back(f32Type(graph_.values[n.results[nextResult]].shape));
  }
  for (const auto &[name, v] : n.attrs)
    if (const ssmrt::AttrInfo *a = info.attr(name))
      if (Attribute attr = attribute(a->kind, v))
        state.addAttribute(name, attr);
  Operation *op = builder_.create(state);
  nextResult = 0;
  for (OpResult result : op->getResults()) {
    if (ssm::isStateResult(result))
      stateOut_[n.stateSlot].push_back(result);
    else
      values_[n.results[nextResult++]] = result;
  }
}

} // namespace

OwningOpRef<ModuleOp> ssmc::fe::mlirGen(MLIRContext &context, const Graph &graph,
                                        const SourceManager &sources) {
  context.loadDialect<ssm::SSMDialect, func::FuncDialect>();
  return MLIRGenImpl(context, graph, sources).build();
}
