//===- TuneReport.cpp - what ssmc tune prints -----------------------------===//
#include "tools/cli/TuneReport.h"

#include "runtime/io/Json.h"

#include <cstdio>
#include <map>

using namespace ssmc;

namespace {

std::string opName(const std::string &signature) {
  return signature.substr(0, signature.find('|'));
}

std::string configJson(const ssmrt::TuneConfig &config) {
  std::string s;
  for (const auto &[name, value] : config)
    s += (s.empty() ? "" : ", ") + ssmrt::quoteJson(name) + ": " + std::to_string(value);
  return "{" + s + "}";
}

} // namespace

int cli::showTuningDb(const std::string &path, const ssmrt::DeviceKey &key, bool json,
                      const Console &console) {
  ssmrt::StatusOr<ssmrt::TuningDb> db = ssmrt::TuningDb::read(path, key);
  if (!db.ok())
    return console.fail(db.status());
  struct Counts {
    int timed = 0, rejected = 0;
  };
  std::map<std::pair<std::string, std::string>, Counts> kernels; // (function, signature)
  for (const ssmrt::TuningRecord &r : db->records())
    if (r.version == ssmrt::ssmcVersion()) {
      Counts &c = kernels[{r.function, r.kernel}];
      (r.rejected ? c.rejected : c.timed)++;
    }
  std::string out;
  if (json)
    out = "{\"device_key\": " + ssmrt::quoteJson(key.text()) +
          ", \"tuning_db\": " + ssmrt::quoteJson(path) +
          ", \"records\": " + std::to_string(db->records().size()) + ", \"kernels\": [";
  else
    std::printf("tuning database %s\ndevice %s\n%zu records; for ssmc %s:\n", path.c_str(),
                key.text().c_str(), db->records().size(), ssmrt::ssmcVersion());
  bool first = true;
  for (const auto &[k, counts] : kernels) {
    const auto &[function, signature] = k;
    std::optional<ssmrt::TuningChoice> choice = db->best(signature, function, ssmrt::ssmcVersion());
    if (json) {
      out += std::string(first ? "" : ", ") +
             "{\"kernel\": " + ssmrt::quoteJson(opName(signature)) +
             ", \"function\": " + ssmrt::quoteJson(function) +
             ", \"signature\": " + ssmrt::quoteJson(signature) +
             ", \"configs\": " + std::to_string(counts.timed) +
             ", \"rejected\": " + std::to_string(counts.rejected);
      if (choice) {
        char times[96];
        std::snprintf(times, sizeof times,
                      ", \"tokens\": %lld, \"default_s\": %.6g, \"best_s\": %.6g",
                      (long long)choice->tokens, choice->defaultSeconds, choice->seconds);
        out += times + std::string(", \"best\": ") + configJson(choice->config);
      }
      out += "}";
    } else if (choice) {
      std::printf("  %-7s %-22s %6lld tokens: %s, %.4g ms (default %.4g ms); %d timed, %d "
                  "rejected\n",
                  function.c_str(), opName(signature).c_str(), (long long)choice->tokens,
                  ssmrt::formatConfig(choice->config).c_str(), choice->seconds * 1e3,
                  choice->defaultSeconds * 1e3, counts.timed, counts.rejected);
    } else {
      std::printf("  %-7s %-22s nothing timed; %d rejected\n", function.c_str(),
                  opName(signature).c_str(), counts.rejected);
    }
    first = false;
  }
  if (json)
    std::printf("%s]}\n", out.c_str());
  return 0;
}

void cli::addTuneOptions(ArgParser &parser, TuneFlags &f) {
  parser.option("batch", &f.batch, "B", "sequences per call (default 1)").inRange(1, 256);
  parser.option("prompt-len", &f.promptLen, "P", "prefill tokens per sequence (default 512)")
      .inRange(1, 1 << 20);
  parser
      .option("budget", &f.budgetSeconds, "SECONDS",
              "stop measuring after this much wall time (default 300); what finished is kept")
      .above(0);
  parser.option("seed", &f.seed, "S", "seed of the random weights and inputs (default 0)")
      .atLeast(0);
  parser.flag("show", &f.show, "list what the tuning database holds for this device");
  parser.flag("json", &f.json, "print one JSON object instead of text");
  parser.flag("quiet", &f.quiet, "no progress or notes on stderr", "q");
  addTuningOptions(parser, f.tuning, /*tune=*/true);
}

void cli::printTuneReport(const TuneReport &r, bool json, const Console &console) {
  int timed = 0, rejected = 0;
  for (const ssmrt::KernelTuneResult &k : r.kernels) {
    timed += k.timed;
    rejected += k.rejected;
  }
  if (r.outOfBudget)
    console.warn("the budget of " + std::to_string(r.budgetSeconds) +
                 " s ran out; kernels not reached keep their defaults");
  if (!json) {
    std::printf("tuned %zu kernels in %.1f s: %d configurations timed, %d rejected; "
                "recorded in %s\n",
                r.kernels.size(), r.elapsedSeconds, timed, rejected, r.dbPath.c_str());
    return;
  }
  std::string out = "{\"device_key\": " + ssmrt::quoteJson(r.key.text()) +
                    ", \"tuning_db\": " + ssmrt::quoteJson(r.dbPath) +
                    ", \"threads\": " + std::to_string(r.threads) +
                    ", \"batch\": " + std::to_string(r.batch) +
                    ", \"prompt_len\": " + std::to_string(r.promptLen);
  char buf[128];
  std::snprintf(buf, sizeof buf, ", \"elapsed_s\": %.3f, \"out_of_budget\": %s, \"kernels\": [",
                r.elapsedSeconds, r.outOfBudget ? "true" : "false");
  out += buf;
  for (size_t i = 0; i < r.kernels.size(); ++i) {
    const ssmrt::KernelTuneResult &k = r.kernels[i];
    std::snprintf(buf, sizeof buf, ", \"default_s\": %.6g, \"best_s\": %.6g", k.defaultSeconds,
                  k.bestSeconds);
    out += std::string(i ? ", " : "") + "{\"kernel\": " + ssmrt::quoteJson(opName(k.kernel)) +
           ", \"function\": " + ssmrt::quoteJson(k.function) +
           ", \"signature\": " + ssmrt::quoteJson(k.kernel) +
           ", \"configs\": " + std::to_string(k.timed) +
           ", \"rejected\": " + std::to_string(k.rejected) + buf +
           ", \"best\": " + configJson(k.best) + "}";
  }
  std::printf("%s]}\n", out.c_str());
}
