//===- ElaborateOps.cpp - built-in ops: arguments and shape inference -----===//
//
// Each op checks its arguments' types and shapes and adds a GraphNode. Shape
// messages follow one form: "'linear': argument 'weight' has shape
// [3072, 700] but expected [*, 768]" where `*` is any size and `?` the
// dynamic batch or sequence size.
//
//===----------------------------------------------------------------------===//
#include "frontend/Elaborator.h"

#include <algorithm>
#include <cmath>

using namespace ssmc::fe;

namespace {
/// In an expected shape: any size.
constexpr int64_t kAny = -2;

std::string formatExpected(const Shape &shape) {
  std::string s = "[";
  for (size_t i = 0; i < shape.size(); ++i) {
    if (i)
      s += ", ";
    s += shape[i] == kAny ? "*" : shape[i] == kDyn ? "?" : std::to_string(shape[i]);
  }
  return s + "]";
}

const char *argTypeName(ArgType type) {
  switch (type) {
  case ArgType::Tensor: return "a tensor";
  case ArgType::OptTensor: return "a tensor or none";
  case ArgType::TensorList: return "a list of tensors";
  case ArgType::Int: return "an int";
  case ArgType::Float: return "a number";
  case ArgType::OptFloat: return "a number or none";
  case ArgType::Bool: return "a bool";
  case ArgType::IntList: return "a list of ints";
  }
  return "a value";
}
} // namespace

bool Elaborator::checkShape(const OpSignature &op, const std::string &what, Loc loc,
                            const Shape &actual, const Shape &expected) {
  bool ok = actual.size() == expected.size();
  for (size_t i = 0; ok && i < actual.size(); ++i)
    ok = expected[i] == kAny || actual[i] == expected[i];
  if (ok)
    return true;
  return error(loc, "'" + std::string(op.name) + "': " + what + " has shape " +
                        formatShape(actual) + " but expected " + formatExpected(expected));
}

bool Elaborator::broadcast(const char *opName, Loc loc, const Shape &a, const Shape &b,
                           Shape &out) {
  size_t rank = std::max(a.size(), b.size());
  out.assign(rank, 1);
  for (size_t i = 0; i < rank; ++i) {
    int64_t da = i < rank - a.size() ? 1 : a[i - (rank - a.size())];
    int64_t db = i < rank - b.size() ? 1 : b[i - (rank - b.size())];
    if (da == db || db == 1)
      out[i] = da;
    else if (da == 1)
      out[i] = db;
    else
      return error(loc, std::string("'") + opName + "': shapes " + formatShape(a) + " and " +
                            formatShape(b) + " do not broadcast");
  }
  return true;
}

bool Elaborator::checkArgType(const OpSignature &op, const OpArg &arg, const Value &v, Loc loc) {
  bool ok = false;
  switch (arg.type) {
  case ArgType::Tensor: ok = v.kind == Value::Kind::Tensor; break;
  case ArgType::OptTensor: ok = v.kind == Value::Kind::Tensor || v.kind == Value::Kind::None; break;
  case ArgType::TensorList:
    ok = v.kind == Value::Kind::List && !v.elems.empty() &&
         std::all_of(v.elems.begin(), v.elems.end(),
                     [](const Value &e) { return e.kind == Value::Kind::Tensor; });
    break;
  case ArgType::Int: ok = v.kind == Value::Kind::Int; break;
  case ArgType::Float: ok = v.isNumber(); break;
  case ArgType::OptFloat: ok = v.isNumber() || v.kind == Value::Kind::None; break;
  case ArgType::Bool: ok = v.kind == Value::Kind::Bool; break;
  case ArgType::IntList:
    ok = v.kind == Value::Kind::List &&
         std::all_of(v.elems.begin(), v.elems.end(),
                     [](const Value &e) { return e.kind == Value::Kind::Int; });
    break;
  }
  if (ok)
    return true;
  return error(loc, "'" + std::string(op.name) + "': argument '" + arg.name + "' must be " +
                        argTypeName(arg.type) + ", got " + describe(v));
}

bool Elaborator::bindOpArgs(const OpSignature &op, const Expr &call, BoundArgs &a) {
  a.values.assign(op.args.size(), Value());
  a.locs.assign(op.args.size(), call.loc);
  a.present.assign(op.args.size(), false);
  // Variadic ops: split(x, sizes...), concat(xs...); only `axis` by name.
  size_t fixed = op.positional;
  size_t positional = 0;
  for (const Arg &arg : call.args) {
    Value v;
    if (!eval(*arg.value, v))
      return false;
    size_t index;
    if (arg.name.empty()) {
      if (positional >= fixed) {
        if (!op.variadic)
          return error(arg.value->loc, "too many arguments: '" + std::string(op.name) +
                                           "' takes at most " + std::to_string(op.args.size()));
        a.rest.push_back(std::move(v));
        a.restLocs.push_back(arg.value->loc);
        continue;
      }
      index = positional++;
    } else {
      auto it = std::find_if(op.args.begin(), op.args.end(),
                             [&](const OpArg &o) { return arg.name == o.name; });
      if (it == op.args.end())
        return error(arg.nameLoc,
                     "'" + std::string(op.name) + "' has no argument named '" + arg.name + "'");
      index = it - op.args.begin();
      if (a.present[index])
        return error(arg.nameLoc,
                     "argument '" + arg.name + "' given twice in call to '" + op.name + "'");
    }
    if (!checkArgType(op, op.args[index], v, arg.value->loc))
      return false;
    // `none` for an optional tensor or float is the same as leaving it out.
    a.present[index] = v.kind != Value::Kind::None;
    a.values[index] = std::move(v);
    a.locs[index] = arg.value->loc;
  }
  for (size_t i = 0; i < op.args.size(); ++i)
    if (op.args[i].required && !a.present[i])
      return error(call.loc, "call to '" + std::string(op.name) + "' is missing argument '" +
                                 op.args[i].name + "'");
  return true;
}

bool Elaborator::evalOp(const OpSignature &op, const Expr &call, Value &out) {
  BoundArgs args;
  if (!bindOpArgs(op, call, args))
    return false;
  if (op.info->form == ssmrt::OpForm::Unary || op.info->form == ssmrt::OpForm::Binary)
    return buildElementwise(op, call, args, out);
  return buildOp(op, call, args, out);
}

bool Elaborator::buildElementwise(const OpSignature &op, const Expr &call, BoundArgs &a,
                                  Value &out) {
  // The tensor arguments are the operands; the result has the first one's
  // shape, or the broadcast shape of both.
  std::vector<int> operands;
  std::map<std::string, Attr> attrs;
  for (size_t i = 0; i < op.args.size(); ++i) {
    const OpArg &arg = op.args[i];
    if (arg.type == ArgType::Tensor) {
      operands.push_back(a.values[i].tensor);
    } else if (a.present[i]) {
      const Value &v = a.values[i];
      switch (arg.attrKind) {
      case ssmrt::AttrKind::Int: attrs[arg.attr] = v.i; break;
      case ssmrt::AttrKind::Bool:
      case ssmrt::AttrKind::Unit: attrs[arg.attr] = v.b; break;
      default: attrs[arg.attr] = v.asDouble(); break;
      }
    }
  }
  Shape result = shapeOf(operands[0]);
  if (operands.size() == 2 &&
      !broadcast(op.name, call.loc, shapeOf(operands[0]), shapeOf(operands[1]), result))
    return false;
  int node = addNode(op.kind, call.loc, operands, std::move(attrs), {result});
  if (node >= 0)
    out = Value::makeTensor(graph_.nodes[node].results[0]);
  return node >= 0;
}

bool Elaborator::buildOp(const OpSignature &op, const Expr &call, BoundArgs &a, Value &out) {
  // Accessors by argument position in the op's signature.
  auto T = [&](size_t i) { return a.present[i] ? a.values[i].tensor : -1; };
  auto S = [&](size_t i) -> const Shape & { return shapeOf(a.values[i].tensor); };
  auto I = [&](size_t i, int64_t dflt) { return a.present[i] ? a.values[i].i : dflt; };
  auto F = [&](size_t i, double dflt) { return a.present[i] ? a.values[i].asDouble() : dflt; };
  auto B = [&](size_t i, bool dflt) { return a.present[i] ? a.values[i].b : dflt; };
  auto argShape = [&](size_t i, const Shape &expected) {
    return !a.present[i] || checkShape(op, std::string("argument '") + op.args[i].name + "'",
                                       a.locs[i], S(i), expected);
  };
  auto rank = [&](size_t i, size_t r) {
    Shape any(r, kAny);
    return argShape(i, any);
  };
  /// An activation [?, ?, features].
  auto activation = [&](size_t i, int64_t features) { return argShape(i, {kDyn, kDyn, features}); };
  auto positive = [&](size_t i, int64_t value) {
    if (value > 0 && value <= kMaxDim)
      return true;
    return error(a.locs[i], "'" + std::string(op.name) + "': argument '" + op.args[i].name +
                                "' must be positive, got " + std::to_string(value));
  };
  auto emit = [&](std::vector<int> operands, std::map<std::string, Attr> attrs,
                  std::vector<Shape> results) -> int {
    int node =
        addNode(op.kind, call.loc, std::move(operands), std::move(attrs), std::move(results));
    if (node >= 0) {
      const auto &res = graph_.nodes[node].results;
      if (res.size() == 1) {
        out = Value::makeTensor(res[0]);
      } else {
        out = Value();
        out.kind = Value::Kind::Tuple;
        for (int r : res)
          out.elems.push_back(Value::makeTensor(r));
      }
    }
    return node;
  };
  auto last = [&](size_t i) { return S(i).back(); };

  switch (op.kind) {
  case OpCode::Embedding: {
    if (!rank(0, 2))
      return false;
    if (a.values[1].tensor != graph_.tokens)
      return error(a.locs[1], "'embedding': argument 'ids' must be the model's token input");
    return emit({T(0), T(1)}, {}, {{kDyn, kDyn, S(0)[1]}}) >= 0;
  }
  case OpCode::Logits: {
    if (!rank(0, 3) || !activation(0, last(0)) || !rank(1, 2) || !argShape(1, {kAny, last(0)}))
      return false;
    return emit({T(0), T(1)}, {}, {{kDyn, kDyn, S(1)[0]}}) >= 0;
  }
  case OpCode::RMSNorm:
  case OpCode::GatedRMSNorm: {
    bool gated = op.kind == OpCode::GatedRMSNorm;
    size_t w = gated ? 2 : 1;
    if (S(0).empty() || !rank(w, 1))
      return error(a.locs[0], "'" + std::string(op.name) + "': argument 'x' must have rank >= 1");
    int64_t d = last(0);
    if (!argShape(w, {d}))
      return false;
    double eps = F(w + 1, 1e-5);
    if (eps < 0)
      return error(a.locs[w + 1], "'" + std::string(op.name) + "': 'eps' must be >= 0");
    std::map<std::string, Attr> attrs = {{"eps", eps}};
    if (!gated)
      return emit({T(0), T(1)}, attrs, {S(0)}) >= 0;
    if (!argShape(1, S(0)))
      return false;
    int64_t group = I(4, d);
    if (!positive(4, group))
      return false;
    if (d % group != 0)
      return error(a.locs[4], "'gated_rmsnorm': group_size " + std::to_string(group) +
                                  " does not divide the width " + std::to_string(d));
    attrs["group_size"] = group;
    attrs["norm_before_gate"] = B(5, false);
    return emit({T(0), T(1), T(2)}, attrs, {S(0)}) >= 0;
  }
  case OpCode::Linear: {
    if (!rank(1, 2))
      return false;
    Shape x = S(0);
    if (x.empty())
      return error(a.locs[0], "'linear': argument 'x' must have rank >= 1");
    if (!argShape(1, {kAny, x.back()}) || !argShape(2, {S(1)[0]}))
      return false;
    x.back() = S(1)[0];
    return emit({T(0), T(1), T(2)}, {}, {x}) >= 0;
  }
  case OpCode::Split: {
    Shape x = S(0);
    int64_t r = static_cast<int64_t>(x.size());
    int64_t axis = I(1, -1);
    int64_t norm = axis < 0 ? axis + r : axis;
    if (norm < 0 || norm >= r)
      return error(a.present[1] ? a.locs[1] : call.loc, "'split': axis " + std::to_string(axis) +
                                                            " is out of range for " +
                                                            formatShape(x));
    if (x[norm] == kDyn)
      return error(call.loc, "'split': cannot split the dynamic dimension " + std::to_string(norm) +
                                 " of " + formatShape(x));
    if (a.rest.empty())
      return error(call.loc, "'split' needs the sizes of the pieces, e.g. split(x, 384, 384)");
    std::vector<int64_t> sizes;
    std::vector<Shape> results;
    int64_t total = 0;
    for (size_t i = 0; i < a.rest.size(); ++i) {
      int64_t s;
      if (!checkInt(a.rest[i], a.restLocs[i], "a split size", s))
        return false;
      if (s <= 0 || s > kMaxDim)
        return error(a.restLocs[i], "'split': sizes must be positive, got " + std::to_string(s));
      total += s;
      sizes.push_back(s);
      Shape piece = x;
      piece[norm] = s;
      results.push_back(piece);
    }
    if (total != x[norm])
      return error(call.loc, "'split': sizes add up to " + std::to_string(total) +
                                 " but dimension " + std::to_string(norm) + " of " +
                                 formatShape(x) + " is " + std::to_string(x[norm]));
    return emit({T(0)}, {{"sizes", sizes}, {"axis", norm}}, results) >= 0;
  }
  case OpCode::Concat: {
    if (a.rest.empty())
      return error(call.loc, "'concat' needs at least one tensor");
    std::vector<int> operands;
    for (size_t i = 0; i < a.rest.size(); ++i) {
      if (a.rest[i].kind != Value::Kind::Tensor)
        return error(a.restLocs[i],
                     "'concat': arguments must be tensors, got " + describe(a.rest[i]));
      operands.push_back(a.rest[i].tensor);
    }
    Shape first = shapeOf(operands[0]);
    int64_t r = static_cast<int64_t>(first.size());
    int64_t axis = I(0, -1);
    int64_t norm = axis < 0 ? axis + r : axis;
    if (norm < 0 || norm >= r)
      return error(call.loc, "'concat': axis " + std::to_string(axis) + " is out of range");
    Shape result = first;
    result[norm] = 0;
    for (size_t i = 0; i < operands.size(); ++i) {
      Shape s = shapeOf(operands[i]);
      Shape expected = first;
      expected[norm] = kAny;
      if (!checkShape(op, "argument " + std::to_string(i + 1), a.restLocs[i], s, expected))
        return false;
      if (s[norm] == kDyn)
        return error(a.restLocs[i], "'concat': cannot concatenate along a dynamic dimension");
      result[norm] += s[norm];
    }
    return emit(operands, {{"axis", norm}}, {result}) >= 0;
  }
  case OpCode::Reshape: {
    Shape x = S(0);
    size_t lead = 0;
    while (lead < x.size() && x[lead] == kDyn)
      ++lead;
    int64_t from = 1, to = 1;
    for (size_t i = lead; i < x.size(); ++i)
      from *= x[i];
    Shape result(lead, kDyn);
    for (const Value &v : a.values[1].elems) {
      if (v.i <= 0 || v.i > kMaxDim)
        return error(a.locs[1],
                     "'reshape': dimensions must be positive, got " + std::to_string(v.i));
      if (to > kMaxElements / v.i)
        return error(a.locs[1], "'reshape': shape too large");
      to *= v.i;
      result.push_back(v.i);
    }
    if (from != to)
      return error(a.locs[1], "'reshape': cannot reshape " + formatShape(x) + " to " +
                                  formatShape(result) + ": element counts differ");
    return emit({T(0)}, {}, {result}) >= 0;
  }
  case OpCode::Transpose: {
    Shape x = S(0);
    std::vector<int64_t> perm;
    std::vector<bool> seen(x.size(), false);
    for (const Value &v : a.values[1].elems) {
      if (v.i < 0 || v.i >= static_cast<int64_t>(x.size()) || seen[v.i])
        return error(a.locs[1], "'transpose': not a permutation of the " +
                                    std::to_string(x.size()) + " dimensions");
      seen[v.i] = true;
      perm.push_back(v.i);
    }
    if (perm.size() != x.size())
      return error(a.locs[1], "'transpose': permutation has " + std::to_string(perm.size()) +
                                  " entries for rank " + std::to_string(x.size()));
    Shape result;
    for (int64_t p : perm)
      result.push_back(x[p]);
    return emit({T(0)}, {{"permutation", perm}}, {result}) >= 0;
  }
  case OpCode::CausalConv1d: {
    if (!rank(0, 3) || !activation(0, last(0)))
      return false;
    int64_t c = last(0);
    if (!rank(1, 3) || !argShape(1, {c, 1, kAny}) || !argShape(2, {c}))
      return false;
    int64_t k = S(1)[2];
    int node = emit({T(0), T(1), T(2)}, {}, {S(0)});
    if (node < 0)
      return false;
    addState({k - 1, c}, node);
    return true;
  }
  case OpCode::SelectiveScan: {
    if (!rank(0, 3) || !activation(0, last(0)) || !rank(2, 2))
      return false;
    int64_t e = last(0), n = S(2)[1];
    int64_t groups = I(9, 1);
    if (!positive(9, groups))
      return false;
    if (e % groups != 0)
      return error(a.locs[9], "'selective_scan': groups " + std::to_string(groups) +
                                  " does not divide the channel count " + std::to_string(e));
    if (!activation(1, e) || !argShape(2, {e, n}) || !activation(3, groups * n) ||
        !activation(4, groups * n) || !argShape(5, {e}) || !activation(6, e) || !argShape(7, {e}))
      return false;
    int node = emit({T(0), T(1), T(2), T(3), T(4), T(5), T(6), T(7)},
                    {{"groups", groups}, {"delta_softplus", B(8, false)}}, {S(0)});
    if (node < 0)
      return false;
    addState({e, n}, node);
    return true;
  }
  case OpCode::SSDScan: {
    int64_t h = I(9, 0), p = I(10, 0), g = I(11, 1), chunk = I(12, 256);
    if (!positive(9, h) || !positive(10, p) || !positive(11, g) || !positive(12, chunk))
      return false;
    if (h % g != 0)
      return error(a.locs[11], "'ssd_scan': groups " + std::to_string(g) +
                                   " does not divide heads " + std::to_string(h));
    if (!activation(0, h * p) || !rank(3, 3))
      return false;
    if (last(3) % g != 0)
      return error(a.locs[3], "'ssd_scan': argument 'B' has " + std::to_string(last(3)) +
                                  " features, not a multiple of groups " + std::to_string(g));
    int64_t n = last(3) / g;
    if (!activation(1, h) || !argShape(2, {h}) || !activation(3, g * n) || !activation(4, g * n) ||
        !argShape(5, {h}) || !activation(6, h * p) || !argShape(7, {h}))
      return false;
    std::map<std::string, Attr> attrs = {{"heads", h},
                                         {"head_dim", p},
                                         {"groups", g},
                                         {"chunk_size", chunk},
                                         {"dt_softplus", B(8, false)}};
    // The clamp of Δ, each bound only when given.
    double lo = F(13, 0), hi = F(14, INFINITY);
    if (a.present[13] && !(lo >= 0))
      return error(a.locs[13], "'ssd_scan': dt_min must not be negative");
    if (a.present[14] && !(hi > 0 && hi >= lo))
      return error(a.locs[14], "'ssd_scan': dt_max must be positive and at least dt_min");
    if (a.present[13])
      attrs["dt_min"] = lo;
    if (a.present[14])
      attrs["dt_max"] = hi;
    int node = emit({T(0), T(1), T(2), T(3), T(4), T(5), T(6), T(7)}, attrs, {S(0)});
    if (node < 0)
      return false;
    addState({h, p, n}, node);
    return true;
  }
  case OpCode::Attention: {
    int64_t h = I(3, 0), kv = I(4, 0);
    if (!positive(3, h) || !positive(4, kv) || !rank(0, 3))
      return false;
    if (h % kv != 0)
      return error(a.locs[4], "'attention': kv_heads " + std::to_string(kv) +
                                  " does not divide heads " + std::to_string(h));
    if (!a.present[5] && last(0) % h != 0)
      return error(a.locs[0], "'attention': q has " + std::to_string(last(0)) +
                                  " features, not a multiple of heads " + std::to_string(h));
    int64_t hd = I(5, last(0) / h);
    if (!positive(5, hd) || !activation(0, h * hd) || !activation(1, kv * hd) ||
        !activation(2, kv * hd))
      return false;
    std::map<std::string, Attr> attrs = {
        {"heads", h}, {"kv_heads", kv}, {"head_dim", hd}, {"causal", B(6, true)}};
    if (a.present[7]) {
      if (F(7, 0) <= 0)
        return error(a.locs[7], "'attention': rope_theta must be positive");
      if (hd % 2)
        return error(a.locs[7], "'attention': rotary embedding needs an even head_dim");
      attrs["rope_theta"] = F(7, 0);
    }
    if (a.present[8]) {
      if (F(8, 0) <= 0)
        return error(a.locs[8], "'attention': scale must be positive");
      attrs["scale"] = F(8, 0);
    }
    int node = emit({T(0), T(1), T(2)}, attrs, {S(0)});
    if (node < 0)
      return false;
    addState({2, kv, hd}, node);
    return true;
  }
  case OpCode::MoE: {
    if (!rank(0, 3) || !activation(0, last(0)))
      return false;
    int64_t d = last(0);
    size_t n = a.values[2].elems.size();
    if (a.values[3].elems.size() != n || a.values[4].elems.size() != n)
      return error(call.loc, "'moe': gate, up and down must list the same number of experts "
                             "(got " +
                                 std::to_string(n) + ", " +
                                 std::to_string(a.values[3].elems.size()) + ", " +
                                 std::to_string(a.values[4].elems.size()) + ")");
    int64_t topK = I(5, 0);
    if (topK < 1 || topK > static_cast<int64_t>(n))
      return error(a.locs[5], "'moe': top_k " + std::to_string(topK) + " must be in [1, " +
                                  std::to_string(n) + "]");
    if (!argShape(1, {static_cast<int64_t>(n), d}))
      return false;
    std::vector<int> operands = {T(0), T(1)};
    for (size_t e = 0; e < n; ++e) {
      int g = a.values[2].elems[e].tensor, u = a.values[3].elems[e].tensor,
          dn = a.values[4].elems[e].tensor;
      Shape gs = shapeOf(g);
      std::string which = " of expert " + std::to_string(e);
      if (!checkShape(op, "'gate'" + which, a.locs[2], gs, {kAny, d}) ||
          !checkShape(op, "'up'" + which, a.locs[3], shapeOf(u), {gs[0], d}) ||
          !checkShape(op, "'down'" + which, a.locs[4], shapeOf(dn), {d, gs[0]}))
        return false;
      operands.insert(operands.end(), {g, u, dn});
    }
    return emit(operands, {{"top_k", topK}, {"renormalize", B(6, false)}}, {S(0)}) >= 0;
  }
  default: break;
  }
  return error(call.loc, "'" + std::string(op.name) + "' has no elaboration rule");
}
