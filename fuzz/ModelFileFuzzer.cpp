//===- ModelFileFuzzer.cpp - fuzz the .ssm lexer, parser and elaborator ---===//
//
// The input is a root model file; imports resolve against the real
// standard library so that fuzzed models reach the elaborator.
//
//===----------------------------------------------------------------------===//
#include "frontend/ModelFile.h"

#include <cstdint>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  ssmc::fe::ModelFile file({ssmc::fe::defaultModelsDir()});
  bool ok = file.loadText("fuzz.ssm", std::string(reinterpret_cast<const char *>(data), size));
  // A failure must come with a message in the documented form.
  if (!ok && file.error().find("error: ") == std::string::npos)
    __builtin_trap();
  return 0;
}
