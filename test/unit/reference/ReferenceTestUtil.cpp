//===- ReferenceTestUtil.cpp - helpers for the reference tests ------------===//

#include "ReferenceTestUtil.h"

#include <cmath>
#include <gtest/gtest.h>
#include <limits>

namespace ssmrt::test {

RefTensor TestRng::tensor(std::vector<int64_t> shape, double lo, double hi) {
  RefTensor t(std::move(shape));
  for (double &v : t.data)
    v = uniform(lo, hi);
  return t;
}

static int64_t offsetOf(const RefTensor &t, std::initializer_list<int64_t> index) {
  EXPECT_EQ(index.size(), t.shape.size());
  int64_t offset = 0;
  size_t d = 0;
  for (int64_t i : index)
    offset = offset * t.shape[d++] + i;
  return offset;
}

double at(const RefTensor &t, std::initializer_list<int64_t> index) {
  return t.data[offsetOf(t, index)];
}

double &at(RefTensor &t, std::initializer_list<int64_t> index) {
  return t.data[offsetOf(t, index)];
}

RefTensor sliceSteps(const RefTensor &t, int64_t begin, int64_t end) {
  std::vector<int64_t> shape = t.shape;
  shape[1] = end - begin;
  RefTensor out(shape);
  int64_t inner = shapeElements(std::vector<int64_t>(t.shape.begin() + 2, t.shape.end()));
  for (int64_t b = 0; b < t.shape[0]; ++b)
    for (int64_t s = begin; s < end; ++s)
      for (int64_t i = 0; i < inner; ++i)
        out.data[(b * shape[1] + s - begin) * inner + i] = t.data[(b * t.shape[1] + s) * inner + i];
  return out;
}

RefTensor sliceBatch(const RefTensor &t, int64_t b) {
  std::vector<int64_t> shape = t.shape;
  shape[0] = 1;
  int64_t row = shapeElements(shape);
  return RefTensor(shape,
                   std::vector<double>(t.data.begin() + b * row, t.data.begin() + (b + 1) * row));
}

RefTensor lengths(std::vector<int64_t> lens) {
  return RefTensor({static_cast<int64_t>(lens.size())},
                   std::vector<double>(lens.begin(), lens.end()));
}

double maxAbsDiff(const RefTensor &a, const RefTensor &b) {
  if (a.shape != b.shape || a.data.size() != b.data.size())
    return std::numeric_limits<double>::infinity();
  double m = 0;
  for (size_t i = 0; i < a.data.size(); ++i)
    m = std::max(m, std::fabs(a.data[i] - b.data[i]));
  return m;
}

Attr intAttr(const std::string &name, int64_t value) { return Attr{name, {value}, {}}; }

Attr intsAttr(const std::string &name, std::vector<int64_t> values) {
  return Attr{name, std::move(values), {}};
}

Attr floatAttr(const std::string &name, double value) { return Attr{name, {}, {value}}; }

Status evalOp(OpCode op, const std::vector<const RefTensor *> &operands,
              const std::vector<Attr> &attrs, const std::vector<std::vector<int64_t>> &resultShapes,
              std::vector<RefTensor> &results) {
  ProgramBuilder pb;
  std::vector<int32_t> ids;
  for (const RefTensor *t : operands)
    ids.push_back(t ? pb.value(ValueKind::Temp, t->shape) : -1);
  pb.instr(op, ids, resultShapes, attrs);
  return ReferenceInterpreter::evaluate(pb.fn(), pb.fn().instrs[0], operands, results);
}

std::vector<RefTensor> evalOk(OpCode op, const std::vector<const RefTensor *> &operands,
                              const std::vector<Attr> &attrs,
                              const std::vector<std::vector<int64_t>> &resultShapes) {
  std::vector<RefTensor> results;
  Status st = evalOp(op, operands, attrs, resultShapes, results);
  EXPECT_TRUE(st.ok()) << st.message();
  if (!st.ok())
    results.assign(resultShapes.size(), RefTensor());
  return results;
}

std::string evalError(OpCode op, const std::vector<const RefTensor *> &operands,
                      const std::vector<Attr> &attrs,
                      const std::vector<std::vector<int64_t>> &resultShapes) {
  std::vector<RefTensor> results;
  Status st = evalOp(op, operands, attrs, resultShapes, results);
  EXPECT_FALSE(st.ok()) << "evaluated without an error";
  return st.message();
}

int32_t ProgramBuilder::value(ValueKind kind, std::vector<int64_t> shape, int32_t index,
                              int32_t sub) {
  ValueDesc v;
  v.kind = kind;
  v.index = index;
  v.sub = sub;
  v.shape = std::move(shape);
  fn().values.push_back(std::move(v));
  return static_cast<int32_t>(fn().values.size() - 1);
}

int32_t ProgramBuilder::param(const std::string &name, std::vector<int64_t> shape) {
  program.params.push_back(ParamDesc{{name}, shape});
  return value(ValueKind::Param, std::move(shape), static_cast<int32_t>(program.params.size() - 1));
}

int32_t ProgramBuilder::stateInput(const std::string &name, StateKind kind,
                                   std::vector<int64_t> valueShape) {
  program.states.push_back(
      StateDesc{name, kind, std::vector<int64_t>(valueShape.begin() + 1, valueShape.end())});
  int32_t id = value(ValueKind::State, std::move(valueShape),
                     static_cast<int32_t>(program.states.size() - 1));
  fn().inputs.push_back(id);
  return id;
}

std::vector<int32_t> ProgramBuilder::instr(OpCode op, std::vector<int32_t> operands,
                                           std::vector<std::vector<int64_t>> resultShapes,
                                           std::vector<Attr> attrs) {
  Instr in;
  in.op = op;
  in.operands = std::move(operands);
  in.attrs = std::move(attrs);
  for (std::vector<int64_t> &shape : resultShapes)
    in.results.push_back(value(ValueKind::Temp, std::move(shape)));
  fn().instrs.push_back(std::move(in));
  return fn().instrs.back().results;
}

} // namespace ssmrt::test
