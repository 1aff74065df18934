//===- TuningDb.cpp - the persistent record of tuning measurements --------===//
#include "runtime/tuning/TuningDb.h"

#include "runtime/io/Cache.h"
#include "runtime/io/Json.h"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <map>
#include <sys/file.h>
#include <unistd.h>

using namespace ssmrt;

namespace {

constexpr const char *kFormat = "ssmc-tuning-db";
constexpr int64_t kFormatVersion = 1;
/// A configuration replaces the default only when its median time is at
/// most this fraction of the default's.
constexpr double kMargin = 0.97;

std::string headerLine(const DeviceKey &key) {
  return std::string("{\"format\": \"") + kFormat +
         "\", \"format_version\": " + std::to_string(kFormatVersion) +
         ", \"device\": " + quoteJson(key.text()) + "}";
}

std::string formatSeconds(double s) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.6g", s);
  return buf;
}

/// An open file descriptor, closed (and so unlocked) on scope exit.
struct Fd {
  int fd = -1;
  ~Fd() {
    if (fd >= 0)
      ::close(fd);
  }
};

Status osError(const std::string &path, const char *what) {
  return Status::error(path + ": cannot " + what + ": " + std::strerror(errno));
}

StatusOr<std::string> readAll(int fd, const std::string &path) {
  std::string text;
  char buf[65536];
  while (true) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR)
        continue;
      return osError(path, "read");
    }
    if (n == 0)
      return text;
    text.append(buf, static_cast<size_t>(n));
  }
}

Status writeAll(int fd, const std::string &path, const std::string &text) {
  size_t done = 0;
  while (done < text.size()) {
    ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0) {
      if (errno == EINTR)
        continue;
      return osError(path, "write");
    }
    done += static_cast<size_t>(n);
  }
  return okStatus();
}

StatusOr<TuningRecord> parseRecord(const JsonObjectReader &r) {
  static const char *kKeys[] = {"kernel",  "function", "batch",   "tokens", "threads", "config",
                                "default", "status",   "seconds", "reason", "version"};
  for (const JsonValue::Member &m : r.value().asObject())
    if (std::find(std::begin(kKeys), std::end(kKeys), m.first) == std::end(kKeys))
      return r.error(m.first, "is not a key of a tuning record");
  TuningRecord rec;
  SSMRT_ASSIGN_OR_RETURN(rec.kernel, r.getString("kernel"));
  SSMRT_ASSIGN_OR_RETURN(rec.function, r.getString("function"));
  SSMRT_ASSIGN_OR_RETURN(rec.batch, r.getInt("batch"));
  SSMRT_ASSIGN_OR_RETURN(rec.tokens, r.getInt("tokens"));
  SSMRT_ASSIGN_OR_RETURN(rec.threads, r.getInt("threads"));
  SSMRT_ASSIGN_OR_RETURN(rec.isDefault, r.getBool("default"));
  SSMRT_ASSIGN_OR_RETURN(rec.version, r.getString("version"));
  SSMRT_ASSIGN_OR_RETURN(std::string status, r.getString("status"));
  if (rec.kernel.empty())
    return r.error("kernel", "must not be empty");
  if (rec.function != "prefill" && rec.function != "decode")
    return r.error("function", "must be \"prefill\" or \"decode\", got \"" + rec.function + "\"");
  for (auto [key, v] : {std::pair<const char *, int64_t>{"batch", rec.batch},
                        {"tokens", rec.tokens},
                        {"threads", rec.threads}})
    if (v < 1)
      return r.error(key, "must be at least 1, got " + std::to_string(v));
  SSMRT_ASSIGN_OR_RETURN(JsonObjectReader config, r.getObject("config"));
  for (const JsonValue::Member &m : config.value().asObject()) {
    SSMRT_ASSIGN_OR_RETURN(int64_t v, config.getInt(m.first));
    if (v < 1)
      return config.error(m.first, "must be at least 1, got " + std::to_string(v));
    rec.config.push_back({m.first, v});
  }
  if (status == "timed") {
    SSMRT_ASSIGN_OR_RETURN(rec.seconds, r.getNumber("seconds"));
    if (!(rec.seconds > 0) || !std::isfinite(rec.seconds))
      return r.error("seconds", "must be a positive time");
  } else if (status == "rejected") {
    rec.rejected = true;
    SSMRT_ASSIGN_OR_RETURN(rec.reason, r.getString("reason"));
  } else {
    return r.error("status", "must be \"timed\" or \"rejected\", got \"" + status + "\"");
  }
  return rec;
}

} // namespace

const char *ssmrt::ssmcVersion() { return SSMC_PROJECT_VERSION; }

std::string ssmrt::formatConfig(const TuneConfig &config) {
  std::string s;
  for (const auto &[name, value] : config)
    s += (s.empty() ? "" : ", ") + name + "=" + std::to_string(value);
  return s.empty() ? "(none)" : s;
}

std::string ssmrt::formatRecord(const TuningRecord &r) {
  std::string config;
  for (const auto &[name, value] : r.config)
    config += (config.empty() ? "" : ", ") + quoteJson(name) + ": " + std::to_string(value);
  std::string s =
      "{\"kernel\": " + quoteJson(r.kernel) + ", \"function\": " + quoteJson(r.function) +
      ", \"batch\": " + std::to_string(r.batch) + ", \"tokens\": " + std::to_string(r.tokens) +
      ", \"threads\": " + std::to_string(r.threads) + ", \"config\": {" + config +
      "}, \"default\": " + (r.isDefault ? "true" : "false");
  if (r.rejected)
    s += ", \"status\": \"rejected\", \"reason\": " + quoteJson(r.reason);
  else
    s += ", \"status\": \"timed\", \"seconds\": " + formatSeconds(r.seconds);
  return s + ", \"version\": " + quoteJson(r.version) + "}";
}

StatusOr<std::string> TuningDb::defaultPath(const DeviceKey &key, bool create) {
  std::string dir;
  if (create) {
    SSMRT_ASSIGN_OR_RETURN(dir, cacheDirectory("tuning"));
  } else {
    SSMRT_ASSIGN_OR_RETURN(std::string root, cacheRoot());
    dir = root + "/tuning";
  }
  return dir + "/" + key.kind + "-" + key.id() + ".jsonl";
}

StatusOr<TuningDb> TuningDb::parse(std::string_view text, const std::string &name,
                                   const DeviceKey &key) {
  TuningDb db;
  if (text.empty())
    return db;
  if (text.back() != '\n')
    return Status::error(name + ": its last line is cut short (no newline at its end)");
  size_t start = 0;
  for (int64_t line = 1; start < text.size(); ++line) {
    size_t end = text.find('\n', start);
    std::string where = name + ":" + std::to_string(line);
    StatusOr<JsonDocument> parsed = parseJson(text.substr(start, end - start), name);
    if (!parsed.ok()) {
      // The parser saw one line: put the file's line number in its place.
      std::string message = parsed.status().message();
      if (message.rfind(name + ":1:", 0) == 0)
        message = where + message.substr(name.size() + 2);
      return Status::error(message);
    }
    JsonDocument doc = std::move(*parsed);
    doc.name = where;
    SSMRT_ASSIGN_OR_RETURN(JsonObjectReader r, doc.rootObject());
    if (line == 1) {
      const JsonValue *format = r.find("format");
      if (!format || !format->isString() || format->asString() != kFormat)
        return Status::error(where + ": not an ssmc tuning database (no \"format\": \"" +
                             std::string(kFormat) + "\")");
      SSMRT_ASSIGN_OR_RETURN(int64_t version, r.getInt("format_version"));
      if (version != kFormatVersion)
        return r.error("format_version", "is " + std::to_string(version) + "; this ssmc reads " +
                                             std::to_string(kFormatVersion));
      SSMRT_ASSIGN_OR_RETURN(std::string device, r.getString("device"));
      if (device != key.text())
        return Status::error(where + ": the database is for another device (" + device +
                             "), not this one (" + key.text() + ")");
    } else {
      SSMRT_ASSIGN_OR_RETURN(TuningRecord rec, parseRecord(r));
      db.records_.push_back(std::move(rec));
    }
    start = end + 1;
  }
  return db;
}

StatusOr<TuningDb> TuningDb::read(const std::string &path, const DeviceKey &key) {
  Fd f;
  f.fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (f.fd < 0) {
    if (errno == ENOENT)
      return TuningDb();
    return osError(path, "open");
  }
  if (::flock(f.fd, LOCK_SH) != 0)
    return osError(path, "lock");
  SSMRT_ASSIGN_OR_RETURN(std::string text, readAll(f.fd, path));
  return parse(text, path, key);
}

Status TuningDb::append(const std::string &path, const DeviceKey &key,
                        const std::vector<TuningRecord> &records, std::string *replaced) {
  Fd f;
  f.fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (f.fd < 0)
    return osError(path, "open");
  if (::flock(f.fd, LOCK_EX) != 0)
    return osError(path, "lock");
  SSMRT_ASSIGN_OR_RETURN(std::string text, readAll(f.fd, path));
  std::string out;
  StatusOr<TuningDb> existing = parse(text, path, key);
  if (text.empty() || !existing.ok()) {
    if (!existing.ok() && replaced)
      *replaced = existing.status().message();
    if (::ftruncate(f.fd, 0) != 0)
      return osError(path, "truncate");
    out = headerLine(key) + "\n";
  }
  for (const TuningRecord &r : records)
    out += formatRecord(r) + "\n";
  if (::lseek(f.fd, 0, SEEK_END) < 0)
    return osError(path, "seek");
  return writeAll(f.fd, path, out);
}

std::optional<TuningChoice> TuningDb::best(std::string_view kernel, std::string_view function,
                                           std::string_view version) const {
  // tokens -> (config text -> the median of its timings there).
  std::map<int64_t, std::map<std::string, std::vector<const TuningRecord *>>> buckets;
  for (const TuningRecord &r : records_)
    if (!r.rejected && r.kernel == kernel && r.function == function && r.version == version)
      buckets[r.tokens][formatConfig(r.config)].push_back(&r);
  if (buckets.empty())
    return std::nullopt;
  auto &bucket = function == "prefill" ? buckets.rbegin()->second : buckets.begin()->second;
  int64_t tokens = function == "prefill" ? buckets.rbegin()->first : buckets.begin()->first;
  // A configuration a later run rejected is not chosen.
  auto rejected = [&](const TuneConfig &config) {
    for (const TuningRecord &r : records_)
      if (r.rejected && r.kernel == kernel && r.function == function && r.version == version &&
          r.config == config)
        return true;
    return false;
  };
  std::optional<TuningChoice> choice;
  double defaultSeconds = 0;
  for (auto &[text, runs] : bucket) {
    std::vector<double> times;
    for (const TuningRecord *r : runs)
      times.push_back(r->seconds);
    std::sort(times.begin(), times.end());
    double median = times[times.size() / 2];
    const TuningRecord &first = *runs.front();
    if (first.isDefault)
      defaultSeconds = median;
    if (rejected(first.config))
      continue;
    if (!choice || median < choice->seconds || (median == choice->seconds && first.isDefault))
      choice = TuningChoice{first.config, median, 0, tokens};
  }
  if (!choice)
    return choice;
  // Timing noise must not replace the default: another configuration wins
  // only by a clear margin.
  if (defaultSeconds > 0 && choice->seconds > kMargin * defaultSeconds)
    for (auto &[text, runs] : bucket)
      if (runs.front()->isDefault && !rejected(runs.front()->config))
        choice = TuningChoice{runs.front()->config, defaultSeconds, 0, tokens};
  choice->defaultSeconds = defaultSeconds;
  return choice;
}
