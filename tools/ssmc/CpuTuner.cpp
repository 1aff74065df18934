//===- CpuTuner.cpp - measures CPU kernel configurations ------------------===//
#include "tools/ssmc/CpuTuner.h"

#include "codegen/cpu/CPUTiles.h"
#include "runtime/cpu/CpuFunction.h"
#include "runtime/cpu/KernelLibrary.h"
#include "runtime/cpu/ThreadPool.h"
#include "runtime/exec/KVCacheStore.h"
#include "runtime/exec/WeightStore.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <memory>

using namespace ssmc;
using ssmrt::Status;
using ssmrt::StatusOr;
using ssmrt::TuneConfig;

namespace {

using Clock = std::chrono::steady_clock;

/// Outputs may differ from the default configuration's by summation order
/// only: at most this much of the largest magnitude in each buffer.
constexpr double kTolerance = 1e-4;

struct Variant {
  std::unique_ptr<CpuTunable> tunable;
  std::unique_ptr<ssmrt::KernelLibrary> kernels;
  std::unique_ptr<ssmrt::CpuFunction> forward, decode;
  ssmrt::CpuFunction &function(bool decodeFn) { return decodeFn ? *decode : *forward; }
};

/// Saved floats of some regions (activation rows, then states).
using Snapshot = std::vector<std::vector<float>>;

int64_t configValue(const TuneConfig &config, const char *name, int64_t fallback) {
  for (const auto &[n, v] : config)
    if (n == name)
      return v;
  return fallback;
}

/// SSMC_TUNE_TEST_PERTURB=NAME=VALUE (tests only): configurations with that
/// parameter value get their outputs changed before the check, as a wrong
/// kernel would, to show that such a candidate is rejected.
bool perturbed(const TuneConfig &config) {
  const char *env = std::getenv("SSMC_TUNE_TEST_PERTURB");
  if (!env || !*env)
    return false;
  std::string spec = env;
  size_t eq = spec.find('=');
  if (eq == std::string::npos)
    return false;
  return configValue(config, spec.substr(0, eq).c_str(), -1) ==
         std::strtoll(spec.c_str() + eq + 1, nullptr, 10);
}

class Tuner {
public:
  Tuner(const CpuTuneRequest &request, cli::Console &console)
      : request_(request), console_(console), start_(Clock::now()) {}

  StatusOr<cli::TuneReport> run();

private:
  double elapsed() const { return std::chrono::duration<double>(Clock::now() - start_).count(); }
  bool outOfTime() const { return elapsed() > request_.budgetSeconds; }
  /// The program compiled with |config|'s compile-time parameters.
  StatusOr<Variant *> variant(const TuneConfig &config);
  /// Fresh states (zero) and KV caches, then for decode a whole prefill.
  Status resetCall(bool decode);
  std::vector<std::pair<float *, size_t>> regions(ssmrt::CpuFunction &f, size_t instr);
  Snapshot save(const std::vector<std::pair<float *, size_t>> &regions) const;
  void restore(const std::vector<std::pair<float *, size_t>> &regions, const Snapshot &s) const;
  /// Tunes each distinct kernel of @forward or @decode, in the order of its
  /// first instruction, running the default program up to it.
  Status tuneFunction(bool decode);
  /// Measures one configuration of the kernel of instruction |instr|.
  ssmrt::TuningRecord measure(bool decode, size_t instr, int32_t kernel, const TuneConfig &config,
                              bool isDefault, const Snapshot &before, const Snapshot &after);

  const CpuTuneRequest &request_;
  cli::Console &console_;
  Clock::time_point start_;
  std::unique_ptr<ssmrt::ThreadPool> pool_;
  std::unique_ptr<ssmrt::WeightStore> weights_;
  std::map<TuneConfig, Variant> variants_; ///< by compile-time parameters
  Variant *base_ = nullptr;                ///< the defaults'
  int defaultWidth_ = 0;
  cli::TuneReport result_;
  int64_t total_ = 0, done_ = 0;

  // The call: tokens, lengths, states, KV caches.
  std::vector<int32_t> prompt_, decodeTokens_, promptLens_, decodeLens_;
  std::vector<std::vector<float>> states_;
  std::vector<uint64_t> stateAddresses_;
  std::vector<int64_t> slots_;
  ssmrt::HostStateMemory kvMemory_;
  std::unique_ptr<ssmrt::KVCacheStore> kv_;
  ssmrt::CallInputs call_;
};

StatusOr<Variant *> Tuner::variant(const TuneConfig &config) {
  // Parameters at their defaults are left out: one program serves them.
  TuneConfig compileTime;
  for (const auto &[name, value] : config)
    if (name != "chunks_per_thread" && !(name == "chunk" && value == mlir::ssm::kDefaultSSDChunk))
      compileTime.push_back({name, value});
  auto it = variants_.find(compileTime);
  if (it != variants_.end())
    return &it->second;
  console_.busy("compiling with " + ssmrt::formatConfig(compileTime));
  StatusOr<CpuTunable> compiled = request_.compile(compileTime);
  console_.clear();
  if (!compiled.ok())
    return compiled.status();
  Variant v;
  v.tunable = std::make_unique<CpuTunable>(std::move(*compiled));
  const ssmrt::Program &p = v.tunable->program;
  if (!weights_)
    weights_ = std::make_unique<ssmrt::WeightStore>(ssmrt::WeightStore::random(p, request_.seed));
  else if (p.params.size() != variants_.begin()->second.tunable->program.params.size())
    return Status::error("the program compiled with " + ssmrt::formatConfig(compileTime) +
                         " has other parameters than the default one");
  SSMRT_ASSIGN_OR_RETURN(v.kernels, ssmrt::KernelLibrary::load(p.cpu));
  int64_t rows = request_.batch * request_.promptLen;
  SSMRT_ASSIGN_OR_RETURN(
      v.forward, ssmrt::CpuFunction::create(p, p.forward, *weights_, *v.kernels, *pool_, rows));
  SSMRT_ASSIGN_OR_RETURN(v.decode, ssmrt::CpuFunction::create(p, p.decode, *weights_, *v.kernels,
                                                              *pool_, request_.batch));
  return &variants_.emplace(compileTime, std::move(v)).first->second;
}

Status Tuner::resetCall(bool decode) {
  const ssmrt::Program &p = (*base_).tunable->program;
  const ssmrt::Function &f = p.forward;
  states_.clear();
  stateAddresses_.clear();
  // A state of each state input (KV caches live in kv_ instead).
  for (size_t i = 2; i < f.inputs.size(); ++i) {
    const ssmrt::StateDesc &state = p.states[f.values[f.inputs[i]].index];
    int64_t n = state.kind == ssmrt::StateKind::KVCache ? 0 : request_.batch;
    for (int64_t d : state.shape)
      n *= d;
    states_.emplace_back(static_cast<size_t>(n), 0.0f);
  }
  for (std::vector<float> &s : states_)
    stateAddresses_.push_back(s.empty() ? 0 : reinterpret_cast<uint64_t>(s.data()));
  kv_ = std::make_unique<ssmrt::KVCacheStore>(p, request_.batch, kvMemory_);
  call_ = ssmrt::CallInputs();
  call_.tokens = prompt_.data();
  call_.batch = request_.batch;
  call_.seq = request_.promptLen;
  call_.seqLens = promptLens_.data();
  call_.states = &stateAddresses_;
  call_.slots = &slots_;
  call_.kvCaches = kv_.get();
  if (decode) {
    SSMRT_RETURN_IF_ERROR((*base_).forward->run(call_));
    call_.tokens = decodeTokens_.data();
    call_.seq = 1;
    call_.seqLens = decodeLens_.data();
  }
  return ssmrt::okStatus();
}

std::vector<std::pair<float *, size_t>> Tuner::regions(ssmrt::CpuFunction &f, size_t instr) {
  std::vector<std::pair<float *, size_t>> r = f.activationRegions(instr);
  for (std::vector<float> &s : states_)
    r.push_back({s.data(), s.size()});
  return r;
}

Snapshot Tuner::save(const std::vector<std::pair<float *, size_t>> &regions) const {
  Snapshot s;
  for (const auto &[data, n] : regions)
    s.emplace_back(data, data + n);
  return s;
}

void Tuner::restore(const std::vector<std::pair<float *, size_t>> &regions,
                    const Snapshot &s) const {
  for (size_t i = 0; i < regions.size(); ++i)
    std::memcpy(regions[i].first, s[i].data(), s[i].size() * sizeof(float));
}

ssmrt::TuningRecord Tuner::measure(bool decode, size_t instr, int32_t kernel,
                                   const TuneConfig &config, bool isDefault, const Snapshot &before,
                                   const Snapshot &after) {
  ssmrt::TuningRecord rec;
  rec.kernel = (*base_).tunable->signatures[kernel];
  rec.function = decode ? "decode" : "prefill";
  rec.batch = request_.batch;
  rec.tokens = decode ? request_.batch : request_.batch * request_.promptLen;
  rec.threads = pool_->threads();
  rec.config = config;
  rec.isDefault = isDefault;
  rec.version = ssmrt::ssmcVersion();
  auto reject = [&](std::string why) {
    rec.rejected = true;
    rec.reason = std::move(why);
    return rec;
  };
  StatusOr<Variant *> v = variant(config);
  if (!v.ok())
    return reject("does not compile: " + v.status().message());
  ssmrt::CpuFunction &f = (*v)->function(decode);
  int32_t k = f.kernelOf(instr);
  if (k < 0 || (*v)->tunable->signatures[k] != rec.kernel)
    return reject("the program compiled with it runs another kernel here");
  ssmrt::KernelDesc &desc = (*v)->tunable->program.cpu.kernels[k];
  desc.chunksPerThread = static_cast<int32_t>(configValue(config, "chunks_per_thread", 1));
  struct ResetChunks {
    ssmrt::KernelDesc &d;
    ~ResetChunks() { d.chunksPerThread = 1; }
  } resetChunks{desc};

  Status st = f.beginCall(call_);
  if (!st.ok())
    return reject(st.message());
  std::vector<std::pair<float *, size_t>> r = regions(f, instr);
  struct EndCall {
    ssmrt::CpuFunction &f;
    ~EndCall() { f.endCall(); }
  } endCall{f};
  if (r.size() != before.size())
    return reject("the program compiled with it plans other buffers");
  for (size_t i = 0; i < r.size(); ++i)
    if (r[i].second != before[i].size())
      return reject("the program compiled with it plans other buffers");

  // Check, then time.
  restore(r, before);
  if (Status s = f.runSteps(instr, instr + 1); !s.ok())
    return reject(s.message());
  if (perturbed(config))
    for (size_t j = 0; j < r[0].second; ++j)
      r[0].first[j] += 1.0f + std::fabs(r[0].first[j]);
  // Rows the kernel does not write keep what they held (uninitialized
  // memory, perhaps not even finite): they must be bit-equal. The written
  // values set the scale of the error.
  for (size_t i = 0; i < r.size(); ++i) {
    double largest = 0, error = 0;
    bool nan = false;
    const float *got = r[i].first;
    for (size_t j = 0; j < after[i].size(); ++j) {
      float want = after[i][j];
      if (std::memcmp(&want, &before[i][j], sizeof want) != 0 && std::isfinite(want))
        largest = std::max(largest, std::fabs(static_cast<double>(want)));
      if (std::memcmp(&want, &got[j], sizeof want) == 0)
        continue;
      if (!std::isfinite(want) || !std::isfinite(got[j]))
        nan = true;
      else
        error = std::max(error, std::fabs(static_cast<double>(got[j]) - want));
    }
    if (nan || error > kTolerance * std::max(largest, 1e-30)) {
      char buf[160];
      std::snprintf(buf, sizeof buf,
                    "outputs differ from the default configuration's: error %.3g of the "
                    "largest value %.3g (tolerance %.0e)%s",
                    error, largest, kTolerance,
                    nan ? ", and a NaN or infinity where it has none" : "");
      return reject(buf);
    }
  }
  std::vector<double> times;
  double total = 0;
  for (int i = 0; i < 200 && (times.size() < 5 || total < 0.05); ++i) {
    restore(r, before);
    auto t0 = Clock::now();
    (void)f.runSteps(instr, instr + 1);
    double t = std::chrono::duration<double>(Clock::now() - t0).count();
    if (i == 0)
      continue; // warm-up
    times.push_back(t);
    total += t;
    if (outOfTime() && times.size() >= 3)
      break;
  }
  std::sort(times.begin(), times.end());
  rec.seconds = times[times.size() / 2];
  return rec;
}

Status Tuner::tuneFunction(bool decode) {
  Variant &base = (*base_);
  ssmrt::CpuFunction &f = base.function(decode);
  const ssmrt::Function &fn = decode ? base.tunable->program.decode : base.tunable->program.forward;
  SSMRT_RETURN_IF_ERROR(resetCall(decode));
  SSMRT_RETURN_IF_ERROR(f.beginCall(call_));
  struct EndCall {
    ssmrt::CpuFunction &f;
    ~EndCall() { f.endCall(); }
  } endCall{f};
  std::vector<bool> seen(base.tunable->program.cpu.kernels.size(), false);
  size_t ran = 0;
  for (size_t i = 0; i < fn.instrs.size(); ++i) {
    int32_t k = f.kernelOf(i);
    if (k < 0 || seen[k])
      continue;
    seen[k] = true;
    if (outOfTime()) {
      result_.outOfBudget = true;
      return ssmrt::okStatus();
    }
    SSMRT_RETURN_IF_ERROR(f.runSteps(ran, i));
    std::vector<std::pair<float *, size_t>> r = regions(f, i);
    Snapshot before = save(r);
    SSMRT_RETURN_IF_ERROR(f.runSteps(i, i + 1));
    Snapshot after = save(r);
    ran = i + 1;

    ssmrt::KernelTuneResult summary;
    summary.kernel = base.tunable->signatures[k];
    summary.function = decode ? "decode" : "prefill";
    std::vector<ssmrt::TuningRecord> records;
    const std::vector<TuneConfig> &configs = base.tunable->configs[k];
    std::string name = summary.kernel.substr(0, summary.kernel.find('|'));
    for (size_t c = 0; c < configs.size(); ++c) {
      if (outOfTime()) {
        result_.outOfBudget = true;
        break;
      }
      console_.progress(summary.function + " " + name + " (" + std::to_string(c + 1) + "/" +
                            std::to_string(configs.size()) + ")",
                        done_, total_);
      ssmrt::TuningRecord rec = measure(decode, i, k, configs[c], c == 0, before, after);
      // measure() closed the call if it ran on |f|, and left a candidate's
      // results in the regions: reopen it and put the default's back.
      SSMRT_RETURN_IF_ERROR(f.beginCall(call_));
      restore(r, after);
      ++(rec.rejected ? summary.rejected : summary.timed);
      records.push_back(std::move(rec));
    }
    // What compilation will choose from these measurements.
    if (std::optional<ssmrt::TuningChoice> choice = ssmrt::TuningDb::fromRecords(records).best(
            summary.kernel, summary.function, ssmrt::ssmcVersion())) {
      summary.best = choice->config;
      summary.bestSeconds = choice->seconds;
      summary.defaultSeconds = choice->defaultSeconds;
    }
    ++done_;
    console_.clear();
    std::string replaced;
    SSMRT_RETURN_IF_ERROR(
        ssmrt::TuningDb::append(request_.dbPath, ssmrt::cpuDeviceKey(), records, &replaced));
    if (!replaced.empty())
      console_.warn("replaced the tuning database, which could not be read: " + replaced);
    if (!console_.quiet()) {
      char line[320];
      if (summary.timed)
        std::snprintf(line, sizeof line,
                      "%s %s: %d timed, %d rejected; best %s %.4g ms (default %.4g ms)",
                      summary.function.c_str(), name.c_str(), summary.timed, summary.rejected,
                      ssmrt::formatConfig(summary.best).c_str(), summary.bestSeconds * 1e3,
                      summary.defaultSeconds * 1e3);
      else
        std::snprintf(line, sizeof line, "%s %s: nothing timed", summary.function.c_str(),
                      name.c_str());
      console_.note(line);
    }
    result_.kernels.push_back(std::move(summary));
    if (result_.outOfBudget)
      return ssmrt::okStatus();
  }
  return ssmrt::okStatus();
}

StatusOr<cli::TuneReport> Tuner::run() {
  SSMRT_ASSIGN_OR_RETURN(int threads, ssmrt::threadCount(request_.threads));
  pool_ = std::make_unique<ssmrt::ThreadPool>(threads);
  result_.threads = threads;
  defaultWidth_ = request_.defaultVectorWidth;
  SSMRT_ASSIGN_OR_RETURN(Variant * base, variant({{"vector_width", defaultWidth_}}));
  base_ = base;
  const ssmrt::Program &p = base->tunable->program;
  int64_t vocab = base->forward->vocabSize();
  uint64_t state = request_.seed * 2654435761u + 7;
  auto next = [&] {
    state = state * 6364136223846793005ull + 1442695040888963407ull;
    return static_cast<int32_t>((state >> 33) % static_cast<uint64_t>(std::max<int64_t>(vocab, 1)));
  };
  for (int64_t i = 0; i < request_.batch * request_.promptLen; ++i)
    prompt_.push_back(next());
  for (int64_t b = 0; b < request_.batch; ++b) {
    decodeTokens_.push_back(next());
    promptLens_.push_back(static_cast<int32_t>(request_.promptLen));
    decodeLens_.push_back(1);
    slots_.push_back(b);
  }
  for (const ssmrt::Function *fn : {&p.forward, &p.decode}) {
    std::vector<bool> seen(p.cpu.kernels.size(), false);
    ssmrt::CpuFunction &f = base->function(fn == &p.decode);
    for (size_t i = 0; i < fn->instrs.size(); ++i)
      if (int32_t k = f.kernelOf(i); k >= 0 && !seen[k]) {
        seen[k] = true;
        ++total_;
      }
  }
  SSMRT_RETURN_IF_ERROR(tuneFunction(false));
  if (!result_.outOfBudget)
    SSMRT_RETURN_IF_ERROR(tuneFunction(true));
  return result_;
}

} // namespace

StatusOr<cli::TuneReport> ssmc::tuneCpu(const CpuTuneRequest &request, const ssmrt::DeviceKey &key,
                                        cli::Console &console) {
  auto start = Clock::now();
  Tuner tuner(request, console);
  StatusOr<cli::TuneReport> report = tuner.run();
  if (report.ok()) {
    report->key = key;
    report->dbPath = request.dbPath;
    report->batch = request.batch;
    report->promptLen = request.promptLen;
    report->budgetSeconds = request.budgetSeconds;
    report->elapsedSeconds = std::chrono::duration<double>(Clock::now() - start).count();
  }
  return report;
}
