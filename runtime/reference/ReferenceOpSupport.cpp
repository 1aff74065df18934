//===- ReferenceOpSupport.cpp - operand and attribute checks --------------===//

#include "runtime/reference/ReferenceOpSupport.h"

#include <cstdio>

namespace ssmrt {

std::string formatNumber(double v) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%g", v);
  return buf;
}

const RefTensor *optionalOperand(const RefOpCall &call, size_t index) {
  return index < call.operands.size() ? call.operands[index] : nullptr;
}

Status requireOperand(const RefOpCall &call, size_t index, const char *name,
                      const RefTensor *&out) {
  out = optionalOperand(call, index);
  if (!out)
    return Status::error("missing operand '" + std::string(name) + "' (operand " +
                         std::to_string(index) + ")");
  return okStatus();
}

Status expectRank(const char *name, const RefTensor &t, int64_t rank) {
  if (t.rank() != rank)
    return Status::error("operand '" + std::string(name) + "' has shape " + formatShape(t.shape) +
                         " but expected rank " + std::to_string(rank));
  return okStatus();
}

Status expectShape(const char *name, const RefTensor &t, const std::vector<int64_t> &expected) {
  if (t.shape != expected)
    return Status::error("operand '" + std::string(name) + "' has shape " + formatShape(t.shape) +
                         " but expected " + formatShape(expected));
  return okStatus();
}

static Status malformedAttr(const char *name, const char *what) {
  return Status::error("attribute '" + std::string(name) + "' is not " + what);
}

Status requiredIntAttr(const Instr &instr, const char *name, int64_t &out) {
  if (!instr.attr(name))
    return Status::error("missing attribute '" + std::string(name) + "'");
  return intAttrOr(instr, name, 0, out);
}

Status intAttrOr(const Instr &instr, const char *name, int64_t dflt, int64_t &out) {
  const Attr *a = instr.attr(name);
  if (!a) {
    out = dflt;
    return okStatus();
  }
  if (a->ints.size() != 1 || !a->floats.empty())
    return malformedAttr(name, "one integer");
  out = a->ints[0];
  return okStatus();
}

Status floatAttrOr(const Instr &instr, const char *name, double dflt, double &out) {
  const Attr *a = instr.attr(name);
  if (!a) {
    out = dflt;
    return okStatus();
  }
  if (a->floats.size() != 1 || !a->ints.empty())
    return malformedAttr(name, "one float");
  out = a->floats[0];
  return okStatus();
}

Status requiredIntsAttr(const Instr &instr, const char *name, std::vector<int64_t> &out) {
  const Attr *a = instr.attr(name);
  if (!a)
    return Status::error("missing attribute '" + std::string(name) + "'");
  if (!a->floats.empty())
    return malformedAttr(name, "an integer array");
  out = a->ints;
  return okStatus();
}

Status expectPositiveAttr(const char *name, int64_t value) {
  if (value <= 0)
    return Status::error("attribute '" + std::string(name) + "' is " + std::to_string(value) +
                         " but must be positive");
  return okStatus();
}

Status readSeqLens(const RefTensor *seqLens, int64_t batch, int64_t len,
                   std::vector<int64_t> &out) {
  out.assign(batch, len);
  if (!seqLens)
    return okStatus();
  SSMRT_RETURN_IF_ERROR(expectShape("seq_lens", *seqLens, {batch}));
  for (int64_t b = 0; b < batch; ++b) {
    double v = seqLens->data[b];
    if (!(v >= 0 && v <= static_cast<double>(len)) ||
        v != static_cast<double>(static_cast<int64_t>(v)))
      return Status::error("seq_lens[" + std::to_string(b) + "] = " + formatNumber(v) +
                           " is not an integer in [0, " + std::to_string(len) + "]");
    out[b] = static_cast<int64_t>(v);
  }
  return okStatus();
}

} // namespace ssmrt
