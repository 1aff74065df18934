//===- ProgramBuilder.cpp - the ssm dialect as a runtime Program ----------===//
//
// Serializes @forward and @decode of the compiled module (fused, planned,
// with kernels) and @forward of the reference module (as lowered from the
// model file) into ssmrt::Program functions. Instruction operands follow
// the op table's operand order (dialect/SSMOpTable.h); every attribute of
// the op table is written, with its default applied.
//
//===----------------------------------------------------------------------===//
#include "codegen/driver/ProgramBuilder.h"
#include "codegen/driver/ModelDiagnostics.h"

#include "dialect/SSMOpTable.h"
#include "dialect/SSMOps.h"
#include "passes/ValueRoles.h"

#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/StringMap.h"

using namespace mlir;
using namespace mlir::ssm;

namespace {

/// The op's attributes with their defaults applied (ODS fills them in), by
/// the kinds of the op table: integers, booleans and unit attributes (0 or
/// 1) and integer arrays as ints, floats as floats; an absent optional
/// float is left out.
std::vector<ssmrt::Attr> attrsOf(Operation *op, const ssmrt::OpInfo &info) {
  std::vector<ssmrt::Attr> out;
  for (const ssmrt::AttrInfo &a : info.attrs) {
    if (!*a.name)
      continue;
    Attribute attr = op->getInherentAttr(a.name).value_or(Attribute());
    ssmrt::Attr value{a.name, {}, {}};
    if (a.kind == ssmrt::AttrKind::Unit)
      value.ints = {attr ? 1 : 0};
    else if (!attr)
      continue;
    else if (auto i = llvm::dyn_cast<IntegerAttr>(attr))
      value.ints = {i.getInt()};
    else if (auto f = llvm::dyn_cast<FloatAttr>(attr))
      value.floats = {f.getValueAsDouble()};
    else if (auto b = llvm::dyn_cast<BoolAttr>(attr))
      value.ints = {b.getValue()};
    else if (auto list = llvm::dyn_cast<DenseI64ArrayAttr>(attr))
      value.ints.assign(list.asArrayRef().begin(), list.asArrayRef().end());
    out.push_back(std::move(value));
  }
  return out;
}

/// "file:line:col" of the first file location in |loc|, or "".
std::string formatLoc(Location loc) {
  FileLineColLoc file = ssmc::fileLocationOf(loc);
  if (!file)
    return "";
  return file.getFilename().str() + ":" + std::to_string(file.getLine()) + ":" +
         std::to_string(file.getColumn());
}

std::vector<int64_t> shapeOf(Value v) {
  std::vector<int64_t> shape;
  for (int64_t d : llvm::cast<RankedTensorType>(v.getType()).getShape())
    shape.push_back(ShapedType::isDynamic(d) ? ssmrt::kDynamic : d);
  return shape;
}

} // namespace

ssmrt::ValueType ssmc::valueTypeOf(Value v) {
  Type e = llvm::cast<RankedTensorType>(v.getType()).getElementType();
  if (e.isBF16())
    return ssmrt::ValueType::BF16;
  if (e.isF16())
    return ssmrt::ValueType::F16;
  if (e.isInteger(32))
    return ssmrt::ValueType::I32;
  return ssmrt::ValueType::F32;
}

namespace {

/// The kind of the state that block argument |arg| of @forward holds: that
/// of the result its reader returns for it.
ssmrt::StateKind stateKindOf(BlockArgument arg) {
  for (OpOperand &use : arg.getUses())
    if (auto op = dyn_cast<RecurrentStateOpInterface>(use.getOwner())) {
      SmallVector<Value> initial = op.getInitialStates();
      const ssmrt::OpInfo *info = opInfoOf(op);
      unsigned k = llvm::find(initial, arg) - initial.begin();
      OpResult result = op.getStateResults()[k];
      return info->results[result.getResultNumber()].stateKind();
    }
  return ssmrt::StateKind::Conv;
}

/// Builds Program functions, sharing the parameter and state tables.
class ProgramBuilder {
public:
  ProgramBuilder(ssmrt::Program &program, std::string &error) : program_(program), error_(error) {}

  bool addStates(func::FuncOp forward);
  bool build(func::FuncOp func, ssmrt::Function &out, const llvm::StringMap<int32_t> &kernels);

private:
  int32_t paramIndex(ParamOp param);

  ssmrt::Program &program_;
  std::string &error_;
  llvm::StringMap<int32_t> params_;
  llvm::StringMap<int32_t> states_; // slot name (without :k/:v) -> index
};

int32_t ProgramBuilder::paramIndex(ParamOp param) {
  auto it = params_.find(param.getName());
  if (it != params_.end())
    return it->second;
  ssmrt::ParamDesc desc;
  llvm::SmallVector<StringRef> names;
  param.getName().split(names, '|');
  for (StringRef n : names)
    desc.names.push_back(n.str());
  desc.shape = shapeOf(param.getResult());
  program_.params.push_back(std::move(desc));
  int32_t index = program_.params.size() - 1;
  params_[param.getName()] = index;
  return index;
}

bool ProgramBuilder::addStates(func::FuncOp forward) {
  for (unsigned i = 0; i < forward.getNumArguments(); ++i) {
    auto name = forward.getArgAttrOfType<StringAttr>(i, SSMDialect::StateAttrHelper::getNameStr());
    if (!name)
      continue;
    StringRef slot = name.getValue();
    bool kv = slot.ends_with(":k") || slot.ends_with(":v");
    if (kv)
      slot = slot.drop_back(2);
    if (states_.count(slot))
      continue;
    std::vector<int64_t> shape = shapeOf(forward.getArgument(i));
    shape.erase(shape.begin()); // per sequence
    ssmrt::StateDesc desc{slot.str(), stateKindOf(forward.getArgument(i)), shape};
    if (kv) // [kv_heads, T, head_dim] per sequence -> [2, kv_heads, head_dim] per token
      desc.shape = {2, shape[0], shape[2]};
    program_.states.push_back(std::move(desc));
    states_[slot] = program_.states.size() - 1;
  }
  return true;
}

bool ProgramBuilder::build(func::FuncOp func, ssmrt::Function &out,
                           const llvm::StringMap<int32_t> &kernels) {
  out.name = func.getSymName().str();
  llvm::DenseMap<Value, int32_t> ids;
  auto addValue = [&](Value v, ssmrt::ValueDesc desc) {
    desc.shape = shapeOf(v);
    desc.dtype = ssmc::valueTypeOf(v);
    out.values.push_back(std::move(desc));
    int32_t id = out.values.size() - 1;
    ids[v] = id;
    return id;
  };
  for (unsigned i = 0; i < func.getNumArguments(); ++i) {
    Value arg = func.getArgument(i);
    ssmrt::ValueDesc desc;
    if (auto input =
            func.getArgAttrOfType<StringAttr>(i, SSMDialect::InputAttrHelper::getNameStr())) {
      desc.kind =
          input.getValue() == "tokens" ? ssmrt::ValueKind::Tokens : ssmrt::ValueKind::SeqLens;
    } else if (auto state = func.getArgAttrOfType<StringAttr>(
                   i, SSMDialect::StateAttrHelper::getNameStr())) {
      StringRef slot = state.getValue();
      desc.kind = ssmrt::ValueKind::State;
      desc.sub = slot.ends_with(":v") ? 1 : 0;
      if (slot.ends_with(":k") || slot.ends_with(":v"))
        slot = slot.drop_back(2);
      auto it = states_.find(slot);
      if (it == states_.end()) {
        error_ = "function @" + out.name + " reads unknown state slot '" + slot.str() + "'";
        return false;
      }
      desc.index = it->second;
    } else {
      error_ =
          "argument " + std::to_string(i) + " of @" + out.name + " is neither an input nor a state";
      return false;
    }
    out.inputs.push_back(addValue(arg, desc));
  }
  SSMDialect &dialect = ssmDialect(func);
  if (auto widths = dialect.getBufferWidthsAttrHelper().getAttr(func))
    for (int64_t w : widths.asArrayRef())
      out.buffers.push_back({w});

  for (Operation &op : func.getBody().front()) {
    if (auto ret = dyn_cast<func::ReturnOp>(op)) {
      for (Value v : ret.getOperands())
        out.outputs.push_back(ids.lookup(v));
      continue;
    }
    if (auto param = dyn_cast<ParamOp>(op)) {
      ssmrt::ValueDesc desc;
      desc.kind = ssmrt::ValueKind::Param;
      desc.index = paramIndex(param);
      addValue(param.getResult(), desc);
      continue;
    }
    ssmrt::Instr instr;
    const ssmrt::OpInfo *info = opInfoOf(&op);
    if (!info) {
      error_ = "op '" + op.getName().getStringRef().str() + "' cannot be serialized";
      return false;
    }
    instr.op = info->code;
    for (Value v : odsOperands(&op))
      instr.operands.push_back(v ? ids.lookup(v) : -1);
    auto buffers = dialect.getBuffersAttrHelper().getAttr(&op);
    auto columns = dialect.getColumnsAttrHelper().getAttr(&op);
    for (OpResult r : op.getResults()) {
      ssmrt::ValueDesc desc;
      if (buffers) {
        desc.buffer = buffers[r.getResultNumber()];
        desc.column = columns[r.getResultNumber()];
      }
      instr.results.push_back(addValue(r, desc));
    }
    instr.attrs = attrsOf(&op, *info);
    instr.once = dialect.getOnceAttrHelper().isAttrPresent(&op);
    instr.loc = formatLoc(op.getLoc());
    if (auto kernel = dialect.getKernelAttrHelper().getAttr(&op)) {
      auto it = kernels.find(kernel.getValue());
      if (it == kernels.end()) {
        error_ = "op refers to unknown kernel '" + kernel.getValue().str() + "'";
        return false;
      }
      instr.kernel = it->second;
    }
    out.instrs.push_back(std::move(instr));
  }
  return true;
}

} // namespace

FailureOr<ssmrt::Program>
ssmc::buildRuntimeProgram(ModuleOp compiled, ModuleOp reference, ModuleOp gpu,
                          const std::vector<ssmrt::CudaKernelDesc> &cudaKernels,
                          std::string &error) {
  ssmrt::Program program;
  auto forward = compiled.lookupSymbol<func::FuncOp>("forward");
  auto decode = compiled.lookupSymbol<func::FuncOp>("decode");
  auto refForward = reference.lookupSymbol<func::FuncOp>("forward");
  if (!forward || !decode || !refForward) {
    error = "the compiled module lacks @forward or @decode";
    return failure();
  }
  SSMDialect &dialect = ssmDialect(forward);
  if (auto model = dialect.getModelAttrHelper().getAttr(forward))
    program.modelName = model.str();
  if (auto config = dialect.getConfigAttrHelper().getAttr(forward)) {
    for (NamedAttribute entry : config) {
      ssmrt::ConfigCheck check;
      check.key = entry.getName().str();
      if (auto b = llvm::dyn_cast<BoolAttr>(entry.getValue())) {
        check.type = ssmrt::ConfigCheck::Type::Bool;
        check.boolValue = b.getValue();
      } else if (auto i = llvm::dyn_cast<IntegerAttr>(entry.getValue())) {
        check.type = ssmrt::ConfigCheck::Type::Int;
        check.intValue = i.getInt();
      } else if (auto f = llvm::dyn_cast<FloatAttr>(entry.getValue())) {
        check.type = ssmrt::ConfigCheck::Type::Float;
        check.floatValue = f.getValueAsDouble();
      } else if (auto s = llvm::dyn_cast<StringAttr>(entry.getValue())) {
        check.type = ssmrt::ConfigCheck::Type::String;
        check.stringValue = s.str();
      }
      program.config.push_back(std::move(check));
    }
  }

  llvm::StringMap<int32_t> kernels;
  program.cpu.kernels = cpuKernelDescs(compiled, kernels);

  ProgramBuilder builder(program, error);
  if (!builder.addStates(forward) || !builder.build(forward, program.forward, kernels) ||
      !builder.build(decode, program.decode, kernels) ||
      !builder.build(refForward, program.reference, {}))
    return failure();
  if (!gpu)
    return program;
  llvm::StringMap<int32_t> gpuKernels;
  for (const ssmrt::CudaKernelDesc &k : cudaKernels) {
    gpuKernels[k.name] = program.cuda.kernels.size();
    program.cuda.kernels.push_back(k);
  }
  auto gpuForward = gpu.lookupSymbol<func::FuncOp>("forward");
  auto gpuDecode = gpu.lookupSymbol<func::FuncOp>("decode");
  if (!gpuForward || !gpuDecode || !builder.build(gpuForward, program.cuda.forward, gpuKernels) ||
      !builder.build(gpuDecode, program.cuda.decode, gpuKernels))
    return failure();
  return program;
}

std::vector<ssmrt::Attr> ssmc::instructionAttrs(Operation *op) {
  return attrsOf(op, *opInfoOf(op));
}

std::vector<ssmrt::KernelDesc> ssmc::cpuKernelDescs(ModuleOp module,
                                                    llvm::StringMap<int32_t> &index) {
  std::vector<ssmrt::KernelDesc> kernels;
  SSMDialect &dialect = ssmDialect(module);
  for (auto func : module.getOps<func::FuncOp>()) {
    CPUKernelAttr spec = dialect.getCpuKernelAttrHelper().getAttr(func);
    if (!spec)
      continue;
    ssmrt::KernelDesc kernel;
    kernel.name = func.getSymName().str() + "_packed";
    switch (spec.getParallel()) {
    case KernelParallel::Rows: kernel.parallel = ssmrt::Parallel::Rows; break;
    case KernelParallel::BatchBlocks: kernel.parallel = ssmrt::Parallel::BatchBlocks; break;
    case KernelParallel::Batch: kernel.parallel = ssmrt::Parallel::Batch; break;
    }
    kernel.blocks = spec.getBlocks();
    kernel.phases = spec.getPhases();
    kernel.workspace = spec.getWorkspace();
    kernel.chunksPerThread = static_cast<int32_t>(spec.getChunksPerThread());
    kernel.tuned = spec.getTuned();
    index[func.getSymName()] = static_cast<int32_t>(kernels.size());
    kernels.push_back(std::move(kernel));
  }
  return kernels;
}
