//===- RunCommand.cpp - generate text from a model ------------------------===//
#include "tools/cli/ArgParser.h"
#include "tools/cli/Commands.h"
#include "tools/cli/Console.h"
#include "tools/cli/PromptInput.h"

#include "runtime/artifact/Artifact.h"
#include "runtime/cpu/ThreadPool.h"
#include "runtime/engine/Sampler.h"
#include "runtime/engine/Session.h"
#include "runtime/io/SafeTensorsWriter.h"
#include "runtime/tokenizer/Tokenizer.h"

#include <chrono>
#include <cmath>
#include <cstdio>
#include <random>
#include <sys/stat.h>

using namespace ssmc;
using namespace ssmc::cli;

ssmrt::StatusOr<ssmrt::Program> ssmc::cli::loadArtifact(const std::string &path) {
  return ssmrt::readArtifactFile(path);
}

namespace {

using Clock = std::chrono::steady_clock;

double secondsSince(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

bool isFile(const std::string &path) {
  struct stat st;
  return stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

/// Why |logits| cannot be sampled from ("NaN at token id 7"), or "".
std::string nonFinite(const float *logits, int64_t n) {
  for (int64_t i = 0; i < n; ++i)
    if (!std::isfinite(logits[i]))
      return std::string(std::isnan(logits[i]) ? "NaN" : "infinity") + " at token id " +
             std::to_string(i);
  return "";
}

std::string rate(int64_t tokens, double seconds) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%lld token%s, %.1f tok/s", static_cast<long long>(tokens),
                tokens == 1 ? "" : "s", seconds > 0 ? tokens / seconds : 0.0);
  return buf;
}

} // namespace

int ssmc::cli::runRunCommand(const std::string &tool, const std::vector<std::string> &args,
                             const ProgramLoader &loader) {
  Clock::time_point start = Clock::now();
  Console console(tool + " run");
  std::string source, weights, tokenizerPath, prompt, promptFile, promptIds, dumpLogits,
      device = "auto", weightsDtype = "auto";
  int64_t steps = 64, topK = 0, threads = 0, seed = 0, repeatLastN = 64;
  double temperature = 0, topP = 1.0, minP = 0, repeatPenalty = 1.0;
  bool printIds = false, ignoreEos = false, noReferenceFallback = false, randomWeights = false,
       noCheckWeights = false, noDisplayPrompt = false, quiet = false, verbose = false;
  ArgParser parser(
      tool + " run",
      tool + " run SOURCE [--weights DIR] (--prompt TEXT | -f FILE | --prompt-ids IDS) [options]",
      "Runs a model: feeds the prompt, then generates -n tokens, streaming the\n"
      "text as it is produced (greedy when --temperature is 0, the default).\n"
      "A line of timings (load, prompt and generation speed) follows on stderr.\n"
      "SOURCE: " +
          loader.sourceHelp);
  parser.positional("SOURCE", &source, "what to run (see above)");
  parser.option("weights", &weights, "DIR", "Hugging Face checkpoint directory with the weights");
  parser.flag("random-weights", &randomWeights,
              "use deterministic random weights (from --seed) instead of a checkpoint");
  addWeightsDtypeOption(parser, &weightsDtype);
  TuningFlags tuning;
  addTuningOptions(parser, tuning);
  parser.flag("no-check-weights", &noCheckWeights,
              "skip the check for NaN and infinity in the checkpoint's tensors");
  parser.option("tokenizer", &tokenizerPath, "FILE",
                "tokenizer.json (default: the one in the weights directory)");
  parser.option("prompt", &prompt, "TEXT", "the prompt (UTF-8 text)", "p");
  parser.option("file", &promptFile, "FILE", "read the prompt from FILE ('-': standard input)",
                "f");
  parser.option("prompt-ids", &promptIds, "IDS", "the prompt as token ids: 1,2,3");
  parser.flag("no-display-prompt", &noDisplayPrompt, "print only the generated text");
  parser
      .option("tokens", &steps, "N", "tokens to generate (default 64; 0 only scores the prompt)",
              "n")
      .atLeast(0);
  parser.option("temperature", &temperature, "T", "sampling temperature (0, the default: greedy)")
      .atLeast(0);
  parser.option("top-k", &topK, "K", "sample among the K most likely tokens (0: all)").atLeast(0);
  parser.option("top-p", &topP, "P", "sample among the most likely tokens reaching probability P")
      .inRange(0, 1, true);
  parser
      .option("min-p", &minP, "P",
              "sample among the tokens at least P times as likely as the most likely one")
      .inRange(0, 1);
  parser
      .option("repeat-penalty", &repeatPenalty, "R",
              "make the last --repeat-last-n tokens R times less likely (1: off, the default; "
              "applies to greedy choice too)")
      .above(0);
  parser
      .option("repeat-last-n", &repeatLastN, "N",
              "tokens the repetition penalty looks back on (default 64)")
      .atLeast(0);
  parser.option("seed", &seed, "S", "random seed for sampling (default: a random one)").atLeast(0);
  parser.flag("print-ids", &printIds, "print the generated token ids instead of text");
  parser.flag("ignore-eos", &ignoreEos, "keep generating after the end-of-text token");
  parser.option("dump-logits", &dumpLogits, "FILE",
                "write the logits of every prompt position to FILE (safetensors, "
                "tensor 'logits', float32 [tokens, vocab])");
  parser
      .option("threads", &threads, "N",
              "CPU threads, at most the " + std::to_string(ssmrt::hardwareThreads()) +
                  " this machine has (default: all; also SSMC_THREADS)")
      .inRange(0, ssmrt::hardwareThreads());
  parser.flag("no-reference-fallback", &noReferenceFallback,
              "fail, naming the op, when an op has no CPU kernel instead of running it in the "
              "float64 reference interpreter (slow; a note says so)");
  parser.option("device", &device, "DEV",
                "auto (the default: the GPU when there is one and the model has CUDA code, "
                "else the CPU), cpu, cuda or cuda:N");
  parser.flag("quiet", &quiet, "no timing line and no notes on stderr", "q");
  parser.flag("verbose", &verbose, "also say the seed and the device", "v");
  if (std::optional<int> done = parser.parseOrReport(args))
    return *done;
  console.setQuiet(quiet);

  int prompts = parser.given("prompt") + parser.given("file") + parser.given("prompt-ids");
  if (prompts != 1)
    return console.fail("give exactly one of --prompt, -f/--file and --prompt-ids");
  if (parser.given("prompt") && prompt.empty())
    return console.fail("--prompt is empty");
  if (parser.given("file")) {
    ssmrt::StatusOr<std::string> text = readPrompt(promptFile);
    if (!text.ok())
      return console.fail(text.status());
    if (text->empty())
      return console.fail((promptFile == "-" ? std::string("standard input") : promptFile) +
                          ": the prompt is empty");
    prompt = std::move(*text);
  }
  if (randomWeights && parser.given("weights"))
    return console.fail("give --weights or --random-weights, not both");
  if (temperature == 0) {
    std::string ignored;
    for (const char *name : {"top-k", "top-p", "min-p", "seed"})
      if (parser.given(name) && !(randomWeights && std::string(name) == "seed"))
        ignored += std::string(ignored.empty() ? "" : ", ") + "--" + name;
    if (!ignored.empty())
      console.warn(ignored + " ha" + (ignored.find(',') == std::string::npos ? "s" : "ve") +
                   " no effect at --temperature 0 (greedy choice)");
  }
  if (!parser.given("seed"))
    seed = static_cast<int64_t>(std::random_device{}() >> 1);

  ssmrt::StatusOr<ssmrt::Program> program = loader.load(source, weights, device, tuning, console);
  if (!program.ok())
    return console.fail(program.status());
  std::unique_ptr<ssmrt::Checkpoint> checkpoint;
  if (!randomWeights) {
    if (weights.empty())
      return console.fail("--weights DIR (or --random-weights) is needed for " + source);
    ssmrt::StatusOr<ssmrt::Checkpoint> c = ssmrt::Checkpoint::open(weights);
    if (!c.ok())
      return console.fail(c.status());
    checkpoint = std::make_unique<ssmrt::Checkpoint>(std::move(*c));
  }

  std::unique_ptr<ssmrt::Tokenizer> tokenizer;
  if (tokenizerPath.empty() && !weights.empty() && isFile(weights + "/tokenizer.json"))
    tokenizerPath = weights + "/tokenizer.json";
  if (!tokenizerPath.empty()) {
    ssmrt::StatusOr<ssmrt::Tokenizer> t = ssmrt::Tokenizer::load(tokenizerPath);
    if (!t.ok())
      return console.fail(t.status());
    tokenizer = std::make_unique<ssmrt::Tokenizer>(std::move(*t));
  } else if (!prompt.empty() || !printIds) {
    return console.fail(
        (weights.empty() ? std::string("no tokenizer") : "no tokenizer.json in " + weights) +
        "; give --tokenizer FILE, or use --prompt-ids with --print-ids");
  }

  std::vector<int32_t> ids;
  if (!promptIds.empty()) {
    std::vector<int64_t> parsed;
    if (!parseIntList(promptIds, parsed))
      return console.fail("--prompt-ids expects comma-separated integers, got '" + promptIds + "'");
    for (int64_t v : parsed) {
      if (v < 0 || v > INT32_MAX)
        return console.fail("token id " + std::to_string(v) + " is out of range");
      ids.push_back(static_cast<int32_t>(v));
    }
  } else {
    ssmrt::StatusOr<std::vector<int32_t>> encoded = tokenizer->encodeWithSpecial(prompt);
    if (!encoded.ok())
      return console.fail(
          encoded.status().withPrefix(parser.given("file") ? promptFile : "--prompt"));
    ids = std::move(*encoded);
    if (ids.empty())
      return console.fail("the prompt encodes to no tokens");
  }

  ssmrt::SessionOptions options;
  options.slots = 1;
  options.threads = static_cast<int>(threads);
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
  auto session =
      ssmrt::Session::create(std::move(*program), std::move(checkpoint),
                             static_cast<uint64_t>(parser.given("seed") ? seed : 0) + 1, options);
  if (!session.ok())
    return console.fail(session.status());
  ssmrt::Session &s = **session;
  if (std::string note = ssmrt::referenceNote(s.referenceUses()); !note.empty())
    console.note(note);
  if (verbose)
    console.note("seed " + std::to_string(seed) + ", " +
                 (s.cpu() ? "on the " + s.cpu()->describe() : std::string("on the GPU")));
  int64_t vocab = s.vocabSize();
  int64_t validVocab = tokenizer ? std::min<int64_t>(vocab, tokenizer->vocabSize()) : vocab;
  double loadSeconds = secondsSince(start);

  Clock::time_point prefillStart = Clock::now();
  std::vector<std::vector<float>> logits;
  ssmrt::Status st = s.prefill(
      {0}, {ids}, dumpLogits.empty() ? ssmrt::Session::Logits::Last : ssmrt::Session::Logits::All,
      logits);
  if (!st.ok())
    return console.fail(st);
  double prefillSeconds = secondsSince(prefillStart);
  if (!dumpLogits.empty()) {
    ssmrt::SafeTensorsWriter writer;
    st = writer.addFloats("logits", {static_cast<int64_t>(ids.size()), vocab}, logits[0].data(),
                          ssmrt::DType::F32);
    if (st.ok())
      st = writer.writeFile(dumpLogits);
    if (!st.ok())
      return console.fail(st);
  }
  auto timings = [&](int64_t generated, double generateSeconds) {
    if (quiet)
      return;
    std::string line = "load " + formatNumber(std::round(loadSeconds * 100) / 100) + " s; prompt " +
                       rate(static_cast<int64_t>(ids.size()), prefillSeconds);
    if (steps > 0)
      line += "; generated " + rate(generated, generateSeconds);
    std::fprintf(stderr, "%s: %s\n", console.command().c_str(), line.c_str());
  };
  if (steps == 0) {
    timings(0, 0);
    return 0;
  }

  const float *last = logits[0].data() + (logits[0].size() - vocab);
  std::vector<float> stepLogits(last, last + vocab);
  ssmrt::SamplingOptions sampling;
  sampling.temperature = temperature;
  sampling.topK = topK;
  sampling.topP = topP;
  sampling.minP = minP;
  sampling.repeatPenalty = repeatPenalty;
  sampling.repeatLastN = repeatLastN;
  sampling.seed = static_cast<uint64_t>(seed);
  ssmrt::Sampler sampler(sampling);
  for (int32_t id : ids)
    sampler.accept(id);
  std::optional<int32_t> eos = tokenizer && !ignoreEos ? tokenizer->eosId() : std::nullopt;
  std::unique_ptr<ssmrt::DecodeStream> stream;
  if (!printIds) {
    if (!noDisplayPrompt)
      std::fputs(prompt.empty() ? tokenizer->decode(ids, false).c_str() : prompt.c_str(), stdout);
    stream = std::make_unique<ssmrt::DecodeStream>(*tokenizer, false);
  }
  Clock::time_point generateStart = Clock::now();
  int64_t generated = 0;
  std::vector<float> next;
  for (int64_t i = 0; i < steps; ++i) {
    // Step 0 samples from the prompt's logits, step i from decode step i.
    if (std::string bad = nonFinite(stepLogits.data(), validVocab); !bad.empty()) {
      std::fputc('\n', stdout);
      return console.fail("the logits of generation step " + std::to_string(i) +
                          " are not finite (" + bad +
                          "): a weight is not finite, or the computation overflowed");
    }
    int32_t token = sampler.sample(stepLogits.data(), validVocab);
    if (eos && token == *eos)
      break;
    sampler.accept(token);
    ++generated;
    if (printIds)
      std::printf(i ? " %d" : "%d", token);
    else
      std::fputs(stream->next(token).c_str(), stdout);
    std::fflush(stdout);
    if (i + 1 == steps)
      break;
    st = s.decode({0}, {token}, next);
    if (!st.ok())
      return console.fail(st);
    stepLogits.swap(next);
  }
  double generateSeconds = secondsSince(generateStart);
  if (stream)
    std::fputs(stream->flush().c_str(), stdout);
  std::fputc('\n', stdout);
  std::fflush(stdout);
  timings(generated, generateSeconds);
  return 0;
}
