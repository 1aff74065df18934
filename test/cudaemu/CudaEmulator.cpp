//===- CudaEmulator.cpp - run emitted CUDA kernels on the host ------------===//
#include "CudaEmulator.h"

#include <cctype>
#include <cstdlib>
#include <dlfcn.h>
#include <fstream>
#include <sstream>
#include <unistd.h>

using ssmrt::Status;
using ssmrt::StatusOr;

namespace ssmc::cudaemu {
namespace {

/// The most compiler output a compile error quotes.
constexpr size_t kMaxCompilerOutput = 16384;

/// A fresh directory under $TMPDIR (or /tmp), removed with the files
/// EmulatedKernel::compile writes into it when destroyed.
class ScratchDir {
public:
  static StatusOr<std::unique_ptr<ScratchDir>> create() {
    const char *tmp = std::getenv("TMPDIR");
    std::string pattern = std::string(tmp && *tmp ? tmp : "/tmp") + "/ssmc-cuda-emu-XXXXXX";
    if (!mkdtemp(pattern.data()))
      return Status::error("cannot create a directory like " + pattern);
    return std::unique_ptr<ScratchDir>(new ScratchDir(pattern));
  }
  ~ScratchDir() {
    for (const char *name : {"kernel.cpp", "kernel.so", "compile.log"})
      unlink(file(name).c_str());
    rmdir(path_.c_str());
  }
  std::string file(const char *name) const { return path_ + "/" + name; }

private:
  explicit ScratchDir(std::string path) : path_(std::move(path)) {}
  std::string path_;
};

bool isIdentifier(const std::string &text) {
  if (text.empty() || std::isdigit(static_cast<unsigned char>(text[0])))
    return false;
  for (char c : text)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_')
      return false;
  return true;
}

/// |text| as one word for /bin/sh.
std::string shellQuote(const std::string &text) {
  std::string quoted = "'";
  for (char c : text)
    quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return quoted + "'";
}

std::string readFile(const std::string &path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

/// Where launch() lays out one argument for the entry to read.
union ArgSlot {
  void *pointer;
  int32_t int32;
  uint32_t uint32;
  int64_t int64;
  uint64_t uint64;
  float f32;
  double f64;
};

const char *describe(EmuArg::Kind kind) {
  switch (kind) {
  case EmuArg::Kind::Pointer: return "a pointer";
  case EmuArg::Kind::Integer: return "an integer";
  case EmuArg::Kind::Real: return "a floating-point number";
  }
  return "?";
}

/// Stores |arg| into |slot| as a value of |param|'s type.
Status storeArg(const KernelParam &param, const EmuArg &arg, ArgSlot &slot) {
  EmuArg::Kind wanted = param.kind == ParamKind::Pointer ? EmuArg::Kind::Pointer
                        : param.kind == ParamKind::Float || param.kind == ParamKind::Double
                            ? EmuArg::Kind::Real
                            : EmuArg::Kind::Integer;
  if (arg.kind() != wanted)
    return Status::error(std::string("needs ") + describe(wanted) + ", got " +
                         describe(arg.kind()));
  int64_t value = arg.integer();
  auto fits = [&](int64_t low, int64_t high) {
    return !arg.tooLarge() && value >= low && value <= high;
  };
  bool inRange = true;
  switch (param.kind) {
  case ParamKind::Pointer: slot.pointer = arg.pointer(); break;
  case ParamKind::Int32:
    slot.int32 = int32_t(value);
    inRange = fits(INT32_MIN, INT32_MAX);
    break;
  case ParamKind::UInt32:
    slot.uint32 = uint32_t(value);
    inRange = fits(0, UINT32_MAX);
    break;
  case ParamKind::Int64:
    slot.int64 = value;
    inRange = !arg.tooLarge();
    break;
  case ParamKind::UInt64:
    slot.uint64 = uint64_t(value); // a tooLarge() value wraps back to itself
    inRange = arg.tooLarge() || value >= 0;
    break;
  case ParamKind::Float: slot.f32 = float(arg.real()); break;
  case ParamKind::Double: slot.f64 = arg.real(); break;
  }
  if (!inRange)
    return Status::error(
        (arg.tooLarge() ? std::to_string(uint64_t(value)) : std::to_string(value)) +
        " is out of range");
  return ssmrt::okStatus();
}

} // namespace

StatusOr<std::unique_ptr<EmulatedKernel>>
EmulatedKernel::compile(const std::string &source, const std::string &entryName,
                        const std::vector<std::pair<std::string, int64_t>> &defines) {
  if (!isIdentifier(entryName))
    return Status::error("kernel name '" + entryName + "' is not an identifier");
  StatusOr<std::vector<KernelParam>> params = parseKernelSignature(source, entryName);
  if (!params.ok())
    return params.status();

  std::string defineFlags;
  for (const auto &[name, value] : defines) {
    if (!isIdentifier(name))
      return Status::error("kernel '" + entryName + "': define '" + name +
                           "' is not an identifier");
    defineFlags += " -D" + name + "=" + std::to_string(value);
  }

  StatusOr<std::unique_ptr<ScratchDir>> dir = ScratchDir::create();
  if (!dir.ok())
    return dir.status().withPrefix("kernel '" + entryName + "'");
  std::string sourcePath = (*dir)->file("kernel.cpp");
  std::string libraryPath = (*dir)->file("kernel.so");
  std::string logPath = (*dir)->file("compile.log");
  std::ofstream sourceFile(sourcePath);
  sourceFile << source << callShim(entryName, *params);
  if (!sourceFile.flush())
    return Status::error("kernel '" + entryName + "': cannot write " + sourcePath);

  const char *cxx = std::getenv("CXX");
  std::string command = std::string(cxx && *cxx ? cxx : "c++") +
                        " -std=c++17 -O1 -shared -fPIC -pthread -w"
                        // Keeps the statics of inline functions (and so
                        // their __shared__ arrays) private to this kernel.
                        " -fvisibility=hidden -include " +
                        shellQuote(SSMC_CUDA_EMU_HEADER);
  command += defineFlags;
  command += " -o " + shellQuote(libraryPath) + " " + shellQuote(sourcePath);
  if (std::system((command + " >" + shellQuote(logPath) + " 2>&1").c_str()) != 0) {
    std::string output = readFile(logPath);
    if (output.size() > kMaxCompilerOutput)
      output = output.substr(0, kMaxCompilerOutput) + "\n[...]";
    return Status::error("kernel '" + entryName + "' does not compile for the host (" + command +
                         "):\n" + output);
  }

  std::unique_ptr<EmulatedKernel> kernel(new EmulatedKernel());
  kernel->name_ = entryName;
  kernel->params_ = std::move(*params);
  kernel->usesShared_ = stripComments(source).find("__shared__") != std::string::npos;
  kernel->library_ = dlopen(libraryPath.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!kernel->library_)
    return Status::error("kernel '" + entryName + "': cannot load " + libraryPath + ": " +
                         dlerror());
  kernel->call_ = reinterpret_cast<ssmc_emu_call_fn>(dlsym(kernel->library_, "ssmc_emu_call"));
  if (!kernel->call_)
    return Status::error("kernel '" + entryName + "': " + libraryPath + " lacks ssmc_emu_call");
  return kernel;
}

EmulatedKernel::~EmulatedKernel() {
  if (library_)
    dlclose(library_);
}

Status EmulatedKernel::launch(Dim3 grid, Dim3 block, const std::vector<EmuArg> &args,
                              bool cooperative) {
  std::string prefix = "kernel '" + name_ + "'";
  if (args.size() != params_.size()) {
    std::string signature;
    for (const KernelParam &param : params_)
      signature += (signature.empty() ? "" : ", ") + param.declaration();
    return Status::error(prefix + " takes " + std::to_string(params_.size()) + " arguments (" +
                         signature + "), got " + std::to_string(args.size()));
  }
  std::vector<ArgSlot> slots(args.size());
  std::vector<void *> slotPointers(args.size());
  for (size_t i = 0; i < args.size(); ++i) {
    SSMRT_RETURN_IF_ERROR(storeArg(params_[i], args[i], slots[i])
                              .withPrefix(prefix + ": argument " + std::to_string(i) + " (" +
                                          params_[i].declaration() + ")"));
    slotPointers[i] = &slots[i];
  }
  if (cooperative && usesShared_)
    return Status::error(prefix + " uses __shared__, which a cooperative launch cannot "
                                  "emulate (all its blocks run at once and would share it)");
  std::lock_guard<std::mutex> lock(launchMutex_);
  return runGrid(call_, slotPointers.data(), grid, block, cooperative, timeout_).withPrefix(prefix);
}

} // namespace ssmc::cudaemu
