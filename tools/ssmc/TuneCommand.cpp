//===- TuneCommand.cpp - ssmc tune ----------------------------------------===//
#include "tools/ssmc/Commands.h"
#include "tools/ssmc/CpuTuner.h"
#include "tools/ssmc/ModelLoading.h"
#include "tools/ssmc/TuningOptions.h"

#include "codegen/cpu/CPUKernels.h"
#include "codegen/cpu/CPUTiles.h"
#include "codegen/driver/Compiler.h"
#include "dialect/SSMOps.h"
#include "runtime/io/Json.h"
#include "runtime/tuning/TuningDb.h"
#include "tools/cli/ArgParser.h"
#include "tools/cli/Console.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/MLIRContext.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <map>
#include <set>

using namespace ssmc;

namespace {

/// The configurations to try for |op|: every combination of the valid
/// choices of each parameter (the CPU's space is small enough to measure
/// exhaustively), the default first.
std::vector<ssmrt::TuneConfig> configsFor(mlir::Operation *op, const mlir::ssm::CPUTarget &target) {
  std::vector<ssmrt::TuneConfig> configs = {{}};
  ssmrt::TuneConfig dflt;
  for (const mlir::ssm::CPUTileParam &param : mlir::ssm::cpuTileParams()) {
    int64_t d = std::string(param.name) == "vector_width" ? target.vectorWidth : 1;
    dflt.push_back({param.name, d});
    std::vector<ssmrt::TuneConfig> next;
    for (const ssmrt::TuneConfig &c : configs)
      for (int64_t v : mlir::ssm::validCPUTileChoices(op, param, target)) {
        ssmrt::TuneConfig e = c;
        e.push_back({param.name, v});
        next.push_back(std::move(e));
      }
    configs = std::move(next);
  }
  configs.erase(std::remove(configs.begin(), configs.end(), dflt), configs.end());
  configs.insert(configs.begin(), dflt);
  return configs;
}

ssmrt::StatusOr<TunableProgram> compileTunable(const fe::ModelFile &file, int vectorWidth) {
  mlir::MLIRContext context;
  context.printOpOnDiagnostic(false);
  CompileOptions options;
  options.vectorWidth = vectorWidth;
  Compiler compiler(context, file.graph(), file.sources(), options);
  if (mlir::failed(compiler.lower()) || mlir::failed(compiler.fuse()) ||
      mlir::failed(compiler.outline()))
    return ssmrt::Status::error("compilation failed" +
                                (compiler.error().empty() ? "" : ": " + compiler.error()));
  mlir::FailureOr<ssmrt::Program> program = compiler.buildProgram();
  if (mlir::failed(program))
    return ssmrt::Status::error("compiling the kernels failed: " + compiler.error());
  TunableProgram t;
  t.program = std::move(*program);
  t.signatures.resize(t.program.cpu.kernels.size());
  t.configs.resize(t.program.cpu.kernels.size());
  std::map<std::string, size_t> index;
  for (size_t k = 0; k < t.program.cpu.kernels.size(); ++k)
    index[t.program.cpu.kernels[k].name] = k;
  mlir::ssm::CPUTarget host = mlir::ssm::CPUTarget::host();
  mlir::ModuleOp module = compiler.module();
  auto kernelAttr = mlir::ssm::ssmDialect(module).getKernelAttrHelper();
  for (llvm::StringRef name : {"forward", "decode"})
    if (auto func = module.lookupSymbol<mlir::func::FuncOp>(name))
      func.walk([&](mlir::Operation *op) {
        mlir::StringAttr kernel = kernelAttr.getAttr(op);
        if (!kernel)
          return;
        auto it = index.find(kernel.str() + "_packed");
        if (it == index.end() || !t.signatures[it->second].empty())
          return;
        t.signatures[it->second] = mlir::ssm::cpuKernelSignature(op);
        t.configs[it->second] = configsFor(op, host);
      });
  return t;
}

std::string opName(const std::string &signature) {
  return signature.substr(0, signature.find('|'));
}

std::string configJson(const ssmrt::TuneConfig &config) {
  std::string s;
  for (const auto &[name, value] : config)
    s += (s.empty() ? "" : ", ") + ssmrt::quoteJson(name) + ": " + std::to_string(value);
  return "{" + s + "}";
}

int showDatabase(const std::string &path, bool json, cli::Console &console) {
  ssmrt::DeviceKey key = ssmrt::cpuDeviceKey();
  ssmrt::StatusOr<ssmrt::TuningDb> db = ssmrt::TuningDb::read(path, key);
  if (!db.ok())
    return console.fail(db.status());
  struct Counts {
    int timed = 0, rejected = 0;
  };
  std::map<std::pair<std::string, std::string>, Counts> kernels; // (function, signature)
  for (const ssmrt::TuningRecord &r : db->records())
    if (r.version == ssmrt::ssmcVersion()) {
      Counts &c = kernels[{r.function, r.kernel}];
      (r.rejected ? c.rejected : c.timed)++;
    }
  std::string out;
  if (json)
    out = "{\"device_key\": " + ssmrt::quoteJson(key.text()) +
          ", \"tuning_db\": " + ssmrt::quoteJson(path) +
          ", \"records\": " + std::to_string(db->records().size()) + ", \"kernels\": [";
  else
    std::printf("tuning database %s\ndevice %s\n%zu records; for ssmc %s:\n", path.c_str(),
                key.text().c_str(), db->records().size(), ssmrt::ssmcVersion());
  bool first = true;
  for (const auto &[k, counts] : kernels) {
    const auto &[function, signature] = k;
    std::optional<ssmrt::TuningChoice> choice = db->best(signature, function, ssmrt::ssmcVersion());
    if (json) {
      out += std::string(first ? "" : ", ") +
             "{\"kernel\": " + ssmrt::quoteJson(opName(signature)) +
             ", \"function\": " + ssmrt::quoteJson(function) +
             ", \"signature\": " + ssmrt::quoteJson(signature) +
             ", \"configs\": " + std::to_string(counts.timed) +
             ", \"rejected\": " + std::to_string(counts.rejected);
      if (choice) {
        char times[96];
        std::snprintf(times, sizeof times,
                      ", \"tokens\": %lld, \"default_s\": %.6g, \"best_s\": %.6g",
                      (long long)choice->tokens, choice->defaultSeconds, choice->seconds);
        out += times + std::string(", \"best\": ") + configJson(choice->config);
      }
      out += "}";
    } else if (choice) {
      std::printf("  %-7s %-22s %6lld tokens: %s, %.4g ms (default %.4g ms); %d timed, %d "
                  "rejected\n",
                  function.c_str(), opName(signature).c_str(), (long long)choice->tokens,
                  ssmrt::formatConfig(choice->config).c_str(), choice->seconds * 1e3,
                  choice->defaultSeconds * 1e3, counts.timed, counts.rejected);
    } else {
      std::printf("  %-7s %-22s nothing timed; %d rejected\n", function.c_str(),
                  opName(signature).c_str(), counts.rejected);
    }
    first = false;
  }
  if (json)
    std::printf("%s]}\n", out.c_str());
  return 0;
}

} // namespace

int ssmc::runTuneCommand(const std::vector<std::string> &args) {
  std::string source, device = "cpu";
  std::vector<std::string> includeDirs;
  int64_t batch = 1, promptLen = 512, threads = 0, seed = 0;
  double budget = 300;
  bool json = false, show = false, quiet = false;
  TuningFlags tuning;
  cli::ArgParser parser(
      "ssmc tune",
      "ssmc tune SOURCE [--device cpu] [--batch B] [--prompt-len P] [--budget SECONDS] "
      "[--json]\n       ssmc tune --show [--json]",
      "Finds the fastest correct configuration of every CPU kernel of a model on this\n"
      "machine and records every measurement in the tuning database, which compile,\n"
      "run and bench then use (docs/tuning.md). For each distinct kernel of the prefill\n"
      "(--batch x --prompt-len tokens) and of a decode step (--batch tokens), every\n"
      "valid configuration (vector width, chunks of work per thread) runs on the\n"
      "inputs the default configuration got, random weights and prompt; one whose\n"
      "outputs differ from the default's by more than 1e-4 of their largest value is\n"
      "recorded as rejected, the others are timed (median of at least 5 runs).\n"
      "Progress goes to stderr; each kernel is written when it is done.");
  parser.positional("SOURCE", &source, "a .ssm model file or a Hugging Face checkpoint directory",
                    /*required=*/false);
  parser.option("device", &device, "DEV", "cpu (the default); CUDA tuning is not implemented");
  parser.option("batch", &batch, "B", "sequences per call (default 1)").inRange(1, 256);
  parser.option("prompt-len", &promptLen, "P", "prefill tokens per sequence (default 512)")
      .inRange(1, 1 << 20);
  parser
      .option("budget", &budget, "SECONDS",
              "stop measuring after this much wall time (default 300); what finished is kept")
      .above(0);
  parser.option("threads", &threads, "N", "CPU threads (default: all, or $SSMC_THREADS)")
      .atLeast(0);
  parser.option("seed", &seed, "S", "seed of the random weights and prompt (default 0)").atLeast(0);
  parser.flag("show", &show, "list what the tuning database holds for this device");
  parser.flag("json", &json, "print one JSON object instead of text");
  parser.flag("quiet", &quiet, "no progress or notes on stderr", "q");
  parser.list("include", &includeDirs, "DIR", "also search DIR for imports", "I");
  addTuningOptions(parser, tuning, /*tune=*/true);
  if (std::optional<int> done = parser.parseOrReport(args))
    return *done;
  cli::Console console("ssmc tune");
  console.setQuiet(quiet);
  std::string dbPath = tuningDbPath(tuning, console);
  if (dbPath.empty())
    return console.fail("no tuning database to write (give --tuning-db FILE)");
  if (show)
    return source.empty() ? showDatabase(dbPath, json, console)
                          : console.fail("--show takes no SOURCE");
  if (source.empty())
    return console.fail("give a SOURCE to tune, or --show");
  if (device != "cpu")
    return console.fail("--device " + device +
                        ": only the CPU's kernels can be tuned so far (CUDA tuning is not "
                        "implemented)");
  std::unique_ptr<fe::ModelFile> file = loadModelFile(source, includeDirs, console);
  if (!file)
    return 1;
  if (file->isLibrary())
    return console.fail(source + ": the file defines no model (it is a library of blocks)");

  CpuTuneRequest request;
  request.batch = batch;
  request.promptLen = promptLen;
  request.budgetSeconds = budget;
  request.threads = static_cast<int>(threads);
  request.seed = static_cast<uint64_t>(seed);
  request.dbPath = dbPath;
  request.defaultVectorWidth = mlir::ssm::CPUTarget::host().vectorWidth;
  request.compile = [&](int vectorWidth) { return compileTunable(*file, vectorWidth); };
  auto start = std::chrono::steady_clock::now();
  ssmrt::StatusOr<CpuTuneResult> result = tuneCpu(request, console);
  if (!result.ok())
    return console.fail(source + ": " + result.status().message());
  double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  int timed = 0, rejected = 0;
  for (const KernelTuneSummary &k : result->kernels) {
    timed += k.timed;
    rejected += k.rejected;
  }
  if (result->outOfBudget)
    console.warn("the budget of " + std::to_string(budget) +
                 " s ran out; kernels not reached keep their defaults");
  if (json) {
    std::string out = "{\"device_key\": " + ssmrt::quoteJson(ssmrt::cpuDeviceKey().text()) +
                      ", \"tuning_db\": " + ssmrt::quoteJson(dbPath) +
                      ", \"threads\": " + std::to_string(result->threads) +
                      ", \"batch\": " + std::to_string(batch) +
                      ", \"prompt_len\": " + std::to_string(promptLen);
    char buf[128];
    std::snprintf(buf, sizeof buf, ", \"elapsed_s\": %.3f, \"out_of_budget\": %s, \"kernels\": [",
                  elapsed, result->outOfBudget ? "true" : "false");
    out += buf;
    for (size_t i = 0; i < result->kernels.size(); ++i) {
      const KernelTuneSummary &k = result->kernels[i];
      std::snprintf(buf, sizeof buf, ", \"default_s\": %.6g, \"best_s\": %.6g", k.defaultSeconds,
                    k.bestSeconds);
      out += std::string(i ? ", " : "") + "{\"kernel\": " + ssmrt::quoteJson(opName(k.kernel)) +
             ", \"function\": " + ssmrt::quoteJson(k.function) +
             ", \"signature\": " + ssmrt::quoteJson(k.kernel) +
             ", \"configs\": " + std::to_string(k.timed) +
             ", \"rejected\": " + std::to_string(k.rejected) + buf +
             ", \"best\": " + configJson(k.best) + "}";
    }
    std::printf("%s]}\n", out.c_str());
  } else {
    std::printf("tuned %zu kernels in %.1f s: %d configurations timed, %d rejected; "
                "recorded in %s\n",
                result->kernels.size(), elapsed, timed, rejected, dbPath.c_str());
  }
  return 0;
}
