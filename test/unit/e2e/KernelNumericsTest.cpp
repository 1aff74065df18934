//===- KernelNumericsTest.cpp - fused CPU kernels vs float64 --------------===//
//
// Each case is a small model whose logits are exactly one op's output (an
// identity head), compiled with the fusion passes, run on the native CPU
// kernels in fp32 and compared with the float64 reference interpreter run
// on the unfused graph. Tolerance: max |cpu - ref| / max |ref| <= 1e-5 over
// every output of every position; NaN never passes. Inputs are random.
//
//===----------------------------------------------------------------------===//
#include "test/unit/e2e/ModelHarness.h"

#include <cmath>
#include <gtest/gtest.h>
#include <sstream>

using namespace ssmc::test;

namespace {

constexpr double kTolerance = 1e-5;
constexpr int32_t kVocab = 37;

Tensor identity(int64_t n) {
  Tensor t{{n, n}, std::vector<float>(n * n, 0.0f)};
  for (int64_t i = 0; i < n; ++i)
    t.data[i * n + i] = 1.0f;
  return t;
}

/// Runs |text| natively (all positions' logits) and in float64; returns the
/// relative error.
double compareModel(const std::string &text, const Tensors &tensors, int64_t batch, int64_t seq,
                    uint64_t seed, bool foldDeltaProj = true, int vectorWidth = 0) {
  ssmrt::Program program = compileModel(text, foldDeltaProj, vectorWidth);
  if (program.params.empty())
    return INFINITY;
  TempCheckpoint checkpoint(tensors);
  auto session = openSession(program, checkpoint, batch, seq);
  if (!session)
    return INFINITY;
  std::mt19937_64 rng(seed);
  std::vector<int32_t> tokens = randomTokens(rng, batch * seq, kVocab);
  std::vector<std::vector<int32_t>> prompts;
  std::vector<int64_t> slots;
  for (int64_t b = 0; b < batch; ++b) {
    prompts.emplace_back(tokens.begin() + b * seq, tokens.begin() + (b + 1) * seq);
    slots.push_back(b);
  }
  std::vector<std::vector<float>> logits;
  ssmrt::Status st = session->prefill(slots, prompts, ssmrt::Session::Logits::All, logits);
  if (!st.ok()) {
    ADD_FAILURE() << st.message();
    return INFINITY;
  }
  ssmrt::RefTensor ref = referenceLogits(program, tensors, tokens, batch, seq);
  std::vector<float> got;
  for (const auto &l : logits)
    got.insert(got.end(), l.begin(), l.end());
  if (got.size() != ref.data.size()) {
    ADD_FAILURE() << "got " << got.size() << " logits, expected " << ref.data.size();
    return INFINITY;
  }
  return relativeError(got.data(), ref.data.data(), got.size());
}

//===----------------------------------------------------------------------===//
// Selective scan
//===----------------------------------------------------------------------===//

struct ScanCase {
  int64_t seq, channels, state, rank; ///< rank 0: full-width delta
  bool withD = true, withZ = true, withBias = true;
  int64_t batch = 1;
  int vectorWidth = 0;
  bool foldDeltaProj = true;
  float biasLo = -7.0f, biasHi = -2.0f; ///< softplus⁻¹ of dt in ~[1e-3, 0.13]
  /// Jamba's RMSNorms on the low-rank dt (with a rank), B and C.
  bool jambaNorms = false;
};

std::string scanModel(const ScanCase &c) {
  int64_t dt = c.rank ? c.rank : c.channels;
  int64_t width = c.channels + dt + 2 * c.state + (c.withZ ? c.channels : 0);
  std::ostringstream m;
  m << "model scan_case(tokens) {\n"
    << "  param table [" << kVocab << ", " << width << "] \"table\"\n"
    << "  x = embedding(table, tokens)\n";
  m << "  u, dt, B, C" << (c.withZ ? ", z" : "") << " = split(x, " << c.channels << ", " << dt
    << ", " << c.state << ", " << c.state << (c.withZ ? ", " + std::to_string(c.channels) : "")
    << ")\n";
  m << "  param A_log [" << c.channels << ", " << c.state << "] \"A_log\"\n";
  if (c.jambaNorms) {
    if (c.rank)
      m << "  param dt_norm [" << c.rank
        << "] \"dt_norm\"\n  dt = rmsnorm(dt, dt_norm, eps=1e-6)\n";
    m << "  param b_norm [" << c.state << "] \"b_norm\"\n  B = rmsnorm(B, b_norm, eps=1e-6)\n";
    m << "  param c_norm [" << c.state << "] \"c_norm\"\n  C = rmsnorm(C, c_norm, eps=1e-6)\n";
  }
  if (c.withBias)
    m << "  param bias [" << c.channels << "] \"dt_bias\"\n";
  if (c.rank) {
    m << "  param w [" << c.channels << ", " << c.rank << "] \"dt_proj\"\n";
    m << "  delta = softplus(linear(dt, w" << (c.withBias ? ", bias" : "") << "))\n";
  } else {
    m << "  delta = softplus(" << (c.withBias ? "dt + bias" : "dt") << ")\n";
  }
  m << "  y = selective_scan(u, delta, -exp(A_log), B, C)\n";
  if (c.withD)
    m << "  param D [" << c.channels << "] \"D\"\n  y = y + u * D\n";
  if (c.withZ)
    m << "  y = y * silu(z)\n";
  m << "  param eye [" << c.channels << ", " << c.channels << "] \"eye\"\n"
    << "  return logits(y, eye)\n}\n";
  return m.str();
}

Tensors scanWeights(const ScanCase &c, std::mt19937_64 &rng) {
  int64_t dt = c.rank ? c.rank : c.channels;
  int64_t width = c.channels + dt + 2 * c.state + (c.withZ ? c.channels : 0);
  Tensors t;
  t["table"] = {{kVocab, width}, uniform(rng, kVocab * width, -1.0f, 1.0f)};
  std::vector<float> aLog = uniform(rng, c.channels * c.state, 1.0f, 16.0f);
  for (float &a : aLog)
    a = std::log(a);
  t["A_log"] = {{c.channels, c.state}, aLog};
  if (c.withBias)
    t["dt_bias"] = {{c.channels}, uniform(rng, c.channels, c.biasLo, c.biasHi)};
  if (c.rank)
    t["dt_proj"] = {{c.channels, c.rank}, uniform(rng, c.channels * c.rank, -0.5f, 0.5f)};
  if (c.withD)
    t["D"] = {{c.channels}, uniform(rng, c.channels, 0.5f, 1.5f)};
  if (c.jambaNorms) {
    if (c.rank)
      t["dt_norm"] = {{c.rank}, uniform(rng, c.rank, 0.5f, 1.5f)};
    t["b_norm"] = {{c.state}, uniform(rng, c.state, 0.5f, 1.5f)};
    t["c_norm"] = {{c.state}, uniform(rng, c.state, 0.5f, 1.5f)};
  }
  t["eye"] = identity(c.channels);
  return t;
}

void checkScan(const ScanCase &c, uint64_t seed) {
  SCOPED_TRACE("seq " + std::to_string(c.seq) + ", channels " + std::to_string(c.channels) +
               ", state " + std::to_string(c.state) + ", rank " + std::to_string(c.rank) +
               ", batch " + std::to_string(c.batch) + ", D " + std::to_string(c.withD) + ", z " +
               std::to_string(c.withZ) + ", bias " + std::to_string(c.withBias) + ", lanes " +
               std::to_string(c.vectorWidth));
  std::mt19937_64 rng(seed);
  Tensors weights = scanWeights(c, rng);
  double err =
      compareModel(scanModel(c), weights, c.batch, c.seq, seed + 1, c.foldDeltaProj, c.vectorWidth);
  EXPECT_LE(err, kTolerance);
}

TEST(ScanKernel, SequenceLengths) {
  for (int64_t seq : {1, 2, 7, 64, 4097})
    checkScan({seq, 21, 16, 5}, 100 + seq);
}

TEST(ScanKernel, StateSizes) {
  for (int64_t state : {1, 4, 16, 64})
    checkScan({64, 37, state, 6}, 200 + state);
}

TEST(ScanKernel, OptionalOperands) {
  ScanCase noD{33, 19, 16, 4};
  noD.withD = false;
  checkScan(noD, 301);
  ScanCase noZ{33, 19, 16, 4};
  noZ.withZ = false;
  checkScan(noZ, 302);
  ScanCase noBias{33, 19, 16, 4};
  noBias.withBias = false;
  checkScan(noBias, 303);
  ScanCase bare{33, 19, 16, 4};
  bare.withD = bare.withZ = bare.withBias = false;
  checkScan(bare, 304);
}

TEST(ScanKernel, FullWidthDeltaAndUnfoldedProjection) {
  checkScan({40, 23, 16, 0}, 401);
  ScanCase unfolded{40, 23, 16, 7};
  unfolded.foldDeltaProj = false;
  checkScan(unfolded, 402);
}

TEST(ScanKernel, VectorWidthsAndTails) {
  for (int lanes : {4, 8, 16}) {
    ScanCase c{29, 19, 16, 3};
    c.vectorWidth = lanes;
    checkScan(c, 500 + lanes);
  }
}

TEST(ScanKernel, BatchAndSoftplusThreshold) {
  ScanCase batch{17, 21, 8, 5};
  batch.batch = 3;
  checkScan(batch, 601);
  // Raw deltas around and above 20: the softplus passes them through.
  ScanCase hot{17, 21, 8, 0};
  hot.biasLo = 15.0f;
  hot.biasHi = 25.0f;
  checkScan(hot, 602);
}

TEST(ScanKernel, Mamba130mWidths) { checkScan({64, 1536, 16, 48}, 701); }

// Jamba's dt, B and C norms fused into the scan's prologue (the fused
// CPU kernel against the unfused float64 reference).
TEST(ScanKernel, JambaNormsInThePrologue) {
  for (int64_t seq : {1, 7, 4097}) {
    ScanCase c{seq, 21, 16, 5};
    c.jambaNorms = true;
    checkScan(c, 800 + seq);
  }
  for (int lanes : {4, 8, 16}) {
    ScanCase c{29, 19, 16, 3};
    c.jambaNorms = true;
    c.vectorWidth = lanes;
    c.batch = 3;
    checkScan(c, 820 + lanes);
  }
  ScanCase fullWidth{33, 19, 16, 0}; // B and C norms only
  fullWidth.jambaNorms = true;
  checkScan(fullWidth, 830);
}

//===----------------------------------------------------------------------===//
// Causal conv1d
//===----------------------------------------------------------------------===//

void checkConv(int64_t seq, int64_t channels, int64_t k, bool bias, bool silu, int64_t batch,
               uint64_t seed) {
  SCOPED_TRACE("conv seq " + std::to_string(seq) + ", channels " + std::to_string(channels) +
               ", K " + std::to_string(k) + ", bias " + std::to_string(bias) + ", silu " +
               std::to_string(silu) + ", batch " + std::to_string(batch));
  std::ostringstream m;
  m << "model conv_case(tokens) {\n"
    << "  param table [" << kVocab << ", " << channels << "] \"table\"\n"
    << "  param w [" << channels << ", 1, " << k << "] \"w\"\n";
  if (bias)
    m << "  param b [" << channels << "] \"b\"\n";
  m << "  y = causal_conv1d(embedding(table, tokens), w" << (bias ? ", b" : "") << ")\n";
  if (silu)
    m << "  y = silu(y)\n";
  m << "  param eye [" << channels << ", " << channels << "] \"eye\"\n"
    << "  return logits(y, eye)\n}\n";
  std::mt19937_64 rng(seed);
  Tensors t;
  t["table"] = {{kVocab, channels}, uniform(rng, kVocab * channels, -1.0f, 1.0f)};
  t["w"] = {{channels, 1, k}, uniform(rng, channels * k, -0.7f, 0.7f)};
  if (bias)
    t["b"] = {{channels}, uniform(rng, channels, -0.3f, 0.3f)};
  t["eye"] = identity(channels);
  EXPECT_LE(compareModel(m.str(), t, batch, seq, seed + 1), kTolerance);
}

TEST(ConvKernel, Shapes) {
  for (int64_t k : {1, 2, 4})
    for (int64_t seq : {1, 2, 7, 64})
      checkConv(seq, 13, k, true, true, 1, 800 + k * 10 + seq);
  checkConv(33, 40, 4, false, true, 2, 901);
  checkConv(33, 40, 4, true, false, 3, 902);
}

//===----------------------------------------------------------------------===//
// Norms
//===----------------------------------------------------------------------===//

void checkNorm(int64_t width, bool residual, int64_t seq, uint64_t seed) {
  SCOPED_TRACE("norm width " + std::to_string(width) + ", residual " + std::to_string(residual));
  std::ostringstream m;
  m << "model norm_case(tokens) {\n"
    << "  param table [" << kVocab << ", " << 2 * width << "] \"table\"\n"
    << "  a, b = split(embedding(table, tokens), " << width << ", " << width << ")\n"
    << "  param w [" << width << "] \"w\"\n"
    << "  param eye [" << width << ", " << width << "] \"eye\"\n"
    << "  return logits(rmsnorm(" << (residual ? "a + b" : "a") << ", w, eps=1e-5), eye)\n}\n";
  std::mt19937_64 rng(seed);
  Tensors t;
  t["table"] = {{kVocab, 2 * width}, uniform(rng, kVocab * 2 * width, -2.0f, 2.0f)};
  t["w"] = {{width}, uniform(rng, width, 0.5f, 1.5f)};
  t["eye"] = identity(width);
  EXPECT_LE(compareModel(m.str(), t, 2, seq, seed + 1), kTolerance);
}

TEST(NormKernels, RMSNormAndAddRMSNorm) {
  for (int64_t width : {13, 192, 1000}) {
    checkNorm(width, false, 9, 1000 + width);
    checkNorm(width, true, 9, 2000 + width);
  }
}

} // namespace
