//===- NvrtcCompiler.cpp - CUDA C++ to PTX and cubin with NVRTC -----------===//
#include "runtime/cuda/NvrtcCompiler.h"
#include "runtime/cuda/NvrtcSymbols.h"

#include <algorithm>
#include <cctype>

using namespace ssmrt;
using namespace ssmrt::cuda;

namespace {

/// "sm_90a" is {virtual: false, number: 90, suffix: "a"}.
struct Arch {
  bool isVirtual = false;
  int number = 0;
  std::string suffix;

  std::string real() const { return "sm_" + std::to_string(number) + suffix; }
  std::string virt() const { return "compute_" + std::to_string(number) + suffix; }
};

bool parseArch(const std::string &text, Arch &arch) {
  std::string rest;
  if (text.rfind("sm_", 0) == 0) {
    rest = text.substr(3);
  } else if (text.rfind("compute_", 0) == 0) {
    arch.isVirtual = true;
    rest = text.substr(8);
  } else {
    return false;
  }
  size_t digits = 0;
  while (digits < rest.size() && std::isdigit((unsigned char)rest[digits]))
    ++digits;
  // The family suffixes: "a" (arch-specific, sm_90a) and "f" (sm_100f).
  arch.suffix = rest.substr(digits);
  if (digits == 0 || digits > 4 ||
      !(arch.suffix.empty() || arch.suffix == "a" || arch.suffix == "f"))
    return false;
  arch.number = std::stoi(rest.substr(0, digits));
  return true;
}

/// Whether |option| picks the architecture, which only |arch| may do.
bool isArchOption(const std::string &option) {
  for (const char *prefix : {"-arch", "--gpu-architecture", "--gpu-name"})
    if (option.rfind(prefix, 0) == 0)
      return true;
  return false;
}

/// Destroys the program on every return path.
class Program {
public:
  explicit Program(const NvrtcSymbols &nvrtc) : nvrtc_(nvrtc) {}
  Program(const Program &) = delete;
  Program &operator=(const Program &) = delete;
  ~Program() {
    if (handle_)
      nvrtc_.nvrtcDestroyProgram(&handle_);
  }
  nvrtcProgram *out() { return &handle_; }
  nvrtcProgram get() const { return handle_; }

private:
  const NvrtcSymbols &nvrtc_;
  nvrtcProgram handle_ = nullptr;
};

/// Drops the terminating NUL of NVRTC's strings and, with |lineBreaks|, the
/// line breaks before it.
void trimEnd(std::string &text, bool lineBreaks) {
  while (!text.empty() && (text.back() == '\0' || (lineBreaks && text.back() == '\n')))
    text.pop_back();
}

/// Checks that |info|'s NVRTC can compile for |arch| (what |wantCubin| asks
/// of it); |kernel| names the kernel in messages.
StatusOr<Arch> resolveArch(const NvrtcInfo &info, const std::string &arch, bool wantCubin,
                           const std::string &kernel) {
  Arch target;
  if (!parseArch(arch, target))
    return Status::error(kernel + ": invalid CUDA architecture '" + arch +
                         "' (expected sm_90, sm_90a or compute_90)");
  const std::vector<int> &supported = info.supportedArchs;
  if (std::find(supported.begin(), supported.end(), target.number) == supported.end()) {
    std::string list;
    for (int number : supported)
      list += (list.empty() ? "sm_" : " sm_") + std::to_string(number);
    return Status::error("NVRTC " + info.version() + " cannot compile for " + arch +
                         "; supported: " + list);
  }
  if (wantCubin && target.isVirtual)
    return Status::error(kernel + ": a cubin needs a real architecture, not " + arch + " (use " +
                         target.real() + ")");
  return target;
}

/// NVRTC's log for |program|, without the trailing line break; empty if
/// there is none.
std::string programLog(const NvrtcSymbols &nvrtc, nvrtcProgram program) {
  size_t size = 0;
  std::string log;
  if (nvrtc.nvrtcGetProgramLogSize(program, &size) != NVRTC_SUCCESS || size < 2)
    return log;
  log.resize(size);
  if (nvrtc.nvrtcGetProgramLog(program, log.data()) != NVRTC_SUCCESS)
    return "";
  trimEnd(log, /*lineBreaks=*/true);
  return log;
}

} // namespace

std::string NvrtcInfo::version() const {
  return std::to_string(major) + "." + std::to_string(minor);
}

StatusOr<NvrtcInfo> ssmrt::cuda::nvrtcInfo() {
  StatusOr<const NvrtcSymbols *> loaded = NvrtcSymbols::load();
  if (!loaded.ok())
    return loaded.status();
  const NvrtcSymbols &nvrtc = **loaded;
  NvrtcInfo info;
  int count = 0;
  SSMRT_RETURN_IF_ERROR(SSMRT_NVRTC_CALL(nvrtc, nvrtcVersion, &info.major, &info.minor));
  SSMRT_RETURN_IF_ERROR(SSMRT_NVRTC_CALL(nvrtc, nvrtcGetNumSupportedArchs, &count));
  info.supportedArchs.resize(std::max(count, 0));
  SSMRT_RETURN_IF_ERROR(
      SSMRT_NVRTC_CALL(nvrtc, nvrtcGetSupportedArchs, info.supportedArchs.data()));
  return info;
}

StatusOr<CompiledKernel> ssmrt::cuda::compile(const std::string &source, const std::string &name,
                                              const std::string &arch,
                                              const std::vector<std::string> &options,
                                              bool wantCubin) {
  const std::string kernel = "kernel '" + name + "'";
  StatusOr<NvrtcInfo> info = nvrtcInfo();
  if (!info.ok())
    return info.status().withPrefix(kernel);
  const NvrtcSymbols &nvrtc = **NvrtcSymbols::load();

  StatusOr<Arch> target = resolveArch(*info, arch, wantCubin, kernel);
  if (!target.ok())
    return target.status();

  // A real target makes NVRTC run the assembler; PTX alone needs only the
  // virtual one, and the PTX then says ".target sm_NN" either way.
  std::vector<std::string> allOptions = {"--gpu-architecture=" +
                                         (wantCubin ? target->real() : target->virt())};
  for (const std::string &option : options) {
    if (isArchOption(option))
      return Status::error(kernel + ": option '" + option +
                           "' is not allowed; the architecture argument "
                           "chooses the target");
    allOptions.push_back(option);
  }
  std::vector<const char *> optionPointers;
  for (const std::string &option : allOptions)
    optionPointers.push_back(option.c_str());

  Program program(nvrtc);
  const std::string fileName = name + ".cu";
  SSMRT_RETURN_IF_ERROR(SSMRT_NVRTC_CALL(nvrtc, nvrtcCreateProgram, program.out(), source.c_str(),
                                         fileName.c_str(), 0, nullptr, nullptr)
                            .withPrefix(kernel));
  nvrtcResult compiled =
      nvrtc.nvrtcCompileProgram(program.get(), int(optionPointers.size()), optionPointers.data());

  CompiledKernel result;
  result.log = programLog(nvrtc, program.get());
  if (compiled != NVRTC_SUCCESS)
    return Status::error(kernel + ": NVRTC " + info->version() + " failed to compile for " + arch +
                         " (" + nvrtc.nvrtcGetErrorString(compiled) + "):\n" +
                         (result.log.empty() ? std::string("(no log)") : result.log));

  size_t ptxSize = 0;
  if (nvrtc.nvrtcGetPTXSize(program.get(), &ptxSize) == NVRTC_SUCCESS && ptxSize > 1) {
    result.ptx.resize(ptxSize);
    SSMRT_RETURN_IF_ERROR(
        SSMRT_NVRTC_CALL(nvrtc, nvrtcGetPTX, program.get(), result.ptx.data()).withPrefix(kernel));
    trimEnd(result.ptx, /*lineBreaks=*/false);
  }
  if (wantCubin) {
    size_t cubinSize = 0;
    SSMRT_RETURN_IF_ERROR(
        SSMRT_NVRTC_CALL(nvrtc, nvrtcGetCUBINSize, program.get(), &cubinSize).withPrefix(kernel));
    if (cubinSize == 0)
      return Status::error(kernel + ": NVRTC produced no cubin for " + arch);
    result.cubin.resize(cubinSize);
    SSMRT_RETURN_IF_ERROR(SSMRT_NVRTC_CALL(nvrtc, nvrtcGetCUBIN, program.get(),
                                           reinterpret_cast<char *>(result.cubin.data()))
                              .withPrefix(kernel));
  } else if (result.ptx.empty()) {
    return Status::error(kernel + ": NVRTC produced no PTX for " + arch);
  }
  return result;
}
