//===- ReferenceInterpreter.cpp - float64 oracle for programs -------------===//

#include "runtime/reference/ReferenceInterpreter.h"
#include "runtime/reference/ReferenceOps.h"

#include <functional>

namespace ssmrt {

namespace {
/// The evaluate function of each op, indexed by OpCode.
const RefOpFn kEvaluate[] = {
#define SSM_OP(Enum, mnemonic, form, operandList, resultList, attrList) evaluate##Enum,
#include "runtime/artifact/Ops.def"
};
} // namespace

/// "instruction 17 (selective_scan)"; the index is left out when |instr| is
/// not one of |function|'s instructions.
static std::string instrName(const Function &function, const Instr &instr) {
  std::string name = "instruction ";
  std::less<const Instr *> before;
  const Instr *first = function.instrs.data();
  if (!before(&instr, first) && before(&instr, first + function.instrs.size()))
    name += std::to_string(&instr - first) + " ";
  return name + "(" + opCodeName(instr.op) + ")";
}

/// True when |actual| fits |declared| (same rank; dynamic sizes match any).
static bool fitsDeclared(const std::vector<int64_t> &actual, const std::vector<int64_t> &declared) {
  if (actual.size() != declared.size())
    return false;
  for (size_t i = 0; i < actual.size(); ++i)
    if (declared[i] != kDynamic && declared[i] != actual[i])
      return false;
  return true;
}

static Status evaluateInstr(const Function &function, const Instr &instr,
                            const std::vector<const RefTensor *> &operands,
                            std::vector<RefTensor> &results) {
  if (operands.size() != instr.operands.size())
    return Status::error("given " + std::to_string(operands.size()) + " operand tensors for " +
                         std::to_string(instr.operands.size()) + " operands");
  if (!isValidOpCode(instr.op))
    return Status::error("unsupported op");
  // A short list leaves the trailing optional operands out.
  const OpInfo &op = opInfo(instr.op);
  bool variadic = false;
  for (const OperandInfo &o : op.operands)
    variadic |= o.arity == Arity::Variadic;
  if (!variadic && operands.size() > op.operands.size())
    return Status::error("has " + std::to_string(operands.size()) +
                         " operands but the op takes at most " +
                         std::to_string(op.operands.size()));
  for (size_t i = 0; i < operands.size(); ++i)
    if (operands[i] && !operands[i]->isWellFormed())
      return Status::error("operand " + std::to_string(i) + " has shape " +
                           formatShape(operands[i]->shape) + " but holds " +
                           std::to_string(operands[i]->data.size()) + " values");
  std::vector<std::vector<int64_t>> declared;
  for (int32_t id : instr.results) {
    if (id < 0 || static_cast<size_t>(id) >= function.values.size())
      return Status::error("result value id " + std::to_string(id) + " is out of range");
    declared.push_back(function.values[id].shape);
  }
  results.clear();
  SSMRT_RETURN_IF_ERROR(
      kEvaluate[static_cast<size_t>(instr.op)](RefOpCall{instr, operands, declared}, results));
  if (results.size() != declared.size())
    return Status::error("computes " + std::to_string(results.size()) +
                         " results but the instruction declares " +
                         std::to_string(declared.size()));
  for (size_t i = 0; i < results.size(); ++i)
    if (!fitsDeclared(results[i].shape, declared[i]))
      return Status::error("result " + std::to_string(i) + " has shape " +
                           formatShape(results[i].shape) + " but the program declares " +
                           formatShape(declared[i]));
  return okStatus();
}

Status ReferenceInterpreter::evaluate(const Function &function, const Instr &instr,
                                      const std::vector<const RefTensor *> &operands,
                                      std::vector<RefTensor> &results) {
  return evaluateInstr(function, instr, operands, results).withPrefix(instrName(function, instr));
}

ReferenceInterpreter::ReferenceInterpreter(const Program &program, const Function &function,
                                           std::vector<RefTensor> params)
    : program_(program), function_(function), params_(std::move(params)) {}

Status ReferenceInterpreter::checkParams() const {
  if (params_.size() != program_.params.size())
    return Status::error("given " + std::to_string(params_.size()) +
                         " parameters but the program has " +
                         std::to_string(program_.params.size()));
  for (size_t i = 0; i < params_.size(); ++i) {
    const ParamDesc &desc = program_.params[i];
    if (params_[i].shape != desc.shape || !params_[i].isWellFormed())
      return Status::error("parameter " + std::to_string(i) + " ('" +
                           (desc.names.empty() ? std::string() : desc.names[0]) + "') has shape " +
                           formatShape(params_[i].shape) + " with " +
                           std::to_string(params_[i].data.size()) +
                           " values but the program expects " + formatShape(desc.shape));
  }
  return okStatus();
}

/// "state input 0 ('layers.2.attn:v')".
static std::string stateName(const Program &program, const Function &function, size_t i) {
  std::string name = "state input " + std::to_string(i);
  const ValueDesc &v = function.values[function.inputs[2 + i]];
  if (v.kind != ValueKind::State || v.index < 0 ||
      static_cast<size_t>(v.index) >= program.states.size())
    return name;
  const StateDesc &slot = program.states[v.index];
  std::string half = slot.kind == StateKind::KVCache ? (v.sub ? ":v" : ":k") : "";
  return name + " ('" + slot.name + half + "')";
}

Status ReferenceInterpreter::bindInputs(const std::vector<int32_t> &tokens, int64_t batch,
                                        int64_t seqLen, const std::vector<int32_t> &seqLens,
                                        const std::vector<RefTensor> &states,
                                        std::vector<const RefTensor *> &bound,
                                        std::vector<RefTensor> &owned) const {
  const Function &fn = function_;
  std::string where = "function '" + fn.name + "'";
  if (fn.inputs.size() < 2 || fn.outputs.size() + 1 != fn.inputs.size())
    return Status::error(where + " has " + std::to_string(fn.inputs.size()) + " inputs and " +
                         std::to_string(fn.outputs.size()) +
                         " outputs; expected tokens, seq_lens and N states "
                         "in, logits and N states out");
  for (const std::vector<int32_t> *ids : {&fn.inputs, &fn.outputs})
    for (size_t i = 0; i < ids->size(); ++i) {
      int32_t id = (*ids)[i];
      bool optional = ids == &fn.inputs && i == 1;
      if ((id < 0 && !optional) || (id >= 0 && static_cast<size_t>(id) >= fn.values.size()))
        return Status::error(where + ": input/output value id " + std::to_string(id) +
                             " is out of range");
    }
  if (batch < 1 || seqLen < 1 || static_cast<int64_t>(tokens.size()) != batch * seqLen)
    return Status::error("tokens: " + std::to_string(tokens.size()) + " ids for batch " +
                         std::to_string(batch) + " and sequence length " + std::to_string(seqLen));
  if (!seqLens.empty() && static_cast<int64_t>(seqLens.size()) != batch)
    return Status::error("seq_lens: " + std::to_string(seqLens.size()) + " lengths for batch " +
                         std::to_string(batch));
  for (size_t b = 0; b < seqLens.size(); ++b)
    if (seqLens[b] < 0 || seqLens[b] > seqLen)
      return Status::error("seq_lens[" + std::to_string(b) + "] = " + std::to_string(seqLens[b]) +
                           " is outside [0, " + std::to_string(seqLen) + "]");
  size_t numStates = fn.inputs.size() - 2;
  if (states.size() != numStates)
    return Status::error("given " + std::to_string(states.size()) + " state tensors but " + where +
                         " reads " + std::to_string(numStates));
  for (size_t i = 0; i < numStates; ++i) {
    std::vector<int64_t> expected = fn.values[fn.inputs[2 + i]].shape;
    if (!expected.empty() && expected[0] == kDynamic)
      expected[0] = batch;
    if (!fitsDeclared(states[i].shape, expected) || !states[i].isWellFormed())
      return Status::error(
          stateName(program_, fn, i) + " has shape " + formatShape(states[i].shape) + " with " +
          std::to_string(states[i].data.size()) + " values but expected " + formatShape(expected));
  }

  bound.assign(fn.values.size(), nullptr);
  owned.assign(fn.values.size(), RefTensor());
  for (size_t id = 0; id < fn.values.size(); ++id) {
    const ValueDesc &v = fn.values[id];
    if (v.kind != ValueKind::Param)
      continue;
    if (v.index < 0 || static_cast<size_t>(v.index) >= params_.size())
      return Status::error(where + ": value " + std::to_string(id) + " refers to parameter " +
                           std::to_string(v.index) + " of " + std::to_string(params_.size()));
    const RefTensor &param = params_[v.index];
    if (!fitsDeclared(param.shape, v.shape))
      return Status::error(where + ": value " + std::to_string(id) + " is declared " +
                           formatShape(v.shape) + " but parameter " + std::to_string(v.index) +
                           " has shape " + formatShape(param.shape));
    bound[id] = &param;
  }
  owned[fn.inputs[0]] =
      RefTensor({batch, seqLen}, std::vector<double>(tokens.begin(), tokens.end()));
  bound[fn.inputs[0]] = &owned[fn.inputs[0]];
  if (fn.inputs[1] >= 0) {
    std::vector<double> lens(batch, static_cast<double>(seqLen));
    if (!seqLens.empty())
      lens.assign(seqLens.begin(), seqLens.end());
    owned[fn.inputs[1]] = RefTensor({batch}, std::move(lens));
    bound[fn.inputs[1]] = &owned[fn.inputs[1]];
  }
  for (size_t i = 0; i < numStates; ++i)
    bound[fn.inputs[2 + i]] = &states[i];
  return okStatus();
}

Status ReferenceInterpreter::run(const std::vector<int32_t> &tokens, int64_t batch, int64_t seqLen,
                                 const std::vector<int32_t> &seqLens,
                                 std::vector<RefTensor> &states, RefTensor &logits) {
  SSMRT_RETURN_IF_ERROR(checkParams());
  std::vector<const RefTensor *> bound;
  std::vector<RefTensor> owned;
  SSMRT_RETURN_IF_ERROR(bindInputs(tokens, batch, seqLen, seqLens, states, bound, owned));

  const Function &fn = function_;
  std::vector<const RefTensor *> operands;
  std::vector<RefTensor> results;
  for (const Instr &instr : fn.instrs) {
    operands.clear();
    for (size_t i = 0; i < instr.operands.size(); ++i) {
      int32_t id = instr.operands[i];
      if (id >= 0 && (static_cast<size_t>(id) >= fn.values.size() || !bound[id]))
        return Status::error(instrName(fn, instr) + ": operand " + std::to_string(i) + " (value " +
                             std::to_string(id) + ") is not defined before its use");
      operands.push_back(id >= 0 ? bound[id] : nullptr);
    }
    SSMRT_RETURN_IF_ERROR(evaluate(fn, instr, operands, results));
    for (size_t r = 0; r < results.size(); ++r) {
      int32_t id = instr.results[r];
      if (bound[id])
        return Status::error(instrName(fn, instr) + ": result value " + std::to_string(id) +
                             " is already defined");
      owned[id] = std::move(results[r]);
      bound[id] = &owned[id];
    }
  }

  for (int32_t id : fn.outputs)
    if (!bound[id])
      return Status::error("function '" + fn.name + "': output value " + std::to_string(id) +
                           " is never defined");
  // Copy first: an output may be an input state passed through unchanged.
  std::vector<RefTensor> finalStates;
  for (size_t i = 1; i < fn.outputs.size(); ++i)
    finalStates.push_back(*bound[fn.outputs[i]]);
  logits = *bound[fn.outputs[0]];
  states = std::move(finalStates);
  return okStatus();
}

} // namespace ssmrt
