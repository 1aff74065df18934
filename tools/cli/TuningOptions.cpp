//===- TuningOptions.cpp - --tuning-db and --no-tuning --------------------===//
#include "tools/cli/TuningOptions.h"

#include "runtime/io/Files.h"
#include "runtime/io/Sha256.h"
#include "runtime/tuning/TuningDb.h"

#include <sys/stat.h>

using namespace ssmc;

void ssmc::addTuningOptions(cli::ArgParser &parser, TuningFlags &flags, bool tune) {
  parser.option("tuning-db", &flags.db, "FILE",
                tune ? "the tuning database to add to (default: this CPU's, in the cache "
                       "directory)"
                     : "the tuning database whose configurations the kernels use: a model's CPU "
                       "kernels as they are compiled, CUDA kernels as they load (default: the "
                       "device's own, in the cache directory, when there is one)");
  if (!tune)
    parser.flag("no-tuning", &flags.off,
                "use the kernels' default configurations, ignoring any tuning database");
}

std::string ssmc::tuningDbPath(const TuningFlags &flags, const cli::Console &console,
                               const ssmrt::DeviceKey &key) {
  if (!flags.db.empty())
    return flags.db;
  ssmrt::StatusOr<std::string> path = ssmrt::TuningDb::defaultPath(key, /*create=*/true);
  if (!path.ok()) {
    console.warn("no tuning database: " + path.status().message());
    return "";
  }
  return *path;
}

std::string ssmc::tuningDbToUse(const TuningFlags &flags, const cli::Console &console,
                                std::string &digest) {
  digest.clear();
  if (flags.off)
    return "";
  // Without --tuning-db, this CPU's database when there is one (silently
  // none when the cache directory cannot even be named).
  std::string path = flags.db;
  if (path.empty()) {
    ssmrt::StatusOr<std::string> p =
        ssmrt::TuningDb::defaultPath(ssmrt::cpuDeviceKey(), /*create=*/false);
    struct stat st;
    if (!p.ok() || stat(p->c_str(), &st) != 0)
      return "";
    path = *p;
  }
  std::vector<uint8_t> bytes;
  if (!ssmrt::readWholeFile(path, bytes)) {
    console.warn("tuning database " + path + " cannot be read; using the default configurations");
    return "";
  }
  std::string text(bytes.begin(), bytes.end());
  ssmrt::StatusOr<ssmrt::TuningDb> db = ssmrt::TuningDb::parse(text, path, ssmrt::cpuDeviceKey());
  if (!db.ok()) {
    console.warn("ignoring the tuning database: " + db.status().message());
    return "";
  }
  digest = ssmrt::toHex(ssmrt::Sha256::hash(bytes.data(), bytes.size()));
  return path;
}
