//===- ExecCoreTest.cpp - weights, function plans and state slots ---------===//
#include "runtime/exec/FunctionPlan.h"
#include "runtime/exec/StateStore.h"
#include "runtime/exec/WeightStore.h"
#include "runtime/io/HalfFloat.h"
#include "runtime/io/SafeTensorsWriter.h"

#include "TestData.h"

#include <gtest/gtest.h>

using namespace ssmrt;

namespace {

Program twoParams() {
  Program p;
  p.params.push_back({{"w"}, {2, 3}});
  p.params.push_back({{"b"}, {3}});
  return p;
}

TEST(WeightStore, KeepsTheStoredDtypeAndConvertsOnDemand) {
  test::TempDir dir;
  SafeTensorsWriter writer;
  const float w[] = {1.5f, -2.0f, 0.1f, 3.0f, -0.5f, 7.25f};
  const float b[] = {0.25f, 1.0f, -1.0f};
  ASSERT_TRUE(writer.addFloats("w", {2, 3}, w, DType::BF16).ok());
  ASSERT_TRUE(writer.addFloats("b", {3}, b, DType::F32).ok());
  ASSERT_TRUE(writer.writeFile(dir.file("model.safetensors")).ok());
  StatusOr<Checkpoint> ckpt = Checkpoint::openSafeTensors(dir.file("model.safetensors"));
  ASSERT_TRUE(ckpt.ok()) << ckpt.status().message();
  Program program = twoParams();
  StatusOr<WeightStore> store = WeightStore::fromCheckpoint(program, *ckpt);
  ASSERT_TRUE(store.ok()) << store.status().message();

  // The bf16 tensor stays bf16 in the memory map...
  const WeightStore::Stored &stored = store->stored(0);
  EXPECT_EQ(stored.dtype, DType::BF16);
  EXPECT_EQ(stored.elements, 6);
  uint16_t first;
  std::memcpy(&first, stored.data, 2);
  EXPECT_EQ(first, floatToBf16(1.5f));
  // ... and converts to f32 once, on request.
  const float *converted = store->param(0);
  ASSERT_NE(converted, nullptr);
  for (int i = 0; i < 6; ++i)
    EXPECT_EQ(converted[i], bf16ToFloat(floatToBf16(w[i]))) << i;
  EXPECT_EQ(store->param(0), converted);
  // An aligned f32 tensor is used in place.
  EXPECT_EQ(store->param(1), static_cast<const float *>(store->stored(1).data));
  EXPECT_EQ(store->totalBytes(), 9 * 4);
}

TEST(WeightStore, RejectsTensorsThatAreNotFloats) {
  test::TempDir dir;
  SafeTensorsWriter writer;
  const int32_t ids[] = {1, 2, 3, 4, 5, 6};
  const float b[] = {0.25f, 1.0f, -1.0f};
  ASSERT_TRUE(writer.addRaw("w", DType::I32, {2, 3}, ids, sizeof ids).ok());
  ASSERT_TRUE(writer.addFloats("b", {3}, b).ok());
  ASSERT_TRUE(writer.writeFile(dir.file("model.safetensors")).ok());
  StatusOr<Checkpoint> ckpt = Checkpoint::openSafeTensors(dir.file("model.safetensors"));
  ASSERT_TRUE(ckpt.ok());
  Program program = twoParams();
  StatusOr<WeightStore> store = WeightStore::fromCheckpoint(program, *ckpt);
  ASSERT_FALSE(store.ok());
  EXPECT_NE(store.status().message().find("unsupported dtype 'I32' for tensor 'w'"),
            std::string::npos)
      << store.status().message();
}

/// A program with two states of 3 and 2 floats per sequence, and a
/// function that reads both.
Program twoStates(Function &f) {
  Program p;
  p.states.push_back({"a", StateKind::Conv, {3}});
  p.states.push_back({"b", StateKind::Scan, {2}});
  f.values.resize(4);
  f.values[0].kind = ValueKind::Tokens;
  f.values[1].kind = ValueKind::SeqLens;
  f.values[2] = {ValueKind::State, 0, 0, {kDynamic, 3}};
  f.values[3] = {ValueKind::State, 1, 0, {kDynamic, 2}};
  f.inputs = {0, 1, 2, 3};
  return p;
}

TEST(StateStore, GathersScattersAndSnapshotsSlots) {
  Function f;
  Program program = twoStates(f);
  auto store = StateStore::create(program, 4, std::make_unique<HostStateMemory>());
  ASSERT_TRUE(store.ok()) << store.status().message();
  StateStore &s = **store;
  EXPECT_EQ(s.sizes(), (std::vector<int64_t>{3, 2}));
  for (int64_t slot = 0; slot < 4; ++slot) {
    std::vector<float> state;
    for (int i = 0; i < 5; ++i)
      state.push_back(10.0f * slot + i);
    ASSERT_TRUE(s.restore(slot, state).ok());
  }
  // Consecutive slots: in place.
  std::vector<uint64_t> addresses;
  ASSERT_TRUE(s.gather(f, {1, 2}, addresses).ok());
  ASSERT_EQ(addresses.size(), 2u);
  EXPECT_EQ(reinterpret_cast<float *>(addresses[0])[0], 10.0f);
  EXPECT_EQ(reinterpret_cast<float *>(addresses[1])[2], 23.0f); // slot 2, state b[0]
  // Slots 3 and 0: gathered in that order, written back after the call.
  ASSERT_TRUE(s.gather(f, {3, 0}, addresses).ok());
  float *a = reinterpret_cast<float *>(addresses[0]);
  float *b = reinterpret_cast<float *>(addresses[1]);
  EXPECT_EQ(a[0], 30.0f);
  EXPECT_EQ(a[3], 0.0f);
  EXPECT_EQ(b[0], 33.0f);
  EXPECT_EQ(b[2], 3.0f);
  a[1] = -1.0f; // slot 3, a[1]
  b[3] = -2.0f; // slot 0, b[1]
  ASSERT_TRUE(s.scatter(f, {3, 0}).ok());
  StatusOr<std::vector<float>> three = s.snapshot(3), zero = s.snapshot(0);
  ASSERT_TRUE(three.ok() && zero.ok());
  EXPECT_EQ(*three, (std::vector<float>{30, -1, 32, 33, 34}));
  EXPECT_EQ(*zero, (std::vector<float>{0, 1, 2, 3, -2}));
  ASSERT_TRUE(s.reset(3).ok());
  EXPECT_EQ(*s.snapshot(3), std::vector<float>(5, 0.0f));
}

TEST(StateStore, SixteenBitKVCachesSnapshotAsFloats) {
  // A GPU keeps its caches in its activation type; snapshots are floats.
  Program p;
  p.states.push_back({"attn", StateKind::KVCache, {2, 1, 3}});
  auto store = StateStore::create(p, 1, std::make_unique<HostStateMemory>(), ValueType::BF16);
  ASSERT_TRUE(store.ok()) << store.status().message();
  KVCacheStore &kv = (*store)->kvCaches();
  ASSERT_TRUE(kv.reserve(0, 0, 2).ok());
  KVRows &r = kv.rows(0, 0);
  uint16_t *keys = reinterpret_cast<uint16_t *>(r.keys),
           *values = reinterpret_cast<uint16_t *>(r.values);
  for (int i = 0; i < 6; ++i) {
    keys[i] = floatToBf16(0.5f * float(i) + 0.25f);
    values[i] = floatToBf16(-3.0f * float(i));
  }
  r.length = 2;
  StatusOr<std::vector<float>> snap = (*store)->snapshot(0);
  ASSERT_TRUE(snap.ok()) << snap.status().message();
  ASSERT_EQ(snap->size(), 13u);
  EXPECT_EQ((*snap)[0], 2.0f);
  EXPECT_EQ((*snap)[1 + 5], 2.75f);
  EXPECT_EQ((*snap)[1 + 6 + 4], -12.0f);
  ASSERT_TRUE((*store)->reset(0).ok());
  ASSERT_TRUE((*store)->restore(0, *snap).ok());
  EXPECT_EQ(*(*store)->snapshot(0), *snap);
}

TEST(StateStore, KVCachesGrowPerSlotAndRoundTripThroughSnapshots) {
  // A conv state of 3 floats and a KV cache of 2 heads of 2 per token.
  Program p;
  p.states.push_back({"conv", StateKind::Conv, {3}});
  p.states.push_back({"attn", StateKind::KVCache, {2, 2, 2}});
  auto store = StateStore::create(p, 2, std::make_unique<HostStateMemory>());
  ASSERT_TRUE(store.ok()) << store.status().message();
  StateStore &s = **store;
  EXPECT_EQ(s.sizes(), (std::vector<int64_t>{3, 0}));
  KVCacheStore &kv = s.kvCaches();
  EXPECT_EQ(kv.width(0), 0);
  EXPECT_EQ(kv.width(1), 4);
  // Slot 1 grows past its first capacity; what it held is kept.
  for (int64_t t = 0; t < 200; ++t) {
    ASSERT_TRUE(kv.reserve(1, 1, t + 1).ok());
    KVRows &r = kv.rows(1, 1);
    for (int i = 0; i < 4; ++i) {
      r.hostKeys()[t * 4 + i] = float(t * 4 + i);
      r.hostValues()[t * 4 + i] = -float(t * 4 + i);
    }
    r.length = t + 1;
  }
  KVRows &r = kv.rows(1, 1);
  EXPECT_GE(r.capacity, 200);
  EXPECT_LT(r.capacity, 400);
  EXPECT_EQ(r.hostKeys()[0], 0.0f);
  EXPECT_EQ(r.hostValues()[799], -799.0f);
  EXPECT_EQ(kv.rows(1, 0).length, 0); // slot 0 untouched

  // Snapshot: the conv state, then the token count, keys and values.
  StatusOr<std::vector<float>> snap = s.snapshot(1);
  ASSERT_TRUE(snap.ok());
  ASSERT_EQ(snap->size(), 3u + 1u + 2u * 800u);
  EXPECT_EQ((*snap)[3], 200.0f);
  ASSERT_TRUE(s.restore(0, *snap).ok());
  EXPECT_EQ(kv.rows(1, 0).length, 200);
  EXPECT_EQ(kv.rows(1, 0).hostValues()[799], -799.0f);
  EXPECT_EQ(*s.snapshot(0), *snap);

  // Snapshots that do not fit are refused before anything is written.
  std::vector<float> shortOne(snap->begin(), snap->end() - 1), badCount = *snap, tooLong = *snap;
  badCount[3] = 2.5f;
  tooLong.push_back(1.0f);
  for (const auto &bad : {shortOne, badCount, tooLong}) {
    Status st = s.restore(1, bad);
    ASSERT_FALSE(st.ok());
    EXPECT_NE(st.message().find("does not fit"), std::string::npos) << st.message();
  }
  EXPECT_EQ(kv.rows(1, 1).length, 200);

  // Reset empties the caches; a cache larger than the host is one message.
  ASSERT_TRUE(s.reset(1).ok());
  EXPECT_EQ(kv.rows(1, 1).length, 0);
  Status huge = kv.reserve(1, 1, int64_t(1) << 50);
  ASSERT_FALSE(huge.ok());
  EXPECT_NE(huge.message().find("the KV cache of 'attn' (slot 1) would need"), std::string::npos)
      << huge.message();
}

TEST(FunctionPlan, NamesWhatEachInstructionIsAndWhatIsMissing) {
  // tokens -> embedding (kernel 0) -> silu (no kernel) -> logits.
  Function f;
  f.name = "forward";
  f.values.resize(6);
  f.values[0].kind = ValueKind::Tokens;
  f.values[1].kind = ValueKind::SeqLens;
  f.values[2] = {ValueKind::Param, 0, 0, {16, 8}};
  f.values[3] = {ValueKind::Temp, -1, 0, {kDynamic, kDynamic, 8}, 0, 0};
  f.values[4] = {ValueKind::Temp, -1, 0, {kDynamic, kDynamic, 8}, 0, 8};
  f.values[5] = {ValueKind::Temp, -1, 0, {kDynamic, kDynamic, 16}};
  f.buffers = {{16}};
  f.inputs = {0, 1};
  f.outputs = {5};
  Instr embedding{OpCode::Embedding, {2, 0}, {3}, {}, 0, false, ""};
  Instr silu{OpCode::Silu, {3}, {4}, {}, -1, false, ""};
  Instr logits{OpCode::Logits, {4, 2}, {5}, {}, -1, false, ""};
  f.instrs = {embedding, silu, logits};

  DeviceRules cpu;
  cpu.referenceFallback = true;
  cpu.kernelWorkspace = {7};
  StatusOr<FunctionPlan> plan = planFunction(f, cpu);
  ASSERT_TRUE(plan.ok()) << plan.status().message();
  using Step = FunctionPlan::Step;
  EXPECT_EQ(plan->steps, (std::vector<Step>{Step::Kernel, Step::Reference, Step::Logits}));
  EXPECT_EQ(plan->workspacePerRow, 7);
  EXPECT_EQ(plan->vocab, 16);
  EXPECT_EQ(plan->logitsWidth, 8);

  DeviceRules gpu;
  gpu.kernelWorkspace = {0};
  EXPECT_EQ(planFunction(f, gpu).status().message(),
            "function 'forward', instruction 1 (silu): has no kernel for this device");
}

} // namespace
