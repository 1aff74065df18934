//===- OpInfo.cpp - the op table of Ops.def as static arrays --------------===//
#include "runtime/artifact/OpInfo.h"

using namespace ssmrt;

namespace {

// Per op: its operands, results and attributes, each list ending in a
// sentinel so that an empty list is still a valid array.
#define SSM_OP(Enum, mnemonic, form, operandList, resultList, attrList)                            \
  const OperandInfo k##Enum##Operands[] = {                                                        \
      SSM_LIST operandList{nullptr, Arity::One, OperandRole::Data, nullptr}};
#define SSM_OPERAND(name, arity, role, lang) {#name, Arity::arity, OperandRole::role, #lang},
#include "runtime/artifact/Ops.def"

#define SSM_OP(Enum, mnemonic, form, operandList, resultList, attrList)                            \
  const ResultInfo k##Enum##Results[] = {                                                          \
      SSM_LIST resultList{nullptr, Arity::One, ResultState::None}};
#define SSM_RESULT(name, arity, state) {#name, Arity::arity, ResultState::state},
#include "runtime/artifact/Ops.def"

#define SSM_OP(Enum, mnemonic, form, operandList, resultList, attrList)                            \
  const AttrInfo k##Enum##Attrs[] = {SSM_LIST attrList{nullptr, AttrKind::Int, nullptr, Req::Opt}};
#define SSM_ATTR(name, kind, lang, required) {#name, AttrKind::kind, #lang, Req::required},
#include "runtime/artifact/Ops.def"

template <typename T, size_t N> constexpr TableView<T> view(const T (&items)[N]) {
  return {items, N - 1}; // without the sentinel
}

const OpInfo kOps[] = {
#define SSM_OP(Enum, mnemonic, form, operandList, resultList, attrList)                            \
  {OpCode::Enum,           #mnemonic,           OpForm::form, view(k##Enum##Operands),             \
   view(k##Enum##Results), view(k##Enum##Attrs)},
#include "runtime/artifact/Ops.def"
};

} // namespace

bool OpInfo::hasState() const {
  for (const ResultInfo &r : results)
    if (r.isState())
      return true;
  return false;
}

namespace {
/// Whether |n| values fill |list|: one per position, any number (at least
/// one) for a variadic position. Absent optional operands count (as -1).
template <typename List> bool fills(const List &list, size_t n) {
  size_t fixed = 0;
  bool variadic = false;
  for (const auto &item : list) {
    if (item.arity == Arity::Variadic)
      variadic = true;
    else
      ++fixed;
  }
  return variadic ? n > fixed : n == fixed;
}
} // namespace

bool OpInfo::acceptsOperands(size_t n) const { return fills(operands, n); }

bool OpInfo::acceptsResults(size_t n) const { return fills(results, n); }

const AttrInfo *OpInfo::attr(std::string_view name) const {
  for (const AttrInfo &a : attrs)
    if (*a.name && name == a.name)
      return &a;
  return nullptr;
}

TableView<OpInfo> ssmrt::allOps() { return {kOps, sizeof kOps / sizeof kOps[0]}; }

bool ssmrt::isValidOpCode(OpCode op) { return static_cast<size_t>(op) < allOps().size(); }

const OpInfo &ssmrt::opInfo(OpCode op) { return kOps[static_cast<size_t>(op)]; }

const char *ssmrt::opCodeName(OpCode op) { return isValidOpCode(op) ? opInfo(op).name : "unknown"; }

const OpInfo *ssmrt::findOp(std::string_view name) {
  for (const OpInfo &op : allOps())
    if (name == op.name)
      return &op;
  return nullptr;
}

bool ssmrt::parseOpCode(std::string_view name, OpCode &out) {
  const OpInfo *op = findOp(name);
  if (op)
    out = op->code;
  return op != nullptr;
}
