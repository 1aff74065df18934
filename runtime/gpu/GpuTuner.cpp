//===- GpuTuner.cpp - measures CUDA kernel tile configurations ------------===//
#include "runtime/gpu/GpuTuner.h"

#include "runtime/gpu/KernelCase.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <set>

using namespace ssmrt;
using namespace ssmrt::gpu;

namespace {

using Clock = std::chrono::steady_clock;

/// The kernels' accuracy against float64 (relative L2), as their tests
/// hold them to.
double toleranceFor(ValueType dtype) {
  switch (dtype) {
  case ValueType::BF16: return 1e-2;
  case ValueType::F16: return 5e-3;
  default: return 1e-5;
  }
}

const char *gpuDtypeName(ValueType dtype) {
  switch (dtype) {
  case ValueType::BF16: return "bf16";
  case ValueType::F16: return "fp16";
  default: return "fp32";
  }
}

std::vector<TileParam> tilesOf(const TuneConfig &config) {
  std::vector<TileParam> tiles;
  for (const auto &[name, value] : config)
    tiles.push_back({name, value, {}});
  return tiles;
}

/// The first instruction that runs |kernel|: in @forward, else in @decode.
bool firstUse(const Program &program, size_t kernel, size_t &instr, bool &decode) {
  for (bool d : {false, true}) {
    const Function &f = d ? program.cuda.decode : program.cuda.forward;
    for (size_t i = 0; i < f.instrs.size(); ++i)
      if (f.instrs[i].kernel == static_cast<int32_t>(kernel)) {
        instr = i;
        decode = d;
        return true;
      }
  }
  return false;
}

/// Parameters that differ between |a| and |b|, THREADS left out (a
/// family's THREADS follows from its other parameters, where it has others).
int distance(const TuneConfig &a, const TuneConfig &b) {
  int d = 0;
  for (const auto &[name, value] : a) {
    if (name == "THREADS" && a.size() > 1)
      continue;
    auto it = std::find_if(b.begin(), b.end(), [&](const auto &p) { return p.first == name; });
    d += it == b.end() || it->second != value;
  }
  return d;
}

std::string firstLine(const std::string &s) { return s.substr(0, s.find('\n')); }

class Tuner {
public:
  Tuner(const Program &program, GpuDevice &device, const WeightStore &weights,
        const GpuTuneOptions &options)
      : program_(program), device_(device), weights_(weights), options_(options),
        start_(Clock::now()) {}

  StatusOr<GpuTuneResult> run(const std::vector<GpuKernelSpace> &spaces);

private:
  bool outOfTime() const {
    return std::chrono::duration<double>(Clock::now() - start_).count() > options_.budgetSeconds;
  }
  TuningRecord measure(const GpuKernelSpace &space, size_t instr, bool decode,
                       const TuneConfig &config, bool isDefault);
  /// Measures those of |configs| not measured yet (compiled in parallel
  /// first); false when the budget ran out.
  bool measureAll(const GpuKernelSpace &space, size_t instr, bool decode,
                  const std::vector<TuneConfig> &configs, std::vector<TuningRecord> &records);

  const Program &program_;
  GpuDevice &device_;
  const WeightStore &weights_;
  const GpuTuneOptions &options_;
  Clock::time_point start_;
  int64_t done_ = 0, total_ = 0;
};

TuningRecord Tuner::measure(const GpuKernelSpace &space, size_t instr, bool decode,
                            const TuneConfig &config, bool isDefault) {
  const CudaKernelDesc &kernel = program_.cuda.kernels[space.kernel];
  TuningRecord rec;
  rec.kernel = cudaKernelSignature(kernel, program_.cuda.dtype);
  rec.function = decode ? "decode" : "prefill";
  rec.batch = options_.batch;
  rec.tokens = decode ? options_.batch : options_.batch * options_.promptLen;
  rec.threads = 1;
  rec.config = config;
  rec.isDefault = isDefault;
  rec.version = ssmcVersion();
  auto reject = [&](std::string why) {
    rec.rejected = true;
    rec.reason = std::move(why);
    return rec;
  };
  KernelCaseOptions o;
  o.batch = options_.batch;
  o.seq = decode ? 1 : options_.promptLen;
  o.seed = options_.seed;
  o.overrides = tilesOf(config);
  const Function &f = decode ? program_.cuda.decode : program_.cuda.forward;
  StatusOr<std::unique_ptr<KernelCase>> kc =
      KernelCase::create(program_, f, instr, device_, weights_, o);
  if (!kc.ok())
    return reject("does not compile or load: " + firstLine(kc.status().message()));
  KernelCase &c = **kc;
  Status st = c.launch();
  StatusOr<double> error = st.ok() ? c.compareWithReference() : StatusOr<double>(st);
  if (!error.ok())
    return reject("does not run: " + firstLine(error.status().message()));
  double tolerance = toleranceFor(program_.cuda.dtype);
  if (!(*error <= tolerance)) {
    char buf[160];
    std::snprintf(buf, sizeof buf,
                  "outputs differ from float64: relative L2 error %.3g (tolerance %.0e)", *error,
                  tolerance);
    return reject(buf);
  }
  std::vector<double> times;
  double total = 0;
  for (int i = 0; i < 100 && (times.size() < 5 || total < 0.02); ++i) {
    if (Status s = c.reset(); !s.ok())
      return reject("does not run: " + firstLine(s.message()));
    StatusOr<double> ms = device_.timeMs([&] { return c.launch(); });
    if (!ms.ok())
      return reject("does not run: " + firstLine(ms.status().message()));
    if (i == 0)
      continue; // warm-up
    times.push_back(*ms * 1e-3);
    total += *ms * 1e-3;
    if (outOfTime() && times.size() >= 3)
      break;
  }
  std::sort(times.begin(), times.end());
  rec.seconds = times[times.size() / 2];
  return rec;
}

bool Tuner::measureAll(const GpuKernelSpace &space, size_t instr, bool decode,
                       const std::vector<TuneConfig> &configs, std::vector<TuningRecord> &records) {
  std::vector<TuneConfig> todo;
  for (const TuneConfig &c : configs)
    if (std::none_of(records.begin(), records.end(),
                     [&](const TuningRecord &r) { return r.config == c; }))
      todo.push_back(c);
  std::vector<std::vector<TileParam>> tiles;
  for (const TuneConfig &c : todo)
    tiles.push_back(tilesOf(c));
  device_.precompile(program_.cuda.kernels[space.kernel], tiles);
  for (const TuneConfig &c : todo) {
    if (outOfTime())
      return false;
    if (options_.progress)
      options_.progress(program_.cuda.kernels[space.kernel].name + " " + formatConfig(c), done_,
                        total_);
    records.push_back(measure(space, instr, decode, c, c == space.candidates.front()));
  }
  return true;
}

StatusOr<GpuTuneResult> Tuner::run(const std::vector<GpuKernelSpace> &spaces) {
  GpuTuneResult result;
  total_ = static_cast<int64_t>(spaces.size());
  for (const GpuKernelSpace &space : spaces) {
    size_t instr = 0;
    bool decode = false;
    if (space.candidates.empty() || space.kernel >= program_.cuda.kernels.size() ||
        !firstUse(program_, space.kernel, instr, decode)) {
      ++done_;
      continue;
    }
    std::vector<TuningRecord> records;
    bool inTime = true;
    if (space.candidates.size() <= options_.exhaustiveLimit) {
      inTime = measureAll(space, instr, decode, space.candidates, records);
    } else {
      // Hill climb from the compiled configuration, one parameter at a time.
      TuneConfig current = space.candidates.front();
      inTime = measureAll(space, instr, decode, {current}, records);
      while (inTime) {
        std::vector<TuneConfig> neighbors;
        for (const TuneConfig &c : space.candidates)
          if (distance(c, current) == 1)
            neighbors.push_back(c);
        inTime = measureAll(space, instr, decode, neighbors, records);
        const TuningRecord *best = nullptr;
        for (const TuningRecord &r : records)
          if (!r.rejected && (!best || r.seconds < best->seconds))
            best = &r;
        if (!best || best->config == current)
          break;
        current = best->config;
      }
    }
    ++done_;
    KernelTuneResult k;
    k.kernel = cudaKernelSignature(program_.cuda.kernels[space.kernel], program_.cuda.dtype);
    k.function = decode ? "decode" : "prefill";
    for (const TuningRecord &r : records)
      ++(r.rejected ? k.rejected : k.timed);
    if (std::optional<TuningChoice> choice =
            TuningDb::fromRecords(records).best(k.kernel, k.function, ssmcVersion())) {
      k.best = choice->config;
      k.bestSeconds = choice->seconds;
      k.defaultSeconds = choice->defaultSeconds;
    }
    if (options_.record && !records.empty())
      SSMRT_RETURN_IF_ERROR(options_.record(records));
    result.kernels.push_back(std::move(k));
    if (!inTime) {
      result.outOfBudget = true;
      break;
    }
  }
  return result;
}

} // namespace

std::string ssmrt::gpu::cudaKernelSignature(const CudaKernelDesc &kernel, ValueType dtype) {
  return kernel.op + "|" + kernel.name + "|" + gpuDtypeName(dtype);
}

std::vector<GpuKernelSpace> ssmrt::gpu::artifactSpaces(const Program &program) {
  std::vector<GpuKernelSpace> spaces;
  for (size_t k = 0; k < program.cuda.kernels.size(); ++k) {
    const CudaKernelDesc &kernel = program.cuda.kernels[k];
    GpuKernelSpace space;
    space.kernel = k;
    for (const std::vector<int64_t> &values : kernel.tuneSpace) {
      TuneConfig config;
      for (size_t i = 0; i < values.size() && i < kernel.params.size(); ++i)
        config.push_back({kernel.params[i].name, values[i]});
      space.candidates.push_back(std::move(config));
    }
    if (!space.candidates.empty())
      spaces.push_back(std::move(space));
  }
  return spaces;
}

StatusOr<GpuTuneResult> ssmrt::gpu::tuneGpuKernels(const Program &program, GpuDevice &device,
                                                   const WeightStore &weights,
                                                   const std::vector<GpuKernelSpace> &spaces,
                                                   const GpuTuneOptions &options) {
  Tuner tuner(program, device, weights, options);
  return tuner.run(spaces);
}

std::vector<std::vector<TileParam>> ssmrt::gpu::tunedTiles(const Program &program,
                                                           const TuningDb &db, int &tuned) {
  tuned = 0;
  std::vector<std::vector<TileParam>> tiles(program.cuda.kernels.size());
  for (size_t k = 0; k < program.cuda.kernels.size(); ++k) {
    const CudaKernelDesc &kernel = program.cuda.kernels[k];
    size_t instr = 0;
    bool decode = false;
    if (!firstUse(program, k, instr, decode))
      continue;
    std::optional<TuningChoice> choice = db.best(cudaKernelSignature(kernel, program.cuda.dtype),
                                                 decode ? "decode" : "prefill", ssmcVersion());
    if (!choice)
      continue;
    std::vector<TileParam> chosen = tilesOf(choice->config);
    // Only parameters the kernel has (a database may be hand-edited).
    bool known = std::all_of(chosen.begin(), chosen.end(), [&](const TileParam &t) {
      return std::any_of(kernel.params.begin(), kernel.params.end(),
                         [&](const TileParam &p) { return p.name == t.name; });
    });
    if (!known)
      continue;
    tiles[k] = std::move(chosen);
    ++tuned;
  }
  return tiles;
}
