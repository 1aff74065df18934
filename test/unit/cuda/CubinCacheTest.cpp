//===- CubinCacheTest.cpp - the on-disk cubin cache -----------------------===//
#include "CudaTestSupport.h"

#include "runtime/cuda/CubinCache.h"
#include "runtime/cuda/NvrtcCompiler.h"

#include <atomic>
#include <chrono>
#include <dirent.h>
#include <fstream>
#include <mutex>
#include <sys/stat.h>
#include <thread>
#include <unistd.h>

using namespace ssmrt;
using namespace ssmrt::cuda;
using ssmrt::cuda::test::kSaxpySource;
using ssmrt::cuda::test::ScopedEnv;
using ssmrt::cuda::test::TempDir;

namespace {

/// Stands in for NVRTC: counts compilations and returns an "image" that
/// depends on every input, so a wrong hit shows.
struct FakeCompiler {
  std::atomic<int> compilations{0};
  std::chrono::milliseconds delay{0};

  CubinCompiler compiler(const std::string &version = "fake 1.0") {
    CubinCompiler result;
    result.version = version;
    result.compile =
        [this](const std::string &source, const std::string &name, const std::string &arch,
               const std::vector<std::string> &options) -> StatusOr<std::vector<uint8_t>> {
      ++compilations;
      std::this_thread::sleep_for(delay);
      std::string image = "\x7f"
                          "ELF|" +
                          name + "|" + arch + "|" + source;
      for (const std::string &option : options)
        image += "|" + option;
      return std::vector<uint8_t>(image.begin(), image.end());
    };
    return result;
  }
};

/// Collects the reporter's lines (from any thread).
struct Reports {
  std::mutex mutex;
  std::vector<std::string> lines;

  CubinCache::Reporter reporter() {
    return [this](const std::string &line) {
      std::lock_guard<std::mutex> lock(mutex);
      lines.push_back(line);
    };
  }
};

std::vector<uint8_t> readFile(const std::string &path) {
  std::ifstream in(path, std::ios::binary);
  return std::vector<uint8_t>(std::istreambuf_iterator<char>(in), {});
}

void writeFile(const std::string &path, const std::vector<uint8_t> &bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char *>(bytes.data()), bytes.size());
}

bool exists(const std::string &path) { return ::access(path.c_str(), F_OK) == 0; }

std::vector<std::string> listDir(const std::string &dir) {
  std::vector<std::string> names;
  if (DIR *d = ::opendir(dir.c_str())) {
    while (dirent *entry = ::readdir(d))
      if (entry->d_name[0] != '.')
        names.push_back(entry->d_name);
    ::closedir(d);
  }
  return names;
}

class CubinCacheTest : public ::testing::Test {
protected:
  CubinCache openCache(const std::string &version = "fake 1.0") {
    StatusOr<CubinCache> cache =
        CubinCache::open(dir.path() + "/cuda", fake.compiler(version), reports.reporter());
    EXPECT_TRUE(cache.ok()) << cache.status().message();
    return std::move(*cache);
  }

  CubinKey key(const std::string &version = "fake 1.0") const {
    return {kSaxpySource, {"--use_fast_math"}, "sm_90", version, "ssmc 1"};
  }

  TempDir dir;
  FakeCompiler fake;
  Reports reports;
};

TEST_F(CubinCacheTest, MissThenHit) {
  CubinCache cache = openCache();
  EXPECT_FALSE(cache.lookup(key()).has_value());
  StatusOr<std::vector<uint8_t>> first =
      cache.getOrCompile(kSaxpySource, "saxpy", "sm_90", {"--use_fast_math"}, "ssmc 1");
  ASSERT_TRUE(first.ok()) << first.status().message();
  EXPECT_EQ(fake.compilations, 1);
  EXPECT_TRUE(exists(cache.entryPath(key())));

  StatusOr<std::vector<uint8_t>> second =
      cache.getOrCompile(kSaxpySource, "saxpy", "sm_90", {"--use_fast_math"}, "ssmc 1");
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(fake.compilations, 1);
  EXPECT_EQ(*first, *second);
  EXPECT_TRUE(reports.lines.empty());

  // A fresh cache object (another process, in effect) hits as well.
  EXPECT_EQ(openCache().lookup(key()), *first);
}

TEST_F(CubinCacheTest, EntryFileIsNamedByTheKeyDigest) {
  CubinCache cache = openCache();
  EXPECT_EQ(cache.entryPath(key()), dir.path() + "/cuda/" + toHex(key().digest()) + ".cubin");
}

TEST_F(CubinCacheTest, EveryKeyFieldMakesItsOwnEntry) {
  CubinCache cache = openCache();
  struct Request {
    std::string source, arch;
    std::vector<std::string> options;
    std::string compilerVersion;
  };
  const std::vector<Request> requests = {
      {kSaxpySource, "sm_90", {"--use_fast_math"}, "ssmc 1"},
      {kSaxpySource, "sm_90", {"--fmad=false"}, "ssmc 1"},
      {kSaxpySource, "sm_80", {"--use_fast_math"}, "ssmc 1"},
      {std::string(kSaxpySource) + "\n", "sm_90", {"--use_fast_math"}, "ssmc 1"},
      {kSaxpySource, "sm_90", {"--use_fast_math"}, "ssmc 2"},
  };
  for (const Request &r : requests)
    ASSERT_TRUE(cache.getOrCompile(r.source, "saxpy", r.arch, r.options, r.compilerVersion).ok());
  EXPECT_EQ(fake.compilations, int(requests.size()));
  EXPECT_EQ(listDir(dir.path() + "/cuda").size(), requests.size());
  for (const Request &r : requests)
    ASSERT_TRUE(cache.getOrCompile(r.source, "saxpy", r.arch, r.options, r.compilerVersion).ok());
  EXPECT_EQ(fake.compilations, int(requests.size()));
}

TEST_F(CubinCacheTest, AnotherCompilerVersionMisses) {
  ASSERT_TRUE(
      openCache("fake 1.0").getOrCompile(kSaxpySource, "saxpy", "sm_90", {}, "ssmc 1").ok());
  ASSERT_TRUE(
      openCache("fake 2.0").getOrCompile(kSaxpySource, "saxpy", "sm_90", {}, "ssmc 1").ok());
  EXPECT_EQ(fake.compilations, 2);
}

/// How a test damages the entry file.
struct Damage {
  const char *name;
  const char *reason;
  void (*apply)(const std::string &path, const CubinKey &key);
};

const Damage kDamages[] = {
    {"FlippedPayloadByte", "(checksum mismatch)",
     [](const std::string &path, const CubinKey &) {
       std::vector<uint8_t> bytes = readFile(path);
       bytes[bytes.size() - 3] ^= 0x40;
       writeFile(path, bytes);
     }},
    {"Truncated", "(truncated: ",
     [](const std::string &path, const CubinKey &) {
       std::vector<uint8_t> bytes = readFile(path);
       bytes.resize(bytes.size() / 2);
       writeFile(path, bytes);
     }},
    {"Empty", "(bad magic)",
     [](const std::string &path, const CubinKey &) { writeFile(path, {}); }},
    {"WrongMagic", "(bad magic)",
     [](const std::string &path, const CubinKey &) {
       std::vector<uint8_t> bytes = readFile(path);
       bytes[3] = 'X';
       writeFile(path, bytes);
     }},
    {"OtherArchsEntry", "(built for sm_80, not sm_90)",
     [](const std::string &path, const CubinKey &key) {
       CubinKey other = key;
       other.arch = "sm_80";
       writeFile(path, encodeCubinEntry(other, {0x7f, 'E', 'L', 'F'}));
     }},
};

class CubinCacheDamageTest : public CubinCacheTest, public ::testing::WithParamInterface<Damage> {};

TEST_P(CubinCacheDamageTest, IsReportedDeletedAndRebuilt) {
  CubinCache cache = openCache();
  StatusOr<std::vector<uint8_t>> original =
      cache.getOrCompile(kSaxpySource, "saxpy", "sm_90", {"--use_fast_math"}, "ssmc 1");
  ASSERT_TRUE(original.ok());
  const std::string path = cache.entryPath(key());
  GetParam().apply(path, key());

  // lookup() alone reports and deletes.
  EXPECT_FALSE(cache.lookup(key()).has_value());
  ASSERT_EQ(reports.lines.size(), 1u);
  EXPECT_EQ(reports.lines[0].rfind("cubin cache: entry " + path + " is corrupt ", 0), 0u)
      << reports.lines[0];
  EXPECT_NE(reports.lines[0].find(GetParam().reason), std::string::npos) << reports.lines[0];
  EXPECT_NE(reports.lines[0].find("), rebuilding"), std::string::npos);
  EXPECT_FALSE(exists(path));

  // Damage it again: getOrCompile recompiles and the fresh entry works.
  ASSERT_TRUE(cache.store(key(), *original).ok());
  GetParam().apply(path, key());
  StatusOr<std::vector<uint8_t>> rebuilt =
      cache.getOrCompile(kSaxpySource, "saxpy", "sm_90", {"--use_fast_math"}, "ssmc 1");
  ASSERT_TRUE(rebuilt.ok());
  EXPECT_EQ(*rebuilt, *original);
  EXPECT_EQ(fake.compilations, 2);
  EXPECT_EQ(reports.lines.size(), 2u);
  EXPECT_EQ(cache.lookup(key()), *original);
  EXPECT_EQ(reports.lines.size(), 2u);
}

INSTANTIATE_TEST_SUITE_P(Damages, CubinCacheDamageTest, ::testing::ValuesIn(kDamages),
                         [](const ::testing::TestParamInfo<Damage> &info) {
                           return std::string(info.param.name);
                         });

TEST_F(CubinCacheTest, ConcurrentWritersLeaveIntactEntries) {
  // Both threads miss on every key (the compile is slow) and both store.
  fake.delay = std::chrono::milliseconds(5);
  constexpr int kKeys = 20;
  auto work = [&] {
    CubinCache cache = openCache();
    for (int i = 0; i < kKeys; ++i)
      EXPECT_TRUE(
          cache.getOrCompile(kSaxpySource, "saxpy", "sm_90", {"-DI=" + std::to_string(i)}, "ssmc 1")
              .ok());
  };
  std::thread a(work), b(work);
  a.join();
  b.join();
  EXPECT_GE(fake.compilations, kKeys);

  CubinCache cache = openCache();
  for (int i = 0; i < kKeys; ++i) {
    CubinKey k = key();
    k.options = {"-DI=" + std::to_string(i)};
    EXPECT_TRUE(cache.lookup(k).has_value()) << i;
  }
  EXPECT_TRUE(reports.lines.empty()) << reports.lines.front();
  // Only entries remain: no temporary files.
  EXPECT_EQ(listDir(dir.path() + "/cuda").size(), size_t(kKeys));
}

TEST_F(CubinCacheTest, ReadersNeverSeePartialEntries) {
  CubinCache cache = openCache();
  const std::vector<uint8_t> big(1 << 20, 0xab);
  ASSERT_TRUE(cache.store(key(), big).ok());
  std::atomic<bool> done{false};
  std::thread writer([&] {
    for (int i = 0; i < 50; ++i)
      EXPECT_TRUE(cache.store(key(), big).ok());
    done = true;
  });
  int hits = 0;
  do {
    std::optional<std::vector<uint8_t>> cubin = cache.lookup(key());
    hits += cubin.has_value();
    if (cubin) {
      EXPECT_EQ(cubin->size(), big.size());
    }
  } while (!done);
  writer.join();
  EXPECT_GT(hits, 0);
  EXPECT_TRUE(reports.lines.empty()) << reports.lines.front();
}

TEST_F(CubinCacheTest, CompileErrorsPassThroughAndStoreNothing) {
  CubinCompiler failing;
  failing.version = "fake";
  failing.compile = [](const std::string &, const std::string &name, const std::string &,
                       const std::vector<std::string> &) -> StatusOr<std::vector<uint8_t>> {
    return Status::error("kernel '" + name + "': does not compile");
  };
  StatusOr<CubinCache> cache = CubinCache::open(dir.path() + "/cuda", failing, reports.reporter());
  ASSERT_TRUE(cache.ok());
  StatusOr<std::vector<uint8_t>> cubin = cache->getOrCompile("x", "bad", "sm_90", {}, "ssmc 1");
  ASSERT_FALSE(cubin.ok());
  EXPECT_EQ(cubin.status().message(), "kernel 'bad': does not compile");
  EXPECT_TRUE(listDir(dir.path() + "/cuda").empty());
}

TEST_F(CubinCacheTest, UnwritableDirectoryIsReportedNotFatal) {
  if (::geteuid() == 0)
    GTEST_SKIP() << "running as root: directory permissions do not apply";
  CubinCache cache = openCache();
  ASSERT_EQ(::chmod(cache.directory().c_str(), 0555), 0);
  StatusOr<std::vector<uint8_t>> cubin =
      cache.getOrCompile(kSaxpySource, "saxpy", "sm_90", {}, "ssmc 1");
  ::chmod(cache.directory().c_str(), 0755);
  ASSERT_TRUE(cubin.ok());
  ASSERT_EQ(reports.lines.size(), 1u);
  EXPECT_EQ(reports.lines[0].rfind("cubin cache: cannot create a file in ", 0), 0u)
      << reports.lines[0];
}

TEST_F(CubinCacheTest, OpenCreatesNestedDirectories) {
  std::string nested = dir.path() + "/a/b/c/cuda";
  StatusOr<CubinCache> cache = CubinCache::open(nested, fake.compiler());
  ASSERT_TRUE(cache.ok()) << cache.status().message();
  struct stat st;
  ASSERT_EQ(::stat(nested.c_str(), &st), 0);
  EXPECT_TRUE(S_ISDIR(st.st_mode));
}

TEST_F(CubinCacheTest, OpenFailsOnAFile) {
  std::string file = dir.path() + "/file";
  writeFile(file, {1});
  StatusOr<CubinCache> cache = CubinCache::open(file + "/cuda", fake.compiler());
  ASSERT_FALSE(cache.ok());
  EXPECT_EQ(cache.status().message().rfind("cubin cache: cannot create directory ", 0), 0u)
      << cache.status().message();
}

TEST(CubinCacheDirectoryTest, EnvironmentPrecedence) {
  ScopedEnv ssmc("SSMC_CACHE_DIR", "/x/ssmc-cache");
  ScopedEnv xdg("XDG_CACHE_HOME", "/x/xdg");
  ScopedEnv home("HOME", "/x/home");
  EXPECT_EQ(*defaultCubinCacheDirectory(), "/x/ssmc-cache/cuda");
  {
    ScopedEnv unset("SSMC_CACHE_DIR", "");
    EXPECT_EQ(*defaultCubinCacheDirectory(), "/x/xdg/ssmc/cuda");
    ScopedEnv unsetXdg("XDG_CACHE_HOME", nullptr);
    EXPECT_EQ(*defaultCubinCacheDirectory(), "/x/home/.cache/ssmc/cuda");
    ScopedEnv unsetHome("HOME", nullptr);
    ScopedEnv tmp("TMPDIR", "/x/tmp");
    EXPECT_EQ(*defaultCubinCacheDirectory(),
              "/x/tmp/ssmc-cache-" + std::to_string(::getuid()) + "/cuda");
  }
}

TEST_F(CubinCacheTest, WithNvrtc) {
  SSMRT_SKIP_WITHOUT_NVRTC();
  StatusOr<CubinCompiler> nvrtc = nvrtcCubinCompiler();
  ASSERT_TRUE(nvrtc.ok()) << nvrtc.status().message();
  int compilations = 0;
  CubinCompiler counting = *nvrtc;
  counting.compile = [&](const std::string &source, const std::string &name,
                         const std::string &arch, const std::vector<std::string> &options) {
    ++compilations;
    return nvrtc->compile(source, name, arch, options);
  };
  StatusOr<CubinCache> cache = CubinCache::open(dir.path() + "/cuda", counting, reports.reporter());
  ASSERT_TRUE(cache.ok());
  EXPECT_EQ(cache->compilerVersion(), nvrtcInfo()->version());
  StatusOr<std::vector<uint8_t>> first =
      cache->getOrCompile(kSaxpySource, "saxpy", "sm_90", {"--use_fast_math"}, "ssmc 1");
  ASSERT_TRUE(first.ok()) << first.status().message();
  ASSERT_GT(first->size(), 4u);
  EXPECT_EQ((*first)[0], 0x7f);
  StatusOr<std::vector<uint8_t>> second =
      cache->getOrCompile(kSaxpySource, "saxpy", "sm_90", {"--use_fast_math"}, "ssmc 1");
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(*first, *second);
  EXPECT_EQ(compilations, 1);
}

} // namespace
