//===- Graph.cpp - the elaborated model -----------------------------------===//
#include "frontend/Graph.h"

using namespace ssmc::fe;

std::string ssmc::fe::formatShape(const Shape &shape) {
  std::string s = "[";
  for (size_t i = 0; i < shape.size(); ++i) {
    if (i)
      s += ", ";
    s += shape[i] == kDyn ? "?" : std::to_string(shape[i]);
  }
  return s + "]";
}

int64_t GraphParam::numElements() const {
  int64_t n = 1;
  for (int64_t d : shape)
    n *= d;
  return n;
}

int64_t StateSlot::bytesPerSequence() const {
  if (kind == StateKind::KVCache)
    return 0;
  int64_t n = 4;
  for (int64_t d : shape)
    n *= d;
  return n;
}

int64_t StateSlot::bytesPerToken() const {
  if (kind != StateKind::KVCache)
    return 0;
  int64_t n = 4;
  for (int64_t d : shape)
    n *= d;
  return n;
}

std::string Layer::kind() const {
  std::string s;
  for (const std::string &b : blocks)
    s += (s.empty() ? "" : "+") + b;
  return s.empty() ? "(no blocks)" : s;
}

int64_t Graph::numParameters() const {
  int64_t n = 0;
  for (const GraphParam &p : params)
    n += p.numElements();
  return n;
}
