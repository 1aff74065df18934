//===- TuneCommand.cpp - ssmc tune ----------------------------------------===//
#include "tools/ssmc/Commands.h"
#include "tools/ssmc/CpuTuner.h"
#include "tools/ssmc/ModelLoading.h"

#include "codegen/cpu/CPUTarget.h"
#include "codegen/driver/TunablePrograms.h"
#include "runtime/engine/Session.h"
#include "runtime/gpu/CudaDevice.h"
#include "tools/cli/ArgParser.h"
#include "tools/cli/Commands.h"
#include "tools/cli/Console.h"
#include "tools/cli/GpuTune.h"
#include "tools/cli/TuneReport.h"
#include "tools/cli/TuningOptions.h"

#include "llvm/ADT/StringRef.h"

using namespace ssmc;

int ssmc::runTuneCommand(const std::vector<std::string> &args) {
  std::string source, device = "cpu", gpuDtype = "bf16";
  std::vector<std::string> includeDirs;
  int64_t threads = 0;
  cli::TuneFlags f;
  cli::ArgParser parser(
      "ssmc tune",
      "ssmc tune SOURCE [--device cpu|cuda[:N]] [--batch B] [--prompt-len P] "
      "[--budget SECONDS] [--json]\n       ssmc tune --show [--device DEV] [--json]",
      "Finds the fastest correct configuration of every CPU kernel of a model on this\n"
      "machine and records every measurement in the tuning database, which compile,\n"
      "run and bench then use (docs/tuning.md). For each distinct kernel of the prefill\n"
      "(--batch x --prompt-len tokens) and of a decode step (--batch tokens), every\n"
      "valid configuration (vector width, chunks of work per thread, the SSD scan's\n"
      "chunk) runs on the inputs the default configuration got, random weights and\n"
      "prompt; one whose outputs differ from the default's by more than 1e-4 of their\n"
      "largest value is recorded as rejected, the others are timed (median of at\n"
      "least 5 runs).\n"
      "On a GPU (--device cuda) each CUDA kernel's tile configurations (those its\n"
      "family's rules allow; a hill climb where there are many) are compiled with NVRTC\n"
      "on all cores, checked against float64 on random inputs and timed with events.\n"
      "Progress goes to stderr; each kernel is written when it is done.");
  parser.positional("SOURCE", &source, "a .ssm model file or a Hugging Face checkpoint directory",
                    /*required=*/false);
  parser.option("device", &device, "DEV",
                "cpu (the default), or cuda / cuda:N: the CUDA kernels' tiles on GPU N");
  parser
      .option("gpu-dtype", &gpuDtype, "DTYPE",
              "with a CUDA device: the kernels' dtype, as compile's (default bf16)")
      .oneOf({"bf16", "fp16", "fp32"});
  parser.option("threads", &threads, "N", "CPU threads (default: all, or $SSMC_THREADS)")
      .atLeast(0);
  parser.list("include", &includeDirs, "DIR", "also search DIR for imports", "I");
  cli::addTuneOptions(parser, f);
  if (std::optional<int> done = parser.parseOrReport(args))
    return *done;
  cli::Console console("ssmc tune");
  console.setQuiet(f.quiet);
  ssmrt::StatusOr<ssmrt::DeviceChoice> choice = ssmrt::parseDevice(device);
  if (!choice.ok())
    return console.fail(choice.status());
  if (choice->kind == ssmrt::DeviceChoice::Kind::Auto)
    return console.fail("--device auto: name the device to tune, cpu or cuda[:N]");
  bool cuda = choice->kind != ssmrt::DeviceChoice::Kind::Cpu;
  std::unique_ptr<ssmrt::gpu::GpuDevice> gpu;
  ssmrt::DeviceKey key = ssmrt::cpuDeviceKey();
  if (cuda) {
    ssmrt::StatusOr<std::unique_ptr<ssmrt::gpu::GpuDevice>> opened =
        ssmrt::gpu::openCudaDevice(choice->ordinal);
    if (!opened.ok())
      return console.fail("--device " + device + ": " + opened.status().message());
    gpu = std::move(*opened);
    key = gpu->deviceKey();
  }
  std::string dbPath = tuningDbPath(f.tuning, console, key);
  if (dbPath.empty())
    return console.fail("no tuning database to write (give --tuning-db FILE)");
  auto gpuArgs = [&] {
    cli::GpuTuneArgs a;
    a.batch = f.batch;
    a.promptLen = f.promptLen;
    a.seed = static_cast<uint64_t>(f.seed);
    a.budgetSeconds = f.budgetSeconds;
    a.dbPath = dbPath;
    return a;
  };
  if (f.show)
    return source.empty() ? cli::showTuningDb(dbPath, key, f.json, console)
                          : console.fail("--show takes no SOURCE");
  if (source.empty())
    return console.fail("give a SOURCE to tune, or --show");

  ssmrt::StatusOr<cli::TuneReport> report = ssmrt::Status::error("");
  if (cuda && llvm::StringRef(source).ends_with(".ssmx")) {
    ssmrt::StatusOr<ssmrt::Program> program = cli::loadArtifact(source);
    if (!program.ok())
      return console.fail(program.status());
    report = cli::tuneOnGpu(*program, *gpu, gpuArgs(), console);
  } else {
    std::unique_ptr<fe::ModelFile> file = loadModelFile(source, includeDirs, console);
    if (!file)
      return 1;
    if (file->isLibrary())
      return console.fail(source + ": the file defines no model (it is a library of blocks)");
    if (cuda) {
      console.busy("compiling " + source);
      ssmrt::StatusOr<ssmrt::Program> program =
          compileWithCuda(file->graph(), file->sources(), gpuDtype);
      console.clear();
      if (!program.ok())
        return console.fail(source + ": " + program.status().message());
      report = cli::tuneOnGpu(*program, *gpu, gpuArgs(), console);
    } else {
      CpuTuneRequest request;
      request.batch = f.batch;
      request.promptLen = f.promptLen;
      request.budgetSeconds = f.budgetSeconds;
      request.threads = static_cast<int>(threads);
      request.seed = static_cast<uint64_t>(f.seed);
      request.dbPath = dbPath;
      request.defaultVectorWidth = mlir::ssm::CPUTarget::host().vectorWidth;
      request.compile = [&](const ssmrt::TuneConfig &compileTime) {
        return compileCpuTunable(file->graph(), file->sources(), compileTime);
      };
      report = tuneCpu(request, key, console);
    }
  }
  if (!report.ok())
    return console.fail(source + ": " + report.status().message());
  cli::printTuneReport(*report, f.json, console);
  return 0;
}
