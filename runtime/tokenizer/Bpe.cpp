//===- Bpe.cpp - BPE model (vocabulary and merges) ------------------------===//

#include "runtime/tokenizer/Bpe.h"
#include "runtime/io/Utf8.h"
#include "runtime/tokenizer/ByteLevel.h"

#include <algorithm>
#include <cstdio>
#include <queue>

namespace ssmrt {

static uint64_t pairKey(int32_t left, int32_t right) {
  return uint64_t(uint32_t(left)) << 32 | uint32_t(right);
}

/// Rejects options that change the algorithm in ways not implemented here.
static Status checkUnsupportedOptions(const JsonObjectReader &model, bool byteLevel) {
  for (const char *key : {"continuing_subword_prefix", "end_of_word_suffix"}) {
    StatusOr<std::string> v = model.getString(key, "");
    if (!v.ok())
      return v.status();
    if (!v->empty())
      return model.error(key, "is not supported (byte-level and SentencePiece-style BPE use none)");
  }
  StatusOr<double> dropout = model.getNumber("dropout", 0.0);
  if (!dropout.ok())
    return dropout.status();
  if (*dropout != 0.0)
    return model.error("dropout", "BPE dropout is not supported");
  StatusOr<bool> byteFallback = model.getBool("byte_fallback", false);
  if (!byteFallback.ok())
    return byteFallback.status();
  if (*byteFallback && byteLevel)
    return model.error("byte_fallback", "is not supported with the ByteLevel pre-tokenizer "
                                        "(byte-level BPE covers every byte)");
  return okStatus();
}

/// SentencePiece's name for a byte: <0x41>.
static std::string byteToken(uint8_t byte) {
  char buf[8];
  std::snprintf(buf, sizeof(buf), "<0x%02X>", byte);
  return buf;
}

StatusOr<BpeModel> BpeModel::fromJson(const JsonObjectReader &model, bool byteLevel) {
  StatusOr<std::string> type = model.getString("type");
  if (!type.ok())
    return type.status();
  if (*type != "BPE")
    return model.error("type", "unsupported model type '" + printableForMessage(*type) +
                                   "' (only BPE is supported)");
  SSMRT_RETURN_IF_ERROR(checkUnsupportedOptions(model, byteLevel));

  BpeModel bpe;
  bpe.byteLevel_ = byteLevel;
  bpe.byteFallback_ = *model.getBool("byte_fallback", false);
  StatusOr<JsonObjectReader> vocab = model.getObject("vocab");
  if (!vocab.ok())
    return vocab.status();
  bpe.vocab_.reserve(vocab->value().asObject().size());
  for (const JsonValue::Member &m : vocab->value().asObject()) {
    const JsonValue &id = m.second;
    if (!id.isInteger() || id.asInt() < 0 || id.asInt() >= kMaxTokenId)
      return vocab->error(m.first, "expected a token id in [0, " + std::to_string(kMaxTokenId) +
                                       "), got " + id.describe());
    bpe.vocab_.emplace(m.first, static_cast<int32_t>(id.asInt()));
  }
  for (int b = 0; b < 256; ++b) {
    auto it = bpe.vocab_.find(byteLevel ? byteLevelSpelling(std::string(1, char(b)))
                                        : byteToken(uint8_t(b)));
    bpe.byteIds_[b] =
        it == bpe.vocab_.end() || (!byteLevel && !bpe.byteFallback_) ? -1 : it->second;
  }

  StatusOr<std::string> unk = model.getString("unk_token", "");
  if (!unk.ok())
    return unk.status();
  if (!unk->empty()) {
    auto it = bpe.vocab_.find(*unk);
    if (it == bpe.vocab_.end())
      return model.error("unk_token",
                         "'" + printableForMessage(*unk) + "' is not in the vocabulary");
    bpe.unkId_ = it->second;
  }
  StatusOr<bool> fuseUnk = model.getBool("fuse_unk", false);
  if (!fuseUnk.ok())
    return fuseUnk.status();
  bpe.fuseUnk_ = *fuseUnk;
  StatusOr<bool> ignoreMerges = model.getBool("ignore_merges", false);
  if (!ignoreMerges.ok())
    return ignoreMerges.status();
  bpe.ignoreMerges_ = *ignoreMerges;

  SSMRT_RETURN_IF_ERROR(bpe.readMerges(model));
  return bpe;
}

Status BpeModel::readMerges(const JsonObjectReader &model) {
  StatusOr<const std::vector<JsonValue> *> merges = model.getArray("merges");
  if (!merges.ok())
    return merges.status();
  merges_.reserve((*merges)->size());
  for (size_t rank = 0; rank < (*merges)->size(); ++rank) {
    const JsonValue &merge = (**merges)[rank];
    std::string key = "merges[" + std::to_string(rank) + "]";
    // Either "left right" (the older format) or ["left", "right"].
    std::string left, right;
    if (merge.isString()) {
      const std::string &s = merge.asString();
      size_t space = s.find(' ');
      if (space == std::string::npos || s.find(' ', space + 1) != s.npos)
        return model.error(key, "expected \"left right\", got '" + printableForMessage(s) + "'");
      left = s.substr(0, space);
      right = s.substr(space + 1);
    } else if (merge.isArray() && merge.asArray().size() == 2 && merge.asArray()[0].isString() &&
               merge.asArray()[1].isString()) {
      left = merge.asArray()[0].asString();
      right = merge.asArray()[1].asString();
    } else {
      return model.error(key, "expected \"left right\" or [\"left\", "
                              "\"right\"], got " +
                                  merge.describe());
    }
    auto find = [&](const std::string &token, const char *what) -> StatusOr<int32_t> {
      auto it = vocab_.find(token);
      if (it == vocab_.end())
        return model.error(key, std::string(what) + " '" + printableForMessage(token) +
                                    "' is not in the vocabulary");
      return it->second;
    };
    StatusOr<int32_t> l = find(left, "token");
    if (!l.ok())
      return l.status();
    StatusOr<int32_t> r = find(right, "token");
    if (!r.ok())
      return r.status();
    StatusOr<int32_t> merged = find(left + right, "merged token");
    if (!merged.ok())
      return merged.status();
    // A repeated pair keeps its last rank, as in HF tokenizers.
    merges_[pairKey(*l, *r)] = {static_cast<int32_t>(rank), *merged};
  }
  return okStatus();
}

bool BpeModel::initialSymbols(std::string_view word, std::vector<int32_t> &ids,
                              std::string &missing) const {
  auto unknown = [&](std::string what) {
    if (!unkId_) {
      missing = std::move(what);
      return false;
    }
    if (!(fuseUnk_ && !ids.empty() && ids.back() == *unkId_))
      ids.push_back(*unkId_);
    return true;
  };
  if (byteLevel_) {
    for (char c : word) {
      int32_t id = byteIds_[static_cast<uint8_t>(c)];
      if (id >= 0)
        ids.push_back(id);
      else if (!unknown("byte " + byteToken(uint8_t(c)).substr(1, 4)))
        return false;
    }
    return true;
  }
  for (size_t pos = 0; pos < word.size();) {
    Utf8Char c = decodeUtf8(word, pos);
    std::string_view text = word.substr(pos, c.length);
    pos += c.length;
    auto it = vocab_.find(std::string(text));
    if (it != vocab_.end()) {
      ids.push_back(it->second);
      continue;
    }
    // Byte fallback takes every byte of the character or none.
    if (byteFallback_ &&
        std::all_of(text.begin(), text.end(), [&](char b) { return byteIds_[uint8_t(b)] >= 0; })) {
      for (char b : text)
        ids.push_back(byteIds_[uint8_t(b)]);
      continue;
    }
    char buf[24];
    std::snprintf(buf, sizeof(buf), "character U+%04X", unsigned(c.codePoint));
    if (!unknown(buf))
      return false;
  }
  return true;
}

Status BpeModel::encodeWord(std::string_view word, std::vector<int32_t> &out) const {
  if (word.empty())
    return okStatus();
  if (ignoreMerges_) {
    auto it = vocab_.find(byteLevel_ ? byteLevelSpelling(word) : std::string(word));
    if (it != vocab_.end()) {
      out.push_back(it->second);
      return okStatus();
    }
  }

  std::vector<int32_t> initial;
  std::string missing;
  if (!initialSymbols(word, initial, missing))
    return Status::error(missing + " has no token in the vocabulary and the model has no "
                                   "unk_token");
  // Symbols form a doubly linked list over the word; merged-away symbols
  // get id -1.
  struct Symbol {
    int32_t id, prev, next;
  };
  std::vector<Symbol> symbols;
  symbols.reserve(initial.size());
  for (int32_t id : initial) {
    int32_t pos = static_cast<int32_t>(symbols.size());
    symbols.push_back({id, pos - 1, pos + 1});
  }
  symbols.back().next = -1;

  struct Candidate {
    int32_t rank, pos, merged;
    bool operator>(const Candidate &o) const {
      return rank != o.rank ? rank > o.rank : pos > o.pos;
    }
  };
  std::priority_queue<Candidate, std::vector<Candidate>, std::greater<Candidate>> queue;
  auto push = [&](int32_t pos) {
    if (pos < 0 || symbols[pos].next < 0)
      return;
    auto it = merges_.find(pairKey(symbols[pos].id, symbols[symbols[pos].next].id));
    if (it != merges_.end())
      queue.push({it->second.first, pos, it->second.second});
  };
  for (int32_t i = 0; i + 1 < static_cast<int32_t>(symbols.size()); ++i)
    push(i);

  while (!queue.empty()) {
    Candidate top = queue.top();
    queue.pop();
    Symbol &left = symbols[top.pos];
    if (left.id < 0 || left.next < 0)
      continue;
    // Skip candidates made stale by an earlier merge.
    auto it = merges_.find(pairKey(left.id, symbols[left.next].id));
    if (it == merges_.end() || it->second.second != top.merged || it->second.first != top.rank)
      continue;
    Symbol &right = symbols[left.next];
    left.id = top.merged;
    left.next = right.next;
    if (right.next >= 0)
      symbols[right.next].prev = top.pos;
    right.id = -1;
    push(left.prev);
    push(top.pos);
  }

  for (int32_t i = 0; i >= 0; i = symbols[i].next)
    out.push_back(symbols[i].id);
  return okStatus();
}

} // namespace ssmrt
