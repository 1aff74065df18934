//===- Elaborator.h - evaluates a model file into a flat graph --*- C++ -*-===//
//
// Runs a model at compile time: scalars are computed, loops unrolled, `if`
// decided, blocks inlined, and every tensor op becomes a GraphNode whose
// shapes are inferred and checked here, with messages in the language's
// terms. Limits keep bad input from hanging or exhausting memory.
//
//===----------------------------------------------------------------------===//
#ifndef SSMC_FRONTEND_ELABORATOR_H
#define SSMC_FRONTEND_ELABORATOR_H

#include "frontend/Graph.h"
#include "frontend/ModuleSet.h"
#include "frontend/OpTable.h"
#include "frontend/Value.h"

#include <deque>
#include <map>
#include <optional>

namespace ssmc::fe {

/// Elaborates the model of |modules| (which must have one, and must have
/// passed resolveModules). Returns nullopt after reporting the first error.
std::optional<Graph> elaborateModel(const ModuleSet &modules, DiagnosticEngine &diags);

/// Implementation; exposed for the op handlers in ElaborateOps.cpp.
class Elaborator {
public:
  Elaborator(const ModuleSet &modules, DiagnosticEngine &diags)
      : modules_(modules), diags_(diags) {}

  std::optional<Graph> run(const BlockDecl &model);

  static constexpr int kMaxCallDepth = 64;
  static constexpr size_t kMaxNodes = 1000000;
  static constexpr size_t kMaxSteps = 10000000;
  static constexpr int64_t kMaxDim = int64_t(1) << 40;
  static constexpr int64_t kMaxElements = int64_t(1) << 48;

private:
  struct Frame {
    const BlockDecl *block;
    std::map<std::string, Value> vars;
  };
  enum class Flow { Next, Return, Error };

  // Statements and expressions (Elaborator.cpp).
  Flow execBody(const std::vector<StmtPtr> &stmts, Value &ret);
  Flow exec(const Stmt &stmt, Value &ret);
  bool execParam(const Stmt &stmt);
  bool execFor(const Stmt &stmt, Value &ret, Flow &flow);
  bool eval(const Expr &expr, Value &out);
  bool evalBinary(const Expr &expr, Value &out);
  bool evalUnary(const Expr &expr, Value &out);
  bool evalCall(const Expr &expr, Value &out);
  bool evalScalarBuiltin(const Expr &expr, Value &out);
  bool callBlock(const BlockDecl &block, const Expr &call, Value &out);
  bool step(Loc loc);

  // Ops (ElaborateOps.cpp).
  struct BoundArgs {
    std::vector<Value> values;
    std::vector<Loc> locs;
    std::vector<bool> present;
    /// split sizes / concat inputs given positionally.
    std::vector<Value> rest;
    std::vector<Loc> restLocs;
  };
  bool evalOp(const OpSignature &op, const Expr &call, Value &out);
  bool bindOpArgs(const OpSignature &op, const Expr &call, BoundArgs &args);
  bool checkArgType(const OpSignature &op, const OpArg &arg, const Value &v, Loc loc);
  bool checkShape(const OpSignature &op, const std::string &what, Loc loc, const Shape &actual,
                  const Shape &expected);
  /// Custom ops: shape rules per op.
  bool buildOp(const OpSignature &op, const Expr &call, BoundArgs &a, Value &out);
  /// Unary and binary elementwise ops, from the op table alone.
  bool buildElementwise(const OpSignature &op, const Expr &call, BoundArgs &a, Value &out);
  bool broadcast(const char *opName, Loc loc, const Shape &a, const Shape &b, Shape &out);

public:
  // Helpers shared by both files.
  bool error(Loc loc, std::string message) { return diags_.error(loc, std::move(message)); }
  std::string describe(const Value &v) const;
  const Shape &shapeOf(int value) const { return graph_.values[value].shape; }
  int addNode(OpCode kind, Loc loc, std::vector<int> operands, std::map<std::string, Attr> attrs,
              std::vector<Shape> results);
  /// The recurrent state of |node| (its kind from the op table), |shape| per
  /// sequence.
  int addState(Shape shape, int node);
  bool checkInt(const Value &v, Loc loc, const std::string &what, int64_t &out);
  std::string scopePrefix() const;
  bool interpolate(const std::string &pattern, Loc loc, std::string &out);

private:
  const ModuleSet &modules_;
  DiagnosticEngine &diags_;
  Graph graph_;
  /// A deque: references to a frame stay valid while calls push more.
  std::deque<Frame> frames_;
  std::vector<std::string> scopes_;
  std::map<std::string, int> paramByName_;
  std::map<std::string, int> stateNames_;
  size_t steps_ = 0;
  int currentLayer_ = -1;
};

} // namespace ssmc::fe

#endif // SSMC_FRONTEND_ELABORATOR_H
