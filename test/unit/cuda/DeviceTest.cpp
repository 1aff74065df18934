//===- DeviceTest.cpp - finding a GPU, and failing cleanly without one ----===//
//
// These run everywhere: without a GPU they check that the failure is a
// clean one-line Status; with one they check what findDevice reports.
//
//===----------------------------------------------------------------------===//
#include "CudaTestSupport.h"

#include "runtime/cuda/Context.h"
#include "runtime/cuda/Device.h"
#include "runtime/cuda/DriverSymbols.h"
#include "runtime/cuda/DynamicLibrary.h"

#include <cstdlib>

using namespace ssmrt;
using namespace ssmrt::cuda;

namespace {

TEST(DeviceTest, ArchName) {
  EXPECT_EQ(archName(7, 5), "sm_75");
  EXPECT_EQ(archName(8, 6), "sm_86");
  EXPECT_EQ(archName(9, 0), "sm_90");
  EXPECT_EQ(archName(10, 0), "sm_100");
  EXPECT_EQ(archName(12, 1), "sm_121");
}

TEST(DeviceTest, Describe) {
  DeviceInfo info;
  info.name = "NVIDIA H200";
  info.ccMajor = 9;
  info.multiprocessorCount = 132;
  info.totalMemory = size_t(140) << 30;
  info.driverVersion = 13000;
  EXPECT_EQ(describe(info), "NVIDIA H200 (sm_90, 132 SMs, 140.0 GiB, driver 13.0)");
}

TEST(DeviceTest, FindDeviceFailsInOneLineOrDescribesTheGpu) {
  StatusOr<DeviceInfo> device = findDevice(0);
  if (!device.ok()) {
    const std::string &message = device.status().message();
    EXPECT_EQ(message.rfind("no CUDA GPU found: ", 0), 0u) << message;
    EXPECT_EQ(message.find('\n'), std::string::npos) << message;
    return;
  }
  EXPECT_FALSE(device->name.empty());
  EXPECT_GE(device->ccMajor, 5);
  EXPECT_GT(device->totalMemory, 0u);
  EXPECT_GE(device->driverVersion, 11000);
}

TEST(DeviceTest, MissingDriverIsNamed) {
  StatusOr<const DriverSymbols *> driver = DriverSymbols::load();
  if (driver.ok())
    GTEST_SKIP() << "the CUDA driver is installed here";
  const std::string &message = driver.status().message();
  EXPECT_EQ(message.rfind("CUDA driver not found (libcuda.so.1): no NVIDIA "
                          "driver on this machine (tried libcuda.so.1, ",
                          0),
            0u)
      << message;
  // The same answer every time, without retrying dlopen.
  EXPECT_EQ(DriverSymbols::load().status().message(), message);
}

// ctest runs this with the toolkit's stub libcuda on LD_LIBRARY_PATH
// (cuda_stub_driver_test), which loads but answers every call with
// CUDA_ERROR_STUB_LIBRARY, cuGetErrorName included.
TEST(DeviceTest, StubDriverIsRecognised) {
  if (!std::getenv("SSMC_EXPECT_STUB_DRIVER"))
    GTEST_SKIP() << "run by cuda_stub_driver_test";
  if (DynamicLibrary::openFirst({"libcuda.so.1"}).ok())
    GTEST_SKIP() << "a real driver (libcuda.so.1) is installed here";
  StatusOr<DeviceInfo> device = findDevice(0);
  ASSERT_FALSE(device.ok());
  EXPECT_EQ(device.status().message(),
            "no CUDA GPU found: cuInit: CUDA_ERROR_STUB_LIBRARY (the CUDA "
            "toolkit's stub libcuda was loaded, not an NVIDIA driver)");
}

TEST(DeviceTest, ContextWithoutGpuIsAStatus) {
  std::string reason = test::gpuUnavailableReason();
  if (reason.empty())
    GTEST_SKIP() << "a GPU is present; cuda_gpu_test covers contexts";
  StatusOr<Context> context = Context::create(0);
  ASSERT_FALSE(context.ok());
  EXPECT_EQ(context.status().message().rfind("no CUDA GPU found: ", 0), 0u);
}

TEST(DeviceTest, NonexistentOrdinal) {
  StatusOr<DeviceInfo> device = findDevice(4096);
  ASSERT_FALSE(device.ok());
  const std::string &message = device.status().message();
  bool noGpu = message.rfind("no CUDA GPU found: ", 0) == 0;
  bool noSuchDevice = message.rfind("CUDA device 4096 does not exist", 0) == 0;
  EXPECT_TRUE(noGpu || noSuchDevice) << message;
}

} // namespace
