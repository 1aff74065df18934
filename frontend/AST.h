//===- AST.h - syntax tree of the model description language ----*- C++ -*-===//
//
// Plain structs owned through unique_ptr; each node keeps the source range it
// came from so that every later error can quote it.
//
//===----------------------------------------------------------------------===//
#ifndef SSMC_FRONTEND_AST_H
#define SSMC_FRONTEND_AST_H

#include "frontend/Source.h"

#include <memory>
#include <string>
#include <vector>

namespace ssmc::fe {

struct Expr;
struct Stmt;
using ExprPtr = std::unique_ptr<Expr>;
using StmtPtr = std::unique_ptr<Stmt>;

enum class ExprKind { Int, Float, String, Bool, None, Name, Call, Binary, Unary, List, Scoped };
enum class BinOp { Add, Sub, Mul, Div, FloorDiv, Mod, Eq, Ne, Lt, Le, Gt, Ge, And, Or };
enum class UnOp { Neg, Not };

/// A call argument; |name| is empty for a positional argument.
struct Arg {
  std::string name;
  Loc nameLoc;
  ExprPtr value;
};

struct Expr {
  ExprKind kind;
  Loc loc;
  int64_t intValue = 0;     ///< Int
  double floatValue = 0;    ///< Float
  bool boolValue = false;   ///< Bool
  std::string text;         ///< Name, String, callee of Call, prefix of Scoped
  BinOp binOp = BinOp::Add; ///< Binary
  UnOp unOp = UnOp::Neg;    ///< Unary
  /// Binary: lhs, rhs. Unary, Scoped: the operand. List: the elements.
  std::vector<ExprPtr> operands;
  std::vector<Arg> args; ///< Call
};

/// A name with the source range it was written at.
struct Ident {
  std::string name;
  Loc loc;
};

enum class StmtKind { Assign, Param, For, If, Scope, Return };

struct Stmt {
  StmtKind kind;
  Loc loc;
  /// Assign: the targets. Param: the local name (one entry).
  std::vector<Ident> targets;
  /// Assign, Return: the value. For: the range start. If: the condition.
  ExprPtr value;
  /// For: the range end.
  ExprPtr end;
  /// For: the loop variable.
  Ident var;
  /// Param: the dimensions.
  std::vector<ExprPtr> dims;
  /// Param: the tensor-name alternatives. Scope: the prefix (one entry).
  std::vector<Ident> names;
  /// Param: the `if` condition, and the `for` clause (var, value..end).
  ExprPtr cond;
  Ident listVar;
  ExprPtr listBegin, listEnd;
  /// For, If (then), Scope: the body. If: the else part.
  std::vector<StmtPtr> body, elseBody;
};

enum class ValueType { Tensor, Int, Float, Bool, String };
const char *valueTypeName(ValueType type);

struct ParamDecl {
  Ident name;
  ValueType type = ValueType::Tensor;
  Loc typeLoc;
  ExprPtr defaultValue;
};

/// A block, or the model (`model NAME(tokens) {...}`, one untyped tensor
/// parameter).
struct BlockDecl {
  bool isModel = false;
  Ident name;
  std::vector<ParamDecl> params;
  std::vector<StmtPtr> body;
};

struct ImportDecl {
  std::string path;
  Loc loc;
};

/// One parsed file.
struct Module {
  uint32_t file = 0;
  std::vector<ImportDecl> imports;
  std::vector<std::unique_ptr<BlockDecl>> blocks;
};

} // namespace ssmc::fe

#endif // SSMC_FRONTEND_AST_H
