//===- CpuPath.h - forcing a narrower CPU code path ------------*- C++ -*-===//
//
// Kernels with several implementations (SmallGemm, SmallGemmInt8,
// SoftmaxRow, the products of OneDnnGemm, and the vector width
// of the generated kernels) take the widest one the CPU runs.
// $SSMC_CPU_PATH caps that, so that every path can be run whole on a CPU
// that has wider ones (tests, comparisons):
//   avx512bf16 > avx512vnni > avx512 > avx2 > portable
// (unset: no cap). A path the CPU lacks is not taken even when allowed.
// Naming a path also takes what it adds where the CPU has it but it would
// not pay (the bf16 prefill products on Intel cores without AMX).
//
//===----------------------------------------------------------------------===//
#ifndef SSMC_RUNTIME_CPU_CPUPATH_H
#define SSMC_RUNTIME_CPU_CPUPATH_H

#include "runtime/Status.h"

namespace ssmrt {

/// Whether $SSMC_CPU_PATH allows the implementation named |variant|
/// ("avx512bf16", "avx512vnni", "avx512", "avx2", "portable"); always true when it is
/// unset or invalid (checkCpuPath() reports the latter).
bool cpuPathAllows(const char *variant);

/// Whether $SSMC_CPU_PATH names |variant| exactly.
bool cpuPathIs(const char *variant);

/// An error naming $SSMC_CPU_PATH and the accepted values when it is set to
/// something else.
Status checkCpuPath();

} // namespace ssmrt

#endif // SSMC_RUNTIME_CPU_CPUPATH_H
