//===- ImportHF.cpp - a model file from a checkpoint's config.json --------===//
//
// Writes the .ssm model for Mamba-1 (HF `mamba` and original mamba_ssm
// configs), Mamba-2 (HF `mamba2` and original configs with ssm_cfg.layer =
// Mamba2) and Jamba. Every hyperparameter is read from the file; keys that
// are absent take the value the released checkpoints use, and the generated
// config("key", value) checks let the runtime refuse a checkpoint whose
// config says otherwise.
//
//===----------------------------------------------------------------------===//
#include "tools/ssmc/ImportHF.h"

#include "runtime/io/Json.h"

#include <cmath>
#include <optional>
#include <sstream>

using namespace ssmc;
using ssmrt::JsonObjectReader;
using ssmrt::Status;
using ssmrt::StatusOr;

namespace {

/// The fallback of a key that has none.
constexpr int64_t kRequired = 0;

/// Collects `name = config("key", value)` lines, reading each value from the
/// config (or |fallback| when the key is absent).
class Hyperparameters {
public:
  explicit Hyperparameters(const JsonObjectReader &config) : config_(config) {}

  /// |fallback| kRequired: the key must be there (and not null). Positive,
  /// or at least 0 with |zeroAllowed| (a layer offset).
  Status integer(const char *name, const char *key, int64_t fallback, int64_t &out,
                 bool zeroAllowed = false) {
    if (fallback == kRequired) {
      const ssmrt::JsonValue *given = config_.find(key);
      if (!given || given->isNull())
        return config_.error(key, given ? "is null, but the model needs it"
                                        : "is missing, but the model needs it");
    }
    StatusOr<int64_t> v = config_.getInt(key, fallback);
    if (!v.ok())
      return v.status();
    if (*v < (zeroAllowed ? 0 : 1))
      return config_.error(key,
                           std::string(zeroAllowed ? "must not be negative" : "must be positive") +
                               ", got " + std::to_string(*v));
    out = *v;
    lines_ << "  " << name << " = config(\"" << key << "\", " << out << ")\n";
    return ssmrt::okStatus();
  }
  Status number(const char *name, const char *key, double fallback, double &out) {
    StatusOr<double> v = config_.getNumber(key, fallback);
    if (!v.ok())
      return v.status();
    if (!(*v > 0) || !std::isfinite(*v))
      return config_.error(key, "must be a positive number");
    out = *v;
    std::ostringstream s;
    s.precision(17);
    s << out;
    std::string text = s.str();
    if (text.find_first_of(".e") == std::string::npos)
      text += ".0";
    lines_ << "  " << name << " = config(\"" << key << "\", " << text << ")\n";
    return ssmrt::okStatus();
  }
  Status boolean(const char *name, const char *key, bool fallback, bool &out) {
    StatusOr<bool> v = config_.getBool(key, fallback);
    if (!v.ok())
      return v.status();
    out = *v;
    lines_ << "  " << name << " = config(\"" << key << "\", " << (out ? "true" : "false") << ")\n";
    return ssmrt::okStatus();
  }
  /// `model_type = config("model_type", "<type>")`.
  void modelType(const char *type) {
    lines_ << "  model_type = config(\"model_type\", \"" << type << "\")\n";
  }
  /// A plain assignment (no config check), for derived values.
  void let(const char *name, int64_t value) { lines_ << "  " << name << " = " << value << "\n"; }
  void let(const char *name, double value, const char *comment) {
    std::ostringstream s;
    s.precision(17);
    s << value;
    std::string text = s.str();
    if (text.find_first_of(".e") == std::string::npos)
      text += ".0";
    lines_ << "  " << name << " = " << text << "   # " << comment << "\n";
  }
  std::string text() const { return lines_.str(); }

private:
  const JsonObjectReader &config_;
  std::ostringstream lines_;
};

/// An integer key of a nested config object, its destination and default.
struct IntKey {
  const char *key;
  int64_t *out;
  int64_t fallback;
};

/// dt_rank: an integer, or "auto" (ceil(d_model / 16)).
StatusOr<int64_t> dtRank(const JsonObjectReader &config, const char *key, int64_t dModel) {
  const ssmrt::JsonValue *v = config.find(key);
  if (!v || v->isNull() || (v->isString() && v->asString() == "auto"))
    return (dModel + 15) / 16;
  return config.getInt(key);
}

/// Reads each |keys| entry of |object| (its default when absent); each must
/// be positive.
Status readPositive(const JsonObjectReader &object, std::initializer_list<IntKey> keys) {
  for (const IntKey &k : keys) {
    StatusOr<int64_t> x = object.getInt(k.key, k.fallback);
    if (!x.ok())
      return x.status();
    if (*x <= 0)
      return object.error(k.key, "must be positive");
    *k.out = *x;
  }
  return ssmrt::okStatus();
}

std::string header(const std::string &path, const std::string &family) {
  return "# Imported from " + path + " by `ssmc import-hf` (" + family + ").\n";
}

/// What the Mamba-1 and Mamba-2 importers read alike.
struct MambaBasics {
  int64_t d = 0, layers = 0, vocab = 0, state = 0, conv = 0, expand = 0;
  bool tied = true;
  /// The original form's ssm_cfg (empty when absent); unused for HF configs.
  std::optional<JsonObjectReader> ssm;
};

/// The model's size, vocabulary, state, conv and expansion, and whether the
/// head is tied: from mamba_ssm's keys (d_model, n_layer, a vocabulary
/// padded to pad_vocab_size_multiple, ssm_cfg {d_state, d_conv, expand},
/// tie_embeddings) or from Hugging Face's.
StatusOr<MambaBasics> readMambaBasics(Hyperparameters &h, const JsonObjectReader &config,
                                      bool original, const char *modelType, int64_t stateDefault,
                                      int64_t padMultipleDefault) {
  MambaBasics b;
  if (!original) {
    h.modelType(modelType);
    SSMRT_RETURN_IF_ERROR(h.integer("d_model", "hidden_size", kRequired, b.d));
    SSMRT_RETURN_IF_ERROR(h.integer("n_layer", "num_hidden_layers", kRequired, b.layers));
    SSMRT_RETURN_IF_ERROR(h.integer("vocab", "vocab_size", kRequired, b.vocab));
    SSMRT_RETURN_IF_ERROR(h.integer("d_state", "state_size", stateDefault, b.state));
    SSMRT_RETURN_IF_ERROR(h.integer("d_conv", "conv_kernel", 4, b.conv));
    SSMRT_RETURN_IF_ERROR(h.integer("expand", "expand", 2, b.expand));
    StatusOr<bool> t = config.getBool("tie_word_embeddings", true);
    if (!t.ok())
      return t.status();
    b.tied = *t;
    return b;
  }
  SSMRT_RETURN_IF_ERROR(h.integer("d_model", "d_model", kRequired, b.d));
  SSMRT_RETURN_IF_ERROR(h.integer("n_layer", "n_layer", kRequired, b.layers));
  StatusOr<int64_t> v = config.getInt("vocab_size");
  StatusOr<int64_t> m = config.getInt("pad_vocab_size_multiple", padMultipleDefault);
  if (!v.ok() || !m.ok())
    return v.ok() ? m.status() : v.status();
  int64_t multiple = *m > 0 ? *m : 1;
  b.vocab = (*v + multiple - 1) / multiple * multiple;
  h.let("vocab", b.vocab);
  StatusOr<JsonObjectReader> ssm =
      config.has("ssm_cfg")
          ? config.getObject("ssm_cfg")
          : JsonObjectReader::make(ssmrt::JsonValue::makeObject({}), config.where());
  if (!ssm.ok())
    return ssm.status();
  b.ssm = *ssm;
  SSMRT_RETURN_IF_ERROR(
      readPositive(*ssm, {IntKey{"d_state", &b.state, stateDefault}, IntKey{"d_conv", &b.conv, 4},
                          IntKey{"expand", &b.expand, 2}}));
  h.let("d_state", b.state);
  h.let("d_conv", b.conv);
  h.let("expand", b.expand);
  StatusOr<bool> t = config.getBool("tie_embeddings", true);
  if (!t.ok())
    return t.status();
  b.tied = *t;
  return b;
}

/// The model file of a Mamba-1 or Mamba-2 model: its hyperparameters, then
/// the layers calling |block| with |blockArgs| (after d_model).
std::string mambaModel(const std::string &path, const char *family, const char *block,
                       const Hyperparameters &h, bool original, bool tied,
                       const std::string &blockArgs) {
  std::ostringstream out;
  out << header(path, family) << "import \"std/" << block << ".ssm\"\n\nmodel imported(tokens) {\n"
      << h.text();
  if (original) // mamba_ssm's defaults, which its configs do not write
    out << "  bias = false\n  conv_bias = true\n  eps = 1e-5\n";
  out << "\n  param embed [vocab, d_model] \"backbone.embeddings.weight\" | "
         "\"backbone.embedding.weight\"\n";
  if (!tied)
    out << "  param lm_head [vocab, d_model] \"lm_head.weight\"\n";
  out << "  h = embedding(embed, tokens)\n"
         "  for i in 0 .. n_layer {\n"
         "    scope \"backbone.layers.{i}\" {\n"
         "      param norm [d_model] \"norm.weight\"\n"
         "      h = h + "
      << block << "(rmsnorm(h, norm, eps=eps), d_model, " << blockArgs
      << ") @ \"mixer\"\n"
         "    }\n  }\n"
         "  param norm_f [d_model] \"backbone.norm_f.weight\"\n"
      << "  return logits(rmsnorm(h, norm_f, eps=eps), " << (tied ? "embed" : "lm_head")
      << ")\n}\n";
  return out.str();
}

/// The bias, conv bias and norm epsilon of a Hugging Face config.
Status readMambaOptions(Hyperparameters &h) {
  bool bias, convBias;
  double eps;
  SSMRT_RETURN_IF_ERROR(h.boolean("bias", "use_bias", false, bias));
  SSMRT_RETURN_IF_ERROR(h.boolean("conv_bias", "use_conv_bias", true, convBias));
  return h.number("eps", "layer_norm_epsilon", 1e-5, eps);
}

StatusOr<std::string> mamba1(const JsonObjectReader &config, const std::string &path,
                             bool original) {
  Hyperparameters h(config);
  StatusOr<MambaBasics> b = readMambaBasics(h, config, original, "mamba", 16, 8);
  if (!b.ok())
    return b.status();
  StatusOr<int64_t> rank =
      original ? dtRank(*b->ssm, "dt_rank", b->d) : dtRank(config, "time_step_rank", b->d);
  if (!rank.ok())
    return rank.status();
  h.let("dt_rank", *rank);
  if (!original) {
    int64_t inner;
    SSMRT_RETURN_IF_ERROR(h.integer("d_inner", "intermediate_size", b->expand * b->d, inner));
    if (inner != b->expand * b->d)
      return config.error("intermediate_size", "is " + std::to_string(inner) +
                                                   " but expand * hidden_size is " +
                                                   std::to_string(b->expand * b->d));
    SSMRT_RETURN_IF_ERROR(readMambaOptions(h));
  }
  return mambaModel(path, "Mamba-1", "mamba1", h, original, b->tied,
                    "d_state=d_state, d_conv=d_conv,\n"
                    "                     expand=expand, dt_rank=dt_rank, bias=bias, "
                    "conv_bias=conv_bias");
}

StatusOr<std::string> mamba2(const JsonObjectReader &config, const std::string &path,
                             bool original) {
  Hyperparameters h(config);
  StatusOr<MambaBasics> b = readMambaBasics(h, config, original, "mamba2", 128, 16);
  if (!b.ok())
    return b.status();
  int64_t headDim, heads, groups, chunk;
  std::string extraArgs; // block arguments beyond the defaults
  if (original) {
    SSMRT_RETURN_IF_ERROR(
        readPositive(*b->ssm, {IntKey{"headdim", &headDim, 64}, IntKey{"ngroups", &groups, 1},
                               IntKey{"chunk_size", &chunk, 256}}));
    heads = b->expand * b->d / headDim;
    // mamba_ssm's RMSNormGated honors norm_before_gate (default false);
    // transformers' Mamba2 ignores the key and always gates first.
    StatusOr<bool> normFirst = b->ssm->getBool("norm_before_gate", false);
    if (!normFirst.ok())
      return normFirst.status();
    if (*normFirst)
      extraArgs += ", norm_before_gate=true";
    h.let("head_dim", headDim);
    h.let("n_heads", heads);
    h.let("n_groups", groups);
    h.let("chunk_size", chunk);
  } else {
    SSMRT_RETURN_IF_ERROR(h.integer("head_dim", "head_dim", 64, headDim));
    SSMRT_RETURN_IF_ERROR(h.integer("n_heads", "num_heads", b->expand * b->d / headDim, heads));
    SSMRT_RETURN_IF_ERROR(h.integer("n_groups", "n_groups", 1, groups));
    SSMRT_RETURN_IF_ERROR(h.integer("chunk_size", "chunk_size", 256, chunk));
    SSMRT_RETURN_IF_ERROR(readMambaOptions(h));
    // The clamp of Δ. transformers 4.x writes [0.0, Infinity], 5.x
    // [0.0, {"__float__": "Infinity"}]: no bound at all.
    if (const ssmrt::JsonValue *limit = config.find("time_step_limit"); limit && !limit->isNull()) {
      ssmrt::StatusOr<std::vector<double>> bounds = config.getNumberArray("time_step_limit");
      if (!bounds.ok())
        return bounds.status();
      if (bounds->size() != 2 || !((*bounds)[0] >= 0) || !((*bounds)[1] > 0) ||
          (*bounds)[0] > (*bounds)[1] || std::isinf((*bounds)[0]))
        return config.error("time_step_limit",
                            "must be [min, max] with 0 <= min <= max and max > 0");
      if ((*bounds)[0] > 0) {
        h.let("dt_min", (*bounds)[0], "time_step_limit[0]");
        extraArgs += ", dt_min=dt_min";
      }
      if (!std::isinf((*bounds)[1])) {
        h.let("dt_max", (*bounds)[1], "time_step_limit[1]");
        extraArgs += ", dt_max=dt_max";
      }
    }
  }
  if (heads * headDim != b->expand * b->d)
    return config.error(original ? "d_model" : "num_heads",
                        "heads * head_dim (" + std::to_string(heads * headDim) +
                            ") must equal expand * d_model (" + std::to_string(b->expand * b->d) +
                            ")");
  return mambaModel(path, "Mamba-2", "mamba2", h, original, b->tied,
                    "d_state=d_state, d_conv=d_conv,\n"
                    "                     expand=expand, head_dim=head_dim, n_groups=n_groups,\n"
                    "                     chunk_size=chunk_size, bias=bias, conv_bias=conv_bias" +
                        extraArgs);
}

StatusOr<std::string> jamba(const JsonObjectReader &config, const std::string &path) {
  Hyperparameters h(config);
  int64_t d, layers, vocab, ff, heads, kv, ap, ao, ep, eo, experts, topK, state, conv, expand;
  double eps;
  bool convBias, projBias;
  h.modelType("jamba");
  SSMRT_RETURN_IF_ERROR(h.integer("d_model", "hidden_size", kRequired, d));
  SSMRT_RETURN_IF_ERROR(h.integer("n_layer", "num_hidden_layers", kRequired, layers));
  SSMRT_RETURN_IF_ERROR(h.integer("vocab", "vocab_size", kRequired, vocab));
  SSMRT_RETURN_IF_ERROR(h.integer("d_ff", "intermediate_size", kRequired, ff));
  SSMRT_RETURN_IF_ERROR(h.integer("n_heads", "num_attention_heads", kRequired, heads));
  SSMRT_RETURN_IF_ERROR(h.integer("n_kv_heads", "num_key_value_heads", heads, kv));
  SSMRT_RETURN_IF_ERROR(h.integer("attn_period", "attn_layer_period", 8, ap));
  SSMRT_RETURN_IF_ERROR(h.integer("attn_offset", "attn_layer_offset", 4, ao, true));
  SSMRT_RETURN_IF_ERROR(h.integer("expert_period", "expert_layer_period", 2, ep));
  SSMRT_RETURN_IF_ERROR(h.integer("expert_offset", "expert_layer_offset", 1, eo, true));
  SSMRT_RETURN_IF_ERROR(h.integer("n_experts", "num_experts", 16, experts));
  SSMRT_RETURN_IF_ERROR(h.integer("top_k", "num_experts_per_tok", 2, topK));
  SSMRT_RETURN_IF_ERROR(h.integer("d_state", "mamba_d_state", 16, state));
  SSMRT_RETURN_IF_ERROR(h.integer("d_conv", "mamba_d_conv", 4, conv));
  SSMRT_RETURN_IF_ERROR(h.integer("expand", "mamba_expand", 2, expand));
  StatusOr<int64_t> rank = dtRank(config, "mamba_dt_rank", d);
  if (!rank.ok())
    return rank.status();
  h.let("dt_rank", *rank);
  SSMRT_RETURN_IF_ERROR(h.boolean("conv_bias", "mamba_conv_bias", true, convBias));
  SSMRT_RETURN_IF_ERROR(h.boolean("proj_bias", "mamba_proj_bias", false, projBias));
  SSMRT_RETURN_IF_ERROR(h.number("eps", "rms_norm_eps", 1e-6, eps));
  StatusOr<bool> tied = config.getBool("tie_word_embeddings", false);
  if (!tied.ok())
    return tied.status();
  if (d % heads != 0)
    return config.error("num_attention_heads", "does not divide hidden_size");
  std::ostringstream out;
  out << header(path, "Jamba")
      << "import \"std/jamba_mamba.ssm\"\nimport \"std/attention.ssm\"\nimport \"std/mlp.ssm\"\n"
         "import \"std/moe.ssm\"\n\nmodel imported(tokens) {\n"
      << h.text() << "\n  param embed [vocab, d_model] \"model.embed_tokens.weight\"\n";
  if (!*tied)
    out << "  param lm_head [vocab, d_model] \"lm_head.weight\"\n";
  out << "  h = embedding(embed, tokens)\n"
         "  for i in 0 .. n_layer {\n"
         "    scope \"model.layers.{i}\" {\n"
         "      param in_norm [d_model] \"input_layernorm.weight\"\n"
         "      x = rmsnorm(h, in_norm, eps=eps)\n"
         "      if i % attn_period == attn_offset {\n"
         "        h = h + self_attention(x, d_model, n_heads, n_kv_heads) @ \"self_attn\"\n"
         "      } else {\n"
         "        h = h + jamba_mamba(x, d_model, d_state=d_state, d_conv=d_conv, expand=expand,\n"
         "                            dt_rank=dt_rank, eps=eps, bias=proj_bias,\n"
         "                            conv_bias=conv_bias) @ \"mamba\"\n"
         "      }\n"
         "      param ff_norm [d_model] \"pre_ff_layernorm.weight\"\n"
         "      x = rmsnorm(h, ff_norm, eps=eps)\n"
         "      if i % expert_period == expert_offset {\n"
         "        h = h + sparse_moe(x, d_model, d_ff, n_experts, top_k) @ \"feed_forward\"\n"
         "      } else {\n"
         "        h = h + mlp(x, d_model, d_ff) @ \"feed_forward\"\n"
         "      }\n"
         "    }\n  }\n"
         "  param norm_f [d_model] \"model.final_layernorm.weight\"\n"
      << "  return logits(rmsnorm(h, norm_f, eps=eps), " << (*tied ? "embed" : "lm_head")
      << ")\n}\n";
  return out.str();
}

} // namespace

StatusOr<std::string> ssmc::importHuggingFaceConfig(const std::string &path) {
  StatusOr<ssmrt::JsonDocument> doc = ssmrt::readJsonFile(path);
  if (!doc.ok())
    return doc.status();
  StatusOr<JsonObjectReader> config = doc->rootObject();
  if (!config.ok())
    return config.status();
  StatusOr<std::string> type = config->getString("model_type", "");
  if (!type.ok())
    return type.status();
  if (type->empty()) {
    // Original mamba_ssm configs have no model_type.
    if (!config->has("d_model") || !config->has("n_layer"))
      return config->error("model_type", "is missing (and this is not an original mamba_ssm "
                                         "config with d_model and n_layer)");
    bool isMamba2 = false;
    if (config->has("ssm_cfg")) {
      StatusOr<JsonObjectReader> ssm = config->getObject("ssm_cfg");
      if (!ssm.ok())
        return ssm.status();
      StatusOr<std::string> layer = ssm->getString("layer", "Mamba1");
      if (!layer.ok())
        return layer.status();
      isMamba2 = *layer == "Mamba2";
    }
    return isMamba2 ? mamba2(*config, path, true) : mamba1(*config, path, true);
  }
  if (*type == "mamba")
    return mamba1(*config, path, false);
  if (*type == "mamba2")
    return mamba2(*config, path, false);
  if (*type == "jamba")
    return jamba(*config, path);
  return config->error("model_type", "is '" + *type + "'; supported: mamba, mamba2, jamba");
}
