//===- CPUTarget.h - the CPU the kernels are compiled for -------*- C++ -*-===//
#ifndef SSMC_CODEGEN_CPU_CPUTARGET_H
#define SSMC_CODEGEN_CPU_CPUTARGET_H

#include <string>

namespace mlir::ssm {

struct CPUTarget {
  std::string triple;   ///< e.g. x86_64-pc-linux-gnu
  std::string cpu;      ///< LLVM CPU name, e.g. znver4
  std::string features; ///< LLVM feature string, e.g. +avx2,+fma,...
  int vectorWidth = 4;  ///< f32 lanes of the widest vector unit used

  /// The machine the compiler runs on (LLVM's host detection); the vector
  /// width follows its features: 16 with AVX-512F, 8 with AVX2, else 4.
  static CPUTarget host();
  /// |host()| with another vector width (for tests of the kernels' tails).
  CPUTarget withVectorWidth(int lanes) const;
};

} // namespace mlir::ssm

#endif // SSMC_CODEGEN_CPU_CPUTARGET_H
