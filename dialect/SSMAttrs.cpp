//===- SSMAttrs.cpp - ssm attributes and their verification ---------------===//
//
// The kernel level's attributes are discardable `ssm.*` attributes; the
// dialect checks each one it meets: its type, where it may stand, and its
// values (one buffer and column per result, positive tile sizes, ...).
// Names outside SSMBase.td's list are errors.
//
//===----------------------------------------------------------------------===//
#include "dialect/SSMDialect.h"
#include "dialect/SSMOps.h"

#include "mlir/IR/BuiltinOps.h"
#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;
using namespace mlir::ssm;

#include "dialect/SSMEnums.cpp.inc"
#define GET_ATTRDEF_CLASSES
#include "dialect/SSMAttrs.cpp.inc"

void SSMDialect::registerAttributes() {
  addAttributes<
#define GET_ATTRDEF_LIST
#include "dialect/SSMAttrs.cpp.inc"
      >();
}

SSMDialect &mlir::ssm::ssmDialect(Operation *op) {
  return *op->getContext()->getLoadedDialect<SSMDialect>();
}

LogicalResult CPUKernelAttr::verify(function_ref<InFlightDiagnostic()> emitError,
                                    KernelParallel parallel, int64_t blocks, int64_t phases,
                                    int64_t workspace, int64_t chunksPerThread, bool) {
  if (blocks < 1)
    return emitError() << "'blocks' must be positive, got " << blocks;
  if (phases < 1 || phases > 16)
    return emitError() << "'phases' must be in [1, 16], got " << phases;
  if (workspace < 0)
    return emitError() << "'workspace' must not be negative, got " << workspace;
  if (chunksPerThread < 1 || chunksPerThread > 64)
    return emitError() << "'chunks_per_thread' must be in [1, 64], got " << chunksPerThread;
  return success();
}

namespace {

/// |attr| must have type AttrT; names the attribute otherwise.
template <typename AttrT>
LogicalResult expectType(Operation *op, NamedAttribute attr, StringRef what) {
  if (llvm::isa<AttrT>(attr.getValue()))
    return success();
  return op->emitOpError() << "attribute '" << attr.getName().strref() << "' must be " << what;
}

LogicalResult expectOn(Operation *op, NamedAttribute attr, bool ok, StringRef where) {
  if (ok)
    return success();
  return op->emitOpError() << "attribute '" << attr.getName().strref() << "' belongs on " << where;
}

/// ssm.buffers / ssm.columns: one entry per result, in range.
LogicalResult verifyPlacement(Operation *op, NamedAttribute attr, bool columns) {
  if (failed(expectType<DenseI64ArrayAttr>(op, attr, "an array of i64")))
    return failure();
  ArrayRef<int64_t> values = llvm::cast<DenseI64ArrayAttr>(attr.getValue()).asArrayRef();
  if (values.size() != op->getNumResults())
    return op->emitOpError() << "attribute '" << attr.getName().strref() << "' has "
                             << values.size() << " entries for " << op->getNumResults()
                             << " results";
  for (int64_t v : values)
    if (v < (columns ? 0 : -1))
      return op->emitOpError() << "attribute '" << attr.getName().strref() << "' has entry " << v
                               << (columns ? " (columns are >= 0)" : " (buffers are >= -1)");
  return success();
}

} // namespace

LogicalResult SSMDialect::verifyOperationAttribute(Operation *op, NamedAttribute attr) {
  StringRef name = attr.getName().strref();
  bool ssmOp = isa<SSMDialect>(op->getDialect());
  bool func = isa<func::FuncOp>(op);
  if (name == ModelAttrHelper::getNameStr())
    return failure(failed(expectOn(op, attr, func, "a function")) ||
                   failed(expectType<StringAttr>(op, attr, "a string")));
  if (name == ConfigAttrHelper::getNameStr())
    return failure(failed(expectOn(op, attr, func, "a function")) ||
                   failed(expectType<DictionaryAttr>(op, attr, "a dictionary")));
  if (name == OnceAttrHelper::getNameStr() || name == ReferenceAttrHelper::getNameStr())
    return failure(failed(expectOn(op, attr, ssmOp, "ssm ops")) ||
                   failed(expectType<UnitAttr>(op, attr, "a unit attribute")));
  if (name == BuffersAttrHelper::getNameStr() || name == ColumnsAttrHelper::getNameStr()) {
    if (failed(expectOn(op, attr, ssmOp, "ssm ops")) ||
        failed(verifyPlacement(op, attr, name == ColumnsAttrHelper::getNameStr())))
      return failure();
    StringRef other = name == BuffersAttrHelper::getNameStr() ? ColumnsAttrHelper::getNameStr()
                                                              : BuffersAttrHelper::getNameStr();
    if (!op->hasAttr(other))
      return op->emitOpError() << "has '" << name << "' without '" << other << "'";
    return success();
  }
  if (name == BufferWidthsAttrHelper::getNameStr()) {
    if (failed(expectOn(op, attr, func, "a function")) ||
        failed(expectType<DenseI64ArrayAttr>(op, attr, "an array of i64")))
      return failure();
    for (int64_t w : llvm::cast<DenseI64ArrayAttr>(attr.getValue()).asArrayRef())
      if (w < 1)
        return op->emitOpError() << "attribute '" << name << "' has width " << w
                                 << " (widths are positive)";
    return success();
  }
  if (name == KernelAttrHelper::getNameStr()) {
    if (failed(expectOn(op, attr, ssmOp, "ssm ops")) ||
        failed(expectType<StringAttr>(op, attr, "a string")))
      return failure();
    if (llvm::cast<StringAttr>(attr.getValue()).empty())
      return op->emitOpError() << "attribute '" << name << "' names no kernel";
    return success();
  }
  if (name == CpuKernelAttrHelper::getNameStr())
    return failure(failed(expectOn(op, attr, func, "a kernel function")) ||
                   failed(expectType<CPUKernelAttr>(op, attr, "an #ssm.cpu_kernel")));
  if (name == CpuVectorWidthAttrHelper::getNameStr()) {
    if (failed(expectOn(op, attr, isa<ModuleOp>(op), "a module")) ||
        failed(expectType<IntegerAttr>(op, attr, "an integer")))
      return failure();
    int64_t width = llvm::cast<IntegerAttr>(attr.getValue()).getInt();
    if (width != 4 && width != 8 && width != 16)
      return op->emitOpError() << "attribute '" << name << "' must be 4, 8 or 16, got " << width;
    return success();
  }
  if (name == CpuTilesAttrHelper::getNameStr()) {
    if (failed(expectOn(op, attr, ssmOp, "ssm ops")) ||
        failed(expectType<DictionaryAttr>(op, attr, "a dictionary")))
      return failure();
    for (NamedAttribute tile : llvm::cast<DictionaryAttr>(attr.getValue())) {
      StringRef param = tile.getName().strref();
      auto value = llvm::dyn_cast<IntegerAttr>(tile.getValue());
      int64_t v = value ? value.getInt() : 0;
      if (param == "vector_width" && v != 4 && v != 8 && v != 16)
        return op->emitOpError() << "CPU tile 'vector_width' must be 4, 8 or 16";
      if (param == "chunks_per_thread" && (v < 1 || v > 64))
        return op->emitOpError() << "CPU tile 'chunks_per_thread' must be in [1, 64]";
      if (param == "chunk" && (v < 16 || v > 256 || v % 16 != 0))
        return op->emitOpError() << "CPU tile 'chunk' must be a multiple of 16 in [16, 256]";
      if (param != "vector_width" && param != "chunks_per_thread" && param != "chunk")
        return op->emitOpError() << "has unknown CPU tile '" << param
                                 << "' (vector_width, chunks_per_thread, chunk)";
    }
    return success();
  }
  if (name == CudaTilesAttrHelper::getNameStr()) {
    if (failed(expectOn(op, attr, ssmOp, "ssm ops")) ||
        failed(expectType<DictionaryAttr>(op, attr, "a dictionary")))
      return failure();
    for (NamedAttribute tile : llvm::cast<DictionaryAttr>(attr.getValue())) {
      auto value = llvm::dyn_cast<IntegerAttr>(tile.getValue());
      if (!value || value.getInt() < 1)
        return op->emitOpError() << "tile parameter '" << tile.getName().strref()
                                 << "' must be a positive integer";
    }
    return success();
  }
  if (name == InputAttrHelper::getNameStr() || name == OutputAttrHelper::getNameStr() ||
      name == StateAttrHelper::getNameStr())
    return op->emitOpError() << "attribute '" << name
                             << "' belongs on function arguments or results";
  return op->emitOpError() << "has unknown attribute '" << name << "'";
}

namespace {
LogicalResult verifyValueAttr(Operation *op, NamedAttribute attr, bool argument) {
  StringRef name = attr.getName().strref();
  auto text = llvm::dyn_cast<StringAttr>(attr.getValue());
  if (name == SSMDialect::StateAttrHelper::getNameStr()) {
    if (!text || text.empty())
      return op->emitOpError() << "attribute '" << name << "' must name a state slot";
    return success();
  }
  if (argument && name == SSMDialect::InputAttrHelper::getNameStr()) {
    if (!text || (text.getValue() != "tokens" && text.getValue() != "seq_lens"))
      return op->emitOpError() << "attribute '" << name << "' must be \"tokens\" or \"seq_lens\"";
    return success();
  }
  if (!argument && name == SSMDialect::OutputAttrHelper::getNameStr()) {
    if (!text || text.getValue() != "logits")
      return op->emitOpError() << "attribute '" << name << "' must be \"logits\"";
    return success();
  }
  return op->emitOpError() << "has unknown " << (argument ? "argument" : "result") << " attribute '"
                           << name << "'";
}
} // namespace

LogicalResult SSMDialect::verifyRegionArgAttribute(Operation *op, unsigned, unsigned,
                                                   NamedAttribute attr) {
  return verifyValueAttr(op, attr, /*argument=*/true);
}

LogicalResult SSMDialect::verifyRegionResultAttribute(Operation *op, unsigned, unsigned,
                                                      NamedAttribute attr) {
  return verifyValueAttr(op, attr, /*argument=*/false);
}
