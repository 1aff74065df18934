//===- Tokenizer.cpp - Hugging Face BPE tokenizers -----------------------===//

#include "runtime/tokenizer/Tokenizer.h"
#include "runtime/io/MappedFile.h"
#include "runtime/io/Utf8.h"
#include "runtime/tokenizer/ByteLevel.h"

#include <algorithm>
#include <cstdio>
#include <sys/stat.h>

namespace ssmrt {

//===----------------------------------------------------------------------===//
// Pipeline components
//===----------------------------------------------------------------------===//

/// Collects the component objects of |section| (one of normalizer,
/// pre_tokenizer, decoder, post_processor), flattening a "Sequence" whose
/// list is under |listKey|.
static Status collectComponents(const JsonObjectReader &root, const std::string &section,
                                const char *listKey, std::vector<JsonObjectReader> &out) {
  const JsonValue *value = root.find(section);
  if (!value || value->isNull())
    return okStatus();
  StatusOr<JsonObjectReader> component = root.getObject(section);
  if (!component.ok())
    return component.status();
  StatusOr<std::string> type = component->getString("type");
  if (!type.ok())
    return type.status();
  if (*type != "Sequence") {
    out.push_back(*component);
    return okStatus();
  }
  StatusOr<const std::vector<JsonValue> *> list = component->getArray(listKey);
  if (!list.ok())
    return list.status();
  for (size_t i = 0; i < (*list)->size(); ++i) {
    StatusOr<JsonObjectReader> item = JsonObjectReader::make(
        (**list)[i], root.where(), section + "." + listKey + "[" + std::to_string(i) + "]");
    if (!item.ok())
      return item.status();
    StatusOr<std::string> itemType = item->getString("type");
    if (!itemType.ok())
      return itemType.status();
    out.push_back(*item);
  }
  return okStatus();
}

/// Fails unless every component has the type |allowed|.
static Status checkTypes(const std::vector<JsonObjectReader> &components,
                         const std::string &section, const std::string &allowed,
                         const std::string &supported) {
  for (const JsonObjectReader &c : components) {
    const std::string &type = c.find("type")->asString();
    if (type != allowed)
      return c.error("type", "unsupported " + section + " '" + printableForMessage(type) + "' (" +
                                 supported + ")");
  }
  return okStatus();
}

//===----------------------------------------------------------------------===//
// Loading
//===----------------------------------------------------------------------===//

StatusOr<Tokenizer> Tokenizer::fromJson(std::string_view json, const std::string &name) {
  StatusOr<JsonDocument> doc = parseJson(json, name);
  if (!doc.ok())
    return doc.status();
  StatusOr<JsonObjectReader> root = doc->rootObject();
  if (!root.ok())
    return root.status();

  // The pre-tokenizer decides the model's alphabet.
  std::vector<JsonObjectReader> preTokenizers;
  SSMRT_RETURN_IF_ERROR(collectComponents(*root, "pre_tokenizer", "pretokenizers", preTokenizers));
  bool byteLevel =
      !preTokenizers.empty() && preTokenizers[0].find("type")->asString() == "ByteLevel";
  StatusOr<JsonObjectReader> modelJson = root->getObject("model");
  if (!modelJson.ok())
    return modelJson.status();
  StatusOr<BpeModel> model = BpeModel::fromJson(*modelJson, byteLevel);
  if (!model.ok())
    return model.status();
  Tokenizer tok(name, std::move(*model));
  SSMRT_RETURN_IF_ERROR(tok.readPipeline(*root));
  SSMRT_RETURN_IF_ERROR(tok.readAddedTokens(*root));
  SSMRT_RETURN_IF_ERROR(tok.buildIdTables());
  SSMRT_RETURN_IF_ERROR(tok.readPostProcessor(*root));
  for (const AddedToken &t : tok.addedTokens_)
    if (t.content == "<|endoftext|>")
      tok.bosId_ = tok.eosId_ = t.id;
  return tok;
}

Status Tokenizer::readPipeline(const JsonObjectReader &root) {
  std::vector<JsonObjectReader> normalizers;
  SSMRT_RETURN_IF_ERROR(collectComponents(root, "normalizer", "normalizers", normalizers));
  for (const JsonObjectReader &c : normalizers) {
    StatusOr<NormalizerStep> step = readNormalizer(c);
    if (!step.ok())
      return step.status();
    normalizers_.push_back(std::move(*step));
  }

  std::vector<JsonObjectReader> preTokenizers, decoders;
  SSMRT_RETURN_IF_ERROR(collectComponents(root, "pre_tokenizer", "pretokenizers", preTokenizers));
  SSMRT_RETURN_IF_ERROR(collectComponents(root, "decoder", "decoders", decoders));
  if (!model_.byteLevel()) {
    // SentencePiece style: a Metaspace pre-tokenizer or none.
    SSMRT_RETURN_IF_ERROR(checkTypes(preTokenizers, "pre_tokenizer", "Metaspace",
                                     "ByteLevel, Metaspace or none are supported"));
    if (preTokenizers.size() > 1)
      return root.error("pre_tokenizer", "expected one Metaspace pre-tokenizer, got " +
                                             std::to_string(preTokenizers.size()));
    if (!preTokenizers.empty()) {
      StatusOr<Metaspace> m = readMetaspace(preTokenizers[0]);
      if (!m.ok())
        return m.status();
      metaspace_ = *m;
    }
    for (const JsonObjectReader &c : decoders)
      if (c.find("type")->asString() == "ByteLevel")
        return c.error("type", std::string("a ByteLevel decoder needs the ByteLevel "
                                           "pre-tokenizer, and this tokenizer has ") +
                                   (metaspace_ ? "Metaspace" : "none"));
    StatusOr<PieceDecoder> decoder = readPieceDecoder(decoders);
    if (!decoder.ok())
      return decoder.status();
    pieceDecoder_ = std::move(*decoder);
    return okStatus();
  }
  if (preTokenizers.size() != 1)
    return root.error("pre_tokenizer", "expected one ByteLevel pre-tokenizer, got " +
                                           std::to_string(preTokenizers.size()));
  // HF's defaults for ByteLevel: add_prefix_space and use_regex are true.
  StatusOr<bool> prefix = preTokenizers[0].getBool("add_prefix_space", true);
  if (!prefix.ok())
    return prefix.status();
  addPrefixSpace_ = *prefix;
  StatusOr<bool> useRegex = preTokenizers[0].getBool("use_regex", true);
  if (!useRegex.ok())
    return useRegex.status();
  useRegex_ = *useRegex;
  SSMRT_RETURN_IF_ERROR(checkTypes(decoders, "decoder", "ByteLevel",
                                   "ByteLevel goes with a ByteLevel pre-tokenizer"));
  if (decoders.size() != 1)
    return root.error("decoder",
                      "expected one ByteLevel decoder, got " + std::to_string(decoders.size()));
  return okStatus();
}

/// Reads a TemplateProcessing "single" template: the special tokens before
/// and after the text ($A), as ids from its special_tokens table.
static Status readTemplate(const JsonObjectReader &c, std::vector<int32_t> &prefix,
                           std::vector<int32_t> &suffix) {
  StatusOr<const std::vector<JsonValue> *> single = c.getArray("single");
  if (!single.ok())
    return single.status();
  StatusOr<JsonObjectReader> specials = c.getObject("special_tokens");
  if (!specials.ok())
    return specials.status();
  bool seenText = false;
  for (size_t i = 0; i < (*single)->size(); ++i) {
    std::string key = "single[" + std::to_string(i) + "]";
    StatusOr<JsonObjectReader> item = JsonObjectReader::make((**single)[i], c.where(), key);
    if (!item.ok())
      return item.status();
    if (item->find("Sequence")) {
      if (seenText)
        return c.error(key, "a second sequence in a single-text template");
      seenText = true;
      continue;
    }
    StatusOr<JsonObjectReader> special = item->getObject("SpecialToken");
    if (!special.ok())
      return special.status();
    StatusOr<std::string> name = special->getString("id");
    if (!name.ok())
      return name.status();
    StatusOr<JsonObjectReader> entry = specials->getObject(*name);
    if (!entry.ok())
      return entry.status();
    StatusOr<std::vector<int64_t>> ids = entry->getIntArray("ids");
    if (!ids.ok())
      return ids.status();
    for (int64_t id : *ids) {
      if (id < 0 || id >= kMaxTokenId)
        return entry->error("ids", "token id " + std::to_string(id) + " is out of range");
      (seenText ? suffix : prefix).push_back(static_cast<int32_t>(id));
    }
  }
  if (!seenText)
    return c.error("single", "the template has no sequence ($A)");
  return okStatus();
}

Status Tokenizer::readPostProcessor(const JsonObjectReader &root) {
  // ByteLevel post-processing only trims offsets; TemplateProcessing adds
  // tokens around the text.
  std::vector<JsonObjectReader> postProcessors;
  SSMRT_RETURN_IF_ERROR(collectComponents(root, "post_processor", "processors", postProcessors));
  for (const JsonObjectReader &c : postProcessors) {
    const std::string &type = c.find("type")->asString();
    if (type == "ByteLevel")
      continue;
    if (type != "TemplateProcessing")
      return c.error("type", "unsupported post_processor '" + printableForMessage(type) +
                                 "' (ByteLevel and TemplateProcessing are supported)");
    SSMRT_RETURN_IF_ERROR(readTemplate(c, prefixIds_, suffixIds_));
  }
  for (const std::vector<int32_t> *ids : {&prefixIds_, &suffixIds_})
    for (int32_t id : *ids)
      if (id >= vocabSize() || !known_[id])
        return root.error("post_processor", "adds token id " + std::to_string(id) +
                                                ", which is not in the vocabulary");
  return okStatus();
}

Status Tokenizer::readAddedTokens(const JsonObjectReader &root) {
  const JsonValue *list = root.find("added_tokens");
  if (!list || list->isNull())
    return okStatus();
  StatusOr<const std::vector<JsonValue> *> array = root.getArray("added_tokens");
  if (!array.ok())
    return array.status();
  for (size_t i = 0; i < (*array)->size(); ++i) {
    StatusOr<JsonObjectReader> entry = JsonObjectReader::make(
        (**array)[i], root.where(), "added_tokens[" + std::to_string(i) + "]");
    if (!entry.ok())
      return entry.status();
    AddedToken t;
    StatusOr<int64_t> id = entry->getInt("id");
    if (!id.ok())
      return id.status();
    if (*id < 0 || *id >= kMaxTokenId)
      return entry->error("id", "token id " + std::to_string(*id) + " is outside [0, " +
                                    std::to_string(kMaxTokenId) + ")");
    t.id = static_cast<int32_t>(*id);
    StatusOr<std::string> content = entry->getString("content");
    if (!content.ok())
      return content.status();
    if (content->empty())
      return entry->error("content", "an added token cannot be empty");
    t.content = std::move(*content);
    struct Flag {
      const char *key;
      bool *value;
    };
    for (Flag f : {Flag{"special", &t.special}, Flag{"normalized", &t.normalized},
                   Flag{"single_word", &t.singleWord}, Flag{"lstrip", &t.lstrip},
                   Flag{"rstrip", &t.rstrip}}) {
      StatusOr<bool> v = entry->getBool(f.key, *f.value);
      if (!v.ok())
        return v.status();
      *f.value = *v;
    }
    if (t.normalized)
      normalizedMatcher_.add(t, applyNormalizers(normalizers_, t.content));
    else
      rawMatcher_.add(t, t.content);
    addedTokens_.push_back(std::move(t));
  }
  return okStatus();
}

/// What the decoder turns |token| into: the bytes it spells in the
/// byte-level alphabet (or the token's own UTF-8 when it has characters
/// outside it), or the SentencePiece-style decoding.
static std::string decodedBytes(const BpeModel &model, const PieceDecoder &decoder,
                                const std::string &token) {
  if (!model.byteLevel())
    return decodePiece(decoder, token);
  std::string bytes;
  return byteLevelBytes(token, bytes) ? bytes : token;
}

Status Tokenizer::buildIdTables() {
  int32_t size = 0;
  for (const auto &entry : model_.vocab())
    size = std::max(size, entry.second + 1);
  for (const AddedToken &t : addedTokens_)
    size = std::max(size, t.id + 1);
  // The tables are indexed by id: a few stray large ids in a small file
  // would otherwise allocate up to a gigabyte. Real vocabularies are dense.
  int64_t count = static_cast<int64_t>(model_.vocab().size() + addedTokens_.size());
  if (size > 2 * count + 1024)
    return Status::error(name_ + ": token ids run up to " + std::to_string(size - 1) +
                         " but there are only " + std::to_string(count) +
                         " tokens; the ids must be nearly contiguous");
  tokens_.assign(size, std::string());
  bytes_.assign(size, std::string());
  known_.assign(size, false);
  special_.assign(size, false);

  for (const auto &entry : model_.vocab()) {
    int32_t id = entry.second;
    if (known_[id]) {
      // Report the pair in a stable order, whatever the hash order.
      std::string a = tokens_[id], b = entry.first;
      if (b < a)
        std::swap(a, b);
      return Status::error(name_ + ": model.vocab: id " + std::to_string(id) +
                           " is used by both '" + printableForMessage(a) + "' and '" +
                           printableForMessage(b) + "'");
    }
    known_[id] = true;
    tokens_[id] = entry.first;
    bytes_[id] = decodedBytes(model_, pieceDecoder_, entry.first);
  }
  // Added tokens take precedence for decoding, as in HF.
  for (const AddedToken &t : addedTokens_) {
    known_[t.id] = true;
    special_[t.id] = t.special;
    tokens_[t.id] = t.content;
    bytes_[t.id] = decodedBytes(model_, pieceDecoder_, t.content);
  }
  return okStatus();
}

/// Reads a bos_token/eos_token value: a string or {"content": "..."}.
static StatusOr<std::optional<std::string>> specialTokenContent(const JsonObjectReader &config,
                                                                const char *key) {
  const JsonValue *v = config.find(key);
  if (!v || v->isNull())
    return std::optional<std::string>();
  if (v->isString())
    return std::optional<std::string>(v->asString());
  StatusOr<JsonObjectReader> object = config.getObject(key);
  if (!object.ok())
    return config.error(key, "expected a string or an object with "
                             "\"content\", got " +
                                 v->describe());
  StatusOr<std::string> content = object->getString("content");
  if (!content.ok())
    return content.status();
  return std::optional<std::string>(*content);
}

Status Tokenizer::readConfig(const std::string &configPath) {
  StatusOr<JsonDocument> doc = readJsonFile(configPath);
  if (!doc.ok())
    return doc.status();
  StatusOr<JsonObjectReader> config = doc->rootObject();
  if (!config.ok())
    return config.status();
  for (auto [key, slot] :
       {std::make_pair("bos_token", &bosId_), std::make_pair("eos_token", &eosId_)}) {
    StatusOr<std::optional<std::string>> content = specialTokenContent(*config, key);
    if (!content.ok())
      return content.status();
    if (!content->has_value())
      continue;
    std::optional<int32_t> id = tokenToId(**content);
    if (!id)
      return config->error(key,
                           "'" + printableForMessage(**content) + "' is not a token of " + name_);
    *slot = *id;
  }
  // add_bos_token / add_eos_token decide over the post-processor, as in
  // transformers' fast Llama tokenizers.
  struct Added {
    const char *key, *token;
    std::optional<int32_t> id;
    std::vector<int32_t> *ids;
  };
  for (const Added &a : {Added{"add_bos_token", "bos_token", bosId_, &prefixIds_},
                         Added{"add_eos_token", "eos_token", eosId_, &suffixIds_}}) {
    const JsonValue *v = config->find(a.key);
    if (!v || v->isNull())
      continue;
    StatusOr<bool> add = config->getBool(a.key);
    if (!add.ok())
      return add.status();
    if (*add && !a.id)
      return config->error(a.key, std::string("is true but there is no ") + a.token);
    *a.ids = *add ? std::vector<int32_t>{*a.id} : std::vector<int32_t>{};
  }
  // add_prefix_space of a SentencePiece-style tokenizer: whether ▁ goes in
  // front of the text.
  const JsonValue *prefixSpace = config->find("add_prefix_space");
  if (prefixSpace && !prefixSpace->isNull() && !model_.byteLevel()) {
    StatusOr<bool> add = config->getBool("add_prefix_space");
    if (!add.ok())
      return add.status();
    if (metaspace_)
      metaspace_->prepend = *add ? Metaspace::Prepend::First : Metaspace::Prepend::Never;
    if (!*add)
      normalizers_.erase(std::remove_if(normalizers_.begin(), normalizers_.end(),
                                        [](const NormalizerStep &s) {
                                          return s.kind == NormalizerStep::Kind::Prepend;
                                        }),
                         normalizers_.end());
  }
  return okStatus();
}

StatusOr<Tokenizer> Tokenizer::load(const std::string &path) {
  StatusOr<MappedFile> file = MappedFile::open(path);
  if (!file.ok())
    return file.status();
  StatusOr<Tokenizer> tok = fromJson(file->bytes(), path);
  if (!tok.ok())
    return tok;
  size_t slash = path.rfind('/');
  std::string dir = slash == std::string::npos ? "." : path.substr(0, slash);
  std::string configPath = dir + "/tokenizer_config.json";
  struct stat st;
  if (::stat(configPath.c_str(), &st) == 0 && S_ISREG(st.st_mode))
    SSMRT_RETURN_IF_ERROR(tok->readConfig(configPath));
  return tok;
}

//===----------------------------------------------------------------------===//
// Encoding and decoding
//===----------------------------------------------------------------------===//

Status Tokenizer::encodePlain(std::string_view text, bool atStart,
                              std::vector<int32_t> &out) const {
  if (!model_.byteLevel()) {
    if (!metaspace_)
      return model_.encodeWord(text, out);
    for (const std::string &word : metaspaceWords(*metaspace_, text, atStart))
      SSMRT_RETURN_IF_ERROR(model_.encodeWord(word, out));
    return okStatus();
  }
  std::string prefixed;
  if (addPrefixSpace_ && text[0] != ' ') {
    prefixed = " " + std::string(text);
    text = prefixed;
  }
  if (!useRegex_)
    return model_.encodeWord(text, out);
  for (auto [begin, end] : splitGpt2Words(text))
    SSMRT_RETURN_IF_ERROR(model_.encodeWord(text.substr(begin, end - begin), out));
  return okStatus();
}

StatusOr<std::vector<int32_t>> Tokenizer::encode(std::string_view text) const {
  size_t bad = findInvalidUtf8(text);
  if (bad != std::string_view::npos) {
    char buf[96];
    std::snprintf(buf, sizeof(buf), "input is not valid UTF-8: byte 0x%02X at offset %zu",
                  static_cast<uint8_t>(text[bad]), bad);
    return Status::error(buf);
  }
  std::vector<int32_t> ids;
  for (const TextPiece &raw : rawMatcher_.split(text)) {
    if (raw.id >= 0) {
      ids.push_back(raw.id);
      continue;
    }
    std::string_view piece = text.substr(raw.begin, raw.end - raw.begin);
    std::string normalized = applyNormalizers(normalizers_, piece);
    for (const TextPiece &p : normalizedMatcher_.split(normalized)) {
      if (p.id >= 0) {
        ids.push_back(p.id);
        continue;
      }
      Status st = encodePlain(std::string_view(normalized).substr(p.begin, p.end - p.begin),
                              raw.begin == 0 && p.begin == 0, ids);
      if (!st.ok())
        return st.withPrefix(name_);
    }
  }
  return ids;
}

StatusOr<std::vector<int32_t>> Tokenizer::encodeWithSpecial(std::string_view text) const {
  StatusOr<std::vector<int32_t>> ids = encode(text);
  if (!ids.ok())
    return ids;
  std::vector<int32_t> out = prefixIds_;
  out.insert(out.end(), ids->begin(), ids->end());
  out.insert(out.end(), suffixIds_.begin(), suffixIds_.end());
  return out;
}

std::string_view Tokenizer::tokenBytes(int32_t id) const {
  if (id < 0 || id >= vocabSize() || !known_[id])
    return {};
  return bytes_[id];
}

bool Tokenizer::isSpecial(int32_t id) const { return id >= 0 && id < vocabSize() && special_[id]; }

std::optional<std::string_view> Tokenizer::idToToken(int32_t id) const {
  if (id < 0 || id >= vocabSize() || !known_[id])
    return std::nullopt;
  return std::string_view(tokens_[id]);
}

std::optional<int32_t> Tokenizer::tokenToId(std::string_view token) const {
  for (auto it = addedTokens_.rbegin(); it != addedTokens_.rend(); ++it)
    if (it->content == token)
      return it->id;
  auto it = model_.vocab().find(std::string(token));
  if (it == model_.vocab().end())
    return std::nullopt;
  return it->second;
}

std::string Tokenizer::decode(const std::vector<int32_t> &ids, bool skipSpecial) const {
  std::string bytes;
  for (int32_t id : ids)
    if (!(skipSpecial && isSpecial(id)))
      bytes += tokenBytes(id);
  size_t strip = 0;
  while (strip < bytes.size() && strip < size_t(pieceDecoder_.stripLeadingSpaces) &&
         bytes[strip] == ' ')
    ++strip;
  return toValidUtf8(std::string_view(bytes).substr(strip));
}

std::string DecodeStream::next(int32_t id) {
  if (skipSpecial_ && tokenizer_->isSpecial(id))
    return {};
  pending_ += tokenizer_->tokenBytes(id);
  std::string out;
  size_t pos = 0;
  while (pos < pending_.size()) {
    Utf8Char c = decodeUtf8(pending_, pos);
    if (c.truncated)
      break; // The rest of this character comes with a later token.
    if (c.codePoint < 0)
      out += "\xEF\xBF\xBD";
    else
      out.append(pending_, pos, c.length);
    pos += c.length;
  }
  pending_.erase(0, pos);
  return out;
}

std::string DecodeStream::flush() {
  std::string out = toValidUtf8(pending_);
  pending_.clear();
  return out;
}

} // namespace ssmrt
