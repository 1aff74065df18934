//===- GpuBench.cpp - model and kernel benchmarks on a GPU ----------------===//
//
// Every floor is measured on the device in the same run (Microbench.h):
// copy bandwidth (bytes read + written per second of a 1 GiB device copy),
// exp2 throughput and FP32 FMA throughput of independent chains, and the
// model's matrix products timed one shape at a time through cuBLAS.
//
//===----------------------------------------------------------------------===//
#include "tools/cli/GpuBench.h"
#include "tools/cli/BenchTiming.h"

#include "runtime/gpu/CudaDevice.h"
#include "runtime/gpu/GpuExecutor.h"
#include "runtime/gpu/KernelCase.h"
#include "runtime/gpu/Microbench.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <map>
#include <string>
#include <tuple>

using namespace ssmc;
using namespace ssmc::cli;
using namespace ssmrt::gpu;

namespace {

/// Seconds the matrix products of |f| take on |rows| token rows (logits for
/// |logitRows|), each distinct shape timed once.
ssmrt::StatusOr<double> gemmBound(GpuDevice &device, const ssmrt::Function &f, int64_t rows,
                                  int64_t logitRows) {
  std::map<std::tuple<int64_t, int64_t, int64_t, bool, int>, int> shapes;
  for (const ssmrt::Instr &in : f.instrs) {
    if (in.op != ssmrt::OpCode::Linear && in.op != ssmrt::OpCode::Logits)
      continue;
    const ssmrt::ValueDesc &w = f.values[in.operands[1]];
    bool logits = in.op == ssmrt::OpCode::Logits;
    ++shapes[{logits ? logitRows : rows, w.shape[0], w.shape[1], logits, int(w.dtype)}];
  }
  double total = 0;
  for (const auto &[shape, count] : shapes) {
    auto [m, n, k, logits, type] = shape;
    ssmrt::StatusOr<double> s =
        gemmSeconds(device, m, n, k, static_cast<ssmrt::ValueType>(type), logits);
    if (!s.ok())
      return s.status();
    total += count * *s;
  }
  return total;
}

} // namespace

int cli::runGpuModelBench(ssmrt::Session &s, const std::vector<std::vector<int32_t>> &prompts,
                          int64_t gen, int64_t repeats, bool json, bool profile, Console &console) {
  auto fail = [&](const ssmrt::Status &st) { return console.fail(st); };
  GpuExecutor *executor = s.gpu();
  if (!executor)
    return fail(ssmrt::Status::error("the session does not run on a GPU"));
  GpuDevice &device = executor->device();
  int64_t batch = static_cast<int64_t>(prompts.size()), promptLen = prompts[0].size();
  std::vector<double> prefillTimes, stepTimes;
  for (int64_t rep = 0; rep <= repeats; ++rep) { // run 0 warms up (and captures graphs)
    console.progress("runs (the first warms up)", rep, repeats + 1);
    double prefillSeconds, decodeSeconds;
    if (ssmrt::Status st = timeRun(s, prompts, gen, prefillSeconds, decodeSeconds); !st.ok())
      return fail(st);
    if (rep == 0)
      continue;
    prefillTimes.push_back(prefillSeconds);
    stepTimes.push_back(decodeSeconds / gen);
  }
  console.clear();
  std::string profileText, profileField;
  if (profile) {
    executor->prefillFunction().enableProfile(true);
    executor->decodeFunction().enableProfile(true);
    double prefillSeconds, decodeSeconds;
    if (ssmrt::Status st = timeRun(s, prompts, gen, prefillSeconds, decodeSeconds); !st.ok())
      return fail(st);
    for (auto [name, f, per] :
         {std::tuple("prefill", &executor->prefillFunction(), 1.0),
          std::tuple("decode step", &executor->decodeFunction(), 1.0 / static_cast<double>(gen))}) {
      f->enableProfile(false);
      double total = 0;
      for (double t : f->profile())
        total += t;
      profileText += std::string(name) + " device time by op (us):";
      for (size_t op = 0; op < f->profile().size(); ++op)
        if (f->profile()[op] > 0)
          profileText += " " + std::string(ssmrt::opCodeName(static_cast<ssmrt::OpCode>(op))) +
                         " " + std::to_string(static_cast<int64_t>(f->profile()[op] * per * 1e6));
      profileText += " (total " + std::to_string(static_cast<int64_t>(total * per * 1e6)) + ")\n";
      profileField += std::string(profileField.empty() ? ", \"profile_us\": {" : ", ") + "\"" +
                      name + "\": " + profileJson(f->profile(), per * 1e6);
    }
    profileField += "}";
  }
  ssmrt::StatusOr<DeviceCeilings> ceilings = measureCeilings(device);
  if (!ceilings.ok())
    return fail(ceilings.status());
  ssmrt::StatusOr<double> gemm =
      gemmBound(device, s.program().cuda.forward, batch * promptLen, batch);
  if (!gemm.ok())
    return fail(gemm.status());
  double prefill = median(prefillTimes), step = median(stepTimes);
  double prefillRate = batch * promptLen / prefill, prefillBound = batch * promptLen / *gemm;
  double stepFloor = s.weightBytes() / ceilings->copyBytesPerSecond;
  if (json) {
    std::printf("{\"model\": \"%s\", \"device\": \"%s\", \"batch\": %lld, \"prompt_len\": %lld, "
                "\"gen\": %lld, \"prefill_tokens_per_s\": %.1f, "
                "\"prefill_gemm_bound_tokens_per_s\": %.1f, \"prefill_ratio\": %.3f, "
                "\"decode_step_ms\": %.4f, \"decode_floor_ms\": %.4f, \"decode_ratio\": %.3f, "
                "\"decode_tokens_per_s\": %.1f, \"weight_bytes\": %lld, "
                "\"copy_bandwidth_gb_s\": %.1f, \"graphs\": %s, \"tuning\": \"%s\"%s}\n",
                s.program().modelName.c_str(), device.describe().c_str(), (long long)batch,
                (long long)promptLen, (long long)gen, prefillRate, prefillBound,
                prefillRate / prefillBound, step * 1e3, stepFloor * 1e3, stepFloor / step,
                batch / step, (long long)s.weightBytes(), ceilings->copyBytesPerSecond * 1e-9,
                executor->usingGraphs() ? "true" : "false",
                executor->tunedKernels() ? "db" : "default", profileField.c_str());
    return 0;
  }
  std::printf("model %s on %s, batch %lld, prompt %lld tokens, %lld decode steps%s\n",
              s.program().modelName.c_str(), device.describe().c_str(), (long long)batch,
              (long long)promptLen, (long long)gen,
              executor->usingGraphs() ? " (CUDA graphs)" : "");
  std::printf("prefill  %10.1f tok/s   bound %10.1f tok/s (the model's GEMMs through cuBLAS)   "
              "ratio %.2f\n",
              prefillRate, prefillBound, prefillRate / prefillBound);
  std::printf("decode   %10.4f ms/step (%.1f tok/s)   floor %.4f ms (%.1f MB of weights / %.0f "
              "GB/s)   step / floor %.2fx\n",
              step * 1e3, batch / step, stepFloor * 1e3, s.weightBytes() * 1e-6,
              ceilings->copyBytesPerSecond * 1e-9, step / stepFloor);
  std::printf("%s", profileText.c_str());
  return 0;
}

int cli::runKernelBench(const ssmrt::Program &program, const KernelBenchOptions &o,
                        Console &console) {
  auto fail = [&](const ssmrt::Status &st) { return console.fail(st); };
  if (!program.cuda.present())
    return fail(ssmrt::Status::error("model '" + program.modelName +
                                     "' has no CUDA code: compile it with --target cuda:sm_XX"));
  // The first instruction of the op with a kernel, in @forward, else @decode.
  const ssmrt::Function *function = nullptr;
  size_t index = 0;
  for (const ssmrt::Function *f : {&program.cuda.forward, &program.cuda.decode}) {
    for (size_t i = 0; i < f->instrs.size() && !function; ++i)
      if (f->instrs[i].kernel >= 0 && o.op == ssmrt::opCodeName(f->instrs[i].op)) {
        function = f;
        index = i;
      }
  }
  if (!function)
    return fail(ssmrt::Status::error("model '" + program.modelName + "' has no CUDA kernel for '" +
                                     o.op + "'"));
  ssmrt::StatusOr<ssmrt::DeviceChoice> choice = ssmrt::parseDevice(o.device);
  if (!choice.ok())
    return fail(choice.status());
  if (choice->kind == ssmrt::DeviceChoice::Kind::Cpu)
    return fail(ssmrt::Status::error("--kernel benchmarks a CUDA kernel: give --device auto, "
                                     "cuda or cuda:N"));
  ssmrt::StatusOr<std::unique_ptr<GpuDevice>> device = openCudaDevice(choice->ordinal);
  if (!device.ok())
    return fail(device.status());
  // Only the parameters the kernel and the weight-only instructions read.
  std::vector<bool> wanted(program.params.size(), false);
  for (const ssmrt::Instr &in : function->instrs)
    if (in.once || &in == &function->instrs[index])
      for (int32_t id : in.operands)
        if (id >= 0 && function->values[id].kind == ssmrt::ValueKind::Param)
          wanted[function->values[id].index] = true;
  ssmrt::WeightStore weights =
      ssmrt::WeightStore::random(program, o.seed, [&](size_t i) { return bool(wanted[i]); });
  KernelCaseOptions options;
  options.batch = o.batch;
  options.seq = o.seq;
  options.seed = o.seed;
  options.overrides = o.tiles;
  ssmrt::StatusOr<std::unique_ptr<KernelCase>> kc =
      KernelCase::create(program, *function, index, **device, weights, options);
  if (!kc.ok())
    return fail(kc.status());
  KernelCase &k = **kc;
  double error = -1;
  if (o.check) {
    ssmrt::Status st = k.launch();
    ssmrt::StatusOr<double> e = st.ok() ? k.compareWithReference() : ssmrt::StatusOr<double>(st);
    if (!e.ok())
      return fail(e.status());
    error = *e;
  }
  for (int i = 0; i < 3; ++i)
    if (ssmrt::Status st = k.launch(); !st.ok())
      return fail(st);
  std::vector<double> times;
  for (int64_t r = 0; r < o.repeats; ++r) {
    ssmrt::StatusOr<double> ms = (*device)->timeMs([&] { return k.launch(); });
    if (!ms.ok())
      return fail(ms.status());
    times.push_back(*ms * 1e-3);
  }
  double t = median(times);
  ssmrt::StatusOr<DeviceCeilings> ceilings = measureCeilings(**device);
  if (!ceilings.ok())
    return fail(ceilings.status());

  // Work the op must do: special-function operations and FP32 FLOPs.
  const ssmrt::Instr &in = function->instrs[index];
  double special = 0, flops = 0;
  double tokens = static_cast<double>(o.batch) * (in.op == ssmrt::OpCode::MambaStep ? 1 : o.seq);
  if (in.op == ssmrt::OpCode::SelectiveScan || in.op == ssmrt::OpCode::MambaStep) {
    const auto &values = function->values;
    int32_t a = in.operands[in.op == ssmrt::OpCode::SelectiveScan ? 2 : 7];
    double width = values[a].shape[0], states = values[a].shape[1];
    bool z = in.op == ssmrt::OpCode::MambaStep || in.operands[6] >= 0;
    // exp2 per state; softplus (exp, log) and the SiLU gate (exp, reciprocal).
    special = tokens * width * (states + 2 + (z ? 2 : 0));
    // Δ·A, Δu·B, h = dA·h + dBu (2), y += C·h (2) per state.
    flops = tokens * width * states * 6;
    int32_t proj = in.op == ssmrt::OpCode::SelectiveScan ? in.operands[8] : in.operands[5];
    if (proj >= 0)
      flops += 2.0 * tokens * width * values[proj].shape[1];
  } else if (in.op == ssmrt::OpCode::SSDScan) {
    const auto &values = function->values;
    double heads = values[in.operands[2]].shape[0], width = values[in.operands[0]].shape.back();
    double states = values[in.operands[3]].shape.back() / double(in.intAttr("groups", 1));
    bool z = in.operands[6] >= 0;
    // Per head: softplus (exp, log) and the decay's exp; the SiLU gate.
    special = tokens * (heads * 3 + (z ? 2 * width : 0));
    // Per state element: Δx·B, h = a·h + …, y += C·h (5 FLOPs).
    flops = tokens * width * states * 5;
  }
  double bytes = static_cast<double>(k.bytesMoved());
  double bytesFloor = bytes / ceilings->copyBytesPerSecond;
  double specialFloor = special / ceilings->exp2PerSecond;
  double flopsFloor = flops / ceilings->fp32FlopsPerSecond;
  double floor = std::max({bytesFloor, specialFloor, flopsFloor});
  const char *binding = floor == bytesFloor ? "bytes" : floor == specialFloor ? "special" : "flops";
  std::string tiles;
  for (const ssmrt::TileParam &p : k.kernel().params) {
    int64_t v = p.value;
    for (const ssmrt::TileParam &t : o.tiles)
      if (t.name == p.name)
        v = t.value;
    tiles += (tiles.empty() ? "" : ",") + p.name + "=" + std::to_string(v);
  }
  if (o.json) {
    std::printf("{\"kernel\": \"%s\", \"op\": \"%s\", \"device\": \"%s\", \"batch\": %lld, "
                "\"seq\": %lld, \"tiles\": \"%s\", \"time_ms\": %.4f, \"bytes\": %.0f, "
                "\"special_ops\": %.0f, \"flops\": %.0f, \"bytes_floor_ms\": %.4f, "
                "\"special_floor_ms\": %.4f, \"flops_floor_ms\": %.4f, \"binding\": \"%s\", "
                "\"ratio\": %.3f, \"copy_gb_s\": %.1f, \"exp2_per_s\": %.4g, "
                "\"fp32_flop_s\": %.4g, \"rel_error\": %.3g}\n",
                k.kernel().name.c_str(), o.op.c_str(), (*device)->describe().c_str(),
                (long long)o.batch, (long long)o.seq, tiles.c_str(), t * 1e3, bytes, special, flops,
                bytesFloor * 1e3, specialFloor * 1e3, flopsFloor * 1e3, binding, floor / t,
                ceilings->copyBytesPerSecond * 1e-9, ceilings->exp2PerSecond,
                ceilings->fp32FlopsPerSecond, error);
    return 0;
  }
  std::printf("kernel %s (%s) on %s, batch %lld, seq %lld, %s\n", k.kernel().name.c_str(),
              o.op.c_str(), (*device)->describe().c_str(), (long long)o.batch, (long long)o.seq,
              tiles.c_str());
  if (error >= 0)
    std::printf("  error vs float64 reference: %.3g (relative L2)\n", error);
  std::printf("  time %.4f ms (median of %lld)\n", t * 1e3, (long long)o.repeats);
  std::printf("  bytes    %10.1f MB   floor %.4f ms at %.0f GB/s (copy)   ratio %.2f\n",
              bytes * 1e-6, bytesFloor * 1e3, ceilings->copyBytesPerSecond * 1e-9, bytesFloor / t);
  if (special > 0)
    std::printf("  special  %10.4g ops  floor %.4f ms at %.4g exp2/s   ratio %.2f\n", special,
                specialFloor * 1e3, ceilings->exp2PerSecond, specialFloor / t);
  if (flops > 0)
    std::printf("  flops    %10.4g      floor %.4f ms at %.4g FLOP/s   ratio %.2f\n", flops,
                flopsFloor * 1e3, ceilings->fp32FlopsPerSecond, flopsFloor / t);
  std::printf("  binding floor: %s, achieved %.0f%% of it\n", binding, 100 * floor / t);
  return 0;
}
