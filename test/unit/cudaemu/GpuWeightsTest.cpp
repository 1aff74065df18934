//===- GpuWeightsTest.cpp - weights reach the device in their stored dtype ===//
#include "test/cudaemu/EmulatedDevice.h"
#include "test/unit/runtime/TestData.h"

#include "runtime/gpu/GpuWeights.h"
#include "runtime/io/SafeTensorsWriter.h"

#include <gtest/gtest.h>

#include <cstring>

using namespace ssmrt;

namespace {

TEST(GpuWeights, UploadsStoredBytesWithoutAnF32Copy) {
  // A bf16 and an f16 tensor; the function reads the first as bf16 (its
  // stored type: uploaded as is) and the second as bf16 too (converted one
  // tensor at a time, not through f32 copies kept on the host).
  test::TempDir dir;
  SafeTensorsWriter writer;
  std::vector<float> a(64), b(32);
  for (size_t i = 0; i < a.size(); ++i)
    a[i] = 0.37f * static_cast<float>(i) - 5.0f;
  for (size_t i = 0; i < b.size(); ++i)
    b[i] = 1.0f / (1.0f + static_cast<float>(i));
  ASSERT_TRUE(writer.addFloats("a", {8, 8}, a.data(), DType::BF16).ok());
  ASSERT_TRUE(writer.addFloats("b", {32}, b.data(), DType::F16).ok());
  ASSERT_TRUE(writer.writeFile(dir.file("model.safetensors")).ok());
  StatusOr<Checkpoint> ckpt = Checkpoint::openSafeTensors(dir.file("model.safetensors"));
  ASSERT_TRUE(ckpt.ok()) << ckpt.status().message();
  Program program;
  program.params = {{{"a"}, {8, 8}}, {{"b"}, {32}}};
  Function f;
  f.name = "forward";
  f.values.resize(2);
  f.values[0] = {ValueKind::Param, 0, 0, {8, 8}};
  f.values[0].dtype = ValueType::BF16;
  f.values[1] = {ValueKind::Param, 1, 0, {32}};
  f.values[1].dtype = ValueType::BF16;
  StatusOr<WeightStore> weights = WeightStore::fromCheckpoint(program, *ckpt);
  ASSERT_TRUE(weights.ok()) << weights.status().message();

  ssmc::cudaemu::EmulatedDevice device;
  auto uploaded = gpu::GpuWeights::upload(program, {&f}, *weights, device);
  ASSERT_TRUE(uploaded.ok()) << uploaded.status().message();
  EXPECT_EQ(weights->convertedBytes(), 0);
  EXPECT_EQ((*uploaded)->bytes(), (64 + 32) * 2);

  std::vector<uint16_t> onDevice(64);
  ASSERT_TRUE(device.download(onDevice.data(), (*uploaded)->valuePointer(f, 0), 128).ok());
  EXPECT_EQ(std::memcmp(onDevice.data(), weights->stored(0).data, 128), 0);
  ASSERT_TRUE(device.download(onDevice.data(), (*uploaded)->valuePointer(f, 1), 64).ok());
  for (size_t i = 0; i < b.size(); ++i)
    EXPECT_EQ(gpu::loadAsFloat(onDevice.data(), i, ValueType::BF16),
              gpu::roundTo(ValueType::BF16, gpu::roundTo(ValueType::F16, b[i])))
        << i;
}

} // namespace
