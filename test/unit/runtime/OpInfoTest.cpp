//===- OpInfoTest.cpp - the op table as the runtime reads it --------------===//
#include "runtime/artifact/OpInfo.h"

#include <gtest/gtest.h>

#include <set>
#include <string>

using namespace ssmrt;

namespace {

TEST(OpInfo, NamesAreUniqueAndParseBack) {
  std::set<std::string> names;
  size_t index = 0;
  for (const OpInfo &op : allOps()) {
    EXPECT_TRUE(names.insert(op.name).second) << op.name;
    EXPECT_EQ(static_cast<size_t>(op.code), index++) << "codes follow the table order";
    OpCode parsed;
    ASSERT_TRUE(parseOpCode(op.name, parsed));
    EXPECT_EQ(parsed, op.code);
    EXPECT_STREQ(opCodeName(op.code), op.name);
  }
  OpCode unused;
  EXPECT_FALSE(parseOpCode("param", unused));
  EXPECT_FALSE(isValidOpCode(static_cast<OpCode>(allOps().size())));
  EXPECT_STREQ(opCodeName(static_cast<OpCode>(200)), "unknown");
}

TEST(OpInfo, OperandCountsIncludeAbsentOptionalOnes) {
  const OpInfo &linear = opInfo(OpCode::Linear);
  EXPECT_TRUE(linear.acceptsOperands(3)); // input, weight, bias (or -1)
  EXPECT_FALSE(linear.acceptsOperands(2));
  EXPECT_TRUE(linear.isOptional(2));
  EXPECT_FALSE(linear.isOptional(0));
  const OpInfo &moe = opInfo(OpCode::MoE);
  EXPECT_FALSE(moe.acceptsOperands(2)); // the experts are variadic, at least one
  EXPECT_TRUE(moe.acceptsOperands(5));
  EXPECT_TRUE(opInfo(OpCode::Split).acceptsResults(3));
  EXPECT_FALSE(opInfo(OpCode::Split).acceptsResults(0));
}

TEST(OpInfo, StateResultsAndTheirKinds) {
  const OpInfo &step = opInfo(OpCode::MambaStep);
  ASSERT_EQ(step.results.size(), 3u);
  EXPECT_FALSE(step.results[0].isState());
  EXPECT_EQ(step.results[1].stateKind(), StateKind::Conv);
  EXPECT_EQ(step.results[2].stateKind(), StateKind::Scan);
  EXPECT_EQ(opInfo(OpCode::SSDScan).results[1].stateKind(), StateKind::SSD);
  EXPECT_EQ(opInfo(OpCode::Attention).results[2].stateKind(), StateKind::KVCache);
  EXPECT_FALSE(opInfo(OpCode::Linear).hasState());
  ASSERT_NE(opInfo(OpCode::SelectiveScan).attr("groups"), nullptr);
  EXPECT_EQ(opInfo(OpCode::SelectiveScan).attr("groups")->kind, AttrKind::Int);
  EXPECT_EQ(opInfo(OpCode::Reshape).attr("shape"), nullptr) << "a language-only argument";
}

} // namespace
