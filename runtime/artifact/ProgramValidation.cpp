//===- ProgramValidation.cpp - everything the runtime relies on -----------===//
//
// A Program from an artifact file is untrusted: every index, count and shape
// the executors use is checked here, with a message naming the function,
// the instruction or value, and what is wrong.
//
//===----------------------------------------------------------------------===//
#include "runtime/artifact/Artifact.h"

#include <algorithm>

using namespace ssmrt;

namespace {

constexpr int64_t kMaxDim = int64_t(1) << 40;
constexpr size_t kMaxRank = 8;

Status checkShape(const std::vector<int64_t> &shape, const std::string &what) {
  if (shape.size() > kMaxRank)
    return Status::error(what + " has rank " + std::to_string(shape.size()) + " (at most 8)");
  int64_t elements = 1;
  for (int64_t d : shape) {
    if (d == kDynamic)
      continue;
    if (d < 0 || d > kMaxDim)
      return Status::error(what + " has dimension " + std::to_string(d));
    if (d && elements > kMaxDim / d)
      return Status::error(what + " has more than 2^40 elements");
    elements *= d;
  }
  return okStatus();
}

class FunctionValidator {
public:
  /// |kernels| is the number of kernels instruction kernel indices refer to.
  FunctionValidator(const Program &p, const Function &f, size_t kernels, const std::string &where)
      : p_(p), f_(f), kernels_(kernels), where_(where) {}

  Status run();

private:
  Status error(const std::string &msg) const { return Status::error(where_ + ": " + msg); }
  Status checkValue(size_t id);
  Status checkInstr(size_t index);
  bool valid(int32_t id) const { return id >= 0 && static_cast<size_t>(id) < f_.values.size(); }

  const Program &p_;
  const Function &f_;
  size_t kernels_;
  std::string where_;
  std::vector<bool> defined_;
};

Status FunctionValidator::checkValue(size_t id) {
  const ValueDesc &v = f_.values[id];
  std::string what = "value " + std::to_string(id);
  SSMRT_RETURN_IF_ERROR(checkShape(v.shape, what).withPrefix(where_));
  switch (v.kind) {
  case ValueKind::Param:
    if (v.index < 0 || static_cast<size_t>(v.index) >= p_.params.size())
      return error(what + " refers to parameter " + std::to_string(v.index) + " of " +
                   std::to_string(p_.params.size()));
    if (v.shape != p_.params[v.index].shape)
      return error(what + " does not have the shape of parameter " + std::to_string(v.index));
    defined_[id] = true;
    break;
  case ValueKind::State:
    if (v.index < 0 || static_cast<size_t>(v.index) >= p_.states.size())
      return error(what + " refers to state slot " + std::to_string(v.index) + " of " +
                   std::to_string(p_.states.size()));
    if (v.sub != 0 && !(v.sub == 1 && p_.states[v.index].kind == StateKind::KVCache))
      return error(what + " has an invalid state part " + std::to_string(v.sub));
    break;
  case ValueKind::Temp:
    if (v.buffer < -1 || (v.buffer >= 0 && static_cast<size_t>(v.buffer) >= f_.buffers.size()))
      return error(what + " is placed in buffer " + std::to_string(v.buffer) + " of " +
                   std::to_string(f_.buffers.size()));
    if (v.buffer >= 0) {
      if (v.shape.size() < 3)
        return error(what + " is in a token-row buffer but is not an activation");
      int64_t width = 1;
      for (size_t d = 2; d < v.shape.size(); ++d) {
        if (v.shape[d] <= 0)
          return error(what + " has a dynamic or empty feature dimension");
        width *= v.shape[d];
      }
      if (v.dtype == ValueType::I32)
        return error(what + " is an integer activation");
      if (v.column < 0 || v.column + width > f_.buffers[v.buffer].width)
        return error(what + " (columns " + std::to_string(v.column) + ".." +
                     std::to_string(v.column + width) + ") does not fit in buffer " +
                     std::to_string(v.buffer) + " of width " +
                     std::to_string(f_.buffers[v.buffer].width));
    }
    break;
  default: break;
  }
  return okStatus();
}

Status FunctionValidator::checkInstr(size_t index) {
  const Instr &in = f_.instrs[index];
  std::string what = "instruction " + std::to_string(index) + " (" + opCodeName(in.op) + ")";
  if (!isValidOpCode(in.op))
    return error(what + " has an unknown op");
  const OpInfo &op = opInfo(in.op);
  int operands = static_cast<int>(in.operands.size());
  if (!op.acceptsOperands(in.operands.size()))
    return error(what + " has " + std::to_string(operands) + " operands");
  if (!op.acceptsResults(in.results.size()))
    return error(what + " has " + std::to_string(in.results.size()) + " results");
  if (in.op == OpCode::Split) {
    const Attr *sizes = in.attr("sizes");
    if (!sizes || sizes->ints.size() != in.results.size())
      return error(what + " needs one size per result");
  }
  for (int i = 0; i < operands; ++i) {
    int32_t id = in.operands[i];
    if (id == -1 && op.isOptional(i))
      continue;
    if (!valid(id))
      return error(what + " operand " + std::to_string(i) + " is value " + std::to_string(id) +
                   " of " + std::to_string(f_.values.size()));
    if (!defined_[id])
      return error(what + " operand " + std::to_string(i) + " (value " + std::to_string(id) +
                   ") is used before it is defined");
  }
  for (int32_t id : in.results) {
    if (!valid(id))
      return error(what + " result is value " + std::to_string(id) + " of " +
                   std::to_string(f_.values.size()));
    if (defined_[id] || f_.values[id].kind != ValueKind::Temp)
      return error(what + " redefines value " + std::to_string(id));
    defined_[id] = true;
  }
  if (in.kernel < -1 || (in.kernel >= 0 && static_cast<size_t>(in.kernel) >= kernels_))
    return error(what + " refers to kernel " + std::to_string(in.kernel) + " of " +
                 std::to_string(kernels_));
  return okStatus();
}

Status FunctionValidator::run() {
  if (f_.instrs.empty() && f_.values.empty())
    return error("the function is empty");
  for (const BufferDesc &b : f_.buffers)
    if (b.width < 1 || b.width > (int64_t(1) << 32))
      return error("buffer width " + std::to_string(b.width) + " is out of range");
  defined_.assign(f_.values.size(), false);
  for (size_t id = 0; id < f_.values.size(); ++id)
    SSMRT_RETURN_IF_ERROR(checkValue(id));
  if (f_.inputs.size() < 2)
    return error("the function needs the tokens and seq_lens inputs");
  for (size_t i = 0; i < f_.inputs.size(); ++i) {
    int32_t id = f_.inputs[i];
    if (!valid(id))
      return error("input " + std::to_string(i) + " is not a value");
    ValueKind want = i == 0 ? ValueKind::Tokens : i == 1 ? ValueKind::SeqLens : ValueKind::State;
    if (f_.values[id].kind != want)
      return error("input " + std::to_string(i) + " has the wrong kind");
    defined_[id] = true;
  }
  for (size_t i = 0; i < f_.instrs.size(); ++i)
    SSMRT_RETURN_IF_ERROR(checkInstr(i));
  if (f_.outputs.size() != f_.inputs.size() - 1)
    return error("the function returns " + std::to_string(f_.outputs.size()) + " values for " +
                 std::to_string(f_.inputs.size() - 2) + " states");
  for (size_t i = 0; i < f_.outputs.size(); ++i)
    if (!valid(f_.outputs[i]) || !defined_[f_.outputs[i]])
      return error("output " + std::to_string(i) + " is not a defined value");
  // Output i+1 is the final value of the state read as input i+2.
  for (size_t i = 2; i < f_.inputs.size(); ++i) {
    const ValueDesc &in = f_.values[f_.inputs[i]];
    const ValueDesc &out = f_.values[f_.outputs[i - 1]];
    if (out.kind != ValueKind::Temp && !(out.kind == in.kind && out.index == in.index))
      return error("output " + std::to_string(i - 1) + " is not a state");
  }
  return okStatus();
}

} // namespace

Status ssmrt::validateProgram(const Program &p, const std::string &name) {
  for (size_t i = 0; i < p.params.size(); ++i) {
    const ParamDesc &param = p.params[i];
    std::string what = name + ": parameter " + std::to_string(i);
    if (param.names.empty() || param.names[0].empty())
      return Status::error(what + " has no tensor name");
    if (param.shape.empty())
      return Status::error(what + " ('" + param.names[0] + "') has no shape");
    for (int64_t d : param.shape)
      if (d < 1)
        return Status::error(what + " ('" + param.names[0] + "') has dimension " +
                             std::to_string(d));
    SSMRT_RETURN_IF_ERROR(checkShape(param.shape, what));
  }
  for (size_t i = 0; i < p.states.size(); ++i) {
    const StateDesc &s = p.states[i];
    std::string what = name + ": state slot " + std::to_string(i) + " ('" + s.name + "')";
    if (s.shape.empty() || s.shape.size() > 4)
      return Status::error(what + " has rank " + std::to_string(s.shape.size()));
    for (int64_t d : s.shape)
      if (d < 0)
        return Status::error(what + " has a dynamic dimension");
    SSMRT_RETURN_IF_ERROR(checkShape(s.shape, what));
  }
  for (size_t i = 0; i < p.cpu.kernels.size(); ++i) {
    const KernelDesc &k = p.cpu.kernels[i];
    if (k.name.empty() || k.blocks < 1 || k.blocks > kMaxDim || k.phases < 1 || k.phases > 16 ||
        k.chunksPerThread < 1 || k.chunksPerThread > 64 || k.workspace < 0 ||
        k.workspace > (int64_t(1) << 32))
      return Status::error(name + ": kernel " + std::to_string(i) + " is malformed");
  }
  if (p.cpu.vectorWidth < 0 || p.cpu.vectorWidth > 64)
    return Status::error(name + ": vector width " + std::to_string(p.cpu.vectorWidth));
  size_t cpuKernels = p.cpu.kernels.size();
  SSMRT_RETURN_IF_ERROR(
      FunctionValidator(p, p.forward, cpuKernels, name + ": function 'forward'").run());
  SSMRT_RETURN_IF_ERROR(
      FunctionValidator(p, p.decode, cpuKernels, name + ": function 'decode'").run());
  SSMRT_RETURN_IF_ERROR(
      FunctionValidator(p, p.reference, 0, name + ": function 'reference'").run());
  if (!p.cuda.present())
    return okStatus();
  for (size_t i = 0; i < p.cuda.kernels.size(); ++i) {
    const CudaKernelDesc &k = p.cuda.kernels[i];
    std::string what = name + ": CUDA kernel " + std::to_string(i) + " ('" + k.name + "')";
    if (k.name.empty() || k.source.empty())
      return Status::error(what + " has no name or source");
    for (const TileParam &t : k.params)
      if (t.name.empty() || t.value < 1 || t.value > 65536)
        return Status::error(what + ": parameter '" + t.name + "' is out of range");
    int64_t threads = k.param(k.blockParam);
    if (threads < 1 || threads > 1024)
      return Status::error(what + ": block parameter '" + k.blockParam + "' is not a thread count");
    if (k.grid == LaunchGrid::ChannelBlocks && (k.channels < 1 || k.param(k.gridParam) < 1 ||
                                                (!k.timeParam.empty() && k.param(k.timeParam) < 1)))
      return Status::error(what + ": channel grid without channels or a divisor parameter");
    if (k.grid == LaunchGrid::Attention &&
        (k.channels < 1 || k.channels > 65535 || k.param(k.timeParam) < 1))
      return Status::error(what + ": attention grid without heads or a query tile parameter");
    if (k.grid == LaunchGrid::Persistent && (k.channels < 1 || !k.cooperative))
      return Status::error(what + ": a persistent grid must be cooperative and cover channels");
    if (k.workspace < 0 || k.workspace > (int64_t(1) << 32))
      return Status::error(what + ": workspace out of range");
    for (const std::vector<int64_t> &config : k.tuneSpace) {
      bool ok = config.size() == k.params.size();
      for (int64_t v : config)
        ok &= v >= 1 && v <= 65536;
      if (!ok)
        return Status::error(what + ": a tuning configuration is malformed");
    }
  }
  size_t cudaKernels = p.cuda.kernels.size();
  SSMRT_RETURN_IF_ERROR(
      FunctionValidator(p, p.cuda.forward, cudaKernels, name + ": function 'cuda forward'").run());
  SSMRT_RETURN_IF_ERROR(
      FunctionValidator(p, p.cuda.decode, cudaKernels, name + ": function 'cuda decode'").run());
  return okStatus();
}
