//===- TestData.h - paths and temp files for runtime unit tests -*- C++ -*-===//
#ifndef SSMC_TEST_UNIT_RUNTIME_TESTDATA_H
#define SSMC_TEST_UNIT_RUNTIME_TESTDATA_H

#include <string>

namespace ssmrt::test {

/// The repository root: $SSMC_SOURCE_DIR (set by ctest).
std::string sourceDir();

/// The demo checkpoint: models/demo if vendored, else ../shared/demo-model.
std::string demoModelDir();

/// A file under test/unit/runtime/data/.
std::string dataPath(const std::string &name);

/// The contents of |path|; fails the current test if it cannot be read.
std::string readFile(const std::string &path);

/// Writes |bytes| to |path|; fails the current test on error.
void writeFile(const std::string &path, const std::string &bytes);

/// A fresh directory under $TMPDIR, removed with its contents on scope exit.
class TempDir {
public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir &) = delete;
  TempDir &operator=(const TempDir &) = delete;
  const std::string &path() const { return path_; }
  /// path() + "/" + name.
  std::string file(const std::string &name) const;

private:
  std::string path_;
};

} // namespace ssmrt::test

#endif // SSMC_TEST_UNIT_RUNTIME_TESTDATA_H
