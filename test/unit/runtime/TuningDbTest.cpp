//===- TuningDbTest.cpp - the tuning database's file and its choices ------===//
//
// Records round-trip through the file; files that are not databases, are
// for another device, are cut short or have a bad line are refused naming
// the file and line; append() replaces such a file; writers on several
// threads lose no record; best() picks by bucket, ignores other versions and
// rejected configurations, and keeps the default unless another is clearly
// faster.
//
//===----------------------------------------------------------------------===//
#include "runtime/tuning/TuningDb.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <sstream>
#include <thread>
#include <unistd.h>

using namespace ssmrt;

namespace {

DeviceKey testKey(const std::string &name = "test") { return DeviceKey{"cpu", {{"key", name}}}; }

TuningRecord record(const std::string &function, int64_t tokens, int64_t vw, double seconds,
                    bool isDefault = false) {
  TuningRecord r;
  r.kernel = "ssm.rmsnorm|memref<?x8xf32>|eps=1.0";
  r.function = function;
  r.batch = function == "decode" ? tokens : 1;
  r.tokens = tokens;
  r.threads = 2;
  r.config = {{"vector_width", vw}, {"chunks_per_thread", 1}};
  r.isDefault = isDefault;
  r.seconds = seconds;
  r.version = ssmcVersion();
  return r;
}

std::string tempPath(const char *name) {
  return ::testing::TempDir() + "/" + name + "-" + std::to_string(::getpid()) + ".jsonl";
}

std::string readText(const std::string &path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

void writeText(const std::string &path, const std::string &text) {
  std::ofstream(path, std::ios::trunc) << text;
}

TEST(TuningDb, RecordsRoundTripThroughTheFile) {
  std::string path = tempPath("roundtrip");
  std::remove(path.c_str());
  TuningRecord rejected = record("prefill", 512, 4, 0);
  rejected.rejected = true;
  rejected.reason = "outputs differ: \"quoted\"\n and a newline";
  std::vector<TuningRecord> records = {record("prefill", 512, 16, 1.25e-4, true),
                                       record("decode", 1, 8, 3.5e-7), rejected};
  ASSERT_TRUE(TuningDb::append(path, testKey(), records).ok());
  ASSERT_TRUE(TuningDb::append(path, testKey(), {record("prefill", 64, 8, 2e-5)}).ok());
  StatusOr<TuningDb> db = TuningDb::read(path, testKey());
  ASSERT_TRUE(db.ok()) << db.status().message();
  ASSERT_EQ(db->records().size(), 4u);
  for (size_t i = 0; i < 3; ++i)
    EXPECT_EQ(formatRecord(db->records()[i]), formatRecord(records[i]));
  EXPECT_EQ(db->records()[2].reason, rejected.reason);
  EXPECT_DOUBLE_EQ(db->records()[0].seconds, 1.25e-4);
  // One header line, then one line per record.
  std::string text = readText(path);
  EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), 5);
  EXPECT_NE(text.find("\"format\": \"ssmc-tuning-db\""), std::string::npos);
  std::remove(path.c_str());
}

TEST(TuningDb, MissingOrEmptyFileIsAnEmptyDatabase) {
  StatusOr<TuningDb> db = TuningDb::read(tempPath("missing"), testKey());
  ASSERT_TRUE(db.ok());
  EXPECT_TRUE(db->records().empty());
  EXPECT_TRUE(TuningDb::parse("", "empty.jsonl", testKey()).ok());
}

TEST(TuningDb, RefusesBadFilesNamingFileAndLine) {
  std::string header = "{\"format\": \"ssmc-tuning-db\", \"format_version\": 1, \"device\": " +
                       std::string("\"cpu: key=test\"}\n");
  std::string good = formatRecord(record("prefill", 512, 16, 1e-4, true)) + "\n";
  struct Case {
    std::string text, message;
  } cases[] = {
      {"{\"format\": \"other\"}\n", "db.jsonl:1: not an ssmc tuning database"},
      {"not json\n", "db.jsonl:1"},
      {header.substr(0, header.size() - 1), "its last line is cut short"},
      {header + good.substr(0, good.size() / 2) + "\n", "db.jsonl:2"},
      {"{\"format\": \"ssmc-tuning-db\", \"format_version\": 2, \"device\": \"cpu: key=test\"}\n",
       "this ssmc reads 1"},
      {"{\"format\": \"ssmc-tuning-db\", \"format_version\": 1, \"device\": \"cpu: key=x\"}\n",
       "the database is for another device (cpu: key=x), not this one (cpu: key=test)"},
      {header + good + "[1, 2]\n", "db.jsonl:3"},
      {header + "{\"kernel\": \"k\"}\n", "db.jsonl:2: missing key 'function'"},
  };
  for (const Case &c : cases) {
    StatusOr<TuningDb> db = TuningDb::parse(c.text, "db.jsonl", testKey());
    ASSERT_FALSE(db.ok()) << c.text;
    EXPECT_NE(db.status().message().find(c.message), std::string::npos)
        << db.status().message() << "\n  expected: " << c.message;
    EXPECT_EQ(db.status().message().rfind("db.jsonl", 0), 0u) << db.status().message();
  }
  // Bad values of each field.
  std::string line = formatRecord(record("prefill", 512, 16, 1e-4, true));
  auto with = [&](const std::string &from, const std::string &to) {
    std::string s = line;
    s.replace(s.find(from), from.size(), to);
    return header + s + "\n";
  };
  for (auto [from, to, message] :
       {std::tuple<std::string, std::string, std::string>{"\"prefill\"", "\"train\"", "function"},
        {"\"tokens\": 512", "\"tokens\": 0", "tokens"},
        {"\"vector_width\": 16", "\"vector_width\": -4", "vector_width"},
        {"\"vector_width\": 16", "\"vector_width\": 1.5", "vector_width"},
        {"\"seconds\": 0.0001", "\"seconds\": -1", "seconds"},
        {"\"status\": \"timed\"", "\"status\": \"lost\"", "status"},
        {"\"default\": true", "\"default\": true, \"extra\": 1", "extra"},
        {"\"kernel\": \"ssm.rmsnorm|memref<?x8xf32>|eps=1.0\"", "\"kernel\": \"\"", "kernel"}}) {
    StatusOr<TuningDb> db = TuningDb::parse(with(from, to), "db.jsonl", testKey());
    ASSERT_FALSE(db.ok()) << to;
    EXPECT_NE(db.status().message().find(message), std::string::npos) << db.status().message();
  }
}

TEST(TuningDb, AppendReplacesAFileItCannotRead) {
  std::string path = tempPath("replace");
  writeText(path, "garbage that is no database\n");
  std::string replaced;
  ASSERT_TRUE(TuningDb::append(path, testKey(), {record("decode", 1, 8, 1e-6)}, &replaced).ok());
  EXPECT_NE(replaced.find(".jsonl:1:1: unexpected character 'g'"), std::string::npos) << replaced;
  StatusOr<TuningDb> db = TuningDb::read(path, testKey());
  ASSERT_TRUE(db.ok()) << db.status().message();
  EXPECT_EQ(db->records().size(), 1u);
  // Another device's file is replaced too.
  replaced.clear();
  ASSERT_TRUE(
      TuningDb::append(path, testKey("other"), {record("decode", 1, 8, 1e-6)}, &replaced).ok());
  EXPECT_NE(replaced.find("another device"), std::string::npos) << replaced;
  std::remove(path.c_str());
}

TEST(TuningDb, ConcurrentWritersLoseNothing) {
  std::string path = tempPath("concurrent");
  std::remove(path.c_str());
  constexpr int kThreads = 8, kAppends = 25;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t)
    threads.emplace_back([&, t] {
      for (int i = 0; i < kAppends; ++i) {
        std::vector<TuningRecord> batch = {record("prefill", 1 + t, 8, 1e-6 * (i + 1)),
                                           record("decode", 1 + t, 16, 2e-6 * (i + 1))};
        ASSERT_TRUE(TuningDb::append(path, testKey(), batch).ok());
      }
    });
  for (std::thread &t : threads)
    t.join();
  StatusOr<TuningDb> db = TuningDb::read(path, testKey());
  ASSERT_TRUE(db.ok()) << db.status().message();
  EXPECT_EQ(db->records().size(), static_cast<size_t>(kThreads * kAppends * 2));
  std::remove(path.c_str());
}

TEST(TuningDb, BestPicksTheBucketAndTheFastestClearWinner) {
  std::vector<TuningRecord> records = {
      // prefill at 64 tokens: 4 lanes much faster, but 512 tokens is the bucket
      record("prefill", 64, 16, 10e-6, true), record("prefill", 64, 4, 1e-6),
      record("prefill", 512, 16, 100e-6, true), record("prefill", 512, 8, 80e-6),
      record("prefill", 512, 4, 70e-6),
      // decode at batch 1 and 8: 1 is the bucket; 8 lanes only 1% faster
      record("decode", 1, 16, 1.00e-6, true), record("decode", 1, 8, 0.99e-6),
      record("decode", 8, 16, 8e-6, true), record("decode", 8, 4, 1e-6)};
  TuningRecord rejected = record("prefill", 512, 4, 0);
  rejected.rejected = true;
  rejected.reason = "outputs differ";
  TuningRecord otherVersion = record("prefill", 512, 8, 1e-9);
  otherVersion.version = "0.0.1-other";
  records.push_back(otherVersion);

  TuningDb db = TuningDb::fromRecords(records);
  std::optional<TuningChoice> prefill = db.best(records[0].kernel, "prefill", ssmcVersion());
  ASSERT_TRUE(prefill);
  EXPECT_EQ(prefill->tokens, 512);
  EXPECT_EQ(prefill->config, records[4].config); // 4 lanes, 70 us
  EXPECT_DOUBLE_EQ(prefill->defaultSeconds, 100e-6);

  std::optional<TuningChoice> decode = db.best(records[0].kernel, "decode", ssmcVersion());
  ASSERT_TRUE(decode);
  EXPECT_EQ(decode->tokens, 1);
  EXPECT_EQ(decode->config, records[5].config) << "1% is within timing noise: the default stays";

  // A configuration some run rejected is not chosen, however fast.
  records.push_back(rejected);
  prefill = TuningDb::fromRecords(records).best(records[0].kernel, "prefill", ssmcVersion());
  ASSERT_TRUE(prefill);
  EXPECT_EQ(prefill->config, records[3].config); // 8 lanes, 80 us

  // Several timings of one configuration: the median counts.
  std::vector<TuningRecord> repeated = {record("decode", 1, 16, 10e-6, true),
                                        record("decode", 1, 8, 1e-6), record("decode", 1, 8, 20e-6),
                                        record("decode", 1, 8, 30e-6)};
  decode = TuningDb::fromRecords(repeated).best(repeated[0].kernel, "decode", ssmcVersion());
  ASSERT_TRUE(decode);
  EXPECT_EQ(decode->config, repeated[0].config);

  EXPECT_FALSE(db.best("ssm.other", "prefill", ssmcVersion()));
  EXPECT_FALSE(db.best(records[0].kernel, "prefill", "9.9.9"));
}

TEST(DeviceKey, TheCpuKeyNamesModelFeaturesThreadsAndCaches) {
  DeviceKey key = cpuDeviceKey();
  std::string text = key.text();
  for (const char *field : {"cpu: model=", "; features=", "; threads=", "; caches="})
    EXPECT_NE(text.find(field), std::string::npos) << text;
  EXPECT_EQ(key.id().size(), 16u);
  EXPECT_EQ(key.id(), cpuDeviceKey().id());
  EXPECT_NE(key.id(), testKey().id());
}

} // namespace
