//===- AttentionKernelTest.cpp - kernels/attention.cuh vs float64 ---------===//
//
// The attention kernels run in the CUDA emulator on random queries, keys
// and values (uniform in [-1, 1], rounded to the kernel's dtype) and are
// compared with float64 attention on the same rounded inputs. Error: the
// largest |kernel - reference| over the largest |reference|, at most 1e-5
// in fp32, 1e-2 in bf16, 5e-3 in fp16. Outputs are poisoned with NaN
// first: every row a sequence has must be written (and NaN never passes),
// rows past its length must be zeros. Shapes: query lengths 1, 7,
// 129 and 4097, cached prefixes up to 4096 tokens, head_dim 64, 128 and 17
// (the row kernel), 1, 2 and 8 query heads per KV head, batches of
// sequences of different lengths, strided rows, key splits that leave
// some slices empty.
//
//===----------------------------------------------------------------------===//
#include "EmuTestUtil.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <map>
#include <random>

using namespace ssmc::cudaemu;

namespace {

enum class DType { F32, BF16, F16 };

const char *typeName(DType t) {
  return t == DType::F32 ? "float" : t == DType::BF16 ? "ssm_bf16" : "ssm_f16";
}

/// Values as the kernel stores them: floats, or 16-bit patterns.
struct Elements {
  DType type;
  std::vector<float> f;
  std::vector<uint16_t> h;

  Elements(DType type, size_t n) : type(type) {
    if (type == DType::F32)
      f.assign(n, NAN);
    else
      h.assign(n, type == DType::BF16 ? 0x7fc0 : 0x7e00);
  }
  void *data() { return type == DType::F32 ? static_cast<void *>(f.data()) : h.data(); }
  void set(size_t i, double v) {
    if (type == DType::F32) {
      f[i] = static_cast<float>(v);
    } else if (type == DType::F16) {
      _Float16 x = static_cast<_Float16>(static_cast<float>(v));
      std::memcpy(&h[i], &x, 2);
    } else {
      float x = static_cast<float>(v);
      uint32_t u;
      std::memcpy(&u, &x, 4);
      h[i] = static_cast<uint16_t>((u + 0x7fffu + ((u >> 16) & 1u)) >> 16);
    }
  }
  double get(size_t i) const {
    if (type == DType::F32)
      return f[i];
    if (type == DType::F16) {
      _Float16 x;
      std::memcpy(&x, &h[i], 2);
      return static_cast<float>(x);
    }
    uint32_t u = uint32_t(h[i]) << 16;
    float x;
    std::memcpy(&x, &u, 4);
    return x;
  }
};

enum class Variant { Mma, Rows };

struct Shape {
  int heads, kvHeads, headDim;
  bool causal = true;
};

/// One sequence of a call: tokens already cached, tokens of this call.
struct Seq {
  int cached, len;
};

std::string config(DType type, const Shape &s, int threads, int qtok) {
  char scale[64];
  std::snprintf(scale, sizeof scale, "%.9gf", 1.0 / std::sqrt(double(s.headDim)));
  return std::string("struct ssm_config {\n  using T = ") + typeName(type) +
         ";\n  static constexpr int heads = " + std::to_string(s.heads) +
         ", kv_heads = " + std::to_string(s.kvHeads) + ", head_dim = " + std::to_string(s.headDim) +
         ", threads = " + std::to_string(threads) + ", qtok = " + std::to_string(qtok) +
         ";\n  static constexpr bool causal = " + (s.causal ? "true" : "false") +
         ";\n  static constexpr float scale = " + scale + ";\n};\n";
}

/// Compiles each distinct kernel once per test binary.
EmulatedKernel *kernel(const std::string &configText, const std::string &entry) {
  static std::map<std::string, std::unique_ptr<EmulatedKernel>> cache;
  std::string key = configText + entry;
  auto it = cache.find(key);
  if (it != cache.end())
    return it->second.get();
  std::string T = "ssm_config::T";
  std::string common = "const " + T + " *q, long long q_ld, const " + T + " *k, long long k_ld, " +
                       "const " + T + " *v, long long v_ld, " + T + " *const *keys, " + T +
                       " *const *values, const int *cached, const int *lens, " + T +
                       " *out, long long out_ld";
  std::string body =
      entry == "attn_mma"
          ? "extern \"C\" __global__ void __launch_bounds__(128) attn_mma(" + common +
                ", int batch, int seq) {\n  ssm_attention_mma<ssm_config>(q, q_ld, k, k_ld, v, "
                "v_ld, keys, values, cached, lens, out, out_ld, batch, seq);\n}\n"
          : "extern \"C\" __global__ void attn_rows(" + common +
                ", float *workspace, int batch, int seq) {\n  ssm_attention_rows<ssm_config>(q, "
                "q_ld, k, k_ld, v, v_ld, keys, values, cached, lens, out, out_ld, workspace, "
                "batch, seq);\n}\n";
  std::unique_ptr<EmulatedKernel> compiled = test::compileKernel(
      (configText + test::sourceFile("codegen/cuda/kernels/attention.cuh") + body).c_str(), entry);
  EmulatedKernel *raw = compiled.get();
  cache[key] = std::move(compiled);
  return raw;
}

/// Runs one call of |seqs| (rows |seq| apart) and checks its output and the
/// rows it appends to the caches; the rows kernel takes |splits| slices of
/// the keys and |qtok| tokens per block.
void check(DType type, Variant variant, const Shape &shape, const std::vector<Seq> &seqs, int seq,
           uint32_t seed, int splits = 1, int qtok = 1, int threads = 128) {
  SCOPED_TRACE(std::string(typeName(type)) + (variant == Variant::Mma ? " mma" : " rows") +
               " heads " + std::to_string(shape.heads) + "/" + std::to_string(shape.kvHeads) +
               " head_dim " + std::to_string(shape.headDim) + " seq " + std::to_string(seq) +
               " splits " + std::to_string(splits));
  const int H = shape.heads, KV = shape.kvHeads, D = shape.headDim, G = H / KV;
  const int batch = static_cast<int>(seqs.size());
  const long long qld = H * D + 3, old = H * D + 5, kw = KV * D, kld = kw + 1, vld = kw + 7;
  std::mt19937 rng(seed);
  std::uniform_real_distribution<double> uniform(-1.0, 1.0);

  Elements q(type, size_t(batch) * seq * qld), out(type, size_t(batch) * seq * old);
  Elements k(type, size_t(batch) * seq * kld), v(type, size_t(batch) * seq * vld);
  for (Elements *e : {&q, &k, &v})
    for (size_t i = 0; i < e->f.size() + e->h.size(); ++i)
      e->set(i, uniform(rng));
  std::vector<Elements> keys, values;
  std::vector<const void *> keyPtrs, valuePtrs;
  std::vector<int> cached, lens;
  for (const Seq &s : seqs) {
    size_t n = size_t(std::max(s.cached + s.len, 1)) * kw;
    keys.emplace_back(type, n); // NaN past the cached rows
    values.emplace_back(type, n);
    for (size_t i = 0; i < size_t(s.cached) * kw; ++i) {
      keys.back().set(i, uniform(rng));
      values.back().set(i, uniform(rng));
    }
    cached.push_back(s.cached);
    lens.push_back(s.len);
  }
  for (int b = 0; b < batch; ++b) {
    keyPtrs.push_back(keys[b].data());
    valuePtrs.push_back(values[b].data());
  }

  std::string cfg = config(type, shape, threads, variant == Variant::Mma ? 64 : qtok);
  if (variant == Variant::Mma) {
    EmulatedKernel *kk = kernel(cfg, "attn_mma");
    ASSERT_TRUE(kk);
    kk->setTimeout(std::chrono::minutes(5)); // a warp-collective instruction is a host barrier
    ssmrt::Status st =
        kk->launch(Dim3(H, (seq + 63) / 64, batch), Dim3(128),
                   {q.data(), qld, k.data(), kld, v.data(), vld, keyPtrs.data(), valuePtrs.data(),
                    cached.data(), lens.data(), out.data(), old, batch, seq});
    ASSERT_TRUE(st.ok()) << st.message();
  } else {
    EmulatedKernel *kk = kernel(cfg, "attn_rows");
    ASSERT_TRUE(kk);
    // Its shuffles are host barriers too: the 4097-token prefill took 66 s
    // here beside other tests.
    kk->setTimeout(std::chrono::minutes(5));
    // 64 words, a counter per (sequence, KV head, tile), then the slices.
    const unsigned tiles = (seq + qtok - 1) / qtok, counters = KV * tiles;
    std::vector<float> workspace(
        64 + size_t(batch) * counters + size_t(batch) * seq * H * splits * (D + 2), NAN);
    std::fill(workspace.begin() + 64, workspace.begin() + 64 + batch * counters, 0.0f);
    for (int run = 0; run < (splits > 1 ? 2 : 1); ++run) { // counters must reset themselves
      ssmrt::Status st =
          kk->launch(Dim3(KV, tiles * splits, batch), Dim3(threads),
                     {q.data(), qld, k.data(), kld, v.data(), vld, keyPtrs.data(), valuePtrs.data(),
                      cached.data(), lens.data(), out.data(), old, workspace.data(), batch, seq});
      ASSERT_TRUE(st.ok()) << st.message();
    }
  }
  // This call's rows are in the caches.
  int64_t appended = 0;
  for (int b = 0; b < batch; ++b)
    for (int t = 0; t < seqs[b].len; ++t)
      for (int c = 0; c < kw; ++c) {
        size_t at = size_t(seqs[b].cached + t) * kw + c, row = size_t(b) * seq + t;
        appended +=
            keys[b].get(at) == k.get(row * kld + c) && values[b].get(at) == v.get(row * vld + c);
      }
  int64_t expected = 0;
  for (const Seq &s : seqs)
    expected += int64_t(s.len) * kw;
  EXPECT_EQ(appended, expected) << "rows appended to the caches";

  double worst = 0.0, largest = 0.0;
  int64_t unwritten = 0, overwritten = 0;
  for (int b = 0; b < batch; ++b)
    for (int t = 0; t < seq; ++t)
      for (int h = 0; h < H; ++h) {
        const size_t row = size_t(b) * seq + t;
        if (t >= seqs[b].len) {
          for (int d = 0; d < D; ++d)
            overwritten += out.get(row * old + h * D + d) != 0.0;
          continue;
        }
        const int pos = seqs[b].cached + t;
        const int visible = shape.causal ? pos + 1 : seqs[b].cached + seqs[b].len;
        // Key j of the KV head: the cache's before |cached|, else the call's.
        auto kv = [&](const Elements &cache, const Elements &act, long long ld, int j, int d) {
          int c = (h / G) * D + d;
          return j < seqs[b].cached ? cache.get(size_t(j) * kw + c)
                                    : act.get((size_t(b) * seq + j - seqs[b].cached) * ld + c);
        };
        std::vector<double> p(visible), o(D, 0.0);
        double mx = -INFINITY, sum = 0.0;
        for (int j = 0; j < visible; ++j) {
          double s = 0.0;
          for (int d = 0; d < D; ++d)
            s += q.get(row * qld + h * D + d) * kv(keys[b], k, kld, j, d);
          p[j] = s / std::sqrt(double(D));
          mx = std::max(mx, p[j]);
        }
        for (int j = 0; j < visible; ++j) {
          p[j] = std::exp(p[j] - mx);
          sum += p[j];
        }
        for (int j = 0; j < visible; ++j)
          for (int d = 0; d < D; ++d)
            o[d] += p[j] / sum * kv(values[b], v, vld, j, d);
        for (int d = 0; d < D; ++d) {
          double got = out.get(row * old + h * D + d);
          if (std::isnan(got)) {
            ++unwritten;
            continue;
          }
          worst = std::max(worst, std::fabs(got - o[d]));
          largest = std::max(largest, std::fabs(o[d]));
        }
      }
  EXPECT_EQ(unwritten, 0) << "rows left unwritten (or NaN)";
  EXPECT_EQ(overwritten, 0) << "padding rows not zero";
  const double tolerance = type == DType::F32 ? 1e-5 : type == DType::BF16 ? 1e-2 : 5e-3;
  ASSERT_GT(largest, 0.0);
  EXPECT_LE(worst / largest, tolerance);
}

const std::vector<Shape> kMmaShapes = {{4, 4, 64}, {4, 2, 128}, {8, 1, 64}};

TEST(AttentionKernel, TensorCorePrefill) {
  for (DType type : {DType::BF16, DType::F16})
    for (const Shape &s : kMmaShapes) {
      check(type, Variant::Mma, s, {{0, 7}, {5, 3}, {0, 1}}, 7, 11);
      check(type, Variant::Mma, s, {{0, 129}, {40, 100}}, 129, 12);
    }
  check(DType::BF16, Variant::Mma, {4, 4, 64, /*causal=*/false}, {{3, 70}, {0, 9}}, 70, 13);
}

TEST(AttentionKernel, TensorCorePrefillOfALongPrompt) {
  check(DType::BF16, Variant::Mma, {1, 1, 64}, {{0, 4097}}, 4097, 14);
}

TEST(AttentionKernel, RowsPrefill) {
  for (DType type : {DType::F32, DType::BF16})
    for (const Shape &s : {Shape{4, 4, 64}, Shape{4, 2, 128}, Shape{8, 1, 17}}) {
      int qtok = std::max(1, 16 / (s.heads / s.kvHeads));
      check(type, Variant::Rows, s, {{0, 7}, {5, 3}, {0, 1}}, 7, 21, 1, qtok);
      check(type, Variant::Rows, s, {{0, 129}, {40, 100}}, 129, 22, 1, qtok);
    }
  check(DType::F32, Variant::Rows, {2, 2, 64, /*causal=*/false}, {{3, 70}, {0, 9}}, 70, 23, 1, 8);
  check(DType::F32, Variant::Rows, {2, 1, 64}, {{0, 4097}}, 4097, 24, 1, 8);
}

TEST(AttentionKernel, DecodeOverLongCachesInSplits) {
  // One query per sequence; the group's query heads are one block's rows.
  for (DType type : {DType::F32, DType::BF16, DType::F16})
    for (const Shape &s : {Shape{4, 4, 128}, Shape{8, 1, 64}, Shape{4, 2, 17}}) {
      int threads = 32 * std::min(4, s.heads / s.kvHeads);
      for (int splits : {1, 7})
        check(type, Variant::Rows, s, {{4096, 1}, {0, 1}, {37, 1}, {100, 0}}, 1, 31, splits, 1,
              threads);
    }
}

TEST(AttentionKernel, PrefillInSplitsMatchesOnePass) {
  check(DType::F32, Variant::Rows, {4, 2, 64}, {{0, 129}, {300, 3}, {12, 0}}, 129, 41, 3, 8);
}

} // namespace
