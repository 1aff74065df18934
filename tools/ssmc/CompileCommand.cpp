//===- CompileCommand.cpp - ssmc compile ----------------------------------===//
#include "tools/ssmc/Commands.h"
#include "tools/ssmc/ModelLoading.h"

#include "codegen/driver/Compiler.h"
#include "runtime/artifact/Artifact.h"
#include "runtime/cuda/KernelOptions.h"
#include "runtime/cuda/NvrtcCompiler.h"
#include "runtime/exec/FunctionPlan.h"
#include "tools/cli/ArgParser.h"

#include "mlir/IR/MLIRContext.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/raw_ostream.h"

#include <cstdio>

using namespace ssmc;

namespace {
const char *kStages = "mlir, fused, gpu, cuda, ptx, kernels, llvm, artifact";

/// Writes |text| to |path| ('-' = stdout); false after printing an error.
bool writeOutput(const std::string &path, llvm::StringRef bytes, bool binary) {
  std::error_code ec;
  llvm::raw_fd_ostream out(path, ec, binary ? llvm::sys::fs::OF_None : llvm::sys::fs::OF_Text);
  if (ec) {
    std::fprintf(stderr, "ssmc compile: cannot write '%s': %s\n", path.c_str(),
                 ec.message().c_str());
    return false;
  }
  out << bytes;
  return true;
}
/// "cuda:sm_90" -> "sm_90"; "" if |target| is not a CUDA target.
std::string cudaArchOf(const std::string &target) {
  llvm::StringRef t(target);
  if (!t.consume_front("cuda:sm_") || t.empty() || t.size() > 3 ||
      !llvm::all_of(t, [](char c) { return c >= '0' && c <= '9'; }))
    return "";
  return "sm_" + t.str();
}

/// Writes each kernel's source (--emit=cuda) or PTX and NVRTC log
/// (--emit=ptx) into |dumpDir|, or all of them to |output|.
int emitCudaFiles(const std::vector<ssmrt::CudaKernelDesc> &kernels, const std::string &arch,
                  bool ptx, const std::string &dumpDir, const std::string &output) {
  if (!dumpDir.empty()) {
    if (std::error_code ec = llvm::sys::fs::create_directories(dumpDir)) {
      std::fprintf(stderr, "ssmc compile: cannot create '%s': %s\n", dumpDir.c_str(),
                   ec.message().c_str());
      return 1;
    }
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
    if (!compiled.ok()) {
      std::fprintf(stderr, "%s\n", log.c_str());
      ++failures;
    }
    if (!dumpDir.empty()) {
      if (!writeOutput(base + ".log", log, false) ||
          (compiled.ok() && !writeOutput(base + ".ptx", compiled->ptx, false)))
        return 1;
    } else if (compiled.ok()) {
      all += "// ===== " + k.name + "\n" + compiled->ptx;
    }
  }
  if (dumpDir.empty() && !writeOutput(output, all, false))
    return 1;
  if (!dumpDir.empty())
    std::fprintf(stderr, "wrote %zu kernels (%s) to %s\n", kernels.size(),
                 ptx ? ".cu, .ptx, .log" : ".cu", dumpDir.c_str());
  return failures ? 1 : 0;
}

/// Compiles every kernel with NVRTC for |arch| (to a cubin, so ptxas runs
/// too). Returns false after printing the first failure; true, with
/// |checked| false, when NVRTC cannot be loaded.
bool compileCheck(const std::vector<ssmrt::CudaKernelDesc> &kernels, const std::string &arch,
                  bool &checked) {
  checked = false;
  ssmrt::StatusOr<ssmrt::cuda::NvrtcInfo> info = ssmrt::cuda::nvrtcInfo();
  if (!info.ok()) {
    std::fprintf(stderr, "warning: the CUDA kernels were not compile-checked: %s\n",
                 info.status().message().c_str());
    return true;
  }
  for (const ssmrt::CudaKernelDesc &k : kernels) {
    auto compiled =
        ssmrt::cuda::compile(k.source, k.name, arch, ssmrt::cuda::kernelOptions(k), true);
    if (!compiled.ok()) {
      std::fprintf(stderr, "error: %s\n", compiled.status().message().c_str());
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
      "ssmc compile", "ssmc compile FILE.ssm [--emit=STAGE] [-o OUT] [options]",
      "Compiles a model file. Stages (--emit):\n"
      "  mlir      the ssm dialect as lowered from the model file\n"
      "  fused     after the fusion pipeline and the memory plan (@forward, @decode)\n"
      "  gpu       (cuda targets) the functions retyped for the GPU and tiled, each\n"
      "            kernel op tagged with its CUDA kernel\n"
      "  cuda      (cuda targets) the CUDA C++ source of every kernel\n"
      "  ptx       (cuda targets) every kernel's PTX, compiled with NVRTC (no GPU needed)\n"
      "  kernels   with the CPU kernel functions (scf/vector/memref) outlined\n"
      "  llvm      the CPU kernels as optimized LLVM IR for this machine\n"
      "  artifact  a .ssmx artifact (the default when -o names a .ssmx file)");
  parser.positional("FILE", &path, "a .ssm model file");
  parser.option("emit", &emit, "STAGE", "what to write (default: mlir, or artifact for -o X.ssmx)");
  parser.option("output", &output, "OUT", "output file ('-' for stdout, the default)", "o");
  parser.option("target", &target, "TARGET",
                "cpu (the default), or cuda:sm_XX (e.g. cuda:sm_90): CUDA kernels for that "
                "architecture besides the CPU code");
  parser.option("gpu-dtype", &gpuDtype, "DTYPE",
                "weights and activations on the GPU: bf16 (the default), fp16 or fp32");
  parser.option("dump-dir", &dumpDir, "DIR",
                "with --emit=cuda|ptx: one file per kernel in DIR (.cu; .ptx and NVRTC's .log)");
  parser.flag("no-fold-delta-proj", &noFoldDeltaProj,
              "keep dt_proj as a matrix product instead of folding it into the scan");
  parser.option("vector-width", &vectorWidth, "N",
                "f32 lanes per vector in CPU kernels (default: from the host CPU)");
  parser.flag("no-reference-fallback", &noReferenceFallback,
              "an op without a CPU kernel is an error at its source location (by default it "
              "runs in the runtime's float64 reference interpreter, slowly, and a note says so)");
  parser.list("include", &includeDirs, "DIR", "also search DIR for imports", "I");
  if (std::optional<int> done = parser.parseOrReport(args))
    return *done;
  if (emit.empty())
    emit = llvm::StringRef(output).ends_with(".ssmx") ? "artifact" : "mlir";
  if (emit != "mlir" && emit != "fused" && emit != "gpu" && emit != "cuda" && emit != "ptx" &&
      emit != "kernels" && emit != "llvm" && emit != "artifact") {
    std::fprintf(stderr, "ssmc compile: unknown --emit stage '%s' (expected one of: %s)\n",
                 emit.c_str(), kStages);
    return 1;
  }
  std::string arch = cudaArchOf(target);
  if (target != "cpu" && arch.empty()) {
    std::fprintf(stderr, "ssmc compile: unknown --target '%s' (expected: cpu or cuda:sm_XX)\n",
                 target.c_str());
    return 1;
  }
  if (arch.empty() && (emit == "gpu" || emit == "cuda" || emit == "ptx")) {
    std::fprintf(stderr, "ssmc compile: --emit=%s needs a CUDA target (--target cuda:sm_XX)\n",
                 emit.c_str());
    return 1;
  }
  if (gpuDtype != "bf16" && gpuDtype != "fp16" && gpuDtype != "fp32") {
    std::fprintf(stderr, "ssmc compile: --gpu-dtype must be bf16, fp16 or fp32\n");
    return 1;
  }
  if (!dumpDir.empty() && emit != "cuda" && emit != "ptx") {
    std::fprintf(stderr, "ssmc compile: --dump-dir goes with --emit=cuda or --emit=ptx\n");
    return 1;
  }
  if (vectorWidth != 0 && vectorWidth != 4 && vectorWidth != 8 && vectorWidth != 16) {
    std::fprintf(stderr, "ssmc compile: --vector-width must be 4, 8 or 16\n");
    return 1;
  }
  if (emit == "artifact" && output == "-") {
    std::fprintf(stderr, "ssmc compile: --emit=artifact needs -o FILE.ssmx\n");
    return 1;
  }
  std::unique_ptr<fe::ModelFile> file = loadModelFile(path, includeDirs);
  if (!file)
    return 1;
  if (file->isLibrary()) {
    std::fprintf(stderr, "%s: error: the file defines no model (it is a library of blocks)\n",
                 path.c_str());
    return 1;
  }

  mlir::MLIRContext context;
  CompileOptions options;
  options.foldDeltaProj = !noFoldDeltaProj;
  options.vectorWidth = static_cast<int>(vectorWidth);
  options.cuda = !arch.empty();
  options.gpuDtype = gpuDtype;
  options.referenceFallback = !noReferenceFallback;
  Compiler compiler(context, file->graph(), file->sources(), options);
  auto fail = [&](const char *stage) {
    std::fprintf(stderr, "%s: error: %s failed%s%s\n", path.c_str(), stage,
                 compiler.error().empty() ? "" : ": ", compiler.error().c_str());
    return 1;
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
    std::fprintf(stderr, "note: %s\n", note.c_str());
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
