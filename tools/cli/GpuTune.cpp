//===- GpuTune.cpp - tuning the CUDA kernels of a program -----------------===//
#include "tools/cli/GpuTune.h"

#include "runtime/engine/Session.h"
#include "runtime/exec/WeightStore.h"
#include "runtime/gpu/CudaDevice.h"
#include "runtime/gpu/GpuTuner.h"
#include "tools/cli/ArgParser.h"
#include "tools/cli/Commands.h"
#include "tools/cli/TuningOptions.h"

#include <chrono>

using namespace ssmc;
using namespace ssmc::cli;

ssmrt::StatusOr<TuneReport> cli::tuneOnGpu(const ssmrt::Program &program,
                                           ssmrt::gpu::GpuDevice &device, const GpuTuneArgs &args,
                                           Console &console) {
  if (!program.cuda.present())
    return ssmrt::Status::error("the program has no CUDA code (compile it with --target "
                                "cuda:sm_XX)");
  auto start = std::chrono::steady_clock::now();
  TuneReport report;
  report.key = device.deviceKey();
  report.dbPath = args.dbPath;
  report.batch = args.batch;
  report.promptLen = args.promptLen;
  report.budgetSeconds = args.budgetSeconds;
  ssmrt::WeightStore weights = ssmrt::WeightStore::random(program, args.seed);
  ssmrt::gpu::GpuTuneOptions options;
  options.batch = args.batch;
  options.promptLen = args.promptLen;
  options.seed = args.seed + 1;
  options.budgetSeconds = args.budgetSeconds;
  options.progress = [&](const std::string &what, int64_t done, int64_t total) {
    console.progress(what, done, total);
  };
  options.record = [&](const std::vector<ssmrt::TuningRecord> &records) {
    console.clear();
    std::string replaced;
    ssmrt::Status st = ssmrt::TuningDb::append(args.dbPath, report.key, records, &replaced);
    if (!replaced.empty())
      console.warn("replaced the tuning database, which could not be read: " + replaced);
    return st;
  };
  ssmrt::StatusOr<ssmrt::gpu::GpuTuneResult> result = ssmrt::gpu::tuneGpuKernels(
      program, device, weights, ssmrt::gpu::artifactSpaces(program), options);
  console.clear();
  if (!result.ok())
    return result.status();
  report.kernels = std::move(result->kernels);
  report.outOfBudget = result->outOfBudget;
  report.elapsedSeconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return report;
}

int cli::runArtifactTuneCommand(const std::string &tool, const std::vector<std::string> &args) {
  std::string source, device = "cuda";
  TuneFlags f;
  ArgParser parser(
      tool + " tune",
      tool +
          " tune ARTIFACT [--device cuda[:N]] [--batch B] [--prompt-len P] "
          "[--budget SECONDS] [--json]\n       " +
          tool + " tune --show [--device cuda[:N]] [--json]",
      "Finds the fastest correct tile configuration of each CUDA kernel of a compiled\n"
      "artifact on a GPU and records every measurement in the GPU's tuning database,\n"
      "which run and bench then use when they load the kernels (docs/tuning.md). Each\n"
      "configuration of the artifact's tuning space is compiled with NVRTC (on all\n"
      "cores), checked against float64 on random inputs and timed with events; a hill\n"
      "climb one parameter at a time where there are many. The CPU kernels of an\n"
      "artifact are compiled: `ssmc tune` tunes those from a model file.");
  parser.positional("ARTIFACT", &source, "a .ssmx artifact with CUDA code", /*required=*/false);
  parser.option("device", &device, "DEV", "cuda (GPU 0, the default) or cuda:N");
  addTuneOptions(parser, f);
  if (std::optional<int> done = parser.parseOrReport(args))
    return *done;
  Console console(tool + " tune");
  console.setQuiet(f.quiet);
  ssmrt::StatusOr<ssmrt::DeviceChoice> choice = ssmrt::parseDevice(device);
  if (!choice.ok())
    return console.fail(choice.status());
  if (choice->kind != ssmrt::DeviceChoice::Kind::Cuda)
    return console.fail("--device " + device + ": " + tool +
                        " tune tunes CUDA kernels (cuda or cuda:N); `ssmc tune` tunes the CPU's");
  if (f.show && !source.empty())
    return console.fail("--show takes no ARTIFACT");
  if (!f.show && source.empty())
    return console.fail("give an ARTIFACT to tune, or --show");
  ssmrt::StatusOr<ssmrt::Program> program =
      f.show ? ssmrt::StatusOr<ssmrt::Program>(ssmrt::Program()) : loadArtifact(source);
  if (!program.ok())
    return console.fail(program.status());
  ssmrt::StatusOr<std::unique_ptr<ssmrt::gpu::GpuDevice>> gpu =
      ssmrt::gpu::openCudaDevice(choice->ordinal);
  if (!gpu.ok())
    return console.fail("--device " + device + ": " + gpu.status().message());
  std::string dbPath = tuningDbPath(f.tuning, console, (*gpu)->deviceKey());
  if (dbPath.empty())
    return console.fail("no tuning database to write (give --tuning-db FILE)");
  if (f.show)
    return showTuningDb(dbPath, (*gpu)->deviceKey(), f.json, console);
  GpuTuneArgs a;
  a.batch = f.batch;
  a.promptLen = f.promptLen;
  a.seed = static_cast<uint64_t>(f.seed);
  a.budgetSeconds = f.budgetSeconds;
  a.dbPath = dbPath;
  ssmrt::StatusOr<TuneReport> report = tuneOnGpu(*program, **gpu, a, console);
  if (!report.ok())
    return console.fail(source + ": " + report.status().message());
  printTuneReport(*report, f.json, console);
  return 0;
}
