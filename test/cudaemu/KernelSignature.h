//===- KernelSignature.h - an emitted kernel's parameters -------*- C++ -*-===//
//
// Finds a `__global__` function in CUDA source text, splits its parameter
// list and writes the entry (ssmc_emu_call) that calls it with values the
// launcher lays out. The text is the emitter's: `extern "C" __global__ void
// __launch_bounds__(...) NAME(TYPE NAME, ...)` with template-free types.
//
//===----------------------------------------------------------------------===//
#ifndef SSMC_TEST_CUDAEMU_KERNELSIGNATURE_H
#define SSMC_TEST_CUDAEMU_KERNELSIGNATURE_H

#include "runtime/Status.h"

#include <string>
#include <vector>

namespace ssmc::cudaemu {

/// How the launcher stores a parameter's value.
enum class ParamKind { Pointer, Int32, UInt32, Int64, UInt64, Float, Double };

/// One kernel parameter, as written in the source.
struct KernelParam {
  /// The type as written, e.g. "const float *__restrict__".
  std::string type;
  std::string name;
  ParamKind kind;

  /// "const float *__restrict__ x", "float *y".
  std::string declaration() const { return type + (type.back() == '*' ? "" : " ") + name; }
};

/// |source| with every comment replaced by a space (string and character
/// literals are kept as they are).
std::string stripComments(const std::string &source);

/// The parameters of the `__global__` function |entryName| in |source|. The
/// error names the functions the source does define when |entryName| is not
/// one of them, or the parameter the launcher cannot pass (one that is not a
/// pointer, int, unsigned, long long, unsigned long long, float or double).
ssmrt::StatusOr<std::vector<KernelParam>> parseKernelSignature(const std::string &source,
                                                               const std::string &entryName);

/// The C++ text of `extern "C" void ssmc_emu_call(const ssmc_emu_thread *,
/// void **args)`, which enters the thread and calls |entryName| with
/// parameter i read from args[i] (a void * for pointers, else a value of the
/// parameter's type).
std::string callShim(const std::string &entryName, const std::vector<KernelParam> &params);

} // namespace ssmc::cudaemu

#endif // SSMC_TEST_CUDAEMU_KERNELSIGNATURE_H
