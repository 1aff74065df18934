//===- ModelSummary.cpp - what `ssmc check` prints about a model ----------===//
#include "frontend/ModelSummary.h"

#include <cstdio>

#include <algorithm>
#include <map>
#include <vector>

using namespace ssmc::fe;

std::string ssmc::fe::withThousands(int64_t value) {
  std::string digits = std::to_string(value < 0 ? -value : value);
  std::string out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i && (digits.size() - i) % 3 == 0)
      out += ',';
    out += digits[i];
  }
  return value < 0 ? "-" + out : out;
}

/// "  weights read per decode token: ... MB f32, ... MB bf16 or f16, ... MB
/// int8":
/// every parameter once, less the experts a token does not choose and an
/// embedding table the logits do not read (its one row stays); the weights
/// of products (linear, logits, experts) at each --weights-dtype, the rest
/// in f32. int8 counts its scales (4 bytes per 32 values). This is the model
/// file's view: fused decode steps read some products' weights (x_proj, a
/// folded dt_proj) in f32, and `bench` reports what the compiled step reads.
static std::string decodeWeightsLine(const Graph &graph) {
  auto paramOf = [&](int value) {
    return value >= 0 && graph.values[value].def == ValueDef::Param ? graph.values[value].index
                                                                    : -1;
  };
  std::vector<double> share(graph.params.size(), 1.0); // of each parameter read
  std::vector<bool> product(graph.params.size(), false);
  std::vector<int> logitsWeights;
  for (const GraphNode &n : graph.nodes)
    if (n.kind == OpCode::Logits && n.operands.size() > 1)
      logitsWeights.push_back(paramOf(n.operands[1]));
  for (const GraphNode &n : graph.nodes) {
    if ((n.kind == OpCode::Linear || n.kind == OpCode::Logits) && n.operands.size() > 1 &&
        paramOf(n.operands[1]) >= 0)
      product[paramOf(n.operands[1])] = true;
    if (n.kind == OpCode::MoE) {
      int64_t experts = (static_cast<int64_t>(n.operands.size()) - 2) / 3, topK = 1;
      auto it = n.attrs.find("top_k");
      if (it != n.attrs.end() && std::holds_alternative<int64_t>(it->second))
        topK = std::get<int64_t>(it->second);
      for (size_t o = 2; o < n.operands.size(); ++o)
        if (int p = paramOf(n.operands[o]); p >= 0 && experts > 0) {
          product[p] = true;
          share[p] = std::min(1.0, double(topK) / double(experts));
        }
    }
    if (n.kind == OpCode::Embedding && !n.operands.empty())
      if (int p = paramOf(n.operands[0]);
          p >= 0 && !graph.params[p].shape.empty() &&
          std::find(logitsWeights.begin(), logitsWeights.end(), p) == logitsWeights.end())
        share[p] = 1.0 / double(graph.params[p].shape[0]);
  }
  double products = 0, rest = 0;
  for (size_t p = 0; p < graph.params.size(); ++p)
    (product[p] ? products : rest) += share[p] * double(graph.params[p].numElements());
  char line[160];
  std::snprintf(line, sizeof(line),
                "  weights read per decode token: %.1f MB f32, %.1f MB bf16 or f16, %.1f MB int8 "
                "(--weights-dtype; before fusion)\n",
                (4 * products + 4 * rest) * 1e-6, (2 * products + 4 * rest) * 1e-6,
                ((1 + 4.0 / 32) * products + 4 * rest) * 1e-6);
  return line;
}

std::string ssmc::fe::summarizeModel(const Graph &graph, int64_t context) {
  std::string out = "model " + graph.modelName + "\n";
  out += "  parameters: " + withThousands(graph.numParameters()) + " in " +
         std::to_string(graph.params.size()) + " tensors\n";
  // Layer kinds in order of first appearance.
  std::vector<std::string> kinds;
  std::map<std::string, int> counts;
  for (const Layer &layer : graph.layers) {
    std::string kind = layer.kind();
    if (!counts[kind]++)
      kinds.push_back(kind);
  }
  out += "  layers: " + std::to_string(graph.layers.size());
  for (size_t i = 0; i < kinds.size(); ++i)
    out += (i ? ", " : " (") + kinds[i] + " x" + std::to_string(counts[kinds[i]]) +
           (i + 1 == kinds.size() ? ")" : "");
  out += "\n";
  int64_t stateBytes = 0, kvBytes = 0, kvSlots = 0;
  for (const StateSlot &s : graph.states) {
    stateBytes += s.bytesPerSequence();
    kvBytes += s.bytesPerToken();
    kvSlots += s.kind == StateKind::KVCache;
  }
  out += "  recurrent state per sequence: " + withThousands(stateBytes) + " bytes (fp32, " +
         std::to_string(graph.states.size() - kvSlots) + " slots)\n";
  if (kvSlots)
    out += "  KV cache per token: " + withThousands(kvBytes) + " bytes (fp32, " +
           std::to_string(kvSlots) + " attention layers)\n";
  if (kvSlots && context > 0) {
    // In double: a 52B model at a long context passes int64 in no case, but
    // the product is only printed.
    double total = double(kvBytes) * double(context) + double(stateBytes);
    char line[160];
    std::snprintf(line, sizeof(line),
                  "  per sequence of %s tokens: %s bytes of KV cache + recurrent state "
                  "(%.2f GiB)\n",
                  withThousands(context).c_str(),
                  withThousands(int64_t(double(kvBytes) * double(context)) + stateBytes).c_str(),
                  total / (1024.0 * 1024.0 * 1024.0));
    out += line;
  }
  out += decodeWeightsLine(graph);
  out += "  ops: " + std::to_string(graph.nodes.size()) + "\n";
  return out;
}
