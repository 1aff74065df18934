//===- Program.cpp - value sizes and attribute access ---------------------===//
#include "runtime/artifact/Program.h"

using namespace ssmrt;

size_t ssmrt::valueTypeBytes(ValueType dtype) {
  switch (dtype) {
  case ValueType::BF16:
  case ValueType::F16: return 2;
  default: return 4;
  }
}

int64_t ssmrt::shapeElements(const std::vector<int64_t> &shape) {
  int64_t n = 1;
  for (int64_t d : shape) {
    if (d <= 0)
      return 0;
    n *= d;
  }
  return n;
}

int64_t CudaKernelDesc::param(const std::string &name) const {
  for (const TileParam &p : params)
    if (p.name == name)
      return p.value;
  return 0;
}

const Attr *Instr::attr(const std::string &name) const {
  for (const Attr &a : attrs)
    if (a.name == name)
      return &a;
  return nullptr;
}

int64_t Instr::intAttr(const std::string &name, int64_t dflt) const {
  const Attr *a = attr(name);
  return a && a->ints.size() == 1 ? a->ints[0] : dflt;
}

double Instr::floatAttr(const std::string &name, double dflt) const {
  const Attr *a = attr(name);
  return a && a->floats.size() == 1 ? a->floats[0] : dflt;
}
