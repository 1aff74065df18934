//===- ModelSummary.cpp - what `ssmc check` prints about a model ----------===//
#include "frontend/ModelSummary.h"

#include <cstdio>

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
  out += "  ops: " + std::to_string(graph.nodes.size()) + "\n";
  return out;
}
