//===- CacheCommand.cpp - list and clean the cache ------------------------===//
//
// The cache keeps one compiled program per model source (programs/*.ssmx),
// one shared object per set of CPU kernels (kernels-*.so) and one cubin per
// CUDA kernel (cuda/*.cubin); nothing removes them but this command. Only
// files of those three kinds are touched, whatever else the directory holds.
//
//===----------------------------------------------------------------------===//
#include "tools/cli/ArgParser.h"
#include "tools/cli/Commands.h"
#include "tools/cli/Console.h"

#include "runtime/engine/MemoryEstimate.h"
#include "runtime/io/Cache.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>

using namespace ssmc;
using namespace ssmc::cli;
namespace fs = std::filesystem;

namespace {

struct Entry {
  std::string kind; ///< "program", "cpu kernels", "cubin"
  fs::path path;
  int64_t bytes;
  double ageDays; ///< since it was last written
};

/// The cache's entries under |root|, oldest first.
std::vector<Entry> entries(const fs::path &root) {
  std::vector<Entry> out;
  auto now = fs::file_time_type::clock::now();
  auto add = [&](const fs::path &dir, const std::string &kind, const std::string &prefix,
                 const std::string &extension) {
    std::error_code ec;
    for (const fs::directory_entry &e : fs::directory_iterator(dir, ec)) {
      std::string name = e.path().filename().string();
      if (!e.is_regular_file(ec) || e.path().extension() != extension ||
          name.compare(0, prefix.size(), prefix) != 0)
        continue;
      double age = std::chrono::duration<double>(now - e.last_write_time(ec)).count() / 86400;
      out.push_back({kind, e.path(), static_cast<int64_t>(e.file_size(ec)), age});
    }
  };
  add(root / "programs", "program", "", ".ssmx");
  add(root, "cpu kernels", "kernels-", ".so");
  add(root / "cuda", "cubin", "", ".cubin");
  std::sort(out.begin(), out.end(),
            [](const Entry &a, const Entry &b) { return a.ageDays > b.ageDays; });
  return out;
}

std::string days(double d) {
  char buf[32];
  std::snprintf(buf, sizeof buf, d < 1 ? "%.1f h" : "%.0f d", d < 1 ? d * 24 : d);
  return buf;
}

} // namespace

int ssmc::cli::runCacheCommand(const std::string &tool, const std::vector<std::string> &args) {
  Console console(tool + " cache");
  std::string action;
  double olderThan = 0;
  bool dryRun = false;
  ArgParser parser(tool + " cache", tool + " cache (list | clean) [--older-than DAYS]",
                   "Lists or removes what ssmc keeps in its cache directory ($SSMC_CACHE_DIR,\n"
                   "else $XDG_CACHE_HOME/ssmc or ~/.cache/ssmc): compiled programs, CPU kernel\n"
                   "libraries and CUDA cubins. Each is rebuilt when needed again.");
  parser.positional("ACTION", &action, "list (the entries, oldest first) or clean (remove them)");
  parser
      .option("older-than", &olderThan, "DAYS",
              "only the entries last written more than DAYS days ago (default 0: all)")
      .atLeast(0);
  parser.flag("dry-run", &dryRun, "with clean: say what would be removed, remove nothing");
  if (std::optional<int> done = parser.parseOrReport(args))
    return *done;
  if (action != "list" && action != "clean")
    return console.fail("unknown action '" + action + "' (expected list or clean)");
  ssmrt::StatusOr<std::string> root = ssmrt::cacheRoot();
  if (!root.ok())
    return console.fail(root.status());
  std::vector<Entry> all = entries(*root);
  int64_t count = 0, bytes = 0;
  for (const Entry &e : all) {
    if (e.ageDays < olderThan)
      continue;
    if (action == "list") {
      std::printf("%-11s %10s  %6s  %s\n", e.kind.c_str(), ssmrt::formatBytes(e.bytes).c_str(),
                  days(e.ageDays).c_str(), e.path.string().c_str());
    } else if (!dryRun) {
      std::error_code ec;
      if (!fs::remove(e.path, ec) && ec)
        return console.fail("cannot remove " + e.path.string() + ": " + ec.message());
    }
    ++count;
    bytes += e.bytes;
  }
  const char *verb = action == "list" ? "" : dryRun ? "would remove " : "removed ";
  std::printf("%s%lld entr%s, %s, in %s\n", verb, static_cast<long long>(count),
              count == 1 ? "y" : "ies", ssmrt::formatBytes(bytes).c_str(), root->c_str());
  return 0;
}
