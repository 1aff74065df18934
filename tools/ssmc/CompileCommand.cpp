//===- CompileCommand.cpp - ssmc compile ----------------------------------===//
#include "tools/cli/TuningOptions.h"
#include "tools/ssmc/Commands.h"
#include "tools/ssmc/ModelLoading.h"

#include "codegen/driver/Compiler.h"
#include "runtime/artifact/Artifact.h"
#include "runtime/cuda/KernelOptions.h"
#include "runtime/cuda/NvrtcCompiler.h"
#include "runtime/exec/FunctionPlan.h"
#include "tools/cli/ArgParser.h"
#include "tools/cli/Console.h"

#include "mlir/IR/MLIRContext.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/raw_ostream.h"

#include <cstdio>

using namespace ssmc;

namespace {
const cli::Console console("ssmc compile");
const char *kStages = "mlir, fused, gpu, cuda, ptx, kernels, llvm, artifact";

/// Writes |text| to |path| ('-' = stdout); false after printing an error.
bool writeOutput(const std::string &path, llvm::StringRef bytes, bool binary) {
  std::error_code ec;
  llvm::raw_fd_ostream out(path, ec, binary ? llvm::sys::fs::OF_None : llvm::sys::fs::OF_Text);
  if (ec) {
    console.fail("cannot write '" + path + "': " + ec.message());
    return false;
  }
  out << bytes;
  return true;
}
/// The GPU architectures the CUDA kernels are written for (compute
/// capability 8.0 and later) that CUDA 13's NVRTC compiles for.
const char *const kCudaArchs[] = {"sm_80",  "sm_86",  "sm_87",  "sm_88",  "sm_89", "sm_90",
                                  "sm_100", "sm_103", "sm_110", "sm_120", "sm_121"};

/// "cuda:sm_90" -> "sm_90"; "" after printing why if |target| is not one
/// of the CUDA targets.
std::string cudaArchOf(const std::string &target) {
  llvm::StringRef t(target);
  std::string list;
  for (const char *arch : kCudaArchs)
    list += std::string(list.empty() ? "" : ", ") + arch;
  if (!t.consume_front("cuda:sm_") || t.empty() || t.size() > 3 ||
      !llvm::all_of(t, [](char c) { return c >= '0' && c <= '9'; })) {
    console.fail("unknown --target '" + target + "' (expected: cpu or cuda:sm_XX)");
    return "";
  }
  std::string arch = "sm_" + t.str();
  for (const char *known : kCudaArchs)
    if (arch == known)
      return arch;
  console.fail("--target " + target +
               ": the CUDA kernels need a GPU of compute capability 8.0 or later that CUDA 13 "
               "knows (" +
               list + ")");
  return "";
}

/// Writes each kernel's source (--emit=cuda) or PTX and NVRTC log
/// (--emit=ptx) into |dumpDir|, or all of them to |output|.
int emitCudaFiles(const std::vector<ssmrt::CudaKernelDesc> &kernels, const std::string &arch,
                  bool ptx, const std::string &dumpDir, const std::string &output) {
  if (!dumpDir.empty()) {
    if (std::error_code ec = llvm::sys::fs::create_directories(dumpDir))
      return console.fail("cannot create '" + dumpDir + "': " + ec.message());
  }
  std::string all;
  int failures = 0;
  for (const ssmrt::CudaKernelDesc &k : kernels) {
    std::string base = dumpDir + "/" + k.name;
    if (!dumpDir.empty() && !writeOutput(base + ".cu", k.source, false))
      return 1;
    if (!ptx) {
      all += "// ===== " + k.name + "\n" + k.source;
      continue;
    }
    ssmrt::StatusOr<ssmrt::cuda::CompiledKernel> compiled =
        ssmrt::cuda::compile(k.source, k.name, arch, ssmrt::cuda::kernelOptions(k), false);
    std::string log = compiled.ok() ? compiled->log : compiled.status().message();
    if (!compiled.ok() && failures++ == 0)
      console.fail(log);
    if (!dumpDir.empty()) {
      if (!writeOutput(base + ".log", log, false) ||
          (compiled.ok() && !writeOutput(base + ".ptx", compiled->ptx, false)))
        return 1;
    } else if (compiled.ok()) {
      all += "// ===== " + k.name + "\n" + compiled->ptx;
    }
  }
  if (failures > 1)
    console.note(std::to_string(failures - 1) + " more of the " + std::to_string(kernels.size()) +
                 " kernels failed too");
  if (failures)
    return 1;
  if (dumpDir.empty() && !writeOutput(output, all, false))
    return 1;
  if (!dumpDir.empty())
    console.note("wrote " + std::to_string(kernels.size()) + " kernels (" +
                 (ptx ? ".cu, .ptx, .log" : ".cu") + ") to " + dumpDir);
  return 0;
}

/// Compiles every kernel with NVRTC for |arch| (to a cubin, so ptxas runs
/// too). Returns false after printing the first failure; true, with
/// |checked| false, when NVRTC cannot be loaded.
bool compileCheck(const std::vector<ssmrt::CudaKernelDesc> &kernels, const std::string &arch,
                  bool &checked) {
  checked = false;
  ssmrt::StatusOr<ssmrt::cuda::NvrtcInfo> info = ssmrt::cuda::nvrtcInfo();
  if (!info.ok()) {
    console.warn("the CUDA kernels were not compile-checked: " + info.status().message());
    return true;
  }
  for (const ssmrt::CudaKernelDesc &k : kernels) {
    auto compiled =
        ssmrt::cuda::compile(k.source, k.name, arch, ssmrt::cuda::kernelOptions(k), true);
    if (!compiled.ok()) {
      console.fail(compiled.status());
      return false;
    }
  }
  checked = true;
  return true;
}
} // namespace

int ssmc::runCompileCommand(const std::vector<std::string> &args) {
  std::string path, emit, output = "-", target = "cpu", gpuDtype = "bf16", dumpDir;
  std::vector<std::string> includeDirs;
  bool noFoldDeltaProj = false, noReferenceFallback = false;
  int64_t vectorWidth = 0;
  cli::ArgParser parser(
      "ssmc compile", "ssmc compile (FILE.ssm | DIR) [--emit=STAGE] [-o OUT] [options]",
      "Compiles a model file, or the config.json of a Hugging Face checkpoint\n"
      "directory (imported as by import-hf). Stages (--emit):\n"
      "  mlir      the ssm dialect as lowered from the model file\n"
      "  fused     after the fusion pipeline and the memory plan (@forward, @decode)\n"
      "  gpu       (cuda targets) the functions retyped for the GPU and tiled, each\n"
      "            kernel op tagged with its CUDA kernel\n"
      "  cuda      (cuda targets) the CUDA C++ source of every kernel\n"
      "  ptx       (cuda targets) every kernel's PTX, compiled with NVRTC (no GPU needed)\n"
      "  kernels   with the CPU kernel functions (scf/vector/memref) outlined\n"
      "  llvm      the CPU kernels as optimized LLVM IR for this machine\n"
      "  artifact  a .ssmx artifact (the default when -o names a .ssmx file)");
  parser.positional("FILE", &path, "a .ssm model file or a Hugging Face checkpoint directory");
  parser.option("emit", &emit, "STAGE", "what to write (default: mlir, or artifact for -o X.ssmx)");
  parser.option("output", &output, "OUT", "output file ('-' for stdout, the default)", "o");
  parser.option("target", &target, "TARGET",
                "cpu (the default), or cuda:sm_XX (sm_80 and later, e.g. cuda:sm_90): CUDA "
                "kernels for that architecture besides the CPU code");
  parser
      .option("gpu-dtype", &gpuDtype, "DTYPE",
              "with a CUDA target: weights and activations on the GPU: bf16 (the default), "
              "fp16 or fp32")
      .oneOf({"bf16", "fp16", "fp32"});
  parser.option("dump-dir", &dumpDir, "DIR",
                "with --emit=cuda|ptx: one file per kernel in DIR (.cu; .ptx and NVRTC's .log)");
  parser.flag("no-fold-delta-proj", &noFoldDeltaProj,
              "keep dt_proj as a matrix product instead of folding it into the scan");
  parser.option("vector-width", &vectorWidth, "N",
                "f32 lanes per vector in CPU kernels: 4, 8 or 16 (default: from the host CPU)");
  parser.flag("no-reference-fallback", &noReferenceFallback,
              "an op without a CPU kernel is an error at its source location (by default it "
              "runs in the runtime's float64 reference interpreter, slowly, and a note says so)");
  parser.list("include", &includeDirs, "DIR", "also search DIR for imports", "I");
  TuningFlags tuning;
  addTuningOptions(parser, tuning);
  if (std::optional<int> done = parser.parseOrReport(args))
    return *done;
  if (emit.empty())
    emit = llvm::StringRef(output).ends_with(".ssmx") ? "artifact" : "mlir";
  if (emit != "mlir" && emit != "fused" && emit != "gpu" && emit != "cuda" && emit != "ptx" &&
      emit != "kernels" && emit != "llvm" && emit != "artifact")
    return console.fail("unknown --emit stage '" + emit + "' (expected one of: " + kStages + ")");
  std::string arch;
  if (target != "cpu" && (arch = cudaArchOf(target)).empty())
    return 1;
  if (arch.empty() && (emit == "gpu" || emit == "cuda" || emit == "ptx"))
    return console.fail("--emit=" + emit + " needs a CUDA target (--target cuda:sm_XX)");
  if (arch.empty() && parser.given("gpu-dtype"))
    return console.fail("--gpu-dtype goes with a CUDA target (--target cuda:sm_XX)");
  if (!dumpDir.empty() && emit != "cuda" && emit != "ptx")
    return console.fail("--dump-dir goes with --emit=cuda or --emit=ptx");
  if (vectorWidth != 0 && vectorWidth != 4 && vectorWidth != 8 && vectorWidth != 16)
    return console.fail("--vector-width must be 4, 8 or 16, got " + std::to_string(vectorWidth));
  if (emit == "artifact" && output == "-")
    return console.fail("--emit=artifact needs -o FILE.ssmx");
  if (emit != "artifact" && llvm::StringRef(output).ends_with(".ssmx"))
    return console.fail("-o " + output + ": --emit=" + emit +
                        " does not write an artifact; leave out --emit, or name the output "
                        "otherwise");
  std::unique_ptr<fe::ModelFile> file = loadModelFile(path, includeDirs, console);
  if (!file)
    return 1;
  if (file->isLibrary())
    return console.fail(path + ": the file defines no model (it is a library of blocks)");

  mlir::MLIRContext context;
  CompileOptions options;
  options.foldDeltaProj = !noFoldDeltaProj;
  options.vectorWidth = static_cast<int>(vectorWidth);
  options.cuda = !arch.empty();
  options.gpuDtype = gpuDtype;
  options.referenceFallback = !noReferenceFallback;
  // A vector width asked for builds every kernel with it.
  if (!parser.given("vector-width")) {
    std::string digest;
    options.tuningDb = tuningDbToUse(tuning, console, digest);
  }
  Compiler compiler(context, file->graph(), file->sources(), options);
  auto fail = [&](const char *stage) {
    return console.fail(path + ": " + stage + " failed" +
                        (compiler.error().empty() ? "" : ": " + compiler.error()));
  };
  auto printModule = [&]() {
    std::string text;
    llvm::raw_string_ostream os(text);
    compiler.module().print(os);
    return writeOutput(output, text, false) ? 0 : 1;
  };
  if (failed(compiler.lower()))
    return fail("lowering to the ssm dialect");
  if (emit == "mlir")
    return printModule();
  if (failed(compiler.fuse()))
    return fail("the fusion pipeline");
  if (emit == "fused")
    return printModule();
  if (options.cuda) {
    if (failed(compiler.lowerCUDA()))
      return fail("generating the CUDA kernels");
    if (emit == "gpu") {
      std::string text;
      llvm::raw_string_ostream os(text);
      compiler.gpuModule().print(os);
      return writeOutput(output, text, false) ? 0 : 1;
    }
    if (emit == "cuda" || emit == "ptx")
      return emitCudaFiles(compiler.cudaKernels(), arch, emit == "ptx", dumpDir, output);
  }
  if (failed(compiler.outline()))
    return fail("building the CPU kernels");
  if (std::string note = ssmrt::referenceNote(compiler.referenceOps()); !note.empty())
    console.note(note);
  if (emit == "kernels")
    return printModule();
  if (emit == "llvm") {
    mlir::FailureOr<std::string> ir = compiler.kernelsLLVMIR();
    if (failed(ir))
      return fail("lowering the kernels to LLVM");
    return writeOutput(output, *ir, false) ? 0 : 1;
  }
  mlir::FailureOr<ssmrt::Program> program = compiler.buildProgram();
  if (failed(program))
    return fail("compiling the kernels");
  if (options.cuda) {
    bool checked = false;
    if (!compileCheck(program->cuda.kernels, arch, checked))
      return 1;
    if (checked)
      program->cuda.archs.push_back(arch);
  }
  std::vector<uint8_t> bytes = ssmrt::writeArtifact(*program);
  if (!writeOutput(output,
                   llvm::StringRef(reinterpret_cast<const char *>(bytes.data()), bytes.size()),
                   true))
    return 1;
  std::fprintf(stderr, "wrote %s: %zu kernels, %zu bytes of native code for %s (%s, %d lanes)\n",
               output.c_str(), program->cpu.kernels.size(), program->cpu.object.size(),
               program->cpu.triple.c_str(), program->cpu.cpu.c_str(), program->cpu.vectorWidth);
  if (options.cuda)
    std::fprintf(stderr, "  and %zu CUDA kernels (%s)%s\n", program->cuda.kernels.size(),
                 gpuDtype.c_str(),
                 program->cuda.archs.empty() ? ", not compile-checked"
                                             : (", compile-checked for " + arch).c_str());
  return 0;
}
