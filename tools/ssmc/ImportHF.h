//===- ImportHF.h - a model file from a checkpoint's config.json -*- C++ -*-===//
#ifndef SSMC_TOOLS_SSMC_IMPORTHF_H
#define SSMC_TOOLS_SSMC_IMPORTHF_H

#include "runtime/Status.h"

#include <string>

namespace ssmc {

/// The .ssm text of the model a config.json describes: model_type mamba,
/// mamba2 or jamba, or an original mamba_ssm config (d_model, n_layer,
/// ssm_cfg). Errors name the file and the key.
ssmrt::StatusOr<std::string> importHuggingFaceConfig(const std::string &configPath);

} // namespace ssmc

#endif // SSMC_TOOLS_SSMC_IMPORTHF_H
