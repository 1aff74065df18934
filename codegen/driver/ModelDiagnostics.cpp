//===- ModelDiagnostics.cpp - compiler errors in the model file's terms ---===//
#include "codegen/driver/ModelDiagnostics.h"

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Location.h"

#include <cstdio>

using namespace mlir;
using namespace ssmc;

FileLineColLoc ssmc::fileLocationOf(Location loc) {
  if (auto file = llvm::dyn_cast<FileLineColLoc>(loc))
    return file;
  if (auto fused = llvm::dyn_cast<FusedLoc>(loc))
    for (Location part : fused.getLocations())
      if (FileLineColLoc file = fileLocationOf(part))
        return file;
  if (auto name = llvm::dyn_cast<NameLoc>(loc))
    return fileLocationOf(name.getChildLoc());
  if (auto call = llvm::dyn_cast<CallSiteLoc>(loc))
    return fileLocationOf(call.getCallee());
  return FileLineColLoc();
}

namespace {
const char *kindName(DiagnosticSeverity severity) {
  switch (severity) {
  case DiagnosticSeverity::Error: return "error";
  case DiagnosticSeverity::Warning: return "warning";
  case DiagnosticSeverity::Note: return "note";
  case DiagnosticSeverity::Remark: return "remark";
  }
  return "error";
}
} // namespace

ModelDiagnostics::ModelDiagnostics(MLIRContext &context, const fe::SourceManager &sources)
    : context_(context), sources_(sources) {
  id_ = context.getDiagEngine().registerHandler([this](Diagnostic &d) { return handle(d); });
}

ModelDiagnostics::~ModelDiagnostics() { context_.getDiagEngine().eraseHandler(id_); }

LogicalResult ModelDiagnostics::handle(Diagnostic &diag) {
  FileLineColLoc file = fileLocationOf(diag.getLocation());
  fe::Loc loc;
  if (!file || !sources_.find(file.getFilename().strref(), {file.getLine(), file.getColumn()}, loc))
    return failure(); // not in a model file: MLIR's own handler prints it
  fe::DiagnosticEngine engine(sources_);
  std::string text = engine.formatOne(loc, kindName(diag.getSeverity()), diag.str());
  if (printed_.insert(text).second)
    std::fputs(text.c_str(), stderr);
  return success();
}
