//===- InterpreterTest.cpp - running whole reference programs -------------===//
//
// A tiny Mamba-1 language model assembled by hand (embedding, pre-norm,
// in_proj, conv, x_proj, A = -exp(A_log), selective scan, out_proj,
// residual, final norm, tied logits), run through ReferenceInterpreter:
// state carrying, seq_lens, the fused decode step, and input errors.
//
//===----------------------------------------------------------------------===//

#include "ReferenceTestUtil.h"

#include <gtest/gtest.h>

using namespace ssmrt;
using namespace ssmrt::test;

namespace {

const int64_t kDyn = kDynamic;
constexpr int64_t kVocab = 11, kModel = 6, kInner = 5, kConv = 4, kState = 3, kRank = 2;

/// The tiny Mamba-1 model; |fusedStep| uses mamba_step for the mixer (the
/// decode form, one token per call).
Program tinyMamba(bool fusedStep) {
  ProgramBuilder pb;
  Function &fn = pb.fn();
  fn.name = fusedStep ? "decode" : "forward";
  int32_t tokens = pb.value(ValueKind::Tokens, {kDyn, kDyn});
  int32_t seqLens = pb.value(ValueKind::SeqLens, {kDyn});
  fn.inputs = {tokens, seqLens};
  int32_t convIn = pb.stateInput("layers.0.conv", StateKind::Conv, {kDyn, kConv - 1, kInner});
  int32_t scanIn = pb.stateInput("layers.0.ssm", StateKind::Scan, {kDyn, kInner, kState});
  int32_t emb = pb.param("embeddings.weight", {kVocab, kModel});
  int32_t norm = pb.param("layers.0.norm.weight", {kModel});
  int32_t inProj = pb.param("layers.0.mixer.in_proj.weight", {2 * kInner, kModel});
  int32_t convW = pb.param("layers.0.mixer.conv1d.weight", {kInner, 1, kConv});
  int32_t convB = pb.param("layers.0.mixer.conv1d.bias", {kInner});
  int32_t xProj = pb.param("layers.0.mixer.x_proj.weight", {kRank + 2 * kState, kInner});
  int32_t dtW = pb.param("layers.0.mixer.dt_proj.weight", {kInner, kRank});
  int32_t dtB = pb.param("layers.0.mixer.dt_proj.bias", {kInner});
  int32_t aLog = pb.param("layers.0.mixer.A_log", {kInner, kState});
  int32_t d = pb.param("layers.0.mixer.D", {kInner});
  int32_t outProj = pb.param("layers.0.mixer.out_proj.weight", {kModel, kInner});
  int32_t normF = pb.param("norm_f.weight", {kModel});

  std::vector<int64_t> act = {kDyn, kDyn, kModel}, inner = {kDyn, kDyn, kInner};
  int32_t h = pb.instr(OpCode::Embedding, {emb, tokens}, {act})[0];
  int32_t hn = pb.instr(OpCode::RMSNorm, {h, norm}, {act})[0];
  int32_t xz = pb.instr(OpCode::Linear, {hn, inProj, -1}, {{kDyn, kDyn, 2 * kInner}})[0];
  std::vector<int32_t> parts = pb.instr(OpCode::Split, {xz}, {inner, inner},
                                        {intsAttr("sizes", {kInner, kInner}), intAttr("axis", 2)});
  int32_t eA = pb.instr(OpCode::Exp, {aLog}, {{kInner, kState}})[0];
  int32_t a = pb.instr(OpCode::Neg, {eA}, {{kInner, kState}})[0];
  fn.instrs[fn.instrs.size() - 2].once = fn.instrs.back().once = true;
  int32_t y, convOut, scanOut;
  if (fusedStep) {
    std::vector<int32_t> r =
        pb.instr(OpCode::MambaStep,
                 {parts[0], parts[1], convW, convIn, xProj, dtW, dtB, a, scanIn, convB, d},
                 {{kDyn, 1, kInner}, {kDyn, kConv - 1, kInner}, {kDyn, kInner, kState}});
    y = r[0], convOut = r[1], scanOut = r[2];
  } else {
    std::vector<int32_t> conv =
        pb.instr(OpCode::CausalConv1d, {parts[0], convW, convB, convIn, seqLens},
                 {inner, {kDyn, kConv - 1, kInner}}, {intAttr("silu", 1)});
    int32_t dbc =
        pb.instr(OpCode::Linear, {conv[0], xProj, -1}, {{kDyn, kDyn, kRank + 2 * kState}})[0];
    std::vector<int32_t> dtBC = pb.instr(
        OpCode::Split, {dbc}, {{kDyn, kDyn, kRank}, {kDyn, kDyn, kState}, {kDyn, kDyn, kState}},
        {intsAttr("sizes", {kRank, kState, kState}), intAttr("axis", 2)});
    std::vector<int32_t> scan =
        pb.instr(OpCode::SelectiveScan,
                 {conv[0], dtBC[0], a, dtBC[1], dtBC[2], d, parts[1], dtB, dtW, scanIn, seqLens},
                 {inner, {kDyn, kInner, kState}}, {intAttr("delta_softplus", 1)});
    y = scan[0], convOut = conv[1], scanOut = scan[1];
  }
  int32_t o = pb.instr(OpCode::Linear, {y, outProj, -1}, {act})[0];
  int32_t res = pb.instr(OpCode::Add, {h, o}, {act})[0];
  int32_t f = pb.instr(OpCode::RMSNorm, {res, normF}, {act})[0];
  int32_t logits = pb.instr(OpCode::Logits, {f, emb}, {{kDyn, kDyn, kVocab}})[0];
  fn.outputs = {logits, convOut, scanOut};
  return pb.program;
}

std::vector<RefTensor> randomParams(const Program &program, uint64_t seed) {
  TestRng rng(seed);
  std::vector<RefTensor> params;
  for (const ParamDesc &p : program.params)
    params.push_back(rng.tensor(p.shape, -0.8, 0.8));
  return params;
}

std::vector<RefTensor> freshStates(int64_t batch) {
  return {RefTensor({batch, kConv - 1, kInner}), RefTensor({batch, kInner, kState})};
}

std::vector<int32_t> randomTokens(int64_t count, uint64_t seed) {
  TestRng rng(seed);
  std::vector<int32_t> t(count);
  for (int32_t &id : t)
    id = static_cast<int32_t>(rng.uniform(0, kVocab));
  return t;
}

/// Tokens [from, to) of every row of a [batch, len] token array.
std::vector<int32_t> tokenSteps(const std::vector<int32_t> &tokens, int64_t len, int64_t from,
                                int64_t to) {
  std::vector<int32_t> out;
  for (size_t row = 0; row < tokens.size() / len; ++row)
    out.insert(out.end(), tokens.begin() + row * len + from, tokens.begin() + row * len + to);
  return out;
}

struct Fixture {
  Program program = tinyMamba(false);
  ReferenceInterpreter interp{program, program.forward, randomParams(program, 7)};
};

TEST(ReferenceInterpreter, EmbeddingThenLogitsIsTheGramMatrix) {
  ProgramBuilder pb;
  int32_t tokens = pb.value(ValueKind::Tokens, {kDyn, kDyn});
  pb.fn().inputs = {tokens, -1};
  int32_t emb = pb.param("emb", {kVocab, 3});
  int32_t h = pb.instr(OpCode::Embedding, {emb, tokens}, {{kDyn, kDyn, 3}})[0];
  pb.fn().outputs = {pb.instr(OpCode::Logits, {h, emb}, {{kDyn, kDyn, kVocab}})[0]};
  std::vector<RefTensor> params = randomParams(pb.program, 1);
  ReferenceInterpreter interp(pb.program, pb.program.forward, params);
  std::vector<int32_t> ids = {3, 0, 10, 7};
  std::vector<RefTensor> states;
  RefTensor logits;
  Status st = interp.run(ids, 2, 2, {}, states, logits);
  ASSERT_TRUE(st.ok()) << st.message();
  ASSERT_EQ(logits.shape, (std::vector<int64_t>{2, 2, kVocab}));
  for (int64_t i = 0; i < 4; ++i)
    for (int64_t v = 0; v < kVocab; ++v) {
      double dot = 0;
      for (int64_t j = 0; j < 3; ++j)
        dot += at(params[0], {ids[i], j}) * at(params[0], {v, j});
      EXPECT_NEAR(logits.data[i * kVocab + v], dot, 1e-14);
    }
}

TEST(ReferenceInterpreter, CarriedStatesContinueTheSequence) {
  Fixture fx;
  std::vector<int32_t> tokens = randomTokens(2 * 7, 11);
  std::vector<RefTensor> whole = freshStates(2), split = freshStates(2);
  RefTensor logitsWhole, first, second;
  ASSERT_TRUE(fx.interp.run(tokens, 2, 7, {}, whole, logitsWhole).ok());
  ASSERT_TRUE(fx.interp.run(tokenSteps(tokens, 7, 0, 3), 2, 3, {}, split, first).ok());
  ASSERT_TRUE(fx.interp.run(tokenSteps(tokens, 7, 3, 7), 2, 4, {}, split, second).ok());
  EXPECT_LT(maxAbsDiff(first, sliceSteps(logitsWhole, 0, 3)), 1e-12);
  EXPECT_LT(maxAbsDiff(second, sliceSteps(logitsWhole, 3, 7)), 1e-12);
  for (size_t i = 0; i < whole.size(); ++i)
    EXPECT_LT(maxAbsDiff(split[i], whole[i]), 1e-12) << "state " << i;
}

TEST(ReferenceInterpreter, ShortSequenceInABatchEqualsRunningItAlone) {
  Fixture fx;
  std::vector<int32_t> tokens = randomTokens(2 * 7, 12);
  std::vector<RefTensor> batched = freshStates(2), alone = freshStates(1);
  RefTensor logitsBatched, logitsAlone;
  ASSERT_TRUE(fx.interp.run(tokens, 2, 7, {7, 3}, batched, logitsBatched).ok());
  std::vector<int32_t> shortRow(tokens.begin() + 7, tokens.begin() + 10);
  ASSERT_TRUE(fx.interp.run(shortRow, 1, 3, {}, alone, logitsAlone).ok());
  EXPECT_EQ(maxAbsDiff(sliceSteps(sliceBatch(logitsBatched, 1), 0, 3), logitsAlone), 0.0);
  for (size_t i = 0; i < alone.size(); ++i)
    EXPECT_EQ(maxAbsDiff(sliceBatch(batched[i], 1), alone[i]), 0.0) << "state " << i;
}

TEST(ReferenceInterpreter, FusedDecodeStepEqualsUnfusedForward) {
  Fixture fx;
  Program decode = tinyMamba(true);
  ReferenceInterpreter step(decode, decode.forward, randomParams(decode, 7));
  std::vector<int32_t> tokens = randomTokens(2 * 5, 13);
  std::vector<RefTensor> unfused = freshStates(2);
  RefTensor logits;
  ASSERT_TRUE(fx.interp.run(tokenSteps(tokens, 5, 0, 4), 2, 4, {}, unfused, logits).ok());
  std::vector<RefTensor> fused = unfused;
  RefTensor logitsUnfused, logitsFused;
  std::vector<int32_t> last = tokenSteps(tokens, 5, 4, 5);
  ASSERT_TRUE(fx.interp.run(last, 2, 1, {}, unfused, logitsUnfused).ok());
  Status st = step.run(last, 2, 1, {}, fused, logitsFused);
  ASSERT_TRUE(st.ok()) << st.message();
  EXPECT_LT(maxAbsDiff(logitsFused, logitsUnfused), 1e-12);
  for (size_t i = 0; i < fused.size(); ++i)
    EXPECT_LT(maxAbsDiff(fused[i], unfused[i]), 1e-12) << "state " << i;
}

TEST(ReferenceInterpreter, ReportsBadInputsWithoutTouchingStates) {
  Fixture fx;
  std::vector<int32_t> tokens = randomTokens(2 * 7, 14);
  std::vector<RefTensor> states = freshStates(2);
  states[1].data[0] = 42;
  RefTensor logits;
  auto runError = [&](const std::vector<int32_t> &ids, const std::vector<int32_t> &lens) {
    Status st = fx.interp.run(ids, 2, 7, lens, states, logits);
    EXPECT_FALSE(st.ok());
    EXPECT_EQ(states[1].data[0], 42);
    return st.message();
  };
  std::vector<int32_t> badId = tokens;
  badId[7 + 2] = kVocab;
  EXPECT_EQ(runError(badId, {}), "instruction 0 (embedding): token id 11 at "
                                 "position [1, 2] is outside [0, 11)");
  EXPECT_EQ(runError(tokens, {7, 8}), "seq_lens[1] = 8 is outside [0, 7]");
  EXPECT_EQ(runError(tokens, {-1, 3}), "seq_lens[0] = -1 is outside [0, 7]");
  EXPECT_EQ(runError(tokens, {7}), "seq_lens: 1 lengths for batch 2");
  EXPECT_EQ(runError({1, 2, 3}, {}), "tokens: 3 ids for batch 2 and sequence length 7");

  states[0] = RefTensor({2, 4, kInner});
  EXPECT_EQ(runError(tokens, {}), "state input 0 ('layers.0.conv') has shape [2, 4, 5] with 40 "
                                  "values but expected [2, 3, 5]");
  states[0] = RefTensor({1, 3, kInner});
  EXPECT_EQ(runError(tokens, {}), "state input 0 ('layers.0.conv') has shape [1, 3, 5] with 15 "
                                  "values but expected [2, 3, 5]");
  states.pop_back();
  Status st = fx.interp.run(tokens, 2, 7, {}, states, logits);
  EXPECT_EQ(st.message(), "given 1 state tensors but function 'forward' "
                          "reads 2");
}

TEST(ReferenceInterpreter, ReportsBadParametersAndPrograms) {
  Program program = tinyMamba(false);
  std::vector<RefTensor> params = randomParams(program, 7);
  params[3] = RefTensor({kInner, 1, kConv + 1});
  ReferenceInterpreter wrongParam(program, program.forward, params);
  std::vector<int32_t> tokens = randomTokens(7, 15);
  std::vector<RefTensor> states = freshStates(1);
  RefTensor logits;
  EXPECT_EQ(wrongParam.run(tokens, 1, 7, {}, states, logits).message(),
            "parameter 3 ('layers.0.mixer.conv1d.weight') has shape "
            "[5, 1, 5] with 25 values but the program expects [5, 1, 4]");

  // Instruction 2 (linear) reads a value defined only later.
  Program reordered = tinyMamba(false);
  std::swap(reordered.forward.instrs[2].operands[0], reordered.forward.instrs[3].results[0]);
  ReferenceInterpreter useBeforeDef(reordered, reordered.forward, randomParams(reordered, 7));
  std::string message = useBeforeDef.run(tokens, 1, 7, {}, states, logits).message();
  EXPECT_NE(message.find("instruction 2 (linear): operand 0"), std::string::npos) << message;
  EXPECT_NE(message.find("is not defined before its use"), std::string::npos);

  Program unknown = tinyMamba(false);
  unknown.forward.instrs[1].op = static_cast<OpCode>(200);
  ReferenceInterpreter unsupported(unknown, unknown.forward, randomParams(unknown, 7));
  EXPECT_EQ(unsupported.run(tokens, 1, 7, {}, states, logits).message(),
            "instruction 1 (unknown): unsupported op");

  Program missing = tinyMamba(false);
  missing.forward.instrs[6].operands[0] = -1; // causal_conv1d input
  ReferenceInterpreter missingOperand(missing, missing.forward, randomParams(missing, 7));
  EXPECT_EQ(missingOperand.run(tokens, 1, 7, {}, states, logits).message(),
            "instruction 6 (causal_conv1d): missing operand 'input' "
            "(operand 0)");
}

} // namespace
