//===- ModelDiagnostics.h - compiler errors in the model file's terms -*- C++ -*-===//
//
// While one lives, MLIR diagnostics whose location is in a model file are
// printed as the frontend prints its own: "file:line:col: error: message",
// the quoted source line and a caret; each distinct message once (a pass
// that runs on @forward and @decode reports an op of both).
//
//===----------------------------------------------------------------------===//
#ifndef SSMC_CODEGEN_DRIVER_MODELDIAGNOSTICS_H
#define SSMC_CODEGEN_DRIVER_MODELDIAGNOSTICS_H

#include "frontend/Source.h"

#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"

#include <set>
#include <string>

namespace ssmc {

/// The first file location in |loc| (looking through fused, named and call
/// site locations), or null.
mlir::FileLineColLoc fileLocationOf(mlir::Location loc);

class ModelDiagnostics {
public:
  ModelDiagnostics(mlir::MLIRContext &context, const fe::SourceManager &sources);
  ~ModelDiagnostics();
  ModelDiagnostics(const ModelDiagnostics &) = delete;
  ModelDiagnostics &operator=(const ModelDiagnostics &) = delete;

private:
  mlir::LogicalResult handle(mlir::Diagnostic &diag);

  mlir::MLIRContext &context_;
  const fe::SourceManager &sources_;
  mlir::DiagnosticEngine::HandlerID id_;
  std::set<std::string> printed_;
};

} // namespace ssmc

#endif // SSMC_CODEGEN_DRIVER_MODELDIAGNOSTICS_H
