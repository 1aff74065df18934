//===- ElaboratorTest.cpp - model files to graphs -------------------------===//
#include "frontend/ModelFile.h"
#include "frontend/ModelSummary.h"

#include <gtest/gtest.h>

#include <map>

using namespace ssmc::fe;

namespace {
/// Loads |text| as a model file; imports resolve in |files| (name -> text).
struct Loaded {
  std::unique_ptr<ModelFile> file;
  bool ok;
};

Loaded load(const std::string &text, std::map<std::string, std::string> files = {}) {
  auto reader = [files](const std::string &path) -> std::optional<std::string> {
    for (const auto &[name, body] : files)
      if (path.size() >= name.size() &&
          path.compare(path.size() - name.size(), name.size(), name) == 0)
        return body;
    return std::nullopt;
  };
  auto file = std::make_unique<ModelFile>(std::vector<std::string>{"lib"}, reader);
  bool ok = file->loadText("m.ssm", text);
  return {std::move(file), ok};
}

const char *kMlp = R"(
block mlp(x: tensor, d: int, f: int) {
  param up [f, d] "up.weight"
  param down [d, f] "down.weight"
  return linear(silu(linear(x, up)), down)
}
)";
} // namespace

TEST(Elaborator, CountsTiedHeadOnceAndNamesLayers) {
  auto [file, ok] = load(R"(
import "mlp.ssm"
model m(tokens) {
  d = config("hidden_size", 6)
  param embed [11, d] "emb.weight"
  h = embedding(embed, tokens)
  for i in 0 .. 3 {
    scope "layers.{i}" {
      h = h + mlp(h, d, 2 * d) @ "ffn"
    }
  }
  return logits(h, embed)
}
)",
                         {{"mlp.ssm", kMlp}});
  ASSERT_TRUE(ok) << file->error();
  const Graph &g = file->graph();
  EXPECT_EQ(g.numParameters(), 11 * 6 + 3 * (2 * 12 * 6));
  ASSERT_EQ(g.layers.size(), 3u);
  EXPECT_EQ(g.layers[1].kind(), "mlp");
  EXPECT_EQ(g.params[1].names[0], "layers.0.ffn.up.weight");
  EXPECT_EQ(g.params.back().names[0], "layers.2.ffn.down.weight");
  ASSERT_EQ(g.configChecks.size(), 1u);
  EXPECT_EQ(g.configChecks[0].key, "hidden_size");
  EXPECT_EQ(std::get<int64_t>(g.configChecks[0].value), 6);
  EXPECT_EQ(formatShape(g.values[g.output].shape), "[?, ?, 11]");
}

TEST(Elaborator, OptionalParamsAndLists) {
  auto [file, ok] = load(R"(
model m(tokens) {
  param e [5, 4] "e" | "alt"
  param b [4] "bias" if false
  param w [4, 4] "w.{k}" for k in 0 .. 3
  h = embedding(e, tokens)
  a, c = split(h, 1, 3)
  return logits(linear(h, w, b), e)
}
)");
  ASSERT_FALSE(ok); // linear's weight must be a tensor, not a list
  EXPECT_NE(file->error().find("'linear': argument 'weight' must be a tensor, got list of 3"),
            std::string::npos)
      << file->error();

  auto [file2, ok2] = load(R"(
model m(tokens) {
  param e [5, 4] "e" | "alt"
  param b [4] "bias" if false
  param p [4, 4] "proj"
  param r [2, 4] "router"
  param w [6, 4] "w.{k}" for k in 0 .. 2
  param d [4, 6] "d.{k}" for k in 0 .. 2
  h = linear(embedding(e, tokens), p, b)
  h = moe(h, r, w, w, d, top_k=1)
  return logits(h, e)
}
)");
  ASSERT_TRUE(ok2) << file2->error();
  const Graph &g = file2->graph();
  EXPECT_EQ(g.params[0].names, (std::vector<std::string>{"e", "alt"}));
  EXPECT_EQ(g.params.size(), 7u); // e, proj, router, w.0, w.1, d.0, d.1
  EXPECT_EQ(g.params[3].names[0], "w.0");
  const GraphNode &linear = g.nodes[1];
  EXPECT_EQ(linear.kind, OpCode::Linear);
  EXPECT_EQ(linear.operands[2], -1); // the bias is none
  const GraphNode &moe = g.nodes[2];
  EXPECT_EQ(moe.kind, OpCode::MoE);
  EXPECT_EQ(moe.operands.size(), 2u + 3 * 2);
}

TEST(Elaborator, StateSlotsAndSummary) {
  auto [file, ok] = load(R"(
model m(tokens) {
  param e [7, 8] "e"
  param w [8, 1, 4] "conv"
  param A [8, 3] "A"
  h = embedding(e, tokens)
  u = silu(causal_conv1d(h, w))
  b, c, dt = split(u, 3, 3, 2)
  y = selective_scan(u, u, A, b, c)
  return logits(y, e)
}
)");
  ASSERT_TRUE(ok) << file->error();
  const Graph &g = file->graph();
  ASSERT_EQ(g.states.size(), 2u);
  EXPECT_EQ(g.states[0].name, "m/causal_conv1d");
  EXPECT_EQ(g.states[0].bytesPerSequence(), 3 * 8 * 4);
  EXPECT_EQ(g.states[1].bytesPerSequence(), 8 * 3 * 4);
  std::string summary = summarizeModel(g);
  EXPECT_NE(summary.find("recurrent state per sequence: 192 bytes (fp32, 2 slots)"),
            std::string::npos)
      << summary;
}

TEST(Elaborator, ScalarArithmetic) {
  auto [file, ok] = load(R"(
model m(tokens) {
  a = ceil(769 / 16)
  b = -7 // 2
  c = -7 % 2
  d = max(min(3, 4), 2)
  f = max(min(3, 4.5), 2)
  if f == 3 and b < 0 and not (c != 1) {
    param e [a, b + 5 + c, d] "e"
  }
  return logits(embedding(reshape(e, [a, 6]), tokens), reshape(e, [a, 6]))
}
)");
  ASSERT_TRUE(ok) << file->error();
  // ceil(769/16) = 49, -7 // 2 = -4, -7 % 2 = 1 (floor semantics), min/max.
  EXPECT_EQ(file->graph().params[0].shape, (Shape{49, 2, 3}));
  auto [file2, ok2] = load(R"(
model m(tokens) {
  param e [max(1.5, 1), 2] "e"
  return tokens
}
)");
  ASSERT_FALSE(ok2);
  EXPECT_NE(file2->error().find("a parameter dimension must be an int, got float"),
            std::string::npos)
      << file2->error();
}

TEST(Elaborator, ErrorsCarryCallNotes) {
  auto [file, ok] = load(R"(
import "mlp.ssm"
model m(tokens) {
  param e [5, 4] "e"
  h = embedding(e, tokens)
  h = mlp(h, 3, 8)
  return logits(h, e)
}
)",
                         {{"mlp.ssm", kMlp}});
  ASSERT_FALSE(ok);
  EXPECT_NE(file->error().find("mlp.ssm:5:32: error: 'linear': argument 'weight' has shape [8, 3] "
                               "but expected [*, 4]"),
            std::string::npos)
      << file->error();
  EXPECT_NE(file->error().find("m.ssm:6:7: note: in call to block 'mlp'"), std::string::npos)
      << file->error();
}

TEST(Summary, Thousands) {
  EXPECT_EQ(withThousands(0), "0");
  EXPECT_EQ(withThousands(999), "999");
  EXPECT_EQ(withThousands(1000), "1,000");
  EXPECT_EQ(withThousands(129135360), "129,135,360");
  EXPECT_EQ(withThousands(-1234567), "-1,234,567");
}
