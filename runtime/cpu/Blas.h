//===- Blas.h - the matrix products the CPU runtime needs -------*- C++ -*-===//
//
// OpenBLAS when the build found it; otherwise a plain loop, so that the
// runtime still builds (slowly) on machines without it, such as a GPU
// machine that only runs CUDA artifacts.
//
//===----------------------------------------------------------------------===//
#ifndef SSMC_RUNTIME_CPU_BLAS_H
#define SSMC_RUNTIME_CPU_BLAS_H

#include <cstdint>

namespace ssmrt {

/// y[rows, n] (row stride ldy) = x[rows, k] (row stride ldx) · w[n, k]ᵀ.
void gemmXWt(const float *x, int64_t ldx, int64_t rows, const float *w, int64_t n, int64_t k,
             float *y, int64_t ldy);
/// Threads BLAS itself may use (no effect without OpenBLAS).
/// c[m, n] = alpha · a[m, k] · op(b) + beta · c, row-major; op(b) is bᵀ
/// for b [n, k] when |transB|, else b [k, n].
void gemm(bool transB, int64_t m, int64_t n, int64_t k, float alpha, const float *a, int64_t lda,
          const float *b, int64_t ldb, float beta, float *c, int64_t ldc);
void setBlasThreads(int threads);
/// Whether the fast BLAS is there.
bool haveOptimizedBlas();

} // namespace ssmrt

#endif // SSMC_RUNTIME_CPU_BLAS_H
