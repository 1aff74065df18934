//===- RunCommand.cpp - generate text from a model ------------------------===//
#include "tools/cli/ArgParser.h"
#include "tools/cli/Commands.h"

#include "runtime/artifact/Artifact.h"
#include "runtime/engine/Sampler.h"
#include "runtime/engine/Session.h"
#include "runtime/io/SafeTensorsWriter.h"
#include "runtime/tokenizer/Tokenizer.h"

#include <cstdio>
#include <sys/stat.h>

using namespace ssmc;
using namespace ssmc::cli;

ssmrt::StatusOr<ssmrt::Program> ssmc::cli::loadArtifact(const std::string &path) {
  return ssmrt::readArtifactFile(path);
}

namespace {

int fail(const ssmrt::Status &status) {
  std::fprintf(stderr, "error: %s\n", status.message().c_str());
  return 1;
}

bool isFile(const std::string &path) {
  struct stat st;
  return stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

} // namespace

int ssmc::cli::runRunCommand(const std::string &tool, const std::vector<std::string> &args,
                             const ProgramLoader &loader) {
  std::string source, weights, tokenizerPath, prompt, promptIds, dumpLogits, device = "auto";
  int64_t steps = 64, topK = 0, threads = 0, seed = 0;
  double temperature = 0, topP = 1.0;
  bool printIds = false, ignoreEos = false, noReferenceFallback = false;
  ArgParser parser(tool + " run",
                   tool +
                       " run SOURCE [--weights DIR] (--prompt TEXT | --prompt-ids IDS) [options]",
                   "Runs a model: feeds the prompt, then generates -n tokens, streaming the\n"
                   "text as it is produced (greedy when --temperature is 0, the default).\n"
                   "SOURCE: " +
                       loader.sourceHelp);
  parser.positional("SOURCE", &source, "what to run (see above)");
  parser.option("weights", &weights, "DIR", "Hugging Face checkpoint directory with the weights");
  parser.option("tokenizer", &tokenizerPath, "FILE",
                "tokenizer.json (default: the one in the weights directory)");
  parser.option("prompt", &prompt, "TEXT", "the prompt (UTF-8 text)");
  parser.option("prompt-ids", &promptIds, "IDS", "the prompt as token ids: 1,2,3");
  parser.option("tokens", &steps, "N", "tokens to generate (default 64; 0 only scores the prompt)",
                "n");
  parser.option("temperature", &temperature, "T", "sampling temperature (0: greedy)");
  parser.option("top-k", &topK, "K", "sample among the K most likely tokens (0: all)");
  parser.option("top-p", &topP, "P", "sample among the most likely tokens reaching probability P");
  parser.option("seed", &seed, "S", "random seed for sampling (default 0)");
  parser.flag("print-ids", &printIds, "print the generated token ids instead of text");
  parser.flag("ignore-eos", &ignoreEos, "keep generating after the end-of-text token");
  parser.option("dump-logits", &dumpLogits, "FILE",
                "write the logits of every prompt position to FILE (safetensors, "
                "tensor 'logits', float32 [tokens, vocab])");
  parser.option("threads", &threads, "N", "CPU threads (default: all cores)");
  parser.flag("no-reference-fallback", &noReferenceFallback,
              "fail, naming the op, when an op has no CPU kernel instead of running it in the "
              "float64 reference interpreter (slow; a note says so)");
  parser.option("device", &device, "DEV",
                "auto (the default: the GPU when there is one and the model has CUDA code, "
                "else the CPU), cpu, cuda or cuda:N");
  if (std::optional<int> done = parser.parseOrReport(args))
    return *done;
  if (prompt.empty() == promptIds.empty()) {
    std::fprintf(stderr, "%s run: give exactly one of --prompt and --prompt-ids\n", tool.c_str());
    return 1;
  }
  if (steps < 0 || topK < 0 || temperature < 0 || topP <= 0 || topP > 1 || threads < 0) {
    std::fprintf(stderr,
                 "%s run: -n, --top-k, --temperature and --threads must not be negative, "
                 "--top-p must be in (0, 1]\n",
                 tool.c_str());
    return 1;
  }

  ssmrt::StatusOr<ssmrt::Program> program = loader.load(source, weights, device);
  if (!program.ok())
    return fail(program.status());
  if (weights.empty()) {
    std::fprintf(stderr, "%s run: --weights DIR is needed for %s\n", tool.c_str(), source.c_str());
    return 1;
  }
  ssmrt::StatusOr<ssmrt::Checkpoint> checkpoint = ssmrt::Checkpoint::open(weights);
  if (!checkpoint.ok())
    return fail(checkpoint.status());

  std::unique_ptr<ssmrt::Tokenizer> tokenizer;
  if (tokenizerPath.empty() && isFile(weights + "/tokenizer.json"))
    tokenizerPath = weights + "/tokenizer.json";
  if (!tokenizerPath.empty()) {
    ssmrt::StatusOr<ssmrt::Tokenizer> t = ssmrt::Tokenizer::load(tokenizerPath);
    if (!t.ok())
      return fail(t.status());
    tokenizer = std::make_unique<ssmrt::Tokenizer>(std::move(*t));
  } else if (!prompt.empty() || !printIds) {
    std::fprintf(stderr,
                 "%s run: no tokenizer.json in %s; give --tokenizer FILE, or use "
                 "--prompt-ids with --print-ids\n",
                 tool.c_str(), weights.c_str());
    return 1;
  }

  std::vector<int32_t> ids;
  if (!promptIds.empty()) {
    std::vector<int64_t> parsed;
    if (!parseIntList(promptIds, parsed)) {
      std::fprintf(stderr, "%s run: --prompt-ids expects comma-separated integers, got '%s'\n",
                   tool.c_str(), promptIds.c_str());
      return 1;
    }
    for (int64_t v : parsed) {
      if (v < 0 || v > INT32_MAX) {
        std::fprintf(stderr, "%s run: token id %lld is out of range\n", tool.c_str(),
                     static_cast<long long>(v));
        return 1;
      }
      ids.push_back(static_cast<int32_t>(v));
    }
  } else {
    ssmrt::StatusOr<std::vector<int32_t>> encoded = tokenizer->encode(prompt);
    if (!encoded.ok())
      return fail(encoded.status().withPrefix("--prompt"));
    ids = std::move(*encoded);
    if (ids.empty()) {
      std::fprintf(stderr, "%s run: the prompt encodes to no tokens\n", tool.c_str());
      return 1;
    }
  }

  ssmrt::SessionOptions options;
  options.slots = 1;
  options.threads = static_cast<int>(threads);
  options.device = device;
  options.referenceFallback = !noReferenceFallback;
  auto session = ssmrt::Session::create(
      std::move(*program), std::make_unique<ssmrt::Checkpoint>(std::move(*checkpoint)), 0, options);
  if (!session.ok())
    return fail(session.status());
  ssmrt::Session &s = **session;
  if (std::string note = ssmrt::referenceNote(s.referenceUses()); !note.empty())
    std::fprintf(stderr, "note: %s\n", note.c_str());
  int64_t vocab = s.vocabSize();
  int64_t validVocab = tokenizer ? std::min<int64_t>(vocab, tokenizer->vocabSize()) : vocab;

  std::vector<std::vector<float>> logits;
  ssmrt::Status st = s.prefill(
      {0}, {ids}, dumpLogits.empty() ? ssmrt::Session::Logits::Last : ssmrt::Session::Logits::All,
      logits);
  if (!st.ok())
    return fail(st);
  if (!dumpLogits.empty()) {
    ssmrt::SafeTensorsWriter writer;
    st = writer.addFloats("logits", {static_cast<int64_t>(ids.size()), vocab}, logits[0].data(),
                          ssmrt::DType::F32);
    if (st.ok())
      st = writer.writeFile(dumpLogits);
    if (!st.ok())
      return fail(st);
  }
  if (steps == 0)
    return 0;

  const float *last = logits[0].data() + (logits[0].size() - vocab);
  std::vector<float> stepLogits(last, last + vocab);
  ssmrt::SamplingOptions sampling{temperature, topK, topP, static_cast<uint64_t>(seed)};
  ssmrt::Sampler sampler(sampling);
  std::optional<int32_t> eos = tokenizer && !ignoreEos ? tokenizer->eosId() : std::nullopt;
  std::unique_ptr<ssmrt::DecodeStream> stream;
  if (!printIds) {
    std::fputs(prompt.empty() ? tokenizer->decode(ids, false).c_str() : prompt.c_str(), stdout);
    stream = std::make_unique<ssmrt::DecodeStream>(*tokenizer, false);
  }
  std::vector<float> next;
  for (int64_t i = 0; i < steps; ++i) {
    int32_t token = sampler.sample(stepLogits.data(), validVocab);
    if (eos && token == *eos)
      break;
    if (printIds)
      std::printf(i ? " %d" : "%d", token);
    else
      std::fputs(stream->next(token).c_str(), stdout);
    std::fflush(stdout);
    if (i + 1 == steps)
      break;
    st = s.decode({0}, {token}, next);
    if (!st.ok())
      return fail(st);
    stepLogits.swap(next);
  }
  if (stream)
    std::fputs(stream->flush().c_str(), stdout);
  std::fputc('\n', stdout);
  return 0;
}
