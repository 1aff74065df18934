//===- Nfc.cpp - Unicode normalization form C -----------------------------===//
//
// Canonical decomposition, canonical ordering, then canonical composition,
// as in UAX #15 and its sample code. Hangul syllables are handled
// algorithmically, everything else through the generated tables.
//
//===----------------------------------------------------------------------===//

#include "runtime/io/Utf8.h"
#include "runtime/tokenizer/Unicode.h"
#include "runtime/tokenizer/UnicodeTables.h"

#include <algorithm>
#include <vector>

namespace ssmrt {
namespace unicode {
namespace {

constexpr uint32_t kSBase = 0xAC00, kLBase = 0x1100, kVBase = 0x1161, kTBase = 0x11A7;
constexpr uint32_t kLCount = 19, kVCount = 21, kTCount = 28;
constexpr uint32_t kNCount = kVCount * kTCount, kSCount = kLCount * kNCount;

const Decomposition *findDecomposition(uint32_t cp) {
  const Decomposition *begin = kDecompositions;
  const Decomposition *end = begin + kDecompositionsSize;
  const Decomposition *it = std::lower_bound(
      begin, end, cp, [](const Decomposition &d, uint32_t c) { return d.codePoint < c; });
  return (it != end && it->codePoint == cp) ? it : nullptr;
}

void decompose(uint32_t cp, std::vector<uint32_t> &out) {
  if (cp >= kSBase && cp < kSBase + kSCount) {
    uint32_t s = cp - kSBase;
    out.push_back(kLBase + s / kNCount);
    out.push_back(kVBase + (s % kNCount) / kTCount);
    if (s % kTCount)
      out.push_back(kTBase + s % kTCount);
    return;
  }
  const Decomposition *d = findDecomposition(cp);
  if (!d) {
    out.push_back(cp);
    return;
  }
  decompose(d->first, out);
  if (d->second)
    decompose(d->second, out);
}

/// Primary composites keyed by (first << 21 | second), sorted.
const std::vector<std::pair<uint64_t, uint32_t>> &compositions() {
  static const std::vector<std::pair<uint64_t, uint32_t>> table = [] {
    std::vector<std::pair<uint64_t, uint32_t>> t;
    for (size_t i = 0; i < kDecompositionsSize; ++i) {
      const Decomposition &d = kDecompositions[i];
      if (d.isPrimaryComposite)
        t.emplace_back(uint64_t(d.first) << 21 | d.second, d.codePoint);
    }
    std::sort(t.begin(), t.end());
    return t;
  }();
  return table;
}

/// The primary composite of |a| |b|, or 0 if there is none.
uint32_t compose(uint32_t a, uint32_t b) {
  if (a >= kLBase && a < kLBase + kLCount && b >= kVBase && b < kVBase + kVCount)
    return kSBase + ((a - kLBase) * kVCount + (b - kVBase)) * kTCount;
  if (a >= kSBase && a < kSBase + kSCount && (a - kSBase) % kTCount == 0 && b > kTBase &&
      b < kTBase + kTCount)
    return a + (b - kTBase);
  const auto &table = compositions();
  uint64_t key = uint64_t(a) << 21 | b;
  auto it = std::lower_bound(table.begin(), table.end(), std::make_pair(key, uint32_t(0)));
  return (it != table.end() && it->first == key) ? it->second : 0;
}

} // namespace

std::string toNfc(std::string_view utf8) {
  // Code points below U+0300 are NFC and starters (the generator checks
  // this); their UTF-8 never contains a byte >= 0xCC.
  if (std::all_of(utf8.begin(), utf8.end(), [](char c) { return static_cast<uint8_t>(c) < 0xCC; }))
    return std::string(utf8);

  std::vector<uint32_t> buf;
  buf.reserve(utf8.size());
  for (size_t pos = 0; pos < utf8.size();) {
    Utf8Char c = decodeUtf8(utf8, pos);
    decompose(static_cast<uint32_t>(c.codePoint), buf);
    pos += c.length;
  }

  // Canonical ordering: sort each run of non-starters by class, keeping
  // the order of equal classes (key = class, then position).
  std::vector<std::pair<uint64_t, uint32_t>> run;
  for (size_t i = 0; i < buf.size();) {
    if (combiningClass(buf[i]) == 0) {
      ++i;
      continue;
    }
    size_t j = i;
    run.clear();
    for (; j < buf.size() && combiningClass(buf[j]) != 0; ++j)
      run.emplace_back(uint64_t(combiningClass(buf[j])) << 32 | j, buf[j]);
    std::sort(run.begin(), run.end());
    for (size_t k = 0; k < run.size(); ++k)
      buf[i + k] = run[k].second;
    i = j;
  }

  // Canonical composition (UAX #15 sample code). A leading non-starter gets
  // class 256 so that nothing composes with it.
  if (!buf.empty()) {
    size_t starterPos = 0, outPos = 1;
    uint32_t starter = buf[0];
    int lastClass = combiningClass(starter) ? 256 : 0;
    for (size_t i = 1; i < buf.size(); ++i) {
      uint32_t ch = buf[i];
      int chClass = combiningClass(ch);
      uint32_t composite = compose(starter, ch);
      if (composite && (lastClass < chClass || lastClass == 0)) {
        buf[starterPos] = composite;
        starter = composite;
        continue;
      }
      if (chClass == 0) {
        starterPos = outPos;
        starter = ch;
      }
      lastClass = chClass;
      buf[outPos++] = ch;
    }
    buf.resize(outPos);
  }

  std::string out;
  out.reserve(utf8.size());
  for (uint32_t cp : buf)
    appendUtf8(out, cp);
  return out;
}

} // namespace unicode
} // namespace ssmrt
