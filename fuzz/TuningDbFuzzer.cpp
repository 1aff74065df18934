//===- TuningDbFuzzer.cpp - libFuzzer target for the tuning database ------===//
//
// Parses the input as a tuning database of a fixed device. Every error must
// name the file; every database read must survive writing its records out
// and reading them back, and choosing a configuration for each kernel.
//
//===----------------------------------------------------------------------===//

#include "runtime/tuning/TuningDb.h"

#include <cstdlib>

using namespace ssmrt;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  DeviceKey key{"cpu", {{"key", "fuzz"}}};
  std::string_view text(reinterpret_cast<const char *>(data), size);
  StatusOr<TuningDb> db = TuningDb::parse(text, "fuzz.jsonl", key);
  if (!db.ok()) {
    if (db.status().message().rfind("fuzz.jsonl", 0) != 0)
      std::abort();
    return 0;
  }
  std::string again = "{\"format\": \"ssmc-tuning-db\", \"format_version\": 1, \"device\": "
                      "\"cpu: key=fuzz\"}\n";
  for (const TuningRecord &r : db->records()) {
    again += formatRecord(r) + "\n";
    (void)db->best(r.kernel, r.function, r.version);
  }
  StatusOr<TuningDb> reread = TuningDb::parse(again, "again.jsonl", key);
  if (!reread.ok() || reread->records().size() != db->records().size())
    std::abort();
  for (size_t i = 0; i < db->records().size(); ++i)
    if (formatRecord(reread->records()[i]) != formatRecord(db->records()[i]))
      std::abort();
  return 0;
}
