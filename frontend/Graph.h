//===- Graph.h - the elaborated model: one flat graph of ops ----*- C++ -*-===//
//
// What the elaborator produces from a model file: parameters with their
// checkpoint names and shapes, op nodes in program order with their
// attributes and inferred shapes, state slots, config.json checks and the
// layer structure. MLIRGen turns it into the `ssm` dialect; `ssmc check`
// summarizes it.
//
//===----------------------------------------------------------------------===//
#ifndef SSMC_FRONTEND_GRAPH_H
#define SSMC_FRONTEND_GRAPH_H

#include "frontend/Source.h"
#include "runtime/artifact/OpInfo.h"

#include <cstdint>
#include <map>
#include <string>
#include <variant>
#include <vector>

namespace ssmc::fe {

/// A dimension that is not known at compile time (batch, sequence).
constexpr int64_t kDyn = -1;
using Shape = std::vector<int64_t>;
std::string formatShape(const Shape &shape);

using ssmrt::OpCode;
using ssmrt::StateKind;

enum class ValueDef { Input, Param, Node };

/// An SSA value of the graph: the token input, a parameter, or a node result.
struct GraphValue {
  ValueDef def;
  int index = 0;  ///< Param index or node index.
  int result = 0; ///< Result number of the node.
  Shape shape;
};

struct GraphParam {
  std::vector<std::string> names; ///< Alternatives, tried in order.
  Shape shape;
  Loc loc;
  int value = -1;
  int64_t numElements() const;
};

using Attr = std::variant<int64_t, double, bool, std::vector<int64_t>>;

struct GraphNode {
  OpCode kind;
  Loc loc;
  /// Operand value ids in the op's operand order (runtime/artifact/Ops.def)
  /// up to the last one the model gives; -1 marks an absent optional operand
  /// (e.g. linear: input, weight, bias). State and sequence-length operands
  /// are left out: MLIRGen supplies them.
  std::vector<int> operands;
  /// By ODS attribute name; absent ones take their ODS default.
  std::map<std::string, Attr> attrs;
  std::vector<int> results;
  int stateSlot = -1;
};

/// Recurrent state of one stateful op, per sequence.
struct StateSlot {
  std::string name; ///< Scope of the op, e.g. "backbone.layers.0.mixer/conv1d".
  StateKind kind;
  Shape shape; ///< Per sequence; for KVCache per token: [2, kv_heads, head_dim].
  int node = -1;
  int64_t bytesPerSequence() const; ///< fp32; 0 for KVCache.
  int64_t bytesPerToken() const;    ///< fp32 KV cache growth; 0 otherwise.
};

using ConfigValue = std::variant<int64_t, double, bool, std::string>;

/// A `config("key", value)` in the model: config.json must agree.
struct ConfigCheck {
  std::string key;
  ConfigValue value;
  Loc loc;
};

struct Layer {
  std::vector<std::string> blocks; ///< Blocks called, in order.
  std::string kind() const;        ///< "mamba1", "jamba_mamba+moe", ...
};

struct Graph {
  std::string modelName;
  std::vector<GraphValue> values;
  std::vector<GraphParam> params;
  std::vector<GraphNode> nodes;
  std::vector<StateSlot> states;
  std::vector<ConfigCheck> configChecks;
  std::vector<Layer> layers;
  int tokens = -1; ///< The token-id input value.
  int output = -1; ///< The logits value.

  int64_t numParameters() const;
};

} // namespace ssmc::fe

#endif // SSMC_FRONTEND_GRAPH_H
