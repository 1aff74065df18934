//===- CUDAKernelWriter.cpp - building the source of one CUDA kernel ------===//
#include "codegen/cuda/CUDAKernelWriter.h"
#include "codegen/cuda/CUDAPreamble.h"

#include "dialect/SSMOpTable.h"

#include "llvm/Support/Format.h"
#include "llvm/Support/xxhash.h"

using namespace mlir;
using namespace mlir::ssm;

std::string mlir::ssm::cudaElementType(Value v) {
  Type e = llvm::cast<RankedTensorType>(v.getType()).getElementType();
  if (e.isBF16())
    return "ssm_bf16";
  if (e.isF16())
    return "ssm_f16";
  if (e.isInteger(32))
    return "int";
  return "float";
}

std::string mlir::ssm::cudaFloat(double v) {
  std::string s;
  llvm::raw_string_ostream os(s);
  os << llvm::format("%.9g", v);
  if (s.find_first_of(".en") == std::string::npos)
    s += ".0";
  return s + "f";
}

void CUDAKernelWriter::addArg(StringRef name, Value v, bool output) {
  Arg arg{v, valueRole(v), cudaElementType(v), output};
  // Outputs that are states may alias their input state (updated in place).
  switch (arg.role) {
  case ValueRole::Activation:
    signature_.push_back((output ? "" : "const ") + arg.type + " *__restrict__ " + name.str() +
                         ", long long " + name.str() + "_ld");
    break;
  case ValueRole::Weight:
    signature_.push_back("const " + arg.type + " *__restrict__ " + name.str());
    break;
  case ValueRole::State:
    signature_.push_back("float *" + name.str());
    break;
  case ValueRole::Ids:
    signature_.push_back("const int *__restrict__ " + name.str());
    break;
  case ValueRole::Absent:
    return;
  }
  args_[name] = arg;
}

void CUDAKernelWriter::declare(ArrayRef<StringRef> operands, ArrayRef<StringRef> results,
                               bool workspace) {
  SmallVector<Value> values = odsOperands(op_);
  assert(values.size() == operands.size() && results.size() == op_->getNumResults());
  for (auto [name, v] : llvm::zip(operands, values))
    if (v)
      addArg(name, v, false);
  for (auto [name, v] : llvm::zip(results, op_->getResults()))
    addArg(name, v, true);
  if (workspace)
    signature_.push_back("float *__restrict__ workspace");
  signature_.push_back("int batch");
  signature_.push_back("int seq");
}

std::string CUDAKernelWriter::load(StringRef name, StringRef row, StringRef col) const {
  return ("ssm_to_float(" + name + "[(long long)(" + row + ") * " + name + "_ld + (" + col + ")])")
      .str();
}

std::string CUDAKernelWriter::at(StringRef name, StringRef index) const {
  return ("ssm_to_float(" + name + "[" + index + "])").str();
}

std::string CUDAKernelWriter::store(StringRef name, StringRef row, StringRef col,
                                    StringRef v) const {
  const Arg &arg = args_.find(name)->second;
  return (name + "[(long long)(" + row + ") * " + name + "_ld + (" + col +
          ")] = ssm_from_float<" + arg.type + ">(" + v + ");")
      .str();
}

std::string CUDAKernelWriter::storeAt(StringRef name, StringRef index, StringRef v) const {
  const Arg &arg = args_.find(name)->second;
  return (name + "[" + index + "] = ssm_from_float<" + arg.type + ">(" + v + ");").str();
}

int64_t CUDAKernelWriter::param(StringRef name, int64_t dflt, std::vector<int64_t> choices) {
  int64_t value = dflt;
  if (auto tiles = ssmDialect(op_).getCudaTilesAttrHelper().getAttr(op_))
    if (auto v = tiles.getAs<IntegerAttr>(name))
      value = v.getInt();
  params_.push_back({name.str(), value, std::move(choices)});
  return value;
}

void CUDAKernelWriter::constant(StringRef name, int64_t value) {
  constants_ += "constexpr int " + name.str() + " = " + std::to_string(value) + ";\n";
}

ssmrt::CudaKernelDesc CUDAKernelWriter::finish(ssmrt::CudaKernelDesc launch) {
  std::string params;
  for (const ssmrt::TileParam &p : params_)
    params += "#ifndef " + p.name + "\n#define " + p.name + " " + std::to_string(p.value) +
              "\n#endif\n";
  std::string args;
  for (size_t i = 0; i < signature_.size(); ++i)
    args += (i ? ",\n    " : "") + signature_[i];
  std::string opName = op_->getName().stripDialect().str();
  // The name hashes everything but itself.
  std::string rest = params + constants_ + args + bodyText_;
  char hash[17];
  snprintf(hash, sizeof hash, "%016llx",
           static_cast<unsigned long long>(llvm::xxh3_64bits(rest)));
  launch.name = opName + "_" + std::string(hash, 8);
  launch.op = op_->getName().getStringRef().str();
  launch.params = params_;
  launch.source = std::string(kCUDAPreamble) + "\n// " + launch.op + "\n" + params + constants_ +
                  "\nextern \"C\" __global__ void __launch_bounds__(" + launch.blockParam + ")\n" +
                  launch.name + "(" + args + ") {\n" + bodyText_ + "}\n";
  return launch;
}
