//===- ArtifactWriter.cpp - Program to .ssmx bytes ------------------------===//
#include "runtime/artifact/Artifact.h"

#include "runtime/artifact/ssmx_generated.h"
#include "runtime/io/Sha256.h"

using namespace ssmrt;

namespace {

using Builder = flatbuffers::FlatBufferBuilder;

flatbuffers::Offset<ssmx::Function> writeFunction(Builder &fbb, const Function &f) {
  std::vector<flatbuffers::Offset<ssmx::Value>> values;
  for (const ValueDesc &v : f.values)
    values.push_back(ssmx::CreateValueDirect(fbb, static_cast<ssmx::ValueKind>(v.kind), v.index,
                                             v.sub, &v.shape, v.buffer, v.column,
                                             static_cast<ssmx::DType>(v.dtype)));
  std::vector<flatbuffers::Offset<ssmx::Instr>> instrs;
  for (const Instr &in : f.instrs) {
    std::vector<flatbuffers::Offset<ssmx::Attr>> attrs;
    for (const Attr &a : in.attrs)
      attrs.push_back(ssmx::CreateAttrDirect(fbb, a.name.c_str(), &a.ints, &a.floats));
    instrs.push_back(ssmx::CreateInstrDirect(fbb, opCodeName(in.op), &in.operands, &in.results,
                                             &attrs, in.kernel, in.once,
                                             in.loc.empty() ? nullptr : in.loc.c_str()));
  }
  std::vector<flatbuffers::Offset<ssmx::Buffer>> buffers;
  for (const BufferDesc &b : f.buffers)
    buffers.push_back(ssmx::CreateBuffer(fbb, b.width));
  return ssmx::CreateFunctionDirect(fbb, f.name.c_str(), &values, &instrs, &f.inputs, &f.outputs,
                                    &buffers);
}

flatbuffers::Offset<ssmx::CudaCode> writeCuda(Builder &fbb, const CudaCode &cuda) {
  if (!cuda.present())
    return 0;
  std::vector<flatbuffers::Offset<ssmx::CudaKernel>> kernels;
  for (const CudaKernelDesc &k : cuda.kernels) {
    std::vector<flatbuffers::Offset<ssmx::TileParam>> params;
    for (const TileParam &p : k.params)
      params.push_back(ssmx::CreateTileParamDirect(fbb, p.name.c_str(), p.value, &p.choices));
    std::vector<int64_t> space;
    for (const std::vector<int64_t> &config : k.tuneSpace)
      space.insert(space.end(), config.begin(), config.end());
    kernels.push_back(ssmx::CreateCudaKernelDirect(
        fbb, k.name.c_str(), k.op.c_str(), k.source.c_str(), &params,
        static_cast<ssmx::LaunchGrid>(k.grid), k.channels, k.gridParam.c_str(), k.timeParam.c_str(),
        k.blockParam.c_str(), k.cooperative, k.workspace, &space));
  }
  std::vector<flatbuffers::Offset<flatbuffers::String>> archs;
  for (const std::string &a : cuda.archs)
    archs.push_back(fbb.CreateString(a));
  auto forward = writeFunction(fbb, cuda.forward);
  auto decode = writeFunction(fbb, cuda.decode);
  return ssmx::CreateCudaCodeDirect(fbb, static_cast<ssmx::DType>(cuda.dtype), &archs, forward,
                                    decode, &kernels);
}

} // namespace

std::vector<uint8_t> ssmrt::writeArtifact(const Program &program) {
  Builder fbb;
  std::vector<flatbuffers::Offset<ssmx::Param>> params;
  for (const ParamDesc &p : program.params) {
    std::vector<flatbuffers::Offset<flatbuffers::String>> names;
    for (const std::string &n : p.names)
      names.push_back(fbb.CreateString(n));
    params.push_back(ssmx::CreateParamDirect(fbb, &names, &p.shape));
  }
  std::vector<flatbuffers::Offset<ssmx::State>> states;
  for (const StateDesc &s : program.states)
    states.push_back(ssmx::CreateStateDirect(fbb, s.name.c_str(),
                                             static_cast<ssmx::StateKind>(s.kind), &s.shape));
  std::vector<flatbuffers::Offset<ssmx::ConfigCheck>> config;
  for (const ConfigCheck &c : program.config)
    config.push_back(ssmx::CreateConfigCheckDirect(fbb, c.key.c_str(), c.intValue, c.floatValue,
                                                   c.boolValue, c.stringValue.c_str(),
                                                   static_cast<uint8_t>(c.type)));
  auto forward = writeFunction(fbb, program.forward);
  auto decode = writeFunction(fbb, program.decode);
  auto reference = writeFunction(fbb, program.reference);
  std::vector<flatbuffers::Offset<ssmx::Kernel>> kernels;
  for (const KernelDesc &k : program.cpu.kernels)
    kernels.push_back(ssmx::CreateKernelDirect(fbb, k.name.c_str(),
                                               static_cast<ssmx::Parallel>(k.parallel), k.blocks,
                                               k.phases, k.workspace, k.chunksPerThread, k.tuned));
  auto cpu = ssmx::CreateCpuCodeDirect(fbb, program.cpu.triple.c_str(), program.cpu.cpu.c_str(),
                                       program.cpu.features.c_str(), program.cpu.vectorWidth,
                                       &program.cpu.object, &kernels);
  auto cuda = writeCuda(fbb, program.cuda);
  auto root =
      ssmx::CreateArtifactDirect(fbb, kArtifactFormatVersion, program.modelName.c_str(), &params,
                                 &states, &config, forward, decode, reference, cpu, cuda);
  fbb.Finish(root, ssmx::ArtifactIdentifier());
  std::vector<uint8_t> bytes(fbb.GetBufferPointer(), fbb.GetBufferPointer() + fbb.GetSize());
  Sha256Digest digest = Sha256::hash(bytes.data(), bytes.size());
  bytes.insert(bytes.end(), kArtifactChecksumMagic, kArtifactChecksumMagic + 8);
  bytes.insert(bytes.end(), digest.begin(), digest.end());
  return bytes;
}
