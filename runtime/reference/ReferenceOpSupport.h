//===- ReferenceOpSupport.h - operand and attribute checks ------*- C++ -*-===//
//
// Helpers shared by the reference op functions: reading operands and
// attributes with errors that name them, shape checks, and seq_lens.
// Internal to ssmrt_reference.
//
//===----------------------------------------------------------------------===//
#ifndef SSMC_RUNTIME_REFERENCE_REFERENCEOPSUPPORT_H
#define SSMC_RUNTIME_REFERENCE_REFERENCEOPSUPPORT_H

#include "runtime/reference/ReferenceOps.h"

#include <string>

namespace ssmrt {

/// |v| for a message ("9", "2.5").
std::string formatNumber(double v);

/// Operand |index| of |call|, or nullptr when it is absent.
const RefTensor *optionalOperand(const RefOpCall &call, size_t index);

/// Operand |index| (called |name| in messages); an error when absent.
Status requireOperand(const RefOpCall &call, size_t index, const char *name, const RefTensor *&out);

/// An error unless |t| has rank |rank|.
Status expectRank(const char *name, const RefTensor &t, int64_t rank);

/// An error unless |t| has exactly |expected| shape:
/// "operand 'B' has shape [2, 5, 16] but expected [2, 5, 32]".
Status expectShape(const char *name, const RefTensor &t, const std::vector<int64_t> &expected);

/// The integer attribute |name|; an error when it is absent or malformed.
Status requiredIntAttr(const Instr &instr, const char *name, int64_t &out);

/// The integer (or 0/1 boolean) attribute |name|, |dflt| when absent.
Status intAttrOr(const Instr &instr, const char *name, int64_t dflt, int64_t &out);

/// The float attribute |name|, |dflt| when absent.
Status floatAttrOr(const Instr &instr, const char *name, double dflt, double &out);

/// The integer array attribute |name|; an error when it is absent.
Status requiredIntsAttr(const Instr &instr, const char *name, std::vector<int64_t> &out);

/// An error unless |value| is positive: "attribute 'heads' is 0 but must be
/// positive".
Status expectPositiveAttr(const char *name, int64_t value);

/// Per-sequence lengths from the optional seq_lens operand [batch]: each an
/// integer in [0, len]; all |len| when |seqLens| is null.
Status readSeqLens(const RefTensor *seqLens, int64_t batch, int64_t len, std::vector<int64_t> &out);

} // namespace ssmrt

#endif // SSMC_RUNTIME_REFERENCE_REFERENCEOPSUPPORT_H
