//===- TuningDb.h - the persistent record of tuning measurements -*- C++ -*-===//
//
// One file per device (DeviceKey) in JSON Lines: a header line naming the
// format and the device, then one line per measured configuration of a
// kernel, timed or rejected with the reason (docs/tuning.md). Every
// measurement is kept, not only the winners; compilation asks best() for
// the fastest configuration of a kernel. Writers append whole lines under
// an exclusive lock (flock), so concurrent `ssmc tune` runs lose nothing.
//
//===----------------------------------------------------------------------===//
#ifndef SSMC_RUNTIME_TUNING_TUNINGDB_H
#define SSMC_RUNTIME_TUNING_TUNINGDB_H

#include "runtime/Status.h"
#include "runtime/tuning/DeviceKey.h"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ssmrt {

/// Parameter values of one kernel configuration, in the family's order.
using TuneConfig = std::vector<std::pair<std::string, int64_t>>;

/// "vector_width=16, chunks_per_thread=1".
std::string formatConfig(const TuneConfig &config);

struct TuningRecord {
  std::string kernel;   ///< the kernel's signature (op, operand types, attributes)
  std::string function; ///< "prefill" or "decode"
  int64_t batch = 1;
  int64_t tokens = 1; ///< token rows of the call tuned (batch x prompt, or batch)
  int64_t threads = 1;
  TuneConfig config;
  bool isDefault = false; ///< the configuration compilation uses without tuning
  bool rejected = false;
  double seconds = 0;  ///< median time of one call of the kernel (timed ones)
  std::string reason;  ///< why it was rejected
  std::string version; ///< of the ssmc that measured it
};

/// What one kernel's tuning found (ssmc tune's report).
struct KernelTuneResult {
  std::string kernel;   ///< signature
  std::string function; ///< prefill or decode
  int timed = 0, rejected = 0;
  double defaultSeconds = 0, bestSeconds = 0;
  TuneConfig best; ///< what best() chooses from these measurements
};

/// What compilation uses for one kernel: the fastest configuration timed at
/// the bucket best() chose, and the default's time there.
struct TuningChoice {
  TuneConfig config;
  double seconds = 0;
  double defaultSeconds = 0; ///< 0 when the default was not timed
  int64_t tokens = 0;
};

class TuningDb {
public:
  /// $SSMC_CACHE_DIR/tuning/<kind>-<id>.jsonl; the directory is created
  /// when |create| (for writers; readers need not touch the disk).
  static StatusOr<std::string> defaultPath(const DeviceKey &key, bool create);

  /// Reads |path| (a missing or empty file is an empty database). A file that
  /// is not a tuning database, one for another device, or one with a bad
  /// line is an error naming the file and line: callers report it in one
  /// line and go on without it.
  static StatusOr<TuningDb> read(const std::string &path, const DeviceKey &key);
  /// The same, from text (|name| for messages).
  static StatusOr<TuningDb> parse(std::string_view text, const std::string &name,
                                  const DeviceKey &key);

  /// Appends |records| to |path| under an exclusive lock, writing the header
  /// first into a new or empty file. A file read() refuses is replaced, and
  /// |replaced| (when given) says why.
  static Status append(const std::string &path, const DeviceKey &key,
                       const std::vector<TuningRecord> &records, std::string *replaced = nullptr);

  /// A database of |records| alone (not read from or written to a file).
  static TuningDb fromRecords(std::vector<TuningRecord> records) {
    TuningDb db;
    db.records_ = std::move(records);
    return db;
  }

  const std::vector<TuningRecord> &records() const { return records_; }

  /// The configuration to compile |kernel| of |function| with, from the
  /// timed records of |version| (the median where one was timed several
  /// times): prefill takes the bucket with the most tokens, decode the one
  /// with the fewest; in it, the fastest configuration not rejected by any
  /// record, unless the default was timed there and the fastest is not at
  /// least 3% faster. None when nothing matches.
  std::optional<TuningChoice> best(std::string_view kernel, std::string_view function,
                                   std::string_view version) const;

private:
  std::vector<TuningRecord> records_;
};

/// The version of ssmc records are measured by (and must match to count).
const char *ssmcVersion();

/// One record as its JSON line (without the newline).
std::string formatRecord(const TuningRecord &record);

} // namespace ssmrt

#endif // SSMC_RUNTIME_TUNING_TUNINGDB_H
