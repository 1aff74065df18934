//===- CUDAKernelWriter.cpp - the source of one CUDA kernel ---------------===//
#include "codegen/cuda/CUDAKernelWriter.h"
#include "codegen/cuda/CUDAKernelSources.h"

#include "dialect/SSMOpTable.h"

#include "llvm/Support/Format.h"
#include "llvm/Support/raw_ostream.h"

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

std::string mlir::ssm::cudaTimeStepBody(bool softplus, FloatAttr dtMin, FloatAttr dtMax) {
  std::string body = softplus ? "d = ssm_softplus(d); " : "";
  if (dtMin)
    body += "d = fmaxf(d, " + cudaFloat(dtMin.getValueAsDouble()) + "); ";
  if (dtMax)
    body += "d = fminf(d, " + cudaFloat(dtMax.getValueAsDouble()) + "); ";
  return body + "return d;";
}

CUDAKernelWriter::CUDAKernelWriter(Operation *op, StringRef file, StringRef function)
    : op_(op), file_(file.str()), function_(function.str()) {
  const ssmrt::OpInfo &info = *opInfoOf(op);
  for (auto [o, v] : llvm::zip(info.operands, odsOperands(op)))
    values_[o.name] = v;
  for (auto [r, v] : llvm::zip(info.results, op->getResults()))
    values_[r.name] = v;
}

Value CUDAKernelWriter::value(StringRef name) const { return values_.lookup(name); }

void CUDAKernelWriter::params(ArrayRef<std::pair<StringRef, StringRef>> bindings) {
  for (auto [param, name] : bindings) {
    Value v = name.empty() ? Value() : value(name);
    config_ += "  using " + param.str() + "_t = " + (v ? cudaElementType(v) : "float") +
               ";\n  static constexpr bool has_" + param.str() + " = " + (v ? "true" : "false") +
               ";\n";
    if (!v)
      callArgs_.push_back("nullptr, 0");
    else if (valueRole(v) == ValueRole::Activation)
      callArgs_.push_back(name.str() + ", " + name.str() + "_ld");
    else
      callArgs_.push_back(name.str() + ", 0");
  }
}

int64_t CUDAKernelWriter::tile(const tiles::TileTable &table, StringRef name) {
  const tiles::TileParamSpec *spec = table.find(name);
  int64_t value = spec->dflt;
  if (auto chosen = ssmDialect(op_).getCudaTilesAttrHelper().getAttr(op_))
    if (auto v = chosen.getAs<IntegerAttr>(name))
      value = v.getInt();
  params_.push_back({name.str(), value, spec->choices});
  config_ += "  static constexpr int " + name.lower() + " = " + name.str() + ";\n";
  return value;
}

void CUDAKernelWriter::constant(StringRef member, int64_t value) {
  config_ += "  static constexpr int " + member.str() + " = " + std::to_string(value) + ";\n";
}

void CUDAKernelWriter::constant(StringRef member, double value) {
  config_ += "  static constexpr float " + member.str() + " = " + cudaFloat(value) + ";\n";
}

void CUDAKernelWriter::flag(StringRef member, bool value) {
  config_ += "  static constexpr bool " + member.str() + " = " + (value ? "true" : "false") + ";\n";
}

void CUDAKernelWriter::alias(StringRef member, StringRef type) {
  config_ += "  using " + member.str() + " = " + type.str() + ";\n";
}

void CUDAKernelWriter::function(StringRef declaration, StringRef body) {
  config_ +=
      "  __device__ __forceinline__ static " + declaration.str() + " { " + body.str() + " }\n";
}

ssmrt::CudaKernelDesc CUDAKernelWriter::finish(ssmrt::CudaKernelDesc launch) {
  // The entry point's arguments: the kernel ABI's, by role.
  const ssmrt::OpInfo &info = *opInfoOf(op_);
  std::vector<std::string> signature;
  auto addArg = [&](StringRef name, Value v, bool output) {
    std::string type = cudaElementType(v), n = name.str();
    switch (valueRole(v)) {
    case ValueRole::Activation:
      signature.push_back((output ? "" : "const ") + type + " *__restrict__ " + n + ", long long " +
                          n + "_ld");
      break;
    case ValueRole::Weight: signature.push_back("const " + type + " *__restrict__ " + n); break;
    case ValueRole::State: // may alias the initial state: updated in place
      signature.push_back("float *" + n);
      break;
    case ValueRole::Ids: signature.push_back("const int *__restrict__ " + n); break;
    case ValueRole::Absent: break;
    }
  };
  if (custom_) {
    signature = customSignature_;
  } else {
    for (auto [o, v] : llvm::zip(info.operands, odsOperands(op_)))
      if (v)
        addArg(o.name, v, false);
    for (auto [r, v] : llvm::zip(info.results, op_->getResults()))
      addArg(r.name, v, true);
  }
  std::vector<std::string> call = callArgs_;
  if (workspace_) {
    signature.push_back("float *__restrict__ workspace");
    call.push_back("workspace");
  }
  signature.push_back("int batch");
  signature.push_back("int seq");
  call.push_back("batch");
  call.push_back("seq");

  // Tile macros: -D overrides them; the configuration reads them, then they
  // are undefined so that the family's source may use the names.
  std::string tiles, undef;
  for (const ssmrt::TileParam &p : params_) {
    tiles +=
        "#ifndef " + p.name + "\n#define " + p.name + " " + std::to_string(p.value) + "\n#endif\n";
    undef += "#undef " + p.name + "\n";
  }
  std::string source;
  llvm::raw_string_ostream os(source);
  launch.name = ssmDialect(op_).getKernelAttrHelper().getAttr(op_).str();
  launch.op = op_->getName().getStringRef().str();
  launch.params = params_;
  os << cudaKernelSource("preamble.cuh") << "\n// " << launch.op << "\n"
     << tiles << "struct ssm_config {\n"
     << config_ << "};\n"
     << undef << "\n"
     << cudaKernelSource(file_) << "\nextern \"C\" __global__ void __launch_bounds__(ssm_config::"
     << StringRef(launch.blockParam).lower()
     << (minBlocks_ ? ", " + std::to_string(minBlocks_) : std::string()) << ")\n"
     << launch.name << "(";
  for (size_t i = 0; i < signature.size(); ++i)
    os << (i ? ",\n    " : "") << signature[i];
  os << ") {\n  " << function_ << "<ssm_config>(";
  for (size_t i = 0; i < call.size(); ++i)
    os << (i ? ", " : "") << call[i];
  os << ");\n}\n";
  launch.source = std::move(source);
  return launch;
}
