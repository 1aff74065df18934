//===- MoEKernelTest.cpp - kernels/moe.cuh vs float64 ---------------------===//
//
// The mixture-of-experts kernel's four phases run in the CUDA emulator and
// are compared with a float64 mixture on the same (dtype-rounded) inputs:
// error = max |kernel - reference| / max |reference|, at most 1e-5 in fp32
// and 1e-2 with bf16 activations and experts. The router is steered so that
// some experts receive every token, some exactly one and some none; a
// random router with renormalized weights; odd widths (19, inner 37), 6
// experts, top 2 and top 3; rows past a sequence's length must be zeros.
// Outputs are poisoned with NaN first.
//
//===----------------------------------------------------------------------===//
#include "EmuTestUtil.h"

#include "runtime/io/HalfFloat.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <numeric>
#include <random>

using namespace ssmc::cudaemu;

namespace {

constexpr int kWidth = 19, kInner = 37, kExperts = 6;

std::string source(bool bf16, int topK, bool renormalize) {
  std::string T = bf16 ? "ssm_bf16" : "float";
  return "struct ssm_config {\n  using T = " + T + ";\n  using w_t = " + T +
         ";\n  static constexpr int num_experts = " + std::to_string(kExperts) +
         ", top_k = " + std::to_string(topK) + ", width = " + std::to_string(kWidth) +
         ", inner = " + std::to_string(kInner) +
         ", threads = 128;\n  static constexpr bool renormalize = " +
         (renormalize ? "true" : "false") + ";\n};\n" +
         test::sourceFile("codegen/cuda/kernels/moe.cuh") +
         "extern \"C\" __global__ void moe(int phase, const " + T + " *x, long long x_ld, " +
         "const float *router, const " + T + " *const *experts, float *scratch, const int *lens, " +
         T + " *out, long long out_ld, int batch, int seq) {\n  ssm_moe<ssm_config>(phase, x, " +
         "x_ld, router, experts, scratch, lens, out, out_ld, batch, seq);\n}\n";
}

EmulatedKernel *kernel(bool bf16, int topK, bool renormalize) {
  static std::map<std::string, std::unique_ptr<EmulatedKernel>> cache;
  std::string text = source(bf16, topK, renormalize);
  auto it = cache.find(text);
  if (it == cache.end())
    it = cache.emplace(text, test::compileKernel(text.c_str(), "moe")).first;
  return it->second.get();
}

/// Values as the kernel stores them (f32, or bf16 bit patterns), and the
/// float64 view of what was stored.
struct Stored {
  bool bf16;
  std::vector<float> f;
  std::vector<uint16_t> h;
  Stored(bool bf16, const std::vector<double> &v) : bf16(bf16) {
    for (double x : v) {
      f.push_back(static_cast<float>(x));
      h.push_back(ssmrt::floatToBf16(static_cast<float>(x)));
    }
  }
  void *data() { return bf16 ? static_cast<void *>(h.data()) : f.data(); }
  double at(size_t i) const { return bf16 ? ssmrt::bf16ToFloat(h[i]) : f[i]; }
};

enum class Router { Steered, Random };

void check(bool bf16, int topK, bool renormalize, Router mode, uint32_t seed) {
  SCOPED_TRACE(std::string(bf16 ? "bf16" : "f32") + " top " + std::to_string(topK) +
               (renormalize ? " renormalized" : "") +
               (mode == Router::Steered ? " steered" : " random"));
  const int batch = 2, seq = 5, rows = batch * seq;
  const std::vector<int> lens = {5, 3};
  const long long xld = kWidth + 3, old = kWidth + 2;
  std::mt19937 rng(seed);
  std::uniform_real_distribution<double> uniform(-1.0, 1.0);

  // x: column 0 is +1 for every token but token 0 (-1); the steered router
  // reads mostly column 0 with biases that send every other token to
  // experts 0 and 1 (.. 2 for top 3) and token 0 to the last ones.
  std::vector<double> x(rows * xld), router(kExperts * kWidth);
  for (double &v : x)
    v = 0.3 * uniform(rng);
  for (int r = 0; r < rows; ++r)
    x[r * xld] = r == 0 ? -1.0 : 1.0;
  const double bias[kExperts] = {3.0, 2.5, 2.0, -4.0, -5.0, -6.0};
  for (int e = 0; e < kExperts; ++e)
    for (int d = 0; d < kWidth; ++d)
      router[e * kWidth + d] = mode == Router::Random ? uniform(rng)
                               : d == 0               ? bias[e]
                                                      : 0.05 * uniform(rng);
  std::vector<Stored> weights;
  std::vector<const void *> table;
  for (int e = 0; e < kExperts; ++e)
    for (int m = 0; m < 3; ++m) {
      std::vector<double> w(kInner * kWidth);
      for (double &v : w)
        v = uniform(rng) / std::sqrt(m == 2 ? kInner : kWidth);
      weights.emplace_back(bf16, w);
    }
  for (Stored &w : weights)
    table.push_back(w.data());
  Stored xs(bf16, x), out(bf16, std::vector<double>(rows * old, NAN));
  std::vector<float> routerF(router.begin(), router.end());
  std::vector<float> scratch(size_t(rows) * topK * (2 + kInner + kWidth), NAN);

  EmulatedKernel *k = kernel(bf16, topK, renormalize);
  ASSERT_TRUE(k);
  const unsigned warps = 4;
  for (int phase = 0; phase < 4; ++phase) {
    Dim3 grid = phase == 0 ? Dim3((rows + warps - 1) / warps)
                : phase == 3
                    ? Dim3(rows)
                    : Dim3(rows * topK, ((phase == 1 ? kInner : kWidth) + warps - 1) / warps);
    ssmrt::Status st = k->launch(grid, Dim3(128),
                                 {phase, xs.data(), xld, routerF.data(), table.data(),
                                  scratch.data(), lens.data(), out.data(), old, batch, seq});
    ASSERT_TRUE(st.ok()) << "phase " << phase << ": " << st.message();
  }

  // float64: softmax over f32 router logits of the stored x, top-k.
  std::vector<int> tokensPerExpert(kExperts, 0);
  double worst = 0, largest = 0;
  int64_t unwritten = 0, padding = 0;
  for (int r = 0; r < rows; ++r) {
    if (r % seq >= lens[r / seq]) {
      for (int d = 0; d < kWidth; ++d)
        padding += out.at(r * old + d) != 0.0;
      continue;
    }
    std::vector<double> p(kExperts);
    for (int e = 0; e < kExperts; ++e)
      for (int d = 0; d < kWidth; ++d)
        p[e] += double(routerF[e * kWidth + d]) * xs.at(r * xld + d);
    double mx = *std::max_element(p.begin(), p.end()), sum = 0;
    for (double &v : p)
      sum += v = std::exp(v - mx);
    std::vector<int> order(kExperts);
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(), [&](int a, int b) { return p[a] > p[b]; });
    double chosen = 0;
    for (int j = 0; j < topK; ++j)
      chosen += p[order[j]] / sum;
    std::vector<double> y(kWidth, 0.0);
    for (int j = 0; j < topK; ++j) {
      int e = order[j];
      ++tokensPerExpert[e];
      double w = p[e] / sum / (renormalize ? chosen : 1.0);
      const Stored &gate = weights[3 * e], &up = weights[3 * e + 1], &down = weights[3 * e + 2];
      std::vector<double> h(kInner);
      for (int i = 0; i < kInner; ++i) {
        double g = 0, u = 0;
        for (int d = 0; d < kWidth; ++d) {
          g += gate.at(i * kWidth + d) * xs.at(r * xld + d);
          u += up.at(i * kWidth + d) * xs.at(r * xld + d);
        }
        h[i] = g / (1 + std::exp(-g)) * u;
      }
      for (int d = 0; d < kWidth; ++d) {
        double s = 0;
        for (int i = 0; i < kInner; ++i)
          s += down.at(d * kInner + i) * h[i];
        y[d] += w * s;
      }
    }
    for (int d = 0; d < kWidth; ++d) {
      double got = out.at(r * old + d);
      if (std::isnan(got)) {
        ++unwritten;
        continue;
      }
      worst = std::max(worst, std::fabs(got - y[d]));
      largest = std::max(largest, std::fabs(y[d]));
    }
  }
  if (mode == Router::Steered) {
    // 8 tokens: 7 to experts 0 and 1 (and 2 for top 3), token 0 to the
    // last ones: some experts get every other token, one gets one, some none.
    EXPECT_EQ(tokensPerExpert[0], 7);
    EXPECT_EQ(tokensPerExpert[kExperts - 1], 1);
    EXPECT_EQ(tokensPerExpert[3], topK == 3 ? 1 : 0);
  }
  EXPECT_EQ(unwritten, 0);
  EXPECT_EQ(padding, 0) << "rows past a sequence's length must be zeros";
  ASSERT_GT(largest, 0.0);
  EXPECT_LE(worst / largest, bf16 ? 1e-2 : 1e-5);
}

TEST(MoEKernel, SteeredRouting) {
  for (bool bf16 : {false, true})
    for (int topK : {2, 3})
      check(bf16, topK, false, Router::Steered, 3 + topK);
}

TEST(MoEKernel, RandomRoutingRenormalized) {
  for (bool bf16 : {false, true})
    check(bf16, 2, true, Router::Random, 11);
}

} // namespace
