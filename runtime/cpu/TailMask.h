//===- TailMask.h - AVX-512 lane masks for the last, partial vector -------===//
#ifndef SSMC_RUNTIME_CPU_TAILMASK_H
#define SSMC_RUNTIME_CPU_TAILMASK_H

#include <cstdint>

#if defined(__x86_64__)
#include <immintrin.h>

namespace ssmrt {

/// The first min(left, 16) lanes of a 16-lane vector.
inline __mmask16 tailMask(int64_t left) {
  return left >= 16 ? static_cast<__mmask16>(0xFFFF) : static_cast<__mmask16>((1u << left) - 1);
}

} // namespace ssmrt

#endif
#endif
