//===- DeviceKey.cpp - the exact device a tuning result holds for ---------===//
#include "runtime/tuning/DeviceKey.h"

#include "runtime/io/Sha256.h"

#include <algorithm>
#include <fstream>
#include <set>
#include <sstream>
#include <thread>

using namespace ssmrt;

namespace {

std::string firstLine(const std::string &path) {
  std::ifstream in(path);
  std::string line;
  if (!in || !std::getline(in, line))
    return "";
  return line;
}

std::string trim(std::string s) {
  size_t b = s.find_first_not_of(" \t"), e = s.find_last_not_of(" \t");
  return b == std::string::npos ? "" : s.substr(b, e - b + 1);
}

/// "L1d 48K, L2 1024K, L3 32768K": level, type and size of cpu0's caches.
std::string cacheSizes() {
  std::string out;
  for (int i = 0; i < 8; ++i) {
    std::string dir = "/sys/devices/system/cpu/cpu0/cache/index" + std::to_string(i) + "/";
    std::string level = firstLine(dir + "level"), type = firstLine(dir + "type"),
                size = firstLine(dir + "size");
    if (level.empty())
      break;
    if (type == "Instruction")
      continue;
    out += (out.empty() ? "" : ", ") + std::string("L") + level + (type == "Data" ? "d" : "") +
           " " + size;
  }
  return out.empty() ? "unknown" : out;
}

} // namespace

std::string DeviceKey::text() const {
  std::string s = kind + ":";
  for (size_t i = 0; i < fields.size(); ++i)
    s += (i ? "; " : " ") + fields[i].first + "=" + fields[i].second;
  return s;
}

std::string DeviceKey::id() const {
  std::string t = text();
  return toHex(Sha256::hash(t.data(), t.size())).substr(0, 16);
}

DeviceKey ssmrt::cpuDeviceKey() {
  // The features that decide which kernel paths exist (SmallGemm,
  // SoftmaxRow, the vector width of generated kernels).
  static const char *kFeatures[] = {"avx",         "avx2",     "fma",      "f16c",
                                    "avx512f",     "avx512bw", "avx512vl", "avx512_bf16",
                                    "avx512_vnni", "avx_vnni", "amx_bf16", "asimd"};
  std::string model = "unknown";
  std::set<std::string> flags;
  std::ifstream in("/proc/cpuinfo");
  std::string line;
  bool haveFlags = false;
  while (std::getline(in, line)) {
    size_t colon = line.find(':');
    if (colon == std::string::npos)
      continue;
    std::string key = trim(line.substr(0, colon)), value = trim(line.substr(colon + 1));
    if (key == "model name" && model == "unknown")
      model = value;
    else if ((key == "flags" || key == "Features") && !haveFlags) {
      std::istringstream words(value);
      for (std::string w; words >> w;)
        flags.insert(w);
      haveFlags = true;
    }
  }
  std::string features;
  for (const char *f : kFeatures)
    if (flags.count(f))
      features += (features.empty() ? "" : ",") + std::string(f);
  DeviceKey key;
  key.kind = "cpu";
  key.fields = {{"model", model},
                {"features", features.empty() ? "none" : features},
                {"threads", std::to_string(std::max(1u, std::thread::hardware_concurrency()))},
                {"caches", cacheSizes()}};
  return key;
}
