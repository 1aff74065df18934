//===- Resolver.h - static checks of names and calls ------------*- C++ -*-===//
#ifndef SSMC_FRONTEND_RESOLVER_H
#define SSMC_FRONTEND_RESOLVER_H

#include "frontend/ModuleSet.h"

namespace ssmc::fe {

/// Checks every block and the model of |modules| without evaluating them:
/// undefined names, unknown ops and blocks, argument counts and names,
/// duplicate parameters and targets, assignments to parameters, blocks
/// without `return`. Shapes and values are checked when a model is
/// elaborated. Returns false after reporting the first error.
bool resolveModules(const ModuleSet &modules, DiagnosticEngine &diags);

/// Edit-distance suggestion among |candidates| for a misspelt |name|, or "".
std::string suggestName(const std::string &name, const std::vector<std::string> &candidates);

} // namespace ssmc::fe

#endif // SSMC_FRONTEND_RESOLVER_H
