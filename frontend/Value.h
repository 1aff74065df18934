//===- Value.h - values of compile-time evaluation --------------*- C++ -*-===//
#ifndef SSMC_FRONTEND_VALUE_H
#define SSMC_FRONTEND_VALUE_H

#include <cstdint>
#include <string>
#include <vector>

namespace ssmc::fe {

/// A value while a model file is evaluated: a scalar, a tensor (a value id
/// of the graph being built), a list (`[24, 64]`, a `param ... for` list of
/// tensors) or a tuple (the results of `split`).
struct Value {
  enum class Kind { None, Int, Float, Bool, String, Tensor, List, Tuple };
  Kind kind = Kind::None;
  int64_t i = 0;
  double f = 0;
  bool b = false;
  std::string s;
  int tensor = -1;
  std::vector<Value> elems;

  static Value makeInt(int64_t v) {
    Value x;
    x.kind = Kind::Int;
    x.i = v;
    return x;
  }
  static Value makeFloat(double v) {
    Value x;
    x.kind = Kind::Float;
    x.f = v;
    return x;
  }
  static Value makeBool(bool v) {
    Value x;
    x.kind = Kind::Bool;
    x.b = v;
    return x;
  }
  static Value makeString(std::string v) {
    Value x;
    x.kind = Kind::String;
    x.s = std::move(v);
    return x;
  }
  static Value makeTensor(int id) {
    Value x;
    x.kind = Kind::Tensor;
    x.tensor = id;
    return x;
  }

  bool isNumber() const { return kind == Kind::Int || kind == Kind::Float; }
  double asDouble() const { return kind == Kind::Int ? static_cast<double>(i) : f; }
};

} // namespace ssmc::fe

#endif // SSMC_FRONTEND_VALUE_H
