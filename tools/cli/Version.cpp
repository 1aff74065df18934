//===- Version.cpp - what --version prints --------------------------------===//
#include "tools/cli/Version.h"

#include "runtime/cuda/CublasSymbols.h"
#include "runtime/cuda/Device.h"
#include "runtime/cuda/NvrtcCompiler.h"

#include "ssmc/Version.inc"

std::string ssmc::cli::versionText(const std::string &tool, const std::string &compiler) {
  std::string text = tool + " " SSMC_VERSION " (git " SSMC_GIT_COMMIT ")\n" + compiler + "\n";
  ssmrt::StatusOr<ssmrt::cuda::DeviceInfo> gpu = ssmrt::cuda::findDevice(0);
  text += "GPU: " + (gpu.ok() ? ssmrt::cuda::describe(*gpu) : gpu.status().message()) + "\n";
  ssmrt::StatusOr<ssmrt::cuda::NvrtcInfo> nvrtc = ssmrt::cuda::nvrtcInfo();
  text +=
      "NVRTC: " + (nvrtc.ok() ? nvrtc->version() : "not found: " + nvrtc.status().message()) + "\n";
  ssmrt::StatusOr<const ssmrt::cuda::CublasSymbols *> cublas = ssmrt::cuda::CublasSymbols::load();
  text += "cuBLAS: " +
          (cublas.ok() ? std::string("found") : "not found: " + cublas.status().message()) + "\n";
  return text;
}
