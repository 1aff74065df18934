//===- Parser.h - recursive-descent parser for .ssm files -------*- C++ -*-===//
#ifndef SSMC_FRONTEND_PARSER_H
#define SSMC_FRONTEND_PARSER_H

#include "frontend/AST.h"
#include "frontend/Lexer.h"

#include <memory>

namespace ssmc::fe {

/// Parses one file (grammar in docs/language.md). Returns null after
/// reporting the first syntax error to |diags|.
std::unique_ptr<Module> parseModule(const SourceManager &sources, uint32_t file,
                                    DiagnosticEngine &diags);

} // namespace ssmc::fe

#endif // SSMC_FRONTEND_PARSER_H
