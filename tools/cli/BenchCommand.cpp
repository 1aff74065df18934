//===- BenchCommand.cpp - throughput against measured bounds --------------===//
//
// Prefill and decode tokens/s (median of repeats), each with the bound it is
// measured against, both bounds measured in the same run:
//  - decode: every step reads all weights once, so the bound is
//    batch * (read bandwidth / weight bytes); the bandwidth is that of a
//    parallel read of a buffer larger than the caches;
//  - prefill: the model's matrix products on the same shapes at the faster
//    of BLAS and the runtime's own products (or, where prefill takes the
//    bf16 products for 16-bit or int8 weights, their rate), timed one by one;
//    their total time bounds the prefill.
//
//===----------------------------------------------------------------------===//
#include "tools/cli/ArgParser.h"
#include "tools/cli/BenchTiming.h"
#include "tools/cli/Commands.h"
#include "tools/cli/Console.h"
#include "tools/cli/GpuBench.h"

#include "runtime/cpu/Blas.h"
#include "runtime/cpu/ParallelMatmul.h"
#include "runtime/cpu/ThreadPool.h"
#include "runtime/cpu/WeightPrefetch.h"
#include "runtime/engine/Session.h"
#include "runtime/io/HalfFloat.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <map>

using namespace ssmc;
using namespace ssmc::cli;

namespace {

/// Bytes read per second by |pool|'s threads streaming through 512 MiB (twice
/// the largest last-level cache seen here) together, as a decode step reads
/// its weights (prefetched alike). A copy's bytes read plus written overstate
/// this where reads and writes overlap (on a Xeon here: 40 GB/s copied, 24
/// GB/s read).
double measureBandwidth(ssmrt::ThreadPool &pool) {
  const int64_t blockWords = int64_t(1) << 17, blocks = 512; // 512 blocks of 1 MiB
  std::vector<uint64_t> src(static_cast<size_t>(blockWords * blocks));
  for (size_t i = 0; i < src.size(); ++i)
    src[i] = i;
  std::vector<double> times;
  std::vector<uint64_t> sums(static_cast<size_t>(blocks));
  for (int rep = 0; rep < 5; ++rep) {
    Clock::time_point t0 = Clock::now();
    pool.parallelFor(blocks, [&](int64_t begin, int64_t end) {
      for (int64_t b = begin; b < end; ++b) {
        const uint64_t *p = src.data() + b * blockWords;
        uint64_t sum = 0;
        // Prefetched as the decode products prefetch their weights; the
        // result keeps the loop.
        for (int64_t i = 0; i < blockWords; i += 8) {
          ssmrt::prefetchWeightsAhead(p + i, 64);
          for (int64_t j = 0; j < 8; ++j)
            sum ^= p[i + j];
        }
        sums[static_cast<size_t>(b)] = sum;
      }
    });
    times.push_back(seconds(t0, Clock::now()));
  }
  return static_cast<double>(blockWords * blocks * 8) / median(times);
}

/// Seconds the model's matrix products take for |batch| sequences of |seq|
/// tokens (logits only for the last token of each), each shape timed
/// separately at the faster of BLAS (its own threading on |pool|'s thread
/// count) and the runtime's products on |pool| (ParallelMatmul: oneDNN or
/// its own kernels), or with |bf16| at the rate of the bf16 products that
/// prefill runs with 16-bit or int8 weights (OneDnnGemm.h): the linear
/// layers, each expert's products over its share of the tokens (top_k of
/// every token, spread evenly), and attention's two products per head, at
/// the rate reached on the rest (causal: half of each).
double gemmSeconds(const ssmrt::Function &f, int64_t batch, int64_t seq, ssmrt::ThreadPool &pool,
                   bool bf16, double &flops) {
  std::map<std::tuple<int64_t, int64_t, int64_t>, int> shapes; // (m, n, k) -> count
  int64_t rows = batch * seq;
  double attentionFlops = 0;
  for (const ssmrt::Instr &in : f.instrs) {
    if (in.op == ssmrt::OpCode::Linear || in.op == ssmrt::OpCode::Logits) {
      const std::vector<int64_t> &w = f.values[in.operands[1]].shape;
      int64_t m = in.op == ssmrt::OpCode::Logits ? batch : rows;
      ++shapes[{m, w[0], w[1]}];
    } else if (in.op == ssmrt::OpCode::MoE) {
      const std::vector<int64_t> &router = f.values[in.operands[1]].shape;
      int64_t experts = router[0], width = router[1];
      const ssmrt::Attr *topK = in.attr("top_k");
      int64_t k = topK && !topK->ints.empty() ? topK->ints[0] : 1;
      ++shapes[{rows, experts, width}];
      int64_t inter = f.values[in.operands[2]].shape[0];
      int64_t m = std::max<int64_t>(1, (rows * k + experts - 1) / experts);
      shapes[{m, inter, width}] += 2 * static_cast<int>(experts);
      shapes[{m, width, inter}] += static_cast<int>(experts);
    } else if (in.op == ssmrt::OpCode::Attention) {
      const ssmrt::Attr *heads = in.attr("heads"), *headDim = in.attr("head_dim");
      if (heads && headDim && !heads->ints.empty() && !headDim->ints.empty())
        attentionFlops +=
            batch * 2.0 * 2.0 * heads->ints[0] * headDim->ints[0] * seq * (seq + 1) / 2.0;
    }
  }
  double total = 0;
  flops = 0;
  for (const auto &[shape, count] : shapes) {
    auto [m, n, k] = shape;
    std::vector<float> a(m * k, 0.5f), b(bf16 ? 0 : n * k, 0.25f), c(m * n);
    std::vector<uint16_t> b16(bf16 ? n * k : 0, ssmrt::floatToBf16(0.25f));
    ssmrt::WeightMatrix w;
    if (bf16)
      w.bf16 = b16.data();
    else
      w.f32 = b.data();
    w.out = n;
    w.in = k;
    auto timed = [&](const std::function<void()> &product) {
      std::vector<double> times;
      for (int rep = 0; rep < 3; ++rep) {
        Clock::time_point t0 = Clock::now();
        product();
        times.push_back(seconds(t0, Clock::now()));
      }
      return median(times);
    };
    // The runtime's products call BLAS single-threaded from each pool
    // thread, as a session does; BLAS alone runs its own threads.
    ssmrt::setBlasThreads(1);
    double t = timed([&] { ssmrt::parallelMatmul(pool, a.data(), k, m, w, nullptr, c.data(), n); });
    if (!bf16) {
      ssmrt::setBlasThreads(pool.threads());
      t = std::min(t, timed([&] { ssmrt::gemmXWt(a.data(), k, m, b.data(), n, k, c.data(), n); }));
    }
    total += count * t;
    flops += count * 2.0 * m * n * k;
  }
  if (flops > 0 && total > 0) {
    total += attentionFlops / (flops / total);
    flops += attentionFlops;
  }
  ssmrt::setBlasThreads(1); // the session parallelizes around single-threaded BLAS
  return total;
}

/// What one decode step of |batch| sequences at |context| tokens reads: the
/// weights (|weightBytes| in all, as the device holds them; parameter i at
/// |bytesPerValue(i)| bytes a value), less the experts no token of the step
/// chooses (|batch|·top_k of each layer's experts at most) and less an
/// embedding table that the logits do not read (one row per sequence is),
/// plus every KV cache.
int64_t decodeStepBytes(const ssmrt::Program &program, int64_t weightBytes,
                        const std::function<double(size_t)> &bytesPerValue, int64_t batch,
                        int64_t context) {
  const ssmrt::Function &f = program.decode;
  auto bytesOf = [&](int32_t id) {
    const ssmrt::ValueDesc &v = f.values[id];
    return v.kind == ssmrt::ValueKind::Param
               ? ssmrt::shapeElements(v.shape) * bytesPerValue(static_cast<size_t>(v.index))
               : 0.0;
  };
  double bytes = static_cast<double>(weightBytes);
  int32_t logitsWeight = -1;
  for (const ssmrt::Instr &in : f.instrs)
    if (in.op == ssmrt::OpCode::Logits)
      logitsWeight = f.values[in.operands[1]].index;
  for (const ssmrt::Instr &in : f.instrs) {
    if (in.op == ssmrt::OpCode::MoE) {
      int64_t experts = (static_cast<int64_t>(in.operands.size()) - 2) / 3;
      const ssmrt::Attr *topK = in.attr("top_k");
      int64_t k = topK && !topK->ints.empty() ? topK->ints[0] : 1;
      int64_t unused = std::max<int64_t>(0, experts - batch * k);
      double perExpert = 0;
      for (int i = 2; i < 5; ++i)
        perExpert += bytesOf(in.operands[i]);
      bytes -= unused * perExpert;
    } else if (in.op == ssmrt::OpCode::Embedding) {
      const ssmrt::ValueDesc &table = f.values[in.operands[0]];
      if (table.kind == ssmrt::ValueKind::Param && table.index != logitsWeight &&
          table.shape.size() == 2)
        bytes -= bytesOf(in.operands[0]) * (1.0 - double(batch) / double(table.shape[0]));
    }
  }
  for (const ssmrt::StateDesc &state : program.states)
    if (state.kind == ssmrt::StateKind::KVCache)
      bytes += 4.0 * batch * context * ssmrt::shapeElements(state.shape);
  return static_cast<int64_t>(bytes);
}

} // namespace

int ssmc::cli::runBenchCommand(const std::string &tool, const std::vector<std::string> &args,
                               const ProgramLoader &loader) {
  std::string source, weights, device = "auto", kernel, weightsDtype = "auto";
  std::vector<std::string> tiles;
  int64_t promptLen = 512, gen = 32, batch = 1, repeats = 3, threads = 0, seed = 0;
  bool randomWeights = false, json = false, profile = false, check = false;
  bool noReferenceFallback = false, noCheckWeights = false;
  Console console(tool + " bench");
  ArgParser parser(tool + " bench",
                   tool + " bench SOURCE (--weights DIR | --random-weights) [options]",
                   "Measures prefill and decode throughput and the bounds they are measured\n"
                   "against: decode against the bytes a step reads (the weights, less experts no\n"
                   "token chooses and an embedding table the logits do not read; plus the KV\n"
                   "caches) over the memory bandwidth of a parallel read of 512 MiB, prefill\n"
                   "against the time the model's matrix products take on the same shapes, at\n"
                   "the faster of BLAS and the runtime's own products (or\n"
                   "its bf16 products, where prefill runs those), all threads (experts on their\n"
                   "share of the tokens; attention's products at the rate reached on the rest).\n"
                   "Each of --repeats runs measures its bounds right after its timed work;\n"
                   "medians over the runs are reported, ratios included. On a GPU the bounds\n"
                   "are the device's: copy bandwidth, and the GEMMs through cuBLAS.\n"
                   "With --kernel OP (GPU): times the model's CUDA kernel for OP (e.g.\n"
                   "selective_scan) on random inputs of --batch x --prompt-len tokens against\n"
                   "each floor: bytes over copy bandwidth, special-function operations over\n"
                   "the measured exp2 rate, FLOPs over the measured FP32 rate.\n"
                   "SOURCE: " +
                       loader.sourceHelp);
  parser.positional("SOURCE", &source, "what to run (see above)");
  parser.option("weights", &weights, "DIR", "Hugging Face checkpoint directory with the weights");
  parser.flag("random-weights", &randomWeights, "use deterministic random weights");
  addWeightsDtypeOption(parser, &weightsDtype);
  TuningFlags tuning;
  addTuningOptions(parser, tuning);
  parser.flag("no-check-weights", &noCheckWeights,
              "skip the check for NaN and infinity in the checkpoint's tensors");
  parser.option("prompt-len", &promptLen, "P", "prompt tokens per sequence (default 512)")
      .atLeast(1);
  parser.option("gen", &gen, "N", "decode steps (default 32)").atLeast(1);
  parser.option("batch", &batch, "B", "sequences per batch, 1 to 256 (default 1)").inRange(1, 256);
  parser.option("repeats", &repeats, "R", "runs to take the median of (default 3)").atLeast(1);
  parser
      .option("threads", &threads, "N",
              "CPU threads, at most the " + std::to_string(ssmrt::hardwareThreads()) +
                  " this machine has (default: all; also SSMC_THREADS)")
      .inRange(0, ssmrt::hardwareThreads());
  parser.option("seed", &seed, "S", "seed of the random weights and prompts (default 0)")
      .atLeast(0);
  parser.flag("json", &json, "print one JSON object instead of text");
  parser.flag("profile", &profile,
              "also give the share of time spent in each op (in the JSON with --json)");
  parser.flag("no-reference-fallback", &noReferenceFallback,
              "fail, naming the op, when an op has no CPU kernel instead of timing the float64 "
              "reference interpreter");
  parser.option("device", &device, "DEV", "auto (the default), cpu, cuda or cuda:N");
  parser.option("kernel", &kernel, "OP", "benchmark one CUDA kernel instead of the model");
  parser.list("tile", &tiles, "NAME=V", "with --kernel: a tile parameter to compile it with");
  parser.flag("check", &check, "with --kernel: compare with the float64 reference first");
  if (std::optional<int> done = parser.parseOrReport(args))
    return *done;
  if (kernel.empty())
    for (const char *name : {"tile", "check"})
      if (parser.given(name))
        return console.fail(std::string("--") + name + " goes with --kernel OP");
  if (randomWeights && parser.given("weights"))
    return console.fail("give --weights or --random-weights, not both");
  ssmrt::StatusOr<ssmrt::Program> program = loader.load(source, weights, device, tuning, console);
  if (!program.ok())
    return console.fail(program.status());
  if (!kernel.empty()) {
    KernelBenchOptions k;
    k.op = kernel;
    k.device = device;
    k.batch = batch;
    k.seq = promptLen;
    k.repeats = std::max<int64_t>(repeats, 5);
    k.seed = static_cast<uint64_t>(seed) + 1;
    k.check = check;
    k.json = json;
    for (const std::string &t : tiles) {
      size_t eq = t.find('=');
      char *end = nullptr;
      long long v = eq == std::string::npos ? 0 : std::strtoll(t.c_str() + eq + 1, &end, 10);
      if (eq == std::string::npos || eq == 0 || !end || *end || v < 1 || v > 65536)
        return console.fail("--tile expects NAME=VALUE with VALUE in [1, 65536], got '" + t + "'");
      k.tiles.push_back({t.substr(0, eq), v, {}});
    }
    return runKernelBench(*program, k, console);
  }
  std::unique_ptr<ssmrt::Checkpoint> checkpoint;
  if (!randomWeights) {
    if (weights.empty())
      return console.fail("give --weights DIR or --random-weights");
    ssmrt::StatusOr<ssmrt::Checkpoint> c = ssmrt::Checkpoint::open(weights);
    if (!c.ok())
      return console.fail(c.status());
    checkpoint = std::make_unique<ssmrt::Checkpoint>(std::move(*c));
  }
  std::string model = program->modelName;
  ssmrt::SessionOptions options;
  options.slots = batch;
  options.threads = static_cast<int>(threads);
  options.prefillChunk = promptLen;
  options.device = device;
  options.referenceFallback = !noReferenceFallback;
  options.checkWeights = !noCheckWeights;
  options.weightsDtype = weightsDtype;
  options.tuning = !tuning.off;
  options.tuningDb = tuning.db;
  options.progress = [&](const std::string &what, int64_t done, int64_t total) {
    console.progress(what, done, total);
  };
  options.note = [&](const std::string &note) { console.note(note); };
  auto created = ssmrt::Session::create(std::move(*program), std::move(checkpoint),
                                        static_cast<uint64_t>(seed) + 1, options);
  if (!created.ok())
    return console.fail(created.status());
  ssmrt::Session &s = **created;
  std::string referenceNote = ssmrt::referenceNote(s.referenceUses());
  if (!referenceNote.empty() && !json)
    console.note(referenceNote);

  // Prompts of random tokens (a fixed stream per seed).
  uint64_t state = static_cast<uint64_t>(seed) * 2654435761u + 1;
  std::vector<std::vector<int32_t>> prompts(batch, std::vector<int32_t>(promptLen));
  for (auto &p : prompts)
    for (int32_t &t : p) {
      state = state * 6364136223846793005ull + 1442695040888963407ull;
      t = static_cast<int32_t>((state >> 33) % std::min<uint64_t>(s.vocabSize(), 256));
    }
  ssmrt::CpuExecutor *cpu = s.cpu();
  if (!cpu)
    return runGpuModelBench(s, prompts, gen, repeats, json, profile, console);
  // Decode steps run at contexts promptLen .. promptLen + gen - 1.
  const int64_t stepBytes = decodeStepBytes(
      s.program(), s.weightBytes(),
      [&](size_t i) { return cpu->decodeFunction().productBytesPerValue(i); }, batch,
      promptLen + gen / 2);
  cpu->prefillFunction().enableProfile(profile);
  cpu->decodeFunction().enableProfile(profile);
  // Each run measures its own bounds right after the timed work, so that a
  // machine whose speed drifts (a shared VM) compares like with like; the
  // report gives medians over runs of the rates, the bounds and the ratios.
  std::vector<double> prefillRates, decodeRates, bandwidths, decodeBounds, prefillBounds, gemmRates,
      prefillRatios, decodeRatios;
  for (int64_t rep = 0; rep <= repeats; ++rep) { // run 0 warms up
    console.progress("runs (the first warms up)", rep, repeats + 1);
    double prefillSeconds, decodeSeconds;
    if (ssmrt::Status st = timeRun(s, prompts, gen, prefillSeconds, decodeSeconds); !st.ok())
      return console.fail(st);
    if (rep == 0)
      continue;
    double flops = 0;
    double gemm = gemmSeconds(s.program().forward, batch, promptLen, cpu->threadPool(),
                              cpu->bf16Products(), flops);
    double bandwidth = measureBandwidth(cpu->threadPool());
    prefillRates.push_back(batch * promptLen / prefillSeconds);
    decodeRates.push_back(batch * gen / decodeSeconds);
    bandwidths.push_back(bandwidth);
    decodeBounds.push_back(batch * bandwidth / static_cast<double>(stepBytes));
    prefillBounds.push_back(batch * promptLen / gemm);
    gemmRates.push_back(flops / gemm);
    prefillRatios.push_back(prefillRates.back() / prefillBounds.back());
    decodeRatios.push_back(decodeRates.back() / decodeBounds.back());
  }
  console.clear();
  double prefillRate = median(prefillRates), decodeRate = median(decodeRates);
  double bandwidth = median(bandwidths), decodeBound = median(decodeBounds);
  double prefillBound = median(prefillBounds), gemmRate = median(gemmRates);
  double prefillRatio = median(prefillRatios), decodeRatio = median(decodeRatios);

  // The shares of time by op, in percent, per phase.
  std::vector<std::pair<const char *, std::vector<double>>> shares;
  if (profile)
    for (auto [name, f] : {std::pair("prefill", &cpu->prefillFunction()),
                           std::pair("decode", &cpu->decodeFunction())}) {
      std::vector<double> times = f->profile();
      double total = 0;
      for (double t : times)
        total += t;
      for (double &t : times)
        t = total > 0 ? 100 * t / total : 0;
      shares.emplace_back(name, std::move(times));
    }

  // Whether any CPU kernel was built with a configuration from the tuning
  // database.
  const char *tuned = std::any_of(s.program().cpu.kernels.begin(), s.program().cpu.kernels.end(),
                                  [](const ssmrt::KernelDesc &k) { return k.tuned; })
                          ? "db"
                          : "default";
  if (json) {
    std::string profileField;
    for (const auto &[name, share] : shares)
      profileField += std::string(profileField.empty() ? ", \"profile_percent\": {" : ", ") + "\"" +
                      name + "\": " + profileJson(share, 1);
    if (!profileField.empty())
      profileField += "}";
    std::printf("{\"model\": \"%s\", \"threads\": %d, \"batch\": %lld, \"prompt_len\": %lld, "
                "\"gen\": %lld, \"repeats\": %lld, \"prefill_tokens_per_s\": %.2f, "
                "\"prefill_tokens_per_s_min\": %.2f, \"prefill_tokens_per_s_max\": %.2f, "
                "\"prefill_gemm_bound_tokens_per_s\": %.2f, \"prefill_ratio\": %.3f, "
                "\"gemm_gflop_s\": %.2f, \"decode_tokens_per_s\": %.2f, "
                "\"decode_tokens_per_s_min\": %.2f, \"decode_tokens_per_s_max\": %.2f, "
                "\"decode_bound_tokens_per_s\": %.2f, \"decode_ratio\": %.3f, "
                "\"measured_bandwidth_gb_s\": %.2f, \"weight_bytes\": %lld, "
                "\"reference_ops\": %zu, \"tuning\": \"%s\"%s}\n",
                model.c_str(), cpu->threadPool().threads(), (long long)batch, (long long)promptLen,
                (long long)gen, (long long)repeats, prefillRate,
                *std::min_element(prefillRates.begin(), prefillRates.end()),
                *std::max_element(prefillRates.begin(), prefillRates.end()), prefillBound,
                prefillRatio, gemmRate * 1e-9, decodeRate,
                *std::min_element(decodeRates.begin(), decodeRates.end()),
                *std::max_element(decodeRates.begin(), decodeRates.end()), decodeBound, decodeRatio,
                bandwidth * 1e-9, (long long)stepBytes, s.referenceUses().size(), tuned,
                profileField.c_str());
    return 0;
  }
  std::printf("model %s, batch %lld, prompt %lld tokens, %lld decode steps, %d threads, "
              "median of %lld runs (min-max)\n",
              model.c_str(), (long long)batch, (long long)promptLen, (long long)gen,
              cpu->threadPool().threads(), (long long)repeats);
  std::printf("prefill  %10.1f tok/s (%s)   bound %10.1f tok/s (%s, %.1f GFLOP/s on the "
              "model's GEMMs)   ratio %.2f\n",
              prefillRate, spread(prefillRates).c_str(), prefillBound,
              cpu->bf16Products() ? "bf16 products" : "f32 products", gemmRate * 1e-9,
              prefillRatio);
  std::printf("decode   %10.1f tok/s (%s)   bound %10.1f tok/s (%.1f MB read per step / %.1f "
              "GB/s)   ratio %.2f\n",
              decodeRate, spread(decodeRates).c_str(), decodeBound, stepBytes * 1e-6,
              bandwidth * 1e-9, decodeRatio);
  if (!referenceNote.empty())
    std::printf("(these figures include %zu ops in the float64 reference interpreter)\n",
                s.referenceUses().size());
  for (const auto &[name, share] : shares) {
    std::printf("%s time by op:", name);
    for (size_t op = 0; op < share.size(); ++op)
      if (share[op] > 0)
        std::printf("  %s %.1f%%", ssmrt::opCodeName(static_cast<ssmrt::OpCode>(op)), share[op]);
    std::printf("\n");
  }
  return 0;
}
