//===- Elaborator.cpp - statements, expressions and block calls -----------===//
#include "frontend/Elaborator.h"

#include <cmath>
#include <limits>

using namespace ssmc::fe;

std::optional<Graph> ssmc::fe::elaborateModel(const ModuleSet &modules, DiagnosticEngine &diags) {
  const BlockDecl *model = modules.model();
  if (!model) {
    diags.error({modules.root().file, 0, 0}, "the file defines no model");
    return std::nullopt;
  }
  Elaborator elaborator(modules, diags);
  return elaborator.run(*model);
}

std::optional<Graph> Elaborator::run(const BlockDecl &model) {
  graph_.modelName = model.name.name;
  graph_.values.push_back({ValueDef::Input, 0, 0, {kDyn, kDyn}});
  graph_.tokens = 0;
  frames_.push_back({&model, {}});
  frames_.back().vars[model.params[0].name.name] = Value::makeTensor(0);
  Value ret;
  Flow flow = execBody(model.body, ret);
  if (flow == Flow::Error)
    return std::nullopt;
  if (flow != Flow::Return)
    return error(model.name.loc, "model '" + model.name.name + "' ended without return"),
           std::nullopt;
  if (ret.kind != Value::Kind::Tensor)
    return error(model.name.loc, "model '" + model.name.name +
                                     "' must return the logits tensor, got " + describe(ret)),
           std::nullopt;
  const Shape &shape = shapeOf(ret.tensor);
  if (shape.size() != 3 || shape[0] != kDyn || shape[1] != kDyn)
    return error(model.name.loc, "model '" + model.name.name +
                                     "' must return logits [batch, seq, vocab], got " +
                                     formatShape(shape)),
           std::nullopt;
  graph_.output = ret.tensor;
  return std::move(graph_);
}

//===----------------------------------------------------------------------===//
// Helpers
//===----------------------------------------------------------------------===//

std::string Elaborator::describe(const Value &v) const {
  switch (v.kind) {
  case Value::Kind::None: return "none";
  case Value::Kind::Int: return "int " + std::to_string(v.i);
  case Value::Kind::Float: return "float";
  case Value::Kind::Bool: return v.b ? "bool true" : "bool false";
  case Value::Kind::String: return "string \"" + v.s + "\"";
  case Value::Kind::Tensor: return "tensor " + formatShape(shapeOf(v.tensor));
  case Value::Kind::List: return "list of " + std::to_string(v.elems.size());
  case Value::Kind::Tuple:
    return "tuple of " + std::to_string(v.elems.size()) + " values (use 'a, b = ...')";
  }
  return "value";
}

bool Elaborator::checkInt(const Value &v, Loc loc, const std::string &what, int64_t &out) {
  if (v.kind != Value::Kind::Int)
    return error(loc, what + " must be an int, got " + describe(v));
  out = v.i;
  return true;
}

bool Elaborator::step(Loc loc) {
  if (++steps_ <= kMaxSteps)
    return true;
  return error(loc, "evaluation takes more than " + std::to_string(kMaxSteps) +
                        " steps; is a loop range too large?");
}

std::string Elaborator::scopePrefix() const {
  std::string s;
  for (const std::string &part : scopes_)
    if (!part.empty())
      s += (s.empty() ? "" : ".") + part;
  return s;
}

bool Elaborator::interpolate(const std::string &pattern, Loc loc, std::string &out) {
  out.clear();
  for (size_t i = 0; i < pattern.size(); ++i) {
    if (pattern[i] == '}')
      return error(loc, "unmatched '}' in name \"" + pattern + "\"");
    if (pattern[i] != '{') {
      out += pattern[i];
      continue;
    }
    size_t close = pattern.find('}', i);
    if (close == std::string::npos)
      return error(loc, "unclosed '{' in name \"" + pattern + "\"");
    std::string name = pattern.substr(i + 1, close - i - 1);
    auto &vars = frames_.back().vars;
    auto it = vars.find(name);
    if (it == vars.end())
      return error(loc, "'{" + name + "}' in name \"" + pattern + "\": no variable '" + name + "'");
    if (it->second.kind == Value::Kind::Int)
      out += std::to_string(it->second.i);
    else if (it->second.kind == Value::Kind::String)
      out += it->second.s;
    else
      return error(loc, "'{" + name + "}' in name \"" + pattern +
                            "\" must be an int or string, got " + describe(it->second));
    i = close;
  }
  return true;
}

int Elaborator::addNode(OpCode kind, Loc loc, std::vector<int> operands,
                        std::map<std::string, Attr> attrs, std::vector<Shape> results) {
  if (graph_.nodes.size() >= kMaxNodes) {
    error(loc, "the model unrolls to more than " + std::to_string(kMaxNodes) + " ops");
    return -1;
  }
  GraphNode node{kind, loc, std::move(operands), std::move(attrs), {}, -1};
  int index = static_cast<int>(graph_.nodes.size());
  for (size_t r = 0; r < results.size(); ++r) {
    node.results.push_back(static_cast<int>(graph_.values.size()));
    graph_.values.push_back({ValueDef::Node, index, static_cast<int>(r), std::move(results[r])});
  }
  graph_.nodes.push_back(std::move(node));
  return index;
}

int Elaborator::addState(Shape shape, int node) {
  StateKind kind = StateKind::Conv;
  for (const ssmrt::ResultInfo &r : ssmrt::opInfo(graph_.nodes[node].kind).results)
    if (r.isState()) {
      kind = r.stateKind();
      break;
    }
  std::string base = scopePrefix();
  if (base.empty())
    base = graph_.modelName;
  base += "/";
  base += ssmrt::opCodeName(graph_.nodes[node].kind);
  int &count = stateNames_[base];
  std::string name = count ? base + "#" + std::to_string(count + 1) : base;
  ++count;
  graph_.states.push_back({name, kind, std::move(shape), node});
  int slot = static_cast<int>(graph_.states.size() - 1);
  graph_.nodes[node].stateSlot = slot;
  return slot;
}

//===----------------------------------------------------------------------===//
// Statements
//===----------------------------------------------------------------------===//

Elaborator::Flow Elaborator::execBody(const std::vector<StmtPtr> &stmts, Value &ret) {
  for (const auto &s : stmts) {
    Flow flow = exec(*s, ret);
    if (flow != Flow::Next)
      return flow;
  }
  return Flow::Next;
}

Elaborator::Flow Elaborator::exec(const Stmt &stmt, Value &ret) {
  if (!step(stmt.loc))
    return Flow::Error;
  auto &vars = frames_.back().vars;
  switch (stmt.kind) {
  case StmtKind::Assign: {
    Value v;
    if (!eval(*stmt.value, v))
      return Flow::Error;
    if (stmt.targets.size() == 1) {
      vars[stmt.targets[0].name] = std::move(v);
      return Flow::Next;
    }
    if ((v.kind != Value::Kind::Tuple && v.kind != Value::Kind::List) ||
        v.elems.size() != stmt.targets.size()) {
      error(stmt.value->loc, "cannot unpack " + describe(v) + " into " +
                                 std::to_string(stmt.targets.size()) + " names");
      return Flow::Error;
    }
    for (size_t i = 0; i < stmt.targets.size(); ++i)
      vars[stmt.targets[i].name] = std::move(v.elems[i]);
    return Flow::Next;
  }
  case StmtKind::Param: return execParam(stmt) ? Flow::Next : Flow::Error;
  case StmtKind::For: {
    Flow flow = Flow::Next;
    if (!execFor(stmt, ret, flow))
      return Flow::Error;
    return flow;
  }
  case StmtKind::If: {
    Value cond;
    if (!eval(*stmt.value, cond))
      return Flow::Error;
    if (cond.kind != Value::Kind::Bool) {
      error(stmt.value->loc, "condition must be a bool, got " + describe(cond));
      return Flow::Error;
    }
    return execBody(cond.b ? stmt.body : stmt.elseBody, ret);
  }
  case StmtKind::Scope: {
    std::string prefix;
    if (!interpolate(stmt.names[0].name, stmt.names[0].loc, prefix))
      return Flow::Error;
    scopes_.push_back(prefix);
    Flow flow = execBody(stmt.body, ret);
    scopes_.pop_back();
    return flow;
  }
  case StmtKind::Return:
    if (!eval(*stmt.value, ret))
      return Flow::Error;
    return Flow::Return;
  }
  return Flow::Next;
}

bool Elaborator::execFor(const Stmt &stmt, Value &ret, Flow &flow) {
  Value begin, end;
  int64_t b, e;
  if (!eval(*stmt.value, begin) || !checkInt(begin, stmt.value->loc, "loop start", b) ||
      !eval(*stmt.end, end) || !checkInt(end, stmt.end->loc, "loop end", e))
    return false;
  // An end before the start is a mistake (a negative layer count), not an
  // empty loop.
  if (e < b)
    return error(stmt.end->loc,
                 "loop end " + std::to_string(e) + " is before its start " + std::to_string(b));
  // Iterations of a loop in the model body (not nested in another) are layers.
  bool layers = frames_.size() == 1 && currentLayer_ < 0;
  for (int64_t i = b; i < e; ++i) {
    if (!step(stmt.loc))
      return false;
    if (layers) {
      graph_.layers.emplace_back();
      currentLayer_ = static_cast<int>(graph_.layers.size() - 1);
    }
    frames_.back().vars[stmt.var.name] = Value::makeInt(i);
    flow = execBody(stmt.body, ret);
    if (layers)
      currentLayer_ = -1;
    if (flow != Flow::Next)
      return flow != Flow::Error;
  }
  return true;
}

bool Elaborator::execParam(const Stmt &stmt) {
  const Ident &local = stmt.targets[0];
  auto &vars = frames_.back().vars;
  if (stmt.cond) {
    Value cond;
    if (!eval(*stmt.cond, cond))
      return false;
    if (cond.kind != Value::Kind::Bool)
      return error(stmt.cond->loc, "condition must be a bool, got " + describe(cond));
    if (!cond.b) {
      vars[local.name] = Value();
      return true;
    }
  }
  Shape shape;
  int64_t elements = 1;
  for (const auto &dimExpr : stmt.dims) {
    Value v;
    int64_t d;
    if (!eval(*dimExpr, v) || !checkInt(v, dimExpr->loc, "a parameter dimension", d))
      return false;
    if (d <= 0 || d > kMaxDim)
      return error(dimExpr->loc, "parameter '" + local.name + "' has dimension " +
                                     std::to_string(d) + "; dimensions must be in [1, 2^40]");
    if (elements > kMaxElements / d)
      return error(stmt.loc, "parameter '" + local.name + "' has more than 2^48 elements");
    elements *= d;
    shape.push_back(d);
  }

  // Binds one tensor (the list variable, if any, already set).
  auto bindOne = [&](Value &out) -> bool {
    std::vector<std::string> names;
    std::string prefix = scopePrefix();
    for (const Ident &alt : stmt.names) {
      std::string name;
      if (!interpolate(alt.name, alt.loc, name))
        return false;
      if (name.empty())
        return error(alt.loc, "parameter '" + local.name + "' has an empty tensor name");
      names.push_back(prefix.empty() ? name : prefix + "." + name);
    }
    auto it = paramByName_.find(names[0]);
    if (it != paramByName_.end()) {
      GraphParam &existing = graph_.params[it->second];
      if (existing.shape != shape) {
        error(stmt.loc, "tensor '" + names[0] +
                            "' is bound twice with different shapes: " + formatShape(shape) +
                            " here and " + formatShape(existing.shape) + " before");
        diags_.note(existing.loc, "first bound here");
        return false;
      }
      out = Value::makeTensor(existing.value);
      return true;
    }
    int value = static_cast<int>(graph_.values.size());
    int index = static_cast<int>(graph_.params.size());
    graph_.values.push_back({ValueDef::Param, index, 0, shape});
    graph_.params.push_back({names, shape, stmt.loc, value});
    paramByName_[names[0]] = index;
    out = Value::makeTensor(value);
    return true;
  };

  if (!stmt.listBegin) {
    Value v;
    if (!bindOne(v))
      return false;
    vars[local.name] = std::move(v);
    return true;
  }
  Value begin, end;
  int64_t b, e;
  if (!eval(*stmt.listBegin, begin) || !checkInt(begin, stmt.listBegin->loc, "range start", b) ||
      !eval(*stmt.listEnd, end) || !checkInt(end, stmt.listEnd->loc, "range end", e))
    return false;
  if (e <= b)
    return error(stmt.listEnd->loc, "parameter list '" + local.name + "' is empty");
  Value list;
  list.kind = Value::Kind::List;
  std::optional<Value> saved;
  if (vars.count(stmt.listVar.name))
    saved = vars[stmt.listVar.name];
  for (int64_t i = b; i < e; ++i) {
    if (!step(stmt.loc))
      return false;
    vars[stmt.listVar.name] = Value::makeInt(i);
    Value v;
    if (!bindOne(v))
      return false;
    list.elems.push_back(std::move(v));
  }
  if (saved)
    vars[stmt.listVar.name] = *saved;
  else
    vars.erase(stmt.listVar.name);
  vars[local.name] = std::move(list);
  return true;
}

//===----------------------------------------------------------------------===//
// Expressions
//===----------------------------------------------------------------------===//

bool Elaborator::eval(const Expr &expr, Value &out) {
  switch (expr.kind) {
  case ExprKind::Int: out = Value::makeInt(expr.intValue); return true;
  case ExprKind::Float: out = Value::makeFloat(expr.floatValue); return true;
  case ExprKind::String: out = Value::makeString(expr.text); return true;
  case ExprKind::Bool: out = Value::makeBool(expr.boolValue); return true;
  case ExprKind::None: out = Value(); return true;
  case ExprKind::Name: {
    auto &vars = frames_.back().vars;
    auto it = vars.find(expr.text);
    if (it == vars.end())
      return error(expr.loc,
                   "undefined name '" + expr.text + "' (it is not assigned on this path)");
    out = it->second;
    return true;
  }
  case ExprKind::List: {
    out = Value();
    out.kind = Value::Kind::List;
    for (const auto &e : expr.operands) {
      Value v;
      if (!eval(*e, v))
        return false;
      out.elems.push_back(std::move(v));
    }
    return true;
  }
  case ExprKind::Binary: return evalBinary(expr, out);
  case ExprKind::Unary: return evalUnary(expr, out);
  case ExprKind::Call: return evalCall(expr, out);
  case ExprKind::Scoped: {
    const Expr &inner = *expr.operands[0];
    if (inner.kind != ExprKind::Call)
      return error(expr.loc, "'@' applies to a block or op call");
    std::string prefix;
    if (!interpolate(expr.text, expr.loc, prefix))
      return false;
    scopes_.push_back(prefix);
    bool ok = eval(inner, out);
    scopes_.pop_back();
    return ok;
  }
  }
  return false;
}

bool Elaborator::evalUnary(const Expr &expr, Value &out) {
  Value v;
  if (!eval(*expr.operands[0], v))
    return false;
  if (expr.unOp == UnOp::Not) {
    if (v.kind != Value::Kind::Bool)
      return error(expr.loc, "'not' needs a bool, got " + describe(v));
    out = Value::makeBool(!v.b);
    return true;
  }
  switch (v.kind) {
  case Value::Kind::Int:
    if (v.i == std::numeric_limits<int64_t>::min())
      return error(expr.loc, "integer overflow");
    out = Value::makeInt(-v.i);
    return true;
  case Value::Kind::Float: out = Value::makeFloat(-v.f); return true;
  case Value::Kind::Tensor: {
    int node = addNode(OpCode::Neg, expr.loc, {v.tensor}, {}, {shapeOf(v.tensor)});
    if (node < 0)
      return false;
    out = Value::makeTensor(graph_.nodes[node].results[0]);
    return true;
  }
  default: return error(expr.loc, "cannot negate " + describe(v));
  }
}

bool Elaborator::evalBinary(const Expr &expr, Value &out) {
  Value lhs, rhs;
  BinOp op = expr.binOp;
  if (!eval(*expr.operands[0], lhs))
    return false;
  if (op == BinOp::And || op == BinOp::Or) {
    if (lhs.kind != Value::Kind::Bool)
      return error(expr.operands[0]->loc, "'and'/'or' need bools, got " + describe(lhs));
    if ((op == BinOp::And && !lhs.b) || (op == BinOp::Or && lhs.b)) {
      out = lhs; // short circuit
      return true;
    }
    if (!eval(*expr.operands[1], rhs))
      return false;
    if (rhs.kind != Value::Kind::Bool)
      return error(expr.operands[1]->loc, "'and'/'or' need bools, got " + describe(rhs));
    out = rhs;
    return true;
  }
  if (!eval(*expr.operands[1], rhs))
    return false;

  bool lt = lhs.kind == Value::Kind::Tensor, rt = rhs.kind == Value::Kind::Tensor;
  if (lt || rt) {
    if (!lt || !rt || (op != BinOp::Add && op != BinOp::Sub && op != BinOp::Mul))
      return error(expr.loc, "unsupported operation on " + describe(lhs) + " and " + describe(rhs) +
                                 ": tensors support +, - and * with tensors");
    Shape shape;
    const char *name = op == BinOp::Mul ? "mul" : "add";
    if (!broadcast(name, expr.loc, shapeOf(lhs.tensor), shapeOf(rhs.tensor), shape))
      return false;
    int right = rhs.tensor;
    if (op == BinOp::Sub) {
      int neg = addNode(OpCode::Neg, expr.loc, {rhs.tensor}, {}, {shapeOf(rhs.tensor)});
      if (neg < 0)
        return false;
      right = graph_.nodes[neg].results[0];
    }
    int node = addNode(op == BinOp::Mul ? OpCode::Mul : OpCode::Add, expr.loc, {lhs.tensor, right},
                       {}, {shape});
    if (node < 0)
      return false;
    out = Value::makeTensor(graph_.nodes[node].results[0]);
    return true;
  }

  if (op == BinOp::Eq || op == BinOp::Ne) {
    bool equal;
    if (lhs.isNumber() && rhs.isNumber())
      equal = lhs.asDouble() == rhs.asDouble();
    else if (lhs.kind != rhs.kind)
      return error(expr.loc, "cannot compare " + describe(lhs) + " with " + describe(rhs));
    else if (lhs.kind == Value::Kind::Bool)
      equal = lhs.b == rhs.b;
    else if (lhs.kind == Value::Kind::String)
      equal = lhs.s == rhs.s;
    else if (lhs.kind == Value::Kind::None)
      equal = true;
    else
      return error(expr.loc, "cannot compare " + describe(lhs));
    out = Value::makeBool(op == BinOp::Eq ? equal : !equal);
    return true;
  }
  if (!lhs.isNumber() || !rhs.isNumber())
    return error(expr.loc,
                 "arithmetic needs numbers, got " + describe(lhs) + " and " + describe(rhs));
  bool ints = lhs.kind == Value::Kind::Int && rhs.kind == Value::Kind::Int;
  double a = lhs.asDouble(), b = rhs.asDouble();
  switch (op) {
  case BinOp::Lt: out = Value::makeBool(ints ? lhs.i < rhs.i : a < b); return true;
  case BinOp::Le: out = Value::makeBool(ints ? lhs.i <= rhs.i : a <= b); return true;
  case BinOp::Gt: out = Value::makeBool(ints ? lhs.i > rhs.i : a > b); return true;
  case BinOp::Ge: out = Value::makeBool(ints ? lhs.i >= rhs.i : a >= b); return true;
  case BinOp::Div:
    if (b == 0)
      return error(expr.loc, "division by zero");
    out = Value::makeFloat(a / b);
    return true;
  case BinOp::FloorDiv:
  case BinOp::Mod: {
    if (!ints)
      return error(expr.loc,
                   "'//' and '%' need ints, got " + describe(lhs) + " and " + describe(rhs));
    if (rhs.i == 0)
      return error(expr.loc, "division by zero");
    if (lhs.i == std::numeric_limits<int64_t>::min() && rhs.i == -1)
      return error(expr.loc, "integer overflow");
    int64_t q = lhs.i / rhs.i, r = lhs.i % rhs.i;
    if (r != 0 && ((r < 0) != (rhs.i < 0))) { // floor, as in Python
      q -= 1;
      r += rhs.i;
    }
    out = Value::makeInt(op == BinOp::FloorDiv ? q : r);
    return true;
  }
  default: break;
  }
  if (ints) {
    int64_t r;
    bool overflow = op == BinOp::Add   ? __builtin_add_overflow(lhs.i, rhs.i, &r)
                    : op == BinOp::Sub ? __builtin_sub_overflow(lhs.i, rhs.i, &r)
                                       : __builtin_mul_overflow(lhs.i, rhs.i, &r);
    if (overflow)
      return error(expr.loc, "integer overflow");
    out = Value::makeInt(r);
    return true;
  }
  double r = op == BinOp::Add ? a + b : op == BinOp::Sub ? a - b : a * b;
  out = Value::makeFloat(r);
  return true;
}

bool Elaborator::evalCall(const Expr &expr, Value &out) {
  if (const OpSignature *op = lookupOp(expr.text))
    return evalOp(*op, expr, out);
  if (const BlockDecl *block = modules_.findBlock(expr.text))
    return callBlock(*block, expr, out);
  if (isScalarBuiltin(expr.text))
    return evalScalarBuiltin(expr, out);
  return error(expr.loc, "unknown op or block '" + expr.text + "'");
}

bool Elaborator::evalScalarBuiltin(const Expr &expr, Value &out) {
  const std::string &name = expr.text;
  std::vector<Value> args;
  for (const Arg &a : expr.args) {
    if (!a.name.empty())
      return error(a.nameLoc, "'" + name + "' takes no named arguments");
    Value v;
    if (!eval(*a.value, v))
      return false;
    args.push_back(std::move(v));
  }
  size_t arity = (name == "ceil" || name == "floor") ? 1 : 2;
  if (args.size() != arity)
    return error(expr.loc, "'" + name + "' takes " + std::to_string(arity) + " argument" +
                               (arity == 1 ? "" : "s") + ", got " + std::to_string(args.size()));
  if (name == "config") {
    if (args[0].kind != Value::Kind::String)
      return error(expr.args[0].value->loc,
                   "config key must be a string, got " + describe(args[0]));
    ConfigValue value;
    switch (args[1].kind) {
    case Value::Kind::Int: value = args[1].i; break;
    case Value::Kind::Float: value = args[1].f; break;
    case Value::Kind::Bool: value = args[1].b; break;
    case Value::Kind::String: value = args[1].s; break;
    default:
      return error(expr.args[1].value->loc,
                   "config value must be a number, bool or string, got " + describe(args[1]));
    }
    for (const ConfigCheck &c : graph_.configChecks)
      if (c.key == args[0].s && c.value != value) {
        error(expr.loc, "config key '" + c.key + "' is given two different values");
        diags_.note(c.loc, "first given here");
        return false;
      }
    graph_.configChecks.push_back({args[0].s, value, expr.loc});
    out = args[1];
    return true;
  }
  for (size_t i = 0; i < args.size(); ++i)
    if (!args[i].isNumber())
      return error(expr.args[i].value->loc,
                   "'" + name + "' needs numbers, got " + describe(args[i]));
  if (name == "ceil" || name == "floor") {
    if (args[0].kind == Value::Kind::Int) {
      out = args[0];
      return true;
    }
    double r = name == "ceil" ? std::ceil(args[0].f) : std::floor(args[0].f);
    if (!(std::fabs(r) < 9.0e18))
      return error(expr.loc, "'" + name + "' result does not fit in an int");
    out = Value::makeInt(static_cast<int64_t>(r));
    return true;
  }
  bool ints = args[0].kind == Value::Kind::Int && args[1].kind == Value::Kind::Int;
  bool takeFirst = name == "min" ? args[0].asDouble() <= args[1].asDouble()
                                 : args[0].asDouble() >= args[1].asDouble();
  out = takeFirst ? args[0] : args[1];
  if (!ints)
    out = Value::makeFloat(out.asDouble());
  return true;
}

bool Elaborator::callBlock(const BlockDecl &block, const Expr &call, Value &out) {
  if (frames_.size() > static_cast<size_t>(kMaxCallDepth))
    return error(call.loc, "blocks nest more than " + std::to_string(kMaxCallDepth) +
                               " calls deep (recursion?)");
  // Bind arguments: positional first, then named (the resolver checked names).
  std::vector<const Expr *> bound(block.params.size(), nullptr);
  size_t positional = 0;
  for (const Arg &a : call.args) {
    if (a.name.empty()) {
      if (positional >= bound.size())
        return error(a.value->loc, "too many arguments to block '" + block.name.name + "'");
      bound[positional++] = a.value.get();
      continue;
    }
    for (size_t i = 0; i < block.params.size(); ++i)
      if (block.params[i].name.name == a.name)
        bound[i] = a.value.get();
  }
  Frame frame{&block, {}};
  for (size_t i = 0; i < block.params.size(); ++i) {
    const ParamDecl &p = block.params[i];
    Value v;
    Loc loc = bound[i] ? bound[i]->loc : call.loc;
    if (bound[i]) {
      if (!eval(*bound[i], v))
        return false;
    } else if (p.defaultValue) {
      // Defaults see the parameters bound so far.
      frames_.push_back(frame);
      bool ok = eval(*p.defaultValue, v);
      frame = std::move(frames_.back());
      frames_.pop_back();
      if (!ok)
        return false;
    } else {
      return error(call.loc,
                   "call to '" + block.name.name + "' is missing argument '" + p.name.name + "'");
    }
    bool ok = false;
    switch (p.type) {
    case ValueType::Tensor:
      ok = v.kind == Value::Kind::Tensor || v.kind == Value::Kind::None;
      break;
    case ValueType::Int: ok = v.kind == Value::Kind::Int; break;
    case ValueType::Float:
      // none: an optional attribute left out (e.g. ssd_scan's dt_max).
      ok = v.isNumber() || v.kind == Value::Kind::None;
      if (v.isNumber())
        v = Value::makeFloat(v.asDouble());
      break;
    case ValueType::Bool: ok = v.kind == Value::Kind::Bool; break;
    case ValueType::String: ok = v.kind == Value::Kind::String; break;
    }
    if (!ok)
      return error(loc, "argument '" + p.name.name + "' of block '" + block.name.name +
                            "' must be " + valueTypeName(p.type) + ", got " + describe(v));
    frame.vars[p.name.name] = std::move(v);
  }

  if (frames_.size() == 1 && currentLayer_ >= 0)
    graph_.layers[currentLayer_].blocks.push_back(block.name.name);
  frames_.push_back(std::move(frame));
  size_t scopeDepth = scopes_.size();
  Flow flow = execBody(block.body, out);
  frames_.pop_back();
  scopes_.resize(scopeDepth);
  if (flow == Flow::Error) {
    diags_.note(call.loc, "in call to block '" + block.name.name + "'");
    return false;
  }
  if (flow != Flow::Return)
    return error(block.name.loc, "block '" + block.name.name + "' ended without return");
  return true;
}
