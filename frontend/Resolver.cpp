//===- Resolver.cpp - static checks of names and calls --------------------===//
#include "frontend/Resolver.h"
#include "frontend/OpTable.h"

#include <algorithm>
#include <map>
#include <set>

using namespace ssmc::fe;

std::string ssmc::fe::suggestName(const std::string &name,
                                  const std::vector<std::string> &candidates) {
  auto distance = [](const std::string &a, const std::string &b) {
    std::vector<size_t> row(b.size() + 1);
    for (size_t j = 0; j <= b.size(); ++j)
      row[j] = j;
    for (size_t i = 1; i <= a.size(); ++i) {
      size_t diag = row[0];
      row[0] = i;
      for (size_t j = 1; j <= b.size(); ++j) {
        size_t up = row[j];
        row[j] = std::min({row[j] + 1, row[j - 1] + 1, diag + (a[i - 1] == b[j - 1] ? 0 : 1)});
        diag = up;
      }
    }
    return row[b.size()];
  };
  std::string best;
  size_t bestDist = std::max<size_t>(2, name.size() / 3) + 1;
  for (const std::string &c : candidates) {
    size_t d = distance(name, c);
    if (d < bestDist) {
      bestDist = d;
      best = c;
    }
  }
  return best;
}

namespace {

class Resolver {
public:
  Resolver(const ModuleSet &modules, DiagnosticEngine &diags) : modules_(modules), diags_(diags) {}

  bool resolveBlock(const BlockDecl &block);

private:
  bool collectParams(const BlockDecl &block, const std::vector<StmtPtr> &stmts,
                     std::map<std::string, Loc> &seen);
  bool body(const std::vector<StmtPtr> &stmts);
  bool stmt(const Stmt &s);
  bool expr(const Expr &e);
  bool call(const Expr &e);
  bool define(const Ident &id);
  bool undefined(const std::string &name, Loc loc);

  const ModuleSet &modules_;
  DiagnosticEngine &diags_;
  std::set<std::string> defined_;
  std::set<std::string> paramNames_;
  std::vector<std::string> callable_;
};

bool Resolver::undefined(const std::string &name, Loc loc) {
  if (lookupOp(name) || modules_.findBlock(name) || isScalarBuiltin(name))
    return diags_.error(loc, "'" + name + "' is an op or block: call it with arguments");
  std::vector<std::string> known(defined_.begin(), defined_.end());
  std::string hint = suggestName(name, known);
  return diags_.error(loc, "undefined name '" + name + "'" +
                               (hint.empty() ? "" : "; did you mean '" + hint + "'?"));
}

bool Resolver::define(const Ident &id) {
  if (paramNames_.count(id.name))
    return diags_.error(id.loc, "cannot assign to '" + id.name +
                                    "': it is a parameter bound to a checkpoint tensor");
  defined_.insert(id.name);
  return true;
}

bool Resolver::resolveBlock(const BlockDecl &block) {
  defined_.clear();
  paramNames_.clear();
  for (const ParamDecl &p : block.params) {
    if (defined_.count(p.name.name))
      return diags_.error(p.name.loc, "duplicate parameter '" + p.name.name + "' of block '" +
                                          block.name.name + "'");
    if (p.defaultValue && !expr(*p.defaultValue))
      return false;
    defined_.insert(p.name.name);
  }
  // Every `param` statement's local name, wherever it is in the block.
  std::map<std::string, Loc> seen;
  if (!collectParams(block, block.body, seen))
    return false;
  for (const auto &[name, loc] : seen)
    paramNames_.insert(name);
  if (!body(block.body))
    return false;
  bool hasReturn = std::any_of(block.body.begin(), block.body.end(),
                               [](const StmtPtr &s) { return s->kind == StmtKind::Return; });
  if (!hasReturn)
    return diags_.error(block.name.loc, std::string(block.isModel ? "model '" : "block '") +
                                            block.name.name + "' has no return statement");
  return true;
}

bool Resolver::collectParams(const BlockDecl &block, const std::vector<StmtPtr> &stmts,
                             std::map<std::string, Loc> &seen) {
  for (const auto &s : stmts) {
    if (s->kind == StmtKind::Param) {
      const Ident &id = s->targets[0];
      if (defined_.count(id.name))
        return diags_.error(id.loc, "parameter '" + id.name +
                                        "' has the name of an argument of block '" +
                                        block.name.name + "'");
      auto [it, inserted] = seen.emplace(id.name, id.loc);
      if (!inserted) {
        diags_.error(id.loc, "duplicate parameter '" + id.name + "'");
        diags_.note(it->second, "'" + id.name + "' is first declared here");
        return false;
      }
    }
    if (!collectParams(block, s->body, seen) || !collectParams(block, s->elseBody, seen))
      return false;
  }
  return true;
}

bool Resolver::body(const std::vector<StmtPtr> &stmts) {
  for (const auto &s : stmts)
    if (!stmt(*s))
      return false;
  return true;
}

bool Resolver::stmt(const Stmt &s) {
  switch (s.kind) {
  case StmtKind::Assign: {
    if (!expr(*s.value))
      return false;
    std::set<std::string> targets;
    for (const Ident &t : s.targets) {
      if (!targets.insert(t.name).second)
        return diags_.error(t.loc, "'" + t.name + "' is assigned twice in one statement");
      if (!define(t))
        return false;
    }
    return true;
  }
  case StmtKind::Param: {
    for (const auto &d : s.dims)
      if (!expr(*d))
        return false;
    if (s.listBegin && (!expr(*s.listBegin) || !expr(*s.listEnd)))
      return false;
    bool hadListVar = s.listBegin && defined_.count(s.listVar.name);
    if (s.listBegin)
      defined_.insert(s.listVar.name);
    if (s.cond && !expr(*s.cond))
      return false;
    if (s.listBegin && !hadListVar)
      defined_.erase(s.listVar.name);
    defined_.insert(s.targets[0].name);
    return true;
  }
  case StmtKind::For:
    if (!expr(*s.value) || !expr(*s.end) || !define(s.var))
      return false;
    return body(s.body);
  case StmtKind::If:
    if (!expr(*s.value))
      return false;
    return body(s.body) && body(s.elseBody);
  case StmtKind::Scope: return body(s.body);
  case StmtKind::Return: return expr(*s.value);
  }
  return true;
}

bool Resolver::expr(const Expr &e) {
  switch (e.kind) {
  case ExprKind::Name:
    if (!defined_.count(e.text))
      return undefined(e.text, e.loc);
    return true;
  case ExprKind::Call: return call(e);
  default:
    for (const auto &op : e.operands)
      if (!expr(*op))
        return false;
    return true;
  }
}

bool Resolver::call(const Expr &e) {
  for (const Arg &a : e.args)
    if (!expr(*a.value))
      return false;
  const std::string &name = e.text;
  Loc calleeLoc{e.loc.file, e.loc.offset, static_cast<uint32_t>(name.size())};
  // Parameter names of the callee, and how many are required.
  std::vector<std::string> params;
  std::vector<bool> required;
  bool variadic = false;
  if (const OpSignature *op = lookupOp(name)) {
    for (const OpArg &a : op->args) {
      params.push_back(a.name);
      required.push_back(a.required);
    }
    variadic = op->variadic;
  } else if (const BlockDecl *block = modules_.findBlock(name)) {
    for (const ParamDecl &p : block->params) {
      params.push_back(p.name.name);
      required.push_back(!p.defaultValue);
    }
  } else if (isScalarBuiltin(name)) {
    return true; // arity checked when evaluated
  } else {
    std::vector<std::string> candidates;
    for (std::string_view b : builtinNames())
      candidates.emplace_back(b);
    for (const auto &m : modules_.modules())
      for (const auto &b : m->blocks)
        if (!b->isModel)
          candidates.push_back(b->name.name);
    std::string hint = suggestName(name, candidates);
    return diags_.error(calleeLoc, "unknown op or block '" + name + "'" +
                                       (hint.empty() ? "" : "; did you mean '" + hint + "'?"));
  }
  std::set<std::string> given;
  size_t positional = 0;
  for (const Arg &a : e.args) {
    if (a.name.empty()) {
      if (!given.empty() && !variadic)
        return diags_.error(a.value->loc,
                            "positional argument after a named argument in call to '" + name + "'");
      ++positional;
      continue;
    }
    auto it = std::find(params.begin(), params.end(), a.name);
    if (it == params.end()) {
      std::string hint = suggestName(a.name, params);
      return diags_.error(a.nameLoc, "'" + name + "' has no argument named '" + a.name + "'" +
                                         (hint.empty() ? "" : "; did you mean '" + hint + "'?"));
    }
    if (!given.insert(a.name).second)
      return diags_.error(a.nameLoc,
                          "argument '" + a.name + "' given twice in call to '" + name + "'");
  }
  if (variadic)
    return true;
  if (positional > params.size())
    return diags_.error(e.args[params.size()].value->loc,
                        "too many arguments: '" + name + "' takes at most " +
                            std::to_string(params.size()) + ", got " +
                            std::to_string(e.args.size()));
  for (size_t i = 0; i < params.size(); ++i) {
    bool byPosition = i < positional;
    bool byName = given.count(params[i]) > 0;
    if (byPosition && byName)
      return diags_.error(calleeLoc, "argument '" + params[i] + "' of '" + name +
                                         "' given both by position and by name");
    if (required[i] && !byPosition && !byName)
      return diags_.error(calleeLoc,
                          "call to '" + name + "' is missing argument '" + params[i] + "'");
  }
  return true;
}

} // namespace

bool ssmc::fe::resolveModules(const ModuleSet &modules, DiagnosticEngine &diags) {
  Resolver resolver(modules, diags);
  for (const auto &m : modules.modules())
    for (const auto &block : m->blocks)
      if (!resolver.resolveBlock(*block))
        return false;
  return true;
}
