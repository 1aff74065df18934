//===- DynamicLibraryTest.cpp - dlopen of the first loadable name ---------===//
#include "CudaTestSupport.h"

#include "runtime/cuda/DynamicLibrary.h"

#include <cstring>
#include <fstream>

using namespace ssmrt;
using namespace ssmrt::cuda;
using ssmrt::cuda::test::ScopedEnv;
using ssmrt::cuda::test::TempDir;

namespace {

TEST(DynamicLibraryTest, NamesEveryCandidateWhenNoneLoads) {
  StatusOr<DynamicLibrary> library =
      DynamicLibrary::openFirst({"libssmc-missing-a.so.1", "/nonexistent/libssmc-missing-b.so"});
  ASSERT_FALSE(library.ok());
  const std::string &message = library.status().message();
  EXPECT_NE(message.find("tried libssmc-missing-a.so.1, "
                         "/nonexistent/libssmc-missing-b.so"),
            std::string::npos)
      << message;
  EXPECT_EQ(message.find('\n'), std::string::npos) << message;
}

TEST(DynamicLibraryTest, PrefersTheErrorOfAFileThatExists) {
  TempDir dir;
  std::string bogus = dir.path() + "/libbogus.so";
  std::ofstream(bogus) << "not an ELF file";
  StatusOr<DynamicLibrary> library = DynamicLibrary::openFirst({"libssmc-missing.so", bogus});
  ASSERT_FALSE(library.ok());
  const std::string &message = library.status().message();
  EXPECT_NE(message.find(bogus), std::string::npos) << message;
  EXPECT_EQ(message.find("No such file"), std::string::npos) << message;
}

TEST(DynamicLibraryTest, LoadsTheFirstThatWorksAndResolvesSymbols) {
  StatusOr<DynamicLibrary> library =
      DynamicLibrary::openFirst({"libssmc-missing.so", "libc.so.6", "libm.so.6"});
  ASSERT_TRUE(library.ok()) << library.status().message();
  EXPECT_EQ(library->name(), "libc.so.6");

  size_t (*length)(const char *) = nullptr;
  ASSERT_TRUE(library->resolve(length, "strlen").ok());
  EXPECT_EQ(length("four"), 4u);

  void (*missing)() = nullptr;
  Status status = library->resolve(missing, "ssmc_no_such_symbol");
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.message(), "libc.so.6 lacks the symbol 'ssmc_no_such_symbol'");
  EXPECT_EQ(missing, nullptr);
}

TEST(DynamicLibraryTest, MovedFromLibraryResolvesNothing) {
  StatusOr<DynamicLibrary> library = DynamicLibrary::openFirst({"libc.so.6"});
  ASSERT_TRUE(library.ok());
  DynamicLibrary moved = std::move(*library);
  EXPECT_NE(moved.symbol("strlen"), nullptr);
  EXPECT_EQ(library->symbol("strlen"), nullptr);
}

TEST(DynamicLibraryTest, CandidatesPreferNewerSonamesThenLocations) {
  ScopedEnv home("CUDA_HOME", "/opt/cuda-test");
  ScopedEnv path("CUDA_PATH", nullptr);
  std::vector<std::string> expected = {"libnvrtc.so.13",
                                       "/opt/cuda-test/lib64/libnvrtc.so.13",
                                       "/usr/local/cuda/lib64/libnvrtc.so.13",
                                       "libnvrtc.so.12",
                                       "/opt/cuda-test/lib64/libnvrtc.so.12",
                                       "/usr/local/cuda/lib64/libnvrtc.so.12"};
  EXPECT_EQ(cudaLibraryCandidates({"libnvrtc.so.13", "libnvrtc.so.12"}), expected);
}

TEST(DynamicLibraryTest, CandidatesHaveNoDuplicates) {
  ScopedEnv home("CUDA_HOME", "/usr/local/cuda");
  ScopedEnv path("CUDA_PATH", "");
  std::vector<std::string> expected = {"libcublas.so.13", "/usr/local/cuda/lib64/libcublas.so.13"};
  EXPECT_EQ(cudaLibraryCandidates({"libcublas.so.13"}), expected);
}

} // namespace
