//===- PerplexityCommand.cpp - per-token NLL of a text --------------------===//
//
// Like llama.cpp's llama-perplexity: the text is tokenized and cut into
// windows of --ctx tokens, each a fresh sequence; every token of a window
// predicts the next (the first target of a window has only the window's
// first token as context; the last is the next window's first token). The
// mean negative log-likelihood of all targets, in nats per token and per
// byte of the targets' text, with the perplexity exp(NLL per token).
//
//===----------------------------------------------------------------------===//
#include "tools/cli/ArgParser.h"
#include "tools/cli/Commands.h"
#include "tools/cli/PromptInput.h"

#include "runtime/cpu/ThreadPool.h"
#include "runtime/engine/Session.h"
#include "runtime/tokenizer/Tokenizer.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <sys/stat.h>

namespace ssmc::cli {

namespace {

/// -log softmax(logits)[target], in double; NaN when a logit is not finite.
double negativeLogLikelihood(const float *logits, int64_t vocab, int32_t target) {
  double max = -INFINITY;
  for (int64_t i = 0; i < vocab; ++i) {
    if (!std::isfinite(logits[i]))
      return NAN;
    max = std::max(max, double(logits[i]));
  }
  double sum = 0;
  for (int64_t i = 0; i < vocab; ++i)
    sum += std::exp(double(logits[i]) - max);
  return max + std::log(sum) - double(logits[target]);
}

} // namespace

int runPerplexityCommand(const std::string &tool, const std::vector<std::string> &args,
                         const ProgramLoader &loader) {
  Console console(tool + " perplexity");
  std::string source, weights, tokenizerPath, textFile, device = "auto", weightsDtype = "auto";
  int64_t ctx = 512, batch = 4, threads = 0;
  bool randomWeights = false, json = false, quiet = false;
  ArgParser parser(tool + " perplexity",
                   tool + " perplexity SOURCE (--weights DIR | --random-weights) -f TEXT [--ctx N]",
                   "Scores a text: it is tokenized and cut into windows of --ctx tokens, each\n"
                   "run as a new sequence, every token predicting the next (the last one the\n"
                   "next window's first token). Prints the mean negative log-likelihood per\n"
                   "token and per byte and the perplexity; the running estimate goes to\n"
                   "stderr as the windows are done. A text too short for one window is an\n"
                   "error.\nSOURCE: " +
                       loader.sourceHelp);
  parser.positional("SOURCE", &source, "the model (see above)");
  parser.option("weights", &weights, "DIR", "Hugging Face checkpoint directory with the weights");
  parser.flag("random-weights", &randomWeights,
              "deterministic random weights instead of a checkpoint");
  parser.option("tokenizer", &tokenizerPath, "FILE",
                "tokenizer.json (default: the one in the weights directory)");
  parser.option("file", &textFile, "FILE", "the text to score ('-': standard input)", "f");
  parser.option("ctx", &ctx, "N", "tokens per window (default 512)").atLeast(1);
  parser.option("batch", &batch, "B", "windows run together (default 4)").inRange(1, 256);
  parser
      .option("threads", &threads, "N",
              "CPU threads, at most the " + std::to_string(ssmrt::hardwareThreads()) +
                  " this machine has (default: all; also SSMC_THREADS)")
      .inRange(0, ssmrt::hardwareThreads());
  parser.option("device", &device, "DEV", "auto (the default), cpu, cuda or cuda:N");
  addWeightsDtypeOption(parser, &weightsDtype);
  TuningFlags tuning;
  addTuningOptions(parser, tuning);
  parser.flag("json", &json, "print one JSON object instead of the text summary");
  parser.flag("quiet", &quiet, "no running estimate and no notes on stderr", "q");
  if (std::optional<int> done = parser.parseOrReport(args))
    return *done;
  console.setQuiet(quiet);
  if (!parser.given("file"))
    return console.fail("-f FILE (the text to score) is needed");
  if (randomWeights == parser.given("weights"))
    return console.fail("give --weights DIR or --random-weights");

  ssmrt::StatusOr<std::string> text = readPrompt(textFile);
  if (!text.ok())
    return console.fail(text.status());
  ssmrt::StatusOr<ssmrt::Program> program = loader.load(source, weights, device, tuning, console);
  if (!program.ok())
    return console.fail(program.status());
  std::unique_ptr<ssmrt::Checkpoint> checkpoint;
  if (!randomWeights) {
    ssmrt::StatusOr<ssmrt::Checkpoint> c = ssmrt::Checkpoint::open(weights);
    if (!c.ok())
      return console.fail(c.status());
    checkpoint = std::make_unique<ssmrt::Checkpoint>(std::move(*c));
  }
  struct stat st;
  if (tokenizerPath.empty() && !weights.empty() &&
      ::stat((weights + "/tokenizer.json").c_str(), &st) == 0)
    tokenizerPath = weights + "/tokenizer.json";
  if (tokenizerPath.empty())
    return console.fail("no tokenizer; give --tokenizer FILE");
  ssmrt::StatusOr<ssmrt::Tokenizer> tokenizer = ssmrt::Tokenizer::load(tokenizerPath);
  if (!tokenizer.ok())
    return console.fail(tokenizer.status());
  ssmrt::StatusOr<std::vector<int32_t>> ids = tokenizer->encode(*text);
  if (!ids.ok())
    return console.fail(ids.status().withPrefix(textFile == "-" ? "standard input" : textFile));
  int64_t windows = (static_cast<int64_t>(ids->size()) - 1) / ctx;
  if (windows < 1)
    return console.fail("the text is " + std::to_string(ids->size()) +
                        " tokens; a window of --ctx " + std::to_string(ctx) + " needs " +
                        std::to_string(ctx + 1));
  batch = std::min(batch, windows);

  ssmrt::SessionOptions options;
  options.slots = batch;
  options.prefillChunk = ctx;
  options.threads = static_cast<int>(threads);
  options.device = device;
  options.weightsDtype = weightsDtype;
  options.tuning = !tuning.off;
  options.tuningDb = tuning.db;
  options.progress = [&](const std::string &what, int64_t done, int64_t total) {
    console.progress(what, done, total);
  };
  options.note = [&](const std::string &note) { console.note(note); };
  auto session = ssmrt::Session::create(std::move(*program), std::move(checkpoint), 1, options);
  if (!session.ok())
    return console.fail(session.status());
  ssmrt::Session &s = **session;
  if (std::string note = ssmrt::referenceNote(s.referenceUses()); !note.empty())
    console.note(note);
  const int64_t vocab = s.vocabSize();
  if (tokenizer->vocabSize() > vocab)
    return console.fail(tokenizerPath + " has " + std::to_string(tokenizer->vocabSize()) +
                        " tokens, more than the model's " + std::to_string(vocab));

  double nll = 0;
  int64_t targets = 0, bytes = 0, reported = 0;
  std::vector<std::vector<float>> logits;
  for (int64_t w0 = 0; w0 < windows; w0 += batch) {
    int64_t n = std::min(batch, windows - w0);
    std::vector<int64_t> slots;
    std::vector<std::vector<int32_t>> inputs;
    for (int64_t i = 0; i < n; ++i) {
      auto begin = ids->begin() + (w0 + i) * ctx;
      slots.push_back(i);
      inputs.emplace_back(begin, begin + ctx);
      if (ssmrt::Status r = s.reset(i); !r.ok())
        return console.fail(r);
    }
    if (ssmrt::Status r = s.prefill(slots, inputs, ssmrt::Session::Logits::All, logits); !r.ok())
      return console.fail(r);
    for (int64_t i = 0; i < n; ++i)
      for (int64_t t = 0; t < ctx; ++t) {
        int32_t target = (*ids)[(w0 + i) * ctx + t + 1];
        double v = negativeLogLikelihood(&logits[i][t * vocab], vocab, target);
        if (!std::isfinite(v))
          return console.fail("the logits of window " + std::to_string(w0 + i) + ", token " +
                              std::to_string(t) + " are not finite");
        nll += v;
        ++targets;
        bytes += static_cast<int64_t>(tokenizer->tokenBytes(target).size());
      }
    int64_t done = w0 + n;
    console.progress("windows", done, windows);
    // The running estimate, at every tenth of the text.
    if (!quiet && !json && (done * 10 / windows > reported || done == windows)) {
      reported = done * 10 / windows;
      std::fprintf(stderr, "%s: %lld/%lld windows: %.4f nats/token so far\n",
                   console.command().c_str(), static_cast<long long>(done),
                   static_cast<long long>(windows), nll / double(targets));
    }
  }
  double perToken = nll / double(targets), perByte = bytes ? nll / double(bytes) : NAN;
  if (json) {
    std::printf("{\"windows\": %lld, \"ctx\": %lld, \"tokens\": %lld, \"bytes\": %lld, "
                "\"nll_per_token\": %.6f, \"perplexity\": %.6f, \"nats_per_byte\": %.6f, "
                "\"bits_per_byte\": %.6f}\n",
                static_cast<long long>(windows), static_cast<long long>(ctx),
                static_cast<long long>(targets), static_cast<long long>(bytes), perToken,
                std::exp(perToken), perByte, perByte / std::log(2.0));
    return 0;
  }
  std::printf("%lld windows of %lld tokens: %lld predicted tokens, %lld bytes\n",
              static_cast<long long>(windows), static_cast<long long>(ctx),
              static_cast<long long>(targets), static_cast<long long>(bytes));
  std::printf("NLL %.4f nats/token, perplexity %.4f; %.4f nats/byte (%.4f bits/byte)\n", perToken,
              std::exp(perToken), perByte, perByte / std::log(2.0));
  return 0;
}

} // namespace ssmc::cli
