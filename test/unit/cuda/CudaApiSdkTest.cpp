//===- CudaApiSdkTest.cpp - our CUDA declarations against the SDK's -------===//
//
// Built only where the CUDA SDK headers are installed. Every constant in
// runtime/cuda/CudaApi.h must equal the SDK's, and every entry point in the
// symbol tables must have the SDK's signature once our types are mapped to
// theirs. Everything is checked at compile time; the test body only says so.
//
//===----------------------------------------------------------------------===//
#include "runtime/cuda/CublasSymbols.h"
#include "runtime/cuda/DriverSymbols.h"
#include "runtime/cuda/NvrtcSymbols.h"

#include <cublas_api.h>
#include <cuda.h>
#include <gtest/gtest.h>
#include <nvrtc.h>
#include <type_traits>

namespace {

namespace ours = ssmrt::cuda;

//===----------------------------------------------------------------------===//
// Constants
//===----------------------------------------------------------------------===//

#define SAME_VALUE(name)                                                                           \
  static_assert(static_cast<long long>(ours::name) == static_cast<long long>(::name),              \
                #name " differs from the SDK");

SAME_VALUE(CUDA_SUCCESS)
SAME_VALUE(CUDA_ERROR_INVALID_VALUE)
SAME_VALUE(CUDA_ERROR_OUT_OF_MEMORY)
SAME_VALUE(CUDA_ERROR_NOT_INITIALIZED)
SAME_VALUE(CUDA_ERROR_STUB_LIBRARY)
SAME_VALUE(CUDA_ERROR_NO_DEVICE)
SAME_VALUE(CUDA_ERROR_INVALID_DEVICE)
SAME_VALUE(CUDA_ERROR_NO_BINARY_FOR_GPU)
SAME_VALUE(CUDA_ERROR_INVALID_PTX)
SAME_VALUE(CUDA_ERROR_NOT_FOUND)
SAME_VALUE(CUDA_ERROR_UNKNOWN)
SAME_VALUE(CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT)
SAME_VALUE(CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR)
SAME_VALUE(CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR)
SAME_VALUE(CU_DEVICE_ATTRIBUTE_MAX_SHARED_MEMORY_PER_BLOCK_OPTIN)
SAME_VALUE(CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES)
SAME_VALUE(CU_JIT_INFO_LOG_BUFFER)
SAME_VALUE(CU_JIT_INFO_LOG_BUFFER_SIZE_BYTES)
SAME_VALUE(CU_JIT_ERROR_LOG_BUFFER)
SAME_VALUE(CU_JIT_ERROR_LOG_BUFFER_SIZE_BYTES)
SAME_VALUE(CU_STREAM_CAPTURE_MODE_GLOBAL)
SAME_VALUE(CU_STREAM_CAPTURE_MODE_THREAD_LOCAL)
SAME_VALUE(CU_STREAM_CAPTURE_MODE_RELAXED)
SAME_VALUE(CU_STREAM_DEFAULT)
SAME_VALUE(CU_STREAM_NON_BLOCKING)
SAME_VALUE(CU_EVENT_DEFAULT)
SAME_VALUE(NVRTC_SUCCESS)
SAME_VALUE(NVRTC_ERROR_OUT_OF_MEMORY)
SAME_VALUE(NVRTC_ERROR_INVALID_INPUT)
SAME_VALUE(NVRTC_ERROR_INVALID_OPTION)
SAME_VALUE(NVRTC_ERROR_COMPILATION)
SAME_VALUE(CUBLAS_STATUS_SUCCESS)
SAME_VALUE(CUBLAS_STATUS_NOT_INITIALIZED)
SAME_VALUE(CUBLAS_STATUS_ALLOC_FAILED)
SAME_VALUE(CUBLAS_STATUS_INVALID_VALUE)
SAME_VALUE(CUBLAS_STATUS_ARCH_MISMATCH)
SAME_VALUE(CUBLAS_STATUS_EXECUTION_FAILED)
SAME_VALUE(CUBLAS_STATUS_INTERNAL_ERROR)
SAME_VALUE(CUBLAS_STATUS_NOT_SUPPORTED)
SAME_VALUE(CUBLAS_OP_N)
SAME_VALUE(CUBLAS_OP_T)
SAME_VALUE(CUBLAS_OP_C)
SAME_VALUE(CUBLAS_DEFAULT_MATH)
SAME_VALUE(CUBLAS_TF32_TENSOR_OP_MATH)
SAME_VALUE(CUBLAS_COMPUTE_16F)
SAME_VALUE(CUBLAS_COMPUTE_32F)
SAME_VALUE(CUBLAS_COMPUTE_32F_FAST_16BF)
SAME_VALUE(CUBLAS_COMPUTE_32F_FAST_TF32)
SAME_VALUE(CUBLAS_GEMM_DEFAULT)
SAME_VALUE(CUDA_R_32F)
SAME_VALUE(CUDA_R_64F)
SAME_VALUE(CUDA_R_16F)
SAME_VALUE(CUDA_R_16BF)

//===----------------------------------------------------------------------===//
// Types: our enumerations stand for the SDK's, the handles are the SDK's.
//===----------------------------------------------------------------------===//

/// The SDK type that our type |T| stands for, through pointers, const and
/// function pointer signatures.
template <typename T> struct ToSdk {
  using type = T;
};
template <typename T> struct ToSdk<T *> {
  using type = typename ToSdk<T>::type *;
};
template <typename T> struct ToSdk<const T> {
  using type = const typename ToSdk<T>::type;
};
template <typename R, typename... Args> struct ToSdk<R (*)(Args...)> {
  using type = typename ToSdk<R>::type (*)(typename ToSdk<Args>::type...);
};

#define MAPS_TO(ourType, sdkType)                                                                  \
  template <> struct ToSdk<ours::ourType> {                                                        \
    using type = ::sdkType;                                                                        \
  };                                                                                               \
  static_assert(sizeof(ours::ourType) == sizeof(::sdkType), #ourType " has the wrong size");

MAPS_TO(CUresult, CUresult)
MAPS_TO(CUdevice_attribute, CUdevice_attribute)
MAPS_TO(CUfunction_attribute, CUfunction_attribute)
MAPS_TO(CUjit_option, CUjit_option)
MAPS_TO(CUstreamCaptureMode, CUstreamCaptureMode)
MAPS_TO(nvrtcResult, nvrtcResult)
MAPS_TO(cublasStatus_t, cublasStatus_t)
MAPS_TO(cublasOperation_t, cublasOperation_t)
MAPS_TO(cublasMath_t, cublasMath_t)
MAPS_TO(cublasComputeType_t, cublasComputeType_t)
MAPS_TO(cublasGemmAlgo_t, cublasGemmAlgo_t)
MAPS_TO(cudaDataType, cudaDataType)

#define SAME_TYPE(name) static_assert(std::is_same_v<ours::name, ::name>, #name " differs");
SAME_TYPE(CUdevice)
SAME_TYPE(CUdeviceptr)
SAME_TYPE(CUcontext)
SAME_TYPE(CUmodule)
SAME_TYPE(CUfunction)
SAME_TYPE(CUstream)
SAME_TYPE(CUevent)
SAME_TYPE(CUgraph)
SAME_TYPE(CUgraphExec)
SAME_TYPE(nvrtcProgram)
SAME_TYPE(cublasHandle_t)
static_assert(std::is_same_v<ours::CUstream, ::cudaStream_t>);

//===----------------------------------------------------------------------===//
// Signatures of every table entry.
//===----------------------------------------------------------------------===//

int signatures = 0;

// CUDA 12.8+ headers map cuEventElapsedTime to cuEventElapsedTime_v2, which
// older drivers lack; the runtime calls the original, which every driver
// still exports with the same signature (cuda.h's own legacy section says so).
#ifdef cuEventElapsedTime
#undef cuEventElapsedTime
extern "C" decltype(::cuEventElapsedTime_v2) cuEventElapsedTime;
#endif

/// The static_cast compiles only if the SDK declares |name| with exactly our
/// signature (it also picks that one among C++ overloads, as cublas_api.h
/// adds for cublasGemmEx).
#define SAME_SIGNATURE(table, name)                                                                \
  static_assert(static_cast<ToSdk<decltype(ours::table::name)>::type>(&::name) != nullptr, #name); \
  [[maybe_unused]] const int name##Checked = ++signatures;

#define SSMRT_CU_PFN(name, ...) SAME_SIGNATURE(DriverSymbols, name)
#include "runtime/cuda/DriverSymbolTable.inc"
#define SSMRT_NVRTC_PFN(ret, name, ...) SAME_SIGNATURE(NvrtcSymbols, name)
#include "runtime/cuda/NvrtcSymbolTable.inc"
#define SSMRT_CUBLAS_PFN(ret, name, ...) SAME_SIGNATURE(CublasSymbols, name)
#include "runtime/cuda/CublasSymbolTable.inc"

TEST(CudaApiSdkTest, DeclarationsMatchTheSdk) {
  // The static_asserts above did the work; this records that they ran.
  std::printf("checked %d signatures against CUDA %d.%d headers\n", signatures, CUDA_VERSION / 1000,
              CUDA_VERSION % 1000 / 10);
  EXPECT_GT(signatures, 50);
}

} // namespace
