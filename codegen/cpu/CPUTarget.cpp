//===- CPUTarget.cpp - the CPU the kernels are compiled for ---------------===//
#include "codegen/cpu/CPUTarget.h"
#include "runtime/cpu/CpuPath.h"

#include "llvm/ADT/StringMap.h"
#include "llvm/TargetParser/Host.h"

using namespace mlir::ssm;

CPUTarget CPUTarget::host() {
  CPUTarget t;
  t.triple = llvm::sys::getProcessTriple();
  t.cpu = llvm::sys::getHostCPUName().str();
  llvm::StringMap<bool> features = llvm::sys::getHostCPUFeatures();
  std::string list;
  for (const auto &f : features)
    list += std::string(list.empty() ? "" : ",") + (f.second ? "+" : "-") + f.first().str();
  t.features = list;
  auto has = [&](const char *name) {
    auto it = features.find(name);
    return it != features.end() && it->second;
  };
  // $SSMC_CPU_PATH may cap the width (runtime/cpu/CpuPath.h).
  t.vectorWidth = has("avx512f") && ssmrt::cpuPathAllows("avx512") ? 16
                  : has("avx2") && ssmrt::cpuPathAllows("avx2")    ? 8
                                                                   : 4;
  return t;
}

CPUTarget CPUTarget::withVectorWidth(int lanes) const {
  CPUTarget t = *this;
  t.vectorWidth = lanes;
  return t;
}
