//===- TextSteps.cpp - normalizers, Metaspace and SentencePiece decoding --===//

#include "runtime/tokenizer/TextSteps.h"
#include "runtime/io/Utf8.h"
#include "runtime/tokenizer/Unicode.h"

namespace ssmrt {

/// Every |from| in |s| replaced by |to| (|from| non-empty).
static std::string replaceAll(std::string_view s, const std::string &from, const std::string &to) {
  std::string out;
  size_t pos = 0;
  for (size_t at; (at = s.find(from, pos)) != std::string_view::npos; pos = at + from.size())
    out.append(s.substr(pos, at - pos)).append(to);
  return out.append(s.substr(pos));
}

StatusOr<NormalizerStep> readNormalizer(const JsonObjectReader &c) {
  const std::string &type = c.find("type")->asString();
  if (type == "NFC")
    return NormalizerStep{NormalizerStep::Kind::Nfc, "", ""};
  if (type == "Prepend") {
    StatusOr<std::string> text = c.getString("prepend");
    if (!text.ok())
      return text.status();
    return NormalizerStep{NormalizerStep::Kind::Prepend, "", *text};
  }
  if (type == "Replace") {
    StatusOr<JsonObjectReader> pattern = c.getObject("pattern");
    if (!pattern.ok())
      return pattern.status();
    if (!pattern->find("String"))
      return c.error("pattern", "only a String pattern is supported (not a Regex)");
    StatusOr<std::string> from = pattern->getString("String");
    if (!from.ok())
      return from.status();
    if (from->empty())
      return pattern->error("String", "cannot be empty");
    StatusOr<std::string> to = c.getString("content");
    if (!to.ok())
      return to.status();
    return NormalizerStep{NormalizerStep::Kind::Replace, *from, *to};
  }
  return c.error("type", "unsupported normalizer '" + printableForMessage(type) +
                             "' (NFC, Prepend and Replace are supported)");
}

std::string applyNormalizers(const std::vector<NormalizerStep> &steps, std::string_view piece) {
  std::string s(piece);
  for (const NormalizerStep &step : steps) {
    switch (step.kind) {
    case NormalizerStep::Kind::Nfc: s = unicode::toNfc(s); break;
    case NormalizerStep::Kind::Prepend:
      if (!s.empty())
        s = step.text + s;
      break;
    case NormalizerStep::Kind::Replace: s = replaceAll(s, step.from, step.text); break;
    }
  }
  return s;
}

StatusOr<Metaspace> readMetaspace(const JsonObjectReader &c) {
  Metaspace m;
  StatusOr<std::string> replacement = c.getString("replacement", m.replacement);
  if (!replacement.ok())
    return replacement.status();
  if (replacement->empty())
    return c.error("replacement", "cannot be empty");
  m.replacement = *replacement;
  // Older files say add_prefix_space instead of prepend_scheme.
  StatusOr<bool> addPrefix = c.getBool("add_prefix_space", true);
  if (!addPrefix.ok())
    return addPrefix.status();
  StatusOr<std::string> scheme = c.getString("prepend_scheme", *addPrefix ? "always" : "never");
  if (!scheme.ok())
    return scheme.status();
  if (*scheme == "always")
    m.prepend = Metaspace::Prepend::Always;
  else if (*scheme == "first")
    m.prepend = Metaspace::Prepend::First;
  else if (*scheme == "never")
    m.prepend = Metaspace::Prepend::Never;
  else
    return c.error("prepend_scheme",
                   "expected always, first or never, got '" + printableForMessage(*scheme) + "'");
  StatusOr<bool> split = c.getBool("split", true);
  if (!split.ok())
    return split.status();
  m.split = *split;
  return m;
}

std::vector<std::string> metaspaceWords(const Metaspace &m, std::string_view piece, bool atStart) {
  std::string s = replaceAll(piece, " ", m.replacement);
  bool prepend = m.prepend == Metaspace::Prepend::Always ||
                 (m.prepend == Metaspace::Prepend::First && atStart);
  if (prepend && s.compare(0, m.replacement.size(), m.replacement) != 0)
    s = m.replacement + s;
  if (!m.split)
    return {s};
  // Each replacement begins a word (HF's MergedWithNext).
  std::vector<std::string> words;
  size_t begin = 0;
  for (size_t at = s.find(m.replacement, 1); at != std::string::npos;
       at = s.find(m.replacement, at + m.replacement.size())) {
    words.push_back(s.substr(begin, at - begin));
    begin = at;
  }
  if (begin < s.size())
    words.push_back(s.substr(begin));
  return words;
}

StatusOr<PieceDecoder> readPieceDecoder(const std::vector<JsonObjectReader> &components) {
  PieceDecoder d;
  for (const JsonObjectReader &c : components) {
    const std::string &type = c.find("type")->asString();
    if (type == "Replace") {
      StatusOr<NormalizerStep> step = readNormalizer(c);
      if (!step.ok())
        return step.status();
      d.replacements.push_back({step->from, step->text});
    } else if (type == "ByteFallback") {
      d.byteFallback = true;
    } else if (type == "Fuse") {
      // Joining the tokens' strings: what decoding does anyway.
    } else if (type == "Strip") {
      StatusOr<std::string> content = c.getString("content");
      StatusOr<int64_t> start = c.getInt("start", 0), stop = c.getInt("stop", 0);
      if (!content.ok() || !start.ok() || !stop.ok())
        return !content.ok() ? content.status() : !start.ok() ? start.status() : stop.status();
      if (*content != " " || *stop != 0 || *start < 0 || *start > 16)
        return c.error("type", "only Strip of up to 16 leading spaces is supported");
      d.stripLeadingSpaces = int(*start);
    } else if (type == "Metaspace") {
      StatusOr<Metaspace> m = readMetaspace(c);
      if (!m.ok())
        return m.status();
      d.replacements.push_back({m->replacement, " "});
      if (m->prepend != Metaspace::Prepend::Never)
        d.stripLeadingSpaces = 1;
    } else {
      return c.error("type", "unsupported decoder '" + printableForMessage(type) +
                                 "' (ByteLevel, or Replace, ByteFallback, Fuse, Strip and "
                                 "Metaspace are supported)");
    }
  }
  return d;
}

/// The byte of a <0xXX> token, or -1.
static int fallbackByte(const std::string &token) {
  auto hex = [](char c) {
    return c >= '0' && c <= '9' ? c - '0' : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
  };
  if (token.size() != 6 || token.compare(0, 3, "<0x") != 0 || token[5] != '>')
    return -1;
  int hi = hex(token[3]), lo = hex(token[4]);
  return hi < 0 || lo < 0 ? -1 : hi * 16 + lo;
}

std::string decodePiece(const PieceDecoder &d, const std::string &token) {
  if (d.byteFallback) {
    int byte = fallbackByte(token);
    if (byte >= 0)
      return std::string(1, char(byte));
  }
  std::string s = token;
  for (const auto &[from, to] : d.replacements)
    s = replaceAll(s, from, to);
  return s;
}

} // namespace ssmrt
