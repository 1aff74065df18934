//===- OpInfo.h - what every consumer knows about an ssm op -----*- C++ -*-===//
//
// The op table of runtime/artifact/Ops.def as C++: op codes, names, operands
// in ODS order with their arity and role, results (and which carry
// recurrent state), attributes with their kinds and their names in the
// model language. No MLIR; the runtime, the frontend and the compiler all
// read it.
//
//===----------------------------------------------------------------------===//
#ifndef SSMC_RUNTIME_ARTIFACT_OPINFO_H
#define SSMC_RUNTIME_ARTIFACT_OPINFO_H

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace ssmrt {

enum class OpCode : uint8_t {
#define SSM_OP(Enum, mnemonic, form, operandList, resultList, attrList) Enum,
#include "runtime/artifact/Ops.def"
};

/// Recurrent state, per sequence: a conv window, a Mamba-1 scan state, a
/// Mamba-2 (SSD) state, or a KV cache (grows with the sequence).
enum class StateKind : uint8_t { Conv, Scan, SSD, KVCache };

enum class OpForm : uint8_t { Unary, Binary, Custom, Fused };
enum class Arity : uint8_t { One, Optional, Variadic };
enum class OperandRole : uint8_t { Data, State, SeqLens };
/// What a result carries: an ordinary value or a kind of recurrent state.
enum class ResultState : uint8_t { None, Conv, Scan, SSD, KVCache };
enum class AttrKind : uint8_t {
  Int,
  Float,
  Bool,
  Unit,
  IntList,
  OptFloat, // ODS attributes
  TensorList,
  Rest, // arguments of the language only
};
enum class Req : uint8_t { Opt, Req };

struct OperandInfo {
  const char *name; ///< ODS name
  Arity arity;
  OperandRole role;
  const char *lang; ///< name in the model language; "" if not given there
};

struct ResultInfo {
  const char *name;
  Arity arity;
  ResultState state;
  bool isState() const { return state != ResultState::None; }
  StateKind stateKind() const { return static_cast<StateKind>(static_cast<int>(state) - 1); }
};

struct AttrInfo {
  const char *name; ///< ODS name; "" for an argument of the language only
  AttrKind kind;
  const char *lang; ///< name in the model language; "" if not given there
  Req required;     ///< in the model language
};

/// A read-only array.
template <typename T> struct TableView {
  const T *items = nullptr;
  size_t count = 0;
  const T *begin() const { return items; }
  const T *end() const { return items + count; }
  size_t size() const { return count; }
  bool empty() const { return count == 0; }
  const T &operator[](size_t i) const { return items[i]; }
};

struct OpInfo {
  OpCode code;
  const char *name; ///< the dialect op without "ssm.", e.g. "selective_scan"
  OpForm form;
  TableView<OperandInfo> operands;
  TableView<ResultInfo> results;
  TableView<AttrInfo> attrs;

  /// Whether some result is a recurrent state.
  bool hasState() const;
  /// Operand positions that may be absent (-1 in an instruction).
  bool isOptional(size_t operand) const {
    return operand < operands.size() && operands[operand].arity == Arity::Optional;
  }
  /// Whether the operand count |n| fits the arities (variadic ones take the rest).
  bool acceptsOperands(size_t n) const;
  bool acceptsResults(size_t n) const;
  /// The ODS attribute |name|, or null.
  const AttrInfo *attr(std::string_view name) const;
};

/// Every op of the table, in table order.
TableView<OpInfo> allOps();
/// The entry of a valid op code.
const OpInfo &opInfo(OpCode op);
/// The op named |name| (without "ssm."), or null.
const OpInfo *findOp(std::string_view name);

/// Whether |op| is one of the table's codes (a value cast from a number
/// may not be).
bool isValidOpCode(OpCode op);
/// "selective_scan" for OpCode::SelectiveScan; "unknown" for an invalid code.
const char *opCodeName(OpCode op);
/// Parses an op name; false if unknown.
bool parseOpCode(std::string_view name, OpCode &out);

} // namespace ssmrt

#endif // SSMC_RUNTIME_ARTIFACT_OPINFO_H
