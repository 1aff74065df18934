//===- CheckpointConfigFuzzer.cpp - libFuzzer target for config.json ------===//
//
// Reads the input as a model config.json the way a loader does, through
// JsonObjectReader, with the keys of HF Mamba, Mamba-2 and mamba_ssm configs.
//
//===----------------------------------------------------------------------===//

#include "runtime/io/Json.h"

#include <cstdlib>

using namespace ssmrt;

/// Every accessor error names the document.
static void expectNamed(const Status &status) {
  if (!status.ok() && status.message().rfind("config.json: ", 0) != 0)
    std::abort();
}

static void readConfig(const JsonObjectReader &config) {
  for (const char *key :
       {"hidden_size", "d_model", "num_hidden_layers", "n_layer", "intermediate_size", "state_size",
        "conv_kernel", "expand", "time_step_rank", "vocab_size", "pad_vocab_size_multiple",
        "num_heads", "head_dim", "n_groups", "chunk_size", "bos_token_id", "eos_token_id",
        "pad_token_id"}) {
    expectNamed(config.getInt(key).status());
    expectNamed(config.getInt(key, 0).status());
  }
  for (const char *key : {"layer_norm_epsilon", "time_step_min", "time_step_max", "time_step_floor",
                          "initializer_range", "time_step_scale"}) {
    expectNamed(config.getNumber(key).status());
    expectNamed(config.getNumber(key, 1.0).status());
  }
  for (const char *key : {"use_bias", "use_conv_bias", "residual_in_fp32", "tie_word_embeddings",
                          "rms_norm", "fused_add_norm"})
    expectNamed(config.getBool(key, false).status());
  for (const char *key : {"model_type", "hidden_act", "torch_dtype"})
    expectNamed(config.getString(key, "").status());
  expectNamed(config.getNumberArray("time_step_limit").status());
  expectNamed(config.getIntArray("attn_layer_idx").status());
  expectNamed(config.getArray("architectures").status());
  StatusOr<JsonObjectReader> ssm = config.getObject("ssm_cfg");
  expectNamed(ssm.status());
  if (ssm.ok()) {
    expectNamed(ssm->getInt("d_state").status());
    expectNamed(ssm->getString("layer", "Mamba1").status());
    StatusOr<JsonObjectReader> nested = ssm->getObject("ssm_cfg");
    if (nested.ok())
      expectNamed(nested->getInt("d_state").status());
  }
  for (const JsonValue::Member &m : config.value().asObject())
    expectNamed(config.error(m.first, "checked"));
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  std::string_view text(reinterpret_cast<const char *>(data), size);
  StatusOr<JsonDocument> doc = parseJson(text, "config.json");
  if (!doc.ok())
    return 0;
  StatusOr<JsonObjectReader> config = doc->rootObject();
  expectNamed(config.status());
  if (config.ok())
    readConfig(*config);
  return 0;
}
