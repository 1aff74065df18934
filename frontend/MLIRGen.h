//===- MLIRGen.h - lowers an elaborated model to the ssm dialect -*- C++ -*-===//
#ifndef SSMC_FRONTEND_MLIRGEN_H
#define SSMC_FRONTEND_MLIRGEN_H

#include "frontend/Graph.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OwningOpRef.h"

namespace ssmc::fe {

/// Builds `func.func @forward` in the ssm dialect from |graph|:
///
///   func.func @forward(%tokens: tensor<?x?xi32>, %seq_lens: tensor<?xi32>,
///                      <initial state of every slot>...)
///       -> (tensor<?x?xVxf32>, <final state of every slot>...)
///
/// State arguments and results carry `ssm.state = "<slot name>"`; the
/// function carries `ssm.model` and `ssm.config` (the config.json checks).
/// Locations are the model file's (file:line:col). Returns null if the
/// result does not verify (the frontend checks first, so that is a bug).
mlir::OwningOpRef<mlir::ModuleOp> mlirGen(mlir::MLIRContext &context, const Graph &graph,
                                          const SourceManager &sources);

} // namespace ssmc::fe

#endif // SSMC_FRONTEND_MLIRGEN_H
