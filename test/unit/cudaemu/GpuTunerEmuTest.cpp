//===- GpuTunerEmuTest.cpp - the CUDA tuner in the emulator, no GPU -------===//
//
// A tiny Mamba-1 compiled with CUDA kernels (fp32) is tuned on the CUDA
// emulator behind a test device whose timer is deterministic (a cost per
// tile configuration) and which can break a configuration (its launches
// write nothing) or refuse to load one (as NVRTC refuses a kernel):
// - a norm kernel's 5 configurations are measured exhaustively; the broken
//   and the unloadable one are recorded as rejected with their reasons, the
//   cheapest is chosen, every measurement reaches the database;
// - the executor then loads that kernel with the chosen tiles and computes
//   the same logits as with the compiled ones (1e-5 of the largest);
// - the conv kernel's 25 configurations, with a search limit of 4, are
//   searched by the hill climb: it finds the cheapest of a separable cost
//   after measuring fewer than all of them;
// - a budget that has run out stops the search, keeping what finished.
//
//===----------------------------------------------------------------------===//
#include "test/cudaemu/EmulatedDevice.h"
#include "test/unit/e2e/ModelHarness.h"

#include "codegen/driver/TunablePrograms.h"
#include "frontend/ModelFile.h"
#include "runtime/artifact/Artifact.h"
#include "runtime/gpu/GpuExecutor.h"
#include "runtime/gpu/GpuTuner.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <map>
#include <unistd.h>

using namespace ssmc::cudaemu;
using namespace ssmrt::gpu;
using ssmrt::TuneConfig;

namespace {

const char *kModel = R"(import "std/mamba1.ssm"
model tiny(tokens) {
  param embed [29, 20] "embed"
  h = embedding(embed, tokens)
  for i in 0 .. 1 {
    scope "layers.{i}" {
      param norm [20] "norm.weight"
      h = h + mamba1(rmsnorm(h, norm), 20, d_state=16, dt_rank=3) @ "mixer"
    }
  }
  param norm_f [20] "norm_f.weight"
  return logits(rmsnorm(h, norm_f), embed)
}
)";

int64_t tile(const std::vector<ssmrt::TileParam> &tiles, const char *name) {
  for (const ssmrt::TileParam &t : tiles)
    if (t.name == name)
      return t.value;
  return 0;
}

/// The emulator with a deterministic timer: each launch takes cost(its
/// kernel's tiles) milliseconds.
class TimedDevice final : public GpuDevice {
public:
  using Tiles = std::vector<ssmrt::TileParam>;
  std::function<double(const Tiles &)> cost = [](const Tiles &) { return 1.0; };
  std::function<bool(const Tiles &)> broken = [](const Tiles &) { return false; };
  std::function<bool(const Tiles &)> unloadable = [](const Tiles &) { return false; };
  std::map<int, Tiles> tilesOf; ///< by handle
  std::vector<Tiles> precompiled;

  std::string describe() const override { return "timed CUDA emulator"; }
  ssmrt::DeviceKey deviceKey() const override { return {"cuda", {{"device", "timed emulator"}}}; }
  int multiprocessors() const override { return inner_.multiprocessors(); }
  ssmrt::StatusOr<DevicePtr> allocate(size_t bytes, const std::string &what) override {
    return inner_.allocate(bytes, what);
  }
  void release(DevicePtr p) override { inner_.release(p); }
  ssmrt::Status upload(DevicePtr dst, const void *src, size_t bytes) override {
    return inner_.upload(dst, src, bytes);
  }
  ssmrt::Status download(void *dst, DevicePtr src, size_t bytes) override {
    return inner_.download(dst, src, bytes);
  }
  ssmrt::Status copy(DevicePtr dst, DevicePtr src, size_t bytes) override {
    return inner_.copy(dst, src, bytes);
  }
  void precompile(const ssmrt::CudaKernelDesc &, const std::vector<Tiles> &configs) override {
    precompiled.insert(precompiled.end(), configs.begin(), configs.end());
  }
  ssmrt::StatusOr<int> loadKernel(const ssmrt::CudaKernelDesc &kernel,
                                  const Tiles &overrides) override {
    if (unloadable(overrides))
      return ssmrt::Status::error("NVRTC: static assertion failed (test)");
    ssmrt::StatusOr<int> h = inner_.loadKernel(kernel, overrides);
    if (h.ok())
      tilesOf[*h] = overrides;
    return h;
  }
  ssmrt::StatusOr<int64_t> residentBlocks(int kernel, unsigned threads) override {
    return inner_.residentBlocks(kernel, threads);
  }
  ssmrt::Status launch(int kernel, const LaunchDims &dims, const std::vector<KernelArg> &args,
                       bool cooperative) override {
    last_ = kernel;
    if (broken(tilesOf[kernel]))
      return ssmrt::okStatus();
    return inner_.launch(kernel, dims, args, cooperative);
  }
  ssmrt::Status gemm(const GemmArgs &g) override { return inner_.gemm(g); }
  ssmrt::Status synchronize() override { return inner_.synchronize(); }
  ssmrt::StatusOr<int> capture(const std::function<ssmrt::Status()> &body) override {
    return inner_.capture(body);
  }
  ssmrt::Status replay(int graph) override { return inner_.replay(graph); }
  ssmrt::StatusOr<double> timeMs(const std::function<ssmrt::Status()> &work) override {
    SSMRT_RETURN_IF_ERROR(work());
    return cost(tilesOf[last_]);
  }

private:
  EmulatedDevice inner_;
  int last_ = -1;
};

struct Tunable {
  ssmrt::Program program;
  std::vector<GpuKernelSpace> spaces;
  ssmrt::WeightStore weights;
};

Tunable compileTiny() {
  ssmc::fe::ModelFile file({ssmc::fe::defaultModelsDir()});
  EXPECT_TRUE(file.loadText("tiny.ssm", kModel)) << file.error();
  ssmrt::StatusOr<ssmrt::Program> p = ssmc::compileWithCuda(file.graph(), file.sources(), "fp32");
  EXPECT_TRUE(p.ok()) << p.status().message();
  // Through the artifact, as ssmc-run tune reads it.
  std::vector<uint8_t> bytes = ssmrt::writeArtifact(*p);
  ssmrt::StatusOr<ssmrt::Program> read =
      ssmrt::readArtifact(bytes.data(), bytes.size(), "tiny.ssmx");
  EXPECT_TRUE(read.ok()) << read.status().message();
  std::vector<GpuKernelSpace> spaces = artifactSpaces(*read);
  ssmrt::WeightStore weights = ssmrt::WeightStore::random(*read, 5);
  return {std::move(*read), std::move(spaces), std::move(weights)};
}

/// The space of the first kernel whose op is |op|.
GpuKernelSpace spaceOf(const Tunable &t, const std::string &op) {
  for (const GpuKernelSpace &s : t.spaces)
    if (t.program.cuda.kernels[s.kernel].op == op)
      return s;
  ADD_FAILURE() << "no " << op << " kernel";
  return {};
}

std::string tempDb(const char *name) {
  std::string path =
      ::testing::TempDir() + "/" + name + "-" + std::to_string(::getpid()) + ".jsonl";
  std::remove(path.c_str());
  return path;
}

/// Logits of one prefill of |prompt|, slot 0.
std::vector<float> prefillLogits(ssmrt::Executor &executor, const std::vector<int32_t> &prompt) {
  std::vector<float> logits(executor.vocabSize());
  std::vector<int32_t> lens = {static_cast<int32_t>(prompt.size())};
  std::vector<int64_t> rows = {static_cast<int64_t>(prompt.size()) - 1};
  ssmrt::StepInputs in;
  in.tokens = prompt.data();
  in.batch = 1;
  in.seq = static_cast<int64_t>(prompt.size());
  in.seqLens = lens.data();
  in.logitRows = &rows;
  in.logits = logits.data();
  EXPECT_TRUE(executor.run(false, {0}, in).ok());
  return logits;
}

TEST(GpuTunerEmu, NormKernelExhaustiveRejectsAndChooses) {
  Tunable tiny = compileTiny();
  GpuKernelSpace space = spaceOf(tiny, "ssm.rmsnorm");
  ASSERT_EQ(space.candidates.size(), 5u); // THREADS 64 .. 1024
  TimedDevice device;
  device.cost = [](const TimedDevice::Tiles &t) { return tile(t, "THREADS") == 512 ? 0.5 : 1.0; };
  device.broken = [](const TimedDevice::Tiles &t) { return tile(t, "THREADS") == 128; };
  device.unloadable = [](const TimedDevice::Tiles &t) { return tile(t, "THREADS") == 1024; };
  std::string path = tempDb("gpu-tuner-norm");
  GpuTuneOptions options;
  options.batch = 2;
  options.promptLen = 9;
  options.record = [&](const std::vector<ssmrt::TuningRecord> &records) {
    return ssmrt::TuningDb::append(path, device.deviceKey(), records);
  };
  auto result = tuneGpuKernels(tiny.program, device, tiny.weights, {space}, options);
  ASSERT_TRUE(result.ok()) << result.status().message();
  ASSERT_EQ(result->kernels.size(), 1u);
  const ssmrt::KernelTuneResult &k = result->kernels[0];
  EXPECT_EQ(k.function, "prefill");
  EXPECT_EQ(k.timed, 3);
  EXPECT_EQ(k.rejected, 2);
  EXPECT_EQ(k.best, (TuneConfig{{"THREADS", 512}}));
  EXPECT_DOUBLE_EQ(k.bestSeconds, 0.5e-3);
  EXPECT_DOUBLE_EQ(k.defaultSeconds, 1e-3);
  EXPECT_EQ(device.precompiled.size(), 5u) << "every candidate is compiled up front";

  auto db = ssmrt::TuningDb::read(path, device.deviceKey());
  ASSERT_TRUE(db.ok()) << db.status().message();
  ASSERT_EQ(db->records().size(), 5u);
  std::map<int64_t, std::string> reasons;
  for (const ssmrt::TuningRecord &r : db->records()) {
    EXPECT_EQ(r.tokens, 18);
    if (r.rejected)
      reasons[r.config[0].second] = r.reason;
  }
  EXPECT_NE(reasons[128].find("outputs differ from float64: relative L2 error inf"),
            std::string::npos)
      << reasons[128];
  EXPECT_NE(reasons[1024].find("does not compile or load: NVRTC: static assertion failed"),
            std::string::npos)
      << reasons[1024];

  // The executor loads the kernel with the chosen tiles; same logits.
  int tuned = 0;
  std::vector<std::vector<ssmrt::TileParam>> tiles = tunedTiles(tiny.program, *db, tuned);
  EXPECT_EQ(tuned, 1);
  ASSERT_EQ(tiles[space.kernel].size(), 1u);
  EXPECT_EQ(tiles[space.kernel][0].value, 512);
  std::vector<int32_t> prompt = {3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5};
  std::vector<std::vector<float>> logits;
  for (bool useTuned : {false, true}) {
    auto dev = std::make_unique<TimedDevice>();
    TimedDevice *seen = dev.get();
    GpuExecutorOptions o;
    o.slots = 1;
    o.maxTokens = 16;
    if (useTuned)
      o.tiles = tiles;
    auto executor = GpuExecutor::create(tiny.program, tiny.weights, std::move(dev), o);
    ASSERT_TRUE(executor.ok()) << executor.status().message();
    EXPECT_EQ((*executor)->tunedKernels(), useTuned ? 1 : 0);
    bool loaded512 = false;
    for (const auto &[handle, t] : seen->tilesOf)
      loaded512 |= tile(t, "THREADS") == 512;
    EXPECT_EQ(loaded512, useTuned);
    logits.push_back(prefillLogits(**executor, prompt));
  }
  double largest = 0, diff = 0;
  for (size_t i = 0; i < logits[0].size(); ++i) {
    largest = std::max(largest, std::fabs(static_cast<double>(logits[0][i])));
    diff = std::max(diff, std::fabs(static_cast<double>(logits[1][i]) - logits[0][i]));
  }
  EXPECT_LE(diff, 1e-5 * largest);
  std::remove(path.c_str());
}

TEST(GpuTunerEmu, HillClimbFindsTheCheapestConvTiles) {
  Tunable tiny = compileTiny();
  GpuKernelSpace space = spaceOf(tiny, "ssm.causal_conv1d");
  ASSERT_EQ(space.candidates.size(), 25u);
  TimedDevice device;
  // Separable and convex in log2: cheapest at CHANNELS 32, TIME 32.
  device.cost = [](const TimedDevice::Tiles &t) {
    return 1.0 + std::fabs(std::log2(tile(t, "CHANNELS")) - 5) +
           std::fabs(std::log2(tile(t, "TIME")) - 5);
  };
  GpuTuneOptions options;
  options.batch = 1;
  options.promptLen = 7;
  options.exhaustiveLimit = 4;
  auto result = tuneGpuKernels(tiny.program, device, tiny.weights, {space}, options);
  ASSERT_TRUE(result.ok()) << result.status().message();
  ASSERT_EQ(result->kernels.size(), 1u);
  const ssmrt::KernelTuneResult &k = result->kernels[0];
  EXPECT_EQ(k.best, (TuneConfig{{"CHANNELS", 32}, {"TIME", 32}}));
  EXPECT_EQ(k.rejected, 0);
  EXPECT_LT(k.timed, 25) << "a search, not every configuration";
  EXPECT_GE(k.timed, 9);
}

TEST(GpuTunerEmu, AnExhaustedBudgetKeepsWhatFinished) {
  Tunable tiny = compileTiny();
  TimedDevice device;
  GpuTuneOptions options;
  options.promptLen = 5;
  options.budgetSeconds = 1e-9;
  int recorded = 0;
  options.record = [&](const std::vector<ssmrt::TuningRecord> &records) {
    recorded += static_cast<int>(records.size());
    return ssmrt::okStatus();
  };
  auto result = tuneGpuKernels(tiny.program, device, tiny.weights, tiny.spaces, options);
  ASSERT_TRUE(result.ok()) << result.status().message();
  EXPECT_TRUE(result->outOfBudget);
  EXPECT_LT(result->kernels.size(), tiny.spaces.size());
  EXPECT_EQ(recorded, 0);
}

} // namespace
