//===- OpTable.cpp - signatures of the language's built-in ops ------------===//
#include "frontend/OpTable.h"

using namespace ssmc::fe;
using ssmrt::AttrKind;

namespace {

ArgType argType(AttrKind kind) {
  switch (kind) {
  case AttrKind::Int: return ArgType::Int;
  case AttrKind::Float: return ArgType::Float;
  case AttrKind::Bool:
  case AttrKind::Unit: return ArgType::Bool;
  case AttrKind::IntList: return ArgType::IntList;
  case AttrKind::OptFloat: return ArgType::OptFloat;
  case AttrKind::TensorList:
  case AttrKind::Rest: return ArgType::TensorList;
  }
  return ArgType::Int;
}

OpSignature signatureOf(const ssmrt::OpInfo &op) {
  OpSignature sig{op.name, op.code, &op, {}, false, 0};
  for (const ssmrt::OperandInfo &o : op.operands)
    if (*o.lang)
      sig.args.push_back({o.lang,
                          o.arity == ssmrt::Arity::Optional ? ArgType::OptTensor : ArgType::Tensor,
                          o.arity == ssmrt::Arity::One, "", AttrKind::Int});
  for (const ssmrt::AttrInfo &a : op.attrs) {
    if (a.kind == AttrKind::Rest) {
      sig.variadic = true;
      sig.positional = sig.args.size();
      continue;
    }
    if (*a.lang)
      sig.args.push_back({a.lang, argType(a.kind), a.required == ssmrt::Req::Req, a.name, a.kind});
  }
  if (!sig.variadic)
    sig.positional = sig.args.size();
  return sig;
}

/// The ops a model file may call: every op of the table but the fused ones.
const std::vector<OpSignature> &signatures() {
  static const std::vector<OpSignature> table = [] {
    std::vector<OpSignature> out;
    for (const ssmrt::OpInfo &op : ssmrt::allOps())
      if (op.form != ssmrt::OpForm::Fused)
        out.push_back(signatureOf(op));
    return out;
  }();
  return table;
}

const char *const kScalarBuiltins[] = {"ceil", "floor", "min", "max", "config"};
} // namespace

const OpSignature *ssmc::fe::lookupOp(std::string_view name) {
  for (const OpSignature &op : signatures())
    if (name == op.name)
      return &op;
  return nullptr;
}

bool ssmc::fe::isScalarBuiltin(std::string_view name) {
  for (const char *b : kScalarBuiltins)
    if (name == b)
      return true;
  return false;
}

std::vector<std::string_view> ssmc::fe::builtinNames() {
  std::vector<std::string_view> names;
  for (const OpSignature &op : signatures())
    names.push_back(op.name);
  for (const char *b : kScalarBuiltins)
    names.push_back(b);
  return names;
}
