//===- ModelSummary.h - what `ssmc check` prints about a model --*- C++ -*-===//
#ifndef SSMC_FRONTEND_MODELSUMMARY_H
#define SSMC_FRONTEND_MODELSUMMARY_H

#include "frontend/Graph.h"

#include <string>

namespace ssmc::fe {

/// "129135360" -> "129,135,360".
std::string withThousands(int64_t value);

/// A few lines: parameter count (each bound tensor once, so a tied head is
/// counted once), layers by kind, recurrent state bytes per sequence (fp32),
/// KV-cache bytes per token where the model has attention (and per sequence
/// of |context| tokens when it is positive), and op count.
std::string summarizeModel(const Graph &graph, int64_t context = 0);

} // namespace ssmc::fe

#endif // SSMC_FRONTEND_MODELSUMMARY_H
