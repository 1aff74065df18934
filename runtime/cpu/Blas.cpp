//===- Blas.cpp - the matrix products the CPU runtime needs ---------------===//
#include "runtime/cpu/Blas.h"

#ifdef SSMC_HAVE_OPENBLAS
#include <cblas.h>
#endif

using namespace ssmrt;

void ssmrt::gemmXWt(const float *x, int64_t ldx, int64_t rows, const float *w, int64_t n, int64_t k,
                    float *y, int64_t ldy) {
#ifdef SSMC_HAVE_OPENBLAS
  if (rows == 1)
    cblas_sgemv(CblasRowMajor, CblasNoTrans, n, k, 1.0f, w, k, x, 1, 0.0f, y, 1);
  else
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, rows, n, k, 1.0f, x, ldx, w, k, 0.0f, y,
                ldy);
#else
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t j = 0; j < n; ++j) {
      float acc = 0.0f;
      for (int64_t i = 0; i < k; ++i)
        acc += x[r * ldx + i] * w[j * k + i];
      y[r * ldy + j] = acc;
    }
#endif
}

void ssmrt::gemm(bool transB, int64_t m, int64_t n, int64_t k, float alpha, const float *a,
                 int64_t lda, const float *b, int64_t ldb, float beta, float *c, int64_t ldc) {
#ifdef SSMC_HAVE_OPENBLAS
  cblas_sgemm(CblasRowMajor, CblasNoTrans, transB ? CblasTrans : CblasNoTrans, m, n, k, alpha, a,
              lda, b, ldb, beta, c, ldc);
#else
  for (int64_t r = 0; r < m; ++r)
    for (int64_t j = 0; j < n; ++j) {
      float acc = 0.0f;
      for (int64_t i = 0; i < k; ++i)
        acc += a[r * lda + i] * (transB ? b[j * ldb + i] : b[i * ldb + j]);
      c[r * ldc + j] = alpha * acc + (beta == 0.0f ? 0.0f : beta * c[r * ldc + j]);
    }
#endif
}

void ssmrt::setBlasThreads(int threads) {
#ifdef SSMC_HAVE_OPENBLAS
  openblas_set_num_threads(threads);
#else
  (void)threads;
#endif
}

bool ssmrt::haveOptimizedBlas() {
#ifdef SSMC_HAVE_OPENBLAS
  return true;
#else
  return false;
#endif
}
