//===- TestData.cpp - paths and temp files for runtime unit tests ---------===//

#include "TestData.h"

#include <cstdlib>
#include <fstream>
#include <ftw.h>
#include <gtest/gtest.h>
#include <sstream>
#include <sys/stat.h>
#include <unistd.h>

namespace ssmrt::test {

std::string sourceDir() {
  const char *dir = std::getenv("SSMC_SOURCE_DIR");
  EXPECT_NE(dir, nullptr) << "SSMC_SOURCE_DIR is not set (run through ctest)";
  return dir ? dir : ".";
}

static bool isFile(const std::string &path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

std::string demoModelDir() {
  for (const char *dir : {"/models/demo", "/../shared/demo-model"}) {
    std::string path = sourceDir() + dir;
    if (isFile(path + "/config.json"))
      return path;
  }
  ADD_FAILURE() << "demo model not found under models/demo or "
                   "../shared/demo-model";
  return sourceDir() + "/models/demo";
}

std::string dataPath(const std::string &name) {
  return sourceDir() + "/test/unit/runtime/data/" + name;
}

std::string readFile(const std::string &path) {
  std::ifstream in(path, std::ios::binary);
  EXPECT_TRUE(in.good()) << "cannot read " << path;
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

void writeFile(const std::string &path, const std::string &bytes) {
  std::ofstream out(path, std::ios::binary);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  EXPECT_TRUE(out.good()) << "cannot write " << path;
}

TempDir::TempDir() {
  const char *tmp = std::getenv("TMPDIR");
  std::string pattern = std::string(tmp ? tmp : "/tmp") + "/ssmrt-test-XXXXXX";
  if (::mkdtemp(pattern.data()))
    path_ = pattern;
  else
    ADD_FAILURE() << "mkdtemp failed for " << pattern;
}

TempDir::~TempDir() {
  if (path_.empty())
    return;
  ::nftw(
      path_.c_str(),
      [](const char *p, const struct stat *, int, struct FTW *) { return ::remove(p); }, 16,
      FTW_DEPTH | FTW_PHYS);
}

std::string TempDir::file(const std::string &name) const { return path_ + "/" + name; }

} // namespace ssmrt::test
