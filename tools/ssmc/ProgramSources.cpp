//===- ProgramSources.cpp - SOURCE arguments of ssmc run and bench --------===//
#include "tools/ssmc/ProgramSources.h"

#include "codegen/driver/Compiler.h"
#include "frontend/ModelFile.h"
#include "runtime/artifact/Artifact.h"
#include "runtime/cuda/Device.h"
#include "runtime/engine/Session.h"
#include "runtime/io/Cache.h"
#include "runtime/io/Files.h"
#include "tools/ssmc/ImportHF.h"

#include "mlir/IR/MLIRContext.h"
#include "llvm/Config/llvm-config.h"
#include "llvm/Support/SHA256.h"

#include <cstdio>
#include <sys/stat.h>

using namespace ssmc;

namespace {

/// Identifies the compiler: a cached program from another version is not used.
constexpr const char *kCompilerVersion = "ssmc 0.1 (LLVM " LLVM_VERSION_STRING ")";

/// Identifies this build of the compiler: the size and modification time of
/// the running executable, so a rebuilt ssmc (same version, other code)
/// does not reuse programs an earlier build cached.
std::string buildIdentity() {
  struct stat st;
  if (stat("/proc/self/exe", &st) != 0)
    return "";
  return std::to_string(st.st_size) + "@" + std::to_string(st.st_mtim.tv_sec) + "." +
         std::to_string(st.st_mtim.tv_nsec);
}

std::string hexDigest(llvm::ArrayRef<uint8_t> digest) {
  static const char *hex = "0123456789abcdef";
  std::string s;
  for (uint8_t b : digest)
    s += {hex[b >> 4], hex[b & 15]};
  return s;
}

/// The architecture ("sm_90") of the GPU |device| names ("auto": GPU 0), or
/// "" for the CPU, no GPU, or a GPU the CUDA kernels do not support.
/// An invalid |device| also gives "": the session reports it.
std::string gpuArchFor(const std::string &device) {
  ssmrt::StatusOr<ssmrt::DeviceChoice> choice = ssmrt::parseDevice(device);
  if (!choice.ok() || choice->kind == ssmrt::DeviceChoice::Kind::Cpu)
    return "";
  ssmrt::StatusOr<ssmrt::cuda::DeviceInfo> info = ssmrt::cuda::findDevice(choice->ordinal);
  if (!info.ok() || info->ccMajor < 8)
    return "";
  return ssmrt::cuda::archName(info->ccMajor, info->ccMinor);
}

ssmrt::StatusOr<ssmrt::Program> compileModel(fe::ModelFile &file, const std::string &path,
                                             const std::string &device, const TuningFlags &tuning,
                                             cli::Console &console) {
  if (file.isLibrary())
    return ssmrt::Status::error(path + ": the file defines no model (it is a library of blocks)");
  mlir::ssm::CPUTarget target = mlir::ssm::CPUTarget::host();
  llvm::SHA256 sha;
  sha.update(kCompilerVersion);
  sha.update(buildIdentity());
  sha.update(target.triple + "|" + target.cpu + "|" + target.features + "|vw" +
             std::to_string(target.vectorWidth));
  std::string arch = gpuArchFor(device);
  sha.update("|cuda:" + arch);
  std::string tuningDigest;
  std::string tuningDb = tuningDbToUse(tuning, console, tuningDigest);
  sha.update("|tuning:" + tuningDigest);
  for (size_t i = 0; i < file.sources().numFiles(); ++i) {
    sha.update(file.sources().path(i));
    sha.update(file.sources().text(i));
  }
  ssmrt::StatusOr<std::string> dir = ssmrt::cacheDirectory("programs");
  std::string cached = dir.ok() ? *dir + "/" + hexDigest(sha.final()) + ".ssmx" : "";
  struct stat st;
  if (!dir.ok())
    console.note("not caching the compiled program: " + dir.status().message());
  else if (stat(cached.c_str(), &st) == 0) {
    ssmrt::StatusOr<ssmrt::Program> program = ssmrt::readArtifactFile(cached);
    if (program.ok())
      return program;
    console.note("compiling again: " + program.status().message());
  }
  auto compile = [&](bool cuda) -> ssmrt::StatusOr<ssmrt::Program> {
    mlir::MLIRContext context;
    context.printOpOnDiagnostic(false);
    CompileOptions options;
    options.cuda = cuda;
    options.tuningDb = tuningDb;
    Compiler compiler(context, file.graph(), file.sources(), options);
    if (failed(compiler.lower()) || failed(compiler.fuse()) ||
        (cuda && failed(compiler.lowerCUDA())) || failed(compiler.outline()))
      return ssmrt::Status::error(path + ": compilation failed" +
                                  (compiler.error().empty() ? "" : ": " + compiler.error()));
    mlir::FailureOr<ssmrt::Program> program = compiler.buildProgram();
    if (failed(program))
      return ssmrt::Status::error(path + ": compiling the kernels failed: " + compiler.error());
    return std::move(*program);
  };
  console.busy("compiling " + path);
  ssmrt::StatusOr<ssmrt::Program> program = compile(!arch.empty());
  if (!program.ok() && !arch.empty() && device == "auto") {
    console.note(path + " has no CUDA code (" + program.status().message() +
                 "); compiling for the CPU only");
    program = compile(false);
  }
  console.clear();
  if (!program.ok())
    return program.status();
  if (!cached.empty()) {
    std::vector<uint8_t> bytes = ssmrt::writeArtifact(*program);
    if (ssmrt::Status st = ssmrt::writeFileAtomically(cached, bytes.data(), bytes.size()); !st.ok())
      console.note("not caching the compiled program: " + st.message());
  }
  return std::move(*program);
}

} // namespace

ssmrt::StatusOr<ssmrt::Program> ssmc::loadProgramSource(const std::string &source,
                                                        std::string &weightsDir,
                                                        const std::string &device,
                                                        const TuningFlags &tuning,
                                                        cli::Console &console) {
  struct stat st;
  if (stat(source.c_str(), &st) != 0)
    return ssmrt::Status::error(source + ": no such file or directory");
  fe::ModelFile file({fe::defaultModelsDir()});
  if (S_ISDIR(st.st_mode)) {
    ssmrt::StatusOr<std::string> text = importHuggingFaceConfig(source + "/config.json");
    if (!text.ok())
      return text.status();
    if (weightsDir.empty())
      weightsDir = source;
    std::string path = source + "/config.json (imported)";
    if (!file.loadText(path, std::move(*text)))
      return ssmrt::Status::error("the model imported from " + source +
                                  "/config.json does not "
                                  "check:\n" +
                                  file.error());
    return compileModel(file, path, device, tuning, console);
  }
  if (llvm::StringRef(source).ends_with(".ssmx"))
    return ssmrt::readArtifactFile(source);
  if (!file.load(source))
    return ssmrt::Status::error("the model file does not check:\n" + file.error());
  return compileModel(file, source, device, tuning, console);
}
