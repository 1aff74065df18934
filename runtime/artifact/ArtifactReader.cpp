//===- ArtifactReader.cpp - .ssmx bytes to a Program ----------------------===//
#include "runtime/artifact/Artifact.h"

#include "runtime/artifact/ssmx_generated.h"
#include "runtime/io/Sha256.h"

#include <cstring>
#include <fstream>
#include <sstream>
#include <tuple>

using namespace ssmrt;

namespace {

/// Copies a vector of scalars. The verifier checks only 4-byte alignment of
/// a vector, so 8-byte elements of a hostile file may be misaligned: copy the
/// bytes instead of loading elements.
template <typename T> std::vector<T> toVector(const flatbuffers::Vector<T> *v) {
  if (!v)
    return {};
  std::vector<T> out(v->size());
  if (!out.empty())
    std::memcpy(out.data(), v->Data(), out.size() * sizeof(T));
  return out;
}

std::string toString(const flatbuffers::String *s) { return s ? s->str() : std::string(); }

StatusOr<Function> readFunction(const ssmx::Function *f, const std::string &what) {
  Function out;
  if (!f)
    return Status::error("function '" + what + "' is missing");
  out.name = toString(f->name());
  if (f->values())
    for (const ssmx::Value *v : *f->values()) {
      ValueDesc d;
      if (v->kind() > ssmx::ValueKind_MAX)
        return Status::error("function '" + what + "': value " + std::to_string(out.values.size()) +
                             " has an unknown kind");
      d.kind = static_cast<ValueKind>(v->kind());
      d.index = v->index();
      d.sub = v->sub();
      d.shape = toVector(v->shape());
      d.buffer = v->buffer();
      d.column = v->column();
      if (v->dtype() > ssmx::DType_MAX)
        return Status::error("function '" + what + "': value " + std::to_string(out.values.size()) +
                             " has an unknown dtype");
      d.dtype = static_cast<ValueType>(v->dtype());
      out.values.push_back(std::move(d));
    }
  if (f->instrs())
    for (const ssmx::Instr *in : *f->instrs()) {
      Instr i;
      std::string op = toString(in->op());
      if (!parseOpCode(op, i.op))
        return Status::error("function '" + what + "': instruction " +
                             std::to_string(out.instrs.size()) + " has unknown op '" + op + "'");
      i.operands = toVector(in->operands());
      i.results = toVector(in->results());
      if (in->attrs())
        for (const ssmx::Attr *a : *in->attrs())
          i.attrs.push_back({toString(a->name()), toVector(a->ints()), toVector(a->floats())});
      i.kernel = in->kernel();
      i.once = in->once();
      i.loc = toString(in->loc());
      out.instrs.push_back(std::move(i));
    }
  out.inputs = toVector(f->inputs());
  out.outputs = toVector(f->outputs());
  if (f->buffers())
    for (const ssmx::Buffer *b : *f->buffers())
      out.buffers.push_back({b->width()});
  return out;
}

} // namespace

StatusOr<Program> ssmrt::readArtifact(const uint8_t *data, size_t size, const std::string &name) {
  if (size < 8 || !flatbuffers::BufferHasIdentifier(data, ssmx::ArtifactIdentifier()))
    return Status::error(name + ": not an ssmc artifact (no 'SSMX' file identifier)");
  if (size < 8 + kArtifactTrailerSize ||
      std::memcmp(data + size - kArtifactTrailerSize, kArtifactChecksumMagic, 8) != 0)
    return Status::error(name + ": the artifact has no checksum (it is truncated, or from an "
                                "older ssmc); recompile the model");
  size -= kArtifactTrailerSize;
  Sha256Digest digest = Sha256::hash(data, size);
  if (std::memcmp(digest.data(), data + size + 8, digest.size()) != 0)
    return Status::error(name + ": the artifact is damaged (its checksum does not match its "
                                "contents); recompile the model");
  flatbuffers::Verifier::Options options;
  options.max_tables = 100000000;
  flatbuffers::Verifier verifier(data, size, options);
  if (!ssmx::VerifyArtifactBuffer(verifier))
    return Status::error(name + ": corrupt artifact (the FlatBuffers verifier rejects it)");
  const ssmx::Artifact *a = ssmx::GetArtifact(data);
  if (a->format_version() != kArtifactFormatVersion)
    return Status::error(name + ": artifact format version " + std::to_string(a->format_version()) +
                         ", this runtime reads version " + std::to_string(kArtifactFormatVersion) +
                         "; recompile the model");
  Program p;
  p.modelName = toString(a->model_name());
  if (a->params())
    for (const ssmx::Param *param : *a->params()) {
      ParamDesc d;
      if (param->names())
        for (const flatbuffers::String *n : *param->names())
          d.names.push_back(n->str());
      d.shape = toVector(param->shape());
      p.params.push_back(std::move(d));
    }
  if (a->states())
    for (const ssmx::State *s : *a->states()) {
      if (s->kind() > ssmx::StateKind_MAX)
        return Status::error(name + ": state '" + toString(s->name()) + "' has an unknown kind");
      p.states.push_back(
          {toString(s->name()), static_cast<StateKind>(s->kind()), toVector(s->shape())});
    }
  if (a->config())
    for (const ssmx::ConfigCheck *c : *a->config()) {
      ConfigCheck check;
      check.key = toString(c->key());
      if (c->type() > 3)
        return Status::error(name + ": config check '" + check.key + "' has an unknown type");
      check.type = static_cast<ConfigCheck::Type>(c->type());
      check.intValue = c->int_value();
      check.floatValue = c->float_value();
      check.boolValue = c->bool_value();
      check.stringValue = toString(c->string_value());
      p.config.push_back(std::move(check));
    }
  struct {
    const ssmx::Function *fb;
    Function *out;
    const char *what;
  } functions[] = {{a->forward(), &p.forward, "forward"},
                   {a->decode(), &p.decode, "decode"},
                   {a->reference(), &p.reference, "reference"}};
  for (auto &f : functions) {
    StatusOr<Function> fn = readFunction(f.fb, f.what);
    if (!fn.ok())
      return fn.status().withPrefix(name);
    *f.out = std::move(*fn);
  }
  if (const ssmx::CpuCode *cpu = a->cpu()) {
    p.cpu.triple = toString(cpu->triple());
    p.cpu.cpu = toString(cpu->cpu());
    p.cpu.features = toString(cpu->features());
    p.cpu.vectorWidth = cpu->vector_width();
    p.cpu.object = toVector(cpu->object());
    if (cpu->kernels())
      for (const ssmx::Kernel *k : *cpu->kernels()) {
        if (k->parallel() > ssmx::Parallel_MAX)
          return Status::error(name + ": kernel '" + toString(k->name()) +
                               "' has an unknown parallel kind");
        p.cpu.kernels.push_back({toString(k->name()), static_cast<Parallel>(k->parallel()),
                                 k->blocks(), k->phases(), k->workspace(), k->chunks_per_thread(),
                                 k->tuned()});
      }
  }
  if (const ssmx::CudaCode *cuda = a->cuda()) {
    if (cuda->dtype() > ssmx::DType_MAX)
      return Status::error(name + ": the CUDA code has an unknown dtype");
    p.cuda.dtype = static_cast<ValueType>(cuda->dtype());
    if (cuda->archs())
      for (const flatbuffers::String *arch : *cuda->archs())
        p.cuda.archs.push_back(arch->str());
    for (auto [fb, out, what] : {std::tuple(cuda->forward(), &p.cuda.forward, "cuda forward"),
                                 std::tuple(cuda->decode(), &p.cuda.decode, "cuda decode")}) {
      StatusOr<Function> fn = readFunction(fb, what);
      if (!fn.ok())
        return fn.status().withPrefix(name);
      *out = std::move(*fn);
    }
    if (cuda->kernels())
      for (const ssmx::CudaKernel *k : *cuda->kernels()) {
        CudaKernelDesc d;
        d.name = toString(k->name());
        d.op = toString(k->op());
        d.source = toString(k->source());
        if (k->params())
          for (const ssmx::TileParam *t : *k->params())
            d.params.push_back({toString(t->name()), t->value(), toVector(t->choices())});
        if (k->grid() > ssmx::LaunchGrid_MAX)
          return Status::error(name + ": CUDA kernel '" + d.name + "' has an unknown launch grid");
        d.grid = static_cast<LaunchGrid>(k->grid());
        d.channels = k->channels();
        d.gridParam = toString(k->grid_param());
        d.timeParam = toString(k->time_param());
        d.blockParam = toString(k->block_param());
        d.cooperative = k->cooperative();
        d.workspace = k->workspace();
        if (const auto *space = k->tune_space()) {
          size_t n = d.params.size();
          if (n == 0 || space->size() % n != 0)
            return Status::error(name + ": CUDA kernel '" + d.name + "' has a tuning space of " +
                                 std::to_string(space->size()) + " values for " +
                                 std::to_string(n) + " parameters");
          for (size_t i = 0; i < space->size(); i += n)
            d.tuneSpace.emplace_back(space->begin() + i, space->begin() + i + n);
        }
        p.cuda.kernels.push_back(std::move(d));
      }
  }
  SSMRT_RETURN_IF_ERROR(validateProgram(p, name));
  return p;
}

StatusOr<Program> ssmrt::readArtifactFile(const std::string &path) {
  std::ifstream in(path, std::ios::binary);
  if (!in)
    return Status::error(path + ": cannot open the artifact");
  std::ostringstream ss;
  ss << in.rdbuf();
  std::string bytes = ss.str();
  return readArtifact(reinterpret_cast<const uint8_t *>(bytes.data()), bytes.size(), path);
}
