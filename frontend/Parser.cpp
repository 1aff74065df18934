//===- Parser.cpp - recursive-descent parser for .ssm files ---------------===//
#include "frontend/Parser.h"

using namespace ssmc::fe;

const char *ssmc::fe::valueTypeName(ValueType type) {
  switch (type) {
  case ValueType::Tensor: return "tensor";
  case ValueType::Int: return "int";
  case ValueType::Float: return "float";
  case ValueType::Bool: return "bool";
  case ValueType::String: return "string";
  }
  return "value";
}

namespace {

/// Nesting limit for expressions and statements, so that adversarial input
/// cannot exhaust the stack.
constexpr int kMaxDepth = 256;

class Parser {
public:
  Parser(const SourceManager &sources, uint32_t file, DiagnosticEngine &diags)
      : lexer_(sources, file, diags), diags_(diags), file_(file) {
    advance();
  }

  std::unique_ptr<Module> parseFile();

private:
  void advance() { tok_ = lexer_.next(); }
  bool failed() const { return tok_.kind == Tok::Error || diags_.hasError(); }
  bool is(Tok kind) const { return tok_.kind == kind; }
  bool consumeIf(Tok kind) {
    if (!is(kind))
      return false;
    advance();
    return true;
  }
  /// Reports "expected X" at the current token unless an error is pending.
  bool expected(const std::string &what) {
    if (failed())
      return false;
    std::string found =
        is(Tok::Eof) ? "end of file (is the file truncated?)" : "'" + tokenSpelling() + "'";
    return diags_.error(tok_.loc, "expected " + what + ", found " + found);
  }
  std::string tokenSpelling() const {
    if (is(Tok::String))
      return "\"" + tok_.text + "\"";
    if (!tok_.text.empty())
      return tok_.text;
    std::string name = tokName(tok_.kind);
    return name.size() > 2 && name.front() == '\'' ? name.substr(1, name.size() - 2) : name;
  }
  bool expect(Tok kind, const char *context = nullptr) {
    if (consumeIf(kind))
      return true;
    return expected(std::string(tokName(kind)) + (context ? std::string(" ") + context : ""));
  }
  bool expectIdent(Ident &out, const char *what) {
    if (!is(Tok::Ident))
      return expected(what);
    out = {tok_.text, tok_.loc};
    advance();
    return true;
  }
  bool enter(Loc loc) {
    if (++depth_ <= kMaxDepth)
      return true;
    return diags_.error(loc,
                        "nested too deeply (more than " + std::to_string(kMaxDepth) + " levels)");
  }
  Loc span(Loc begin) const {
    uint32_t end = lastEnd_ > begin.offset ? lastEnd_ : begin.offset + begin.length;
    return {file_, begin.offset, end - begin.offset};
  }

  std::unique_ptr<BlockDecl> parseBlock(bool isModel);
  bool parseBody(std::vector<StmtPtr> &out);
  StmtPtr parseStmt();
  StmtPtr parseParamStmt();
  StmtPtr parseFor();
  StmtPtr parseIf();
  ExprPtr parseExpr();
  ExprPtr parseOr();
  ExprPtr parseAnd();
  ExprPtr parseNot();
  ExprPtr parseCmp();
  ExprPtr parseSum();
  ExprPtr parseTerm();
  ExprPtr parseUnary();
  ExprPtr parseScoped();
  ExprPtr parsePrimary();
  ExprPtr makeBinary(BinOp op, ExprPtr lhs, ExprPtr rhs);

  Lexer lexer_;
  DiagnosticEngine &diags_;
  uint32_t file_;
  Token tok_;
  uint32_t lastEnd_ = 0;
  int depth_ = 0;

  struct DepthGuard {
    int &depth;
    ~DepthGuard() { --depth; }
  };
};

std::unique_ptr<Module> Parser::parseFile() {
  auto module = std::make_unique<Module>();
  module->file = file_;
  while (!is(Tok::Eof)) {
    if (failed())
      return nullptr;
    if (is(Tok::KwImport)) {
      Loc loc = tok_.loc;
      advance();
      if (!is(Tok::String)) {
        expected("a file name string after 'import'");
        return nullptr;
      }
      module->imports.push_back({tok_.text, span(loc)});
      advance();
    } else if (is(Tok::KwBlock) || is(Tok::KwModel)) {
      bool isModel = is(Tok::KwModel);
      advance();
      auto block = parseBlock(isModel);
      if (!block)
        return nullptr;
      module->blocks.push_back(std::move(block));
    } else {
      expected("'import', 'block' or 'model'");
      return nullptr;
    }
  }
  return failed() ? nullptr : std::move(module);
}

std::unique_ptr<BlockDecl> Parser::parseBlock(bool isModel) {
  auto block = std::make_unique<BlockDecl>();
  block->isModel = isModel;
  if (!expectIdent(block->name, isModel ? "a model name" : "a block name") || !expect(Tok::LParen))
    return nullptr;
  if (isModel) {
    ParamDecl input;
    if (!expectIdent(input.name, "the name of the token input, as in 'model m(tokens)'"))
      return nullptr;
    block->params.push_back(std::move(input));
  } else if (!is(Tok::RParen)) {
    do {
      ParamDecl p;
      if (!expectIdent(p.name, "a parameter name") ||
          !expect(Tok::Colon, "and a type after the parameter name"))
        return nullptr;
      p.typeLoc = tok_.loc;
      static const std::pair<const char *, ValueType> types[] = {{"tensor", ValueType::Tensor},
                                                                 {"int", ValueType::Int},
                                                                 {"float", ValueType::Float},
                                                                 {"bool", ValueType::Bool},
                                                                 {"string", ValueType::String}};
      bool found = false;
      for (auto &[name, type] : types)
        if (is(Tok::Ident) && tok_.text == name) {
          p.type = type;
          found = true;
        }
      if (!found) {
        expected("a type (tensor, int, float, bool or string)");
        return nullptr;
      }
      advance();
      if (consumeIf(Tok::Assign)) {
        p.defaultValue = parseExpr();
        if (!p.defaultValue)
          return nullptr;
      }
      block->params.push_back(std::move(p));
    } while (consumeIf(Tok::Comma));
  }
  if (!expect(Tok::RParen) || !parseBody(block->body))
    return nullptr;
  return block;
}

bool Parser::parseBody(std::vector<StmtPtr> &out) {
  if (!expect(Tok::LBrace, "to open a body"))
    return false;
  Loc open = tok_.loc;
  if (!enter(open))
    return false;
  DepthGuard guard{depth_};
  while (!is(Tok::RBrace)) {
    if (is(Tok::Eof))
      return expected("'}' to close the body");
    StmtPtr stmt = parseStmt();
    if (!stmt)
      return false;
    out.push_back(std::move(stmt));
  }
  lastEnd_ = tok_.loc.offset + tok_.loc.length;
  advance();
  return true;
}

StmtPtr Parser::parseStmt() {
  Loc loc = tok_.loc;
  switch (tok_.kind) {
  case Tok::KwParam: return parseParamStmt();
  case Tok::KwFor: return parseFor();
  case Tok::KwIf: return parseIf();
  case Tok::KwScope: {
    advance();
    auto stmt = std::make_unique<Stmt>();
    stmt->kind = StmtKind::Scope;
    if (!is(Tok::String)) {
      expected("a name prefix string after 'scope'");
      return nullptr;
    }
    stmt->names.push_back({tok_.text, tok_.loc});
    advance();
    stmt->loc = span(loc);
    if (!parseBody(stmt->body))
      return nullptr;
    return stmt;
  }
  case Tok::KwReturn: {
    advance();
    auto stmt = std::make_unique<Stmt>();
    stmt->kind = StmtKind::Return;
    stmt->value = parseExpr();
    if (!stmt->value)
      return nullptr;
    stmt->loc = span(loc);
    return stmt;
  }
  case Tok::Ident: {
    auto stmt = std::make_unique<Stmt>();
    stmt->kind = StmtKind::Assign;
    do {
      Ident target;
      if (!expectIdent(target, "a name to assign to"))
        return nullptr;
      stmt->targets.push_back(std::move(target));
    } while (consumeIf(Tok::Comma));
    if (!is(Tok::Assign)) {
      expected(stmt->targets.size() > 1 ? "'=' after the names"
                                        : "'=' (statements are assignments)");
      return nullptr;
    }
    advance();
    stmt->value = parseExpr();
    if (!stmt->value)
      return nullptr;
    stmt->loc = span(loc);
    return stmt;
  }
  default: expected("a statement (assignment, param, for, if, scope or return)"); return nullptr;
  }
}

StmtPtr Parser::parseParamStmt() {
  Loc loc = tok_.loc;
  advance();
  auto stmt = std::make_unique<Stmt>();
  stmt->kind = StmtKind::Param;
  Ident name;
  if (!expectIdent(name, "a parameter name after 'param'"))
    return nullptr;
  stmt->targets.push_back(std::move(name));
  if (!expect(Tok::LBracket, "to start the parameter's shape"))
    return nullptr;
  do {
    ExprPtr dim = parseExpr();
    if (!dim)
      return nullptr;
    stmt->dims.push_back(std::move(dim));
  } while (consumeIf(Tok::Comma));
  if (!expect(Tok::RBracket, "to end the parameter's shape"))
    return nullptr;
  if (!is(Tok::String)) {
    expected("the checkpoint tensor name (a string) that binds parameter '" +
             stmt->targets[0].name + "'");
    return nullptr;
  }
  do {
    if (!is(Tok::String)) {
      expected("an alternative tensor name (a string) after '|'");
      return nullptr;
    }
    stmt->names.push_back({tok_.text, tok_.loc});
    advance();
  } while (consumeIf(Tok::Pipe));
  // A `for` or `if` on the next line starts a statement of its own.
  if (!tok_.lineStart && consumeIf(Tok::KwFor)) {
    if (!expectIdent(stmt->listVar, "a variable after 'for'") || !expect(Tok::KwIn))
      return nullptr;
    stmt->listBegin = parseExpr();
    if (!stmt->listBegin || !expect(Tok::DotDot, "in the range"))
      return nullptr;
    stmt->listEnd = parseExpr();
    if (!stmt->listEnd)
      return nullptr;
  }
  if (!tok_.lineStart && consumeIf(Tok::KwIf)) {
    stmt->cond = parseExpr();
    if (!stmt->cond)
      return nullptr;
  }
  stmt->loc = span(loc);
  return stmt;
}

StmtPtr Parser::parseFor() {
  Loc loc = tok_.loc;
  advance();
  auto stmt = std::make_unique<Stmt>();
  stmt->kind = StmtKind::For;
  if (!expectIdent(stmt->var, "a loop variable after 'for'") || !expect(Tok::KwIn))
    return nullptr;
  stmt->value = parseExpr();
  if (!stmt->value || !expect(Tok::DotDot, "in the loop range"))
    return nullptr;
  stmt->end = parseExpr();
  if (!stmt->end)
    return nullptr;
  stmt->loc = span(loc);
  if (!parseBody(stmt->body))
    return nullptr;
  return stmt;
}

StmtPtr Parser::parseIf() {
  Loc loc = tok_.loc;
  if (!enter(loc))
    return nullptr;
  DepthGuard guard{depth_};
  advance();
  auto stmt = std::make_unique<Stmt>();
  stmt->kind = StmtKind::If;
  stmt->value = parseExpr();
  if (!stmt->value)
    return nullptr;
  stmt->loc = span(loc);
  if (!parseBody(stmt->body))
    return nullptr;
  if (consumeIf(Tok::KwElse)) {
    if (is(Tok::KwIf)) {
      StmtPtr elseIf = parseIf();
      if (!elseIf)
        return nullptr;
      stmt->elseBody.push_back(std::move(elseIf));
    } else if (!parseBody(stmt->elseBody)) {
      return nullptr;
    }
  }
  return stmt;
}

ExprPtr Parser::makeBinary(BinOp op, ExprPtr lhs, ExprPtr rhs) {
  auto e = std::make_unique<Expr>();
  e->kind = ExprKind::Binary;
  e->binOp = op;
  e->loc = span(lhs->loc);
  e->operands.push_back(std::move(lhs));
  e->operands.push_back(std::move(rhs));
  return e;
}

ExprPtr Parser::parseExpr() {
  if (!enter(tok_.loc))
    return nullptr;
  DepthGuard guard{depth_};
  return parseOr();
}

ExprPtr Parser::parseOr() {
  ExprPtr lhs = parseAnd();
  while (lhs && is(Tok::KwOr)) {
    advance();
    ExprPtr rhs = parseAnd();
    if (!rhs)
      return nullptr;
    lhs = makeBinary(BinOp::Or, std::move(lhs), std::move(rhs));
  }
  return lhs;
}

ExprPtr Parser::parseAnd() {
  ExprPtr lhs = parseNot();
  while (lhs && is(Tok::KwAnd)) {
    advance();
    ExprPtr rhs = parseNot();
    if (!rhs)
      return nullptr;
    lhs = makeBinary(BinOp::And, std::move(lhs), std::move(rhs));
  }
  return lhs;
}

ExprPtr Parser::parseNot() {
  if (!is(Tok::KwNot))
    return parseCmp();
  Loc loc = tok_.loc;
  if (!enter(loc))
    return nullptr;
  DepthGuard guard{depth_};
  advance();
  ExprPtr operand = parseNot();
  if (!operand)
    return nullptr;
  auto e = std::make_unique<Expr>();
  e->kind = ExprKind::Unary;
  e->unOp = UnOp::Not;
  e->loc = span(loc);
  e->operands.push_back(std::move(operand));
  return e;
}

ExprPtr Parser::parseCmp() {
  ExprPtr lhs = parseSum();
  if (!lhs)
    return nullptr;
  static const std::pair<Tok, BinOp> ops[] = {
      {Tok::EqEq, BinOp::Eq},   {Tok::NotEq, BinOp::Ne},   {Tok::Less, BinOp::Lt},
      {Tok::LessEq, BinOp::Le}, {Tok::Greater, BinOp::Gt}, {Tok::GreaterEq, BinOp::Ge}};
  for (auto [tok, op] : ops) {
    if (is(tok)) {
      advance();
      ExprPtr rhs = parseSum();
      if (!rhs)
        return nullptr;
      return makeBinary(op, std::move(lhs), std::move(rhs));
    }
  }
  return lhs;
}

ExprPtr Parser::parseSum() {
  ExprPtr lhs = parseTerm();
  while (lhs && (is(Tok::Plus) || is(Tok::Minus))) {
    BinOp op = is(Tok::Plus) ? BinOp::Add : BinOp::Sub;
    advance();
    ExprPtr rhs = parseTerm();
    if (!rhs)
      return nullptr;
    lhs = makeBinary(op, std::move(lhs), std::move(rhs));
  }
  return lhs;
}

ExprPtr Parser::parseTerm() {
  ExprPtr lhs = parseUnary();
  while (lhs && (is(Tok::Star) || is(Tok::Slash) || is(Tok::SlashSlash) || is(Tok::Percent))) {
    BinOp op = is(Tok::Star)         ? BinOp::Mul
               : is(Tok::Slash)      ? BinOp::Div
               : is(Tok::SlashSlash) ? BinOp::FloorDiv
                                     : BinOp::Mod;
    advance();
    ExprPtr rhs = parseUnary();
    if (!rhs)
      return nullptr;
    lhs = makeBinary(op, std::move(lhs), std::move(rhs));
  }
  return lhs;
}

ExprPtr Parser::parseUnary() {
  if (!is(Tok::Minus))
    return parseScoped();
  Loc loc = tok_.loc;
  if (!enter(loc))
    return nullptr;
  DepthGuard guard{depth_};
  advance();
  ExprPtr operand = parseUnary();
  if (!operand)
    return nullptr;
  auto e = std::make_unique<Expr>();
  e->kind = ExprKind::Unary;
  e->unOp = UnOp::Neg;
  e->loc = span(loc);
  e->operands.push_back(std::move(operand));
  return e;
}

ExprPtr Parser::parseScoped() {
  ExprPtr operand = parsePrimary();
  if (!operand || !is(Tok::At))
    return operand;
  advance();
  if (!is(Tok::String)) {
    expected("a parameter-name prefix string after '@'");
    return nullptr;
  }
  auto e = std::make_unique<Expr>();
  e->kind = ExprKind::Scoped;
  e->text = tok_.text;
  lastEnd_ = tok_.loc.offset + tok_.loc.length;
  advance();
  e->loc = span(operand->loc);
  e->operands.push_back(std::move(operand));
  return e;
}

ExprPtr Parser::parsePrimary() {
  auto e = std::make_unique<Expr>();
  e->loc = tok_.loc;
  auto finish = [&](ExprKind kind) {
    e->kind = kind;
    lastEnd_ = tok_.loc.offset + tok_.loc.length;
    advance();
    return std::move(e);
  };
  switch (tok_.kind) {
  case Tok::Int: e->intValue = tok_.intValue; return finish(ExprKind::Int);
  case Tok::Float: e->floatValue = tok_.floatValue; return finish(ExprKind::Float);
  case Tok::String: e->text = tok_.text; return finish(ExprKind::String);
  case Tok::KwTrue:
  case Tok::KwFalse: e->boolValue = is(Tok::KwTrue); return finish(ExprKind::Bool);
  case Tok::KwNone: return finish(ExprKind::None);
  case Tok::LParen: {
    advance();
    ExprPtr inner = parseExpr();
    if (!inner)
      return nullptr;
    if (!is(Tok::RParen)) {
      expected("')'");
      return nullptr;
    }
    lastEnd_ = tok_.loc.offset + tok_.loc.length;
    advance();
    return inner;
  }
  case Tok::LBracket: {
    Loc loc = tok_.loc;
    advance();
    e->kind = ExprKind::List;
    if (!is(Tok::RBracket)) {
      do {
        ExprPtr elem = parseExpr();
        if (!elem)
          return nullptr;
        e->operands.push_back(std::move(elem));
      } while (consumeIf(Tok::Comma));
    }
    if (!is(Tok::RBracket)) {
      expected("']' or ','");
      return nullptr;
    }
    lastEnd_ = tok_.loc.offset + tok_.loc.length;
    advance();
    e->loc = span(loc);
    return e;
  }
  case Tok::Ident: {
    e->text = tok_.text;
    Loc loc = tok_.loc;
    lastEnd_ = loc.offset + loc.length;
    advance();
    if (!is(Tok::LParen)) {
      e->kind = ExprKind::Name;
      return e;
    }
    e->kind = ExprKind::Call;
    advance();
    if (!is(Tok::RParen)) {
      do {
        Arg arg;
        // `name = value` is a keyword argument; look ahead one token.
        if (is(Tok::Ident)) {
          Token save = tok_;
          ExprPtr value = parseExpr();
          if (!value)
            return nullptr;
          if (is(Tok::Assign) && value->kind == ExprKind::Name) {
            advance();
            arg.name = save.text;
            arg.nameLoc = save.loc;
            value = parseExpr();
            if (!value)
              return nullptr;
          }
          arg.value = std::move(value);
        } else {
          arg.value = parseExpr();
          if (!arg.value)
            return nullptr;
        }
        e->args.push_back(std::move(arg));
      } while (consumeIf(Tok::Comma));
    }
    if (!is(Tok::RParen)) {
      expected("')' or ',' in the argument list of '" + e->text + "'");
      return nullptr;
    }
    lastEnd_ = tok_.loc.offset + tok_.loc.length;
    advance();
    e->loc = span(loc);
    return e;
  }
  default: expected("an expression"); return nullptr;
  }
}

} // namespace

std::unique_ptr<Module> ssmc::fe::parseModule(const SourceManager &sources, uint32_t file,
                                              DiagnosticEngine &diags) {
  Parser parser(sources, file, diags);
  return parser.parseFile();
}
