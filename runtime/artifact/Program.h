//===- Program.h - a compiled model, as the runtime sees it -----*- C++ -*-===//
//
// The in-memory form of an artifact (runtime/artifact/ssmx.fbs): functions
// of ssm-dialect instructions over SSA values, the parameters they bind, the
// recurrent state slots, config.json checks, and native CPU code. No MLIR:
// the compiler builds it from the dialect (codegen/driver/ProgramBuilder),
// the runtime reads it from a .ssmx file (ArtifactReader) or receives it in
// memory.
//
// Operand order of every instruction is the operand order of its op in the
// op table (runtime/artifact/Ops.def, the ODS order of docs/dialect.md),
// optional operands included as -1; results likewise.
//
//===----------------------------------------------------------------------===//
#ifndef SSMC_RUNTIME_ARTIFACT_PROGRAM_H
#define SSMC_RUNTIME_ARTIFACT_PROGRAM_H

#include "runtime/artifact/OpInfo.h"

#include <cstdint>
#include <string>
#include <vector>

namespace ssmrt {

/// The artifact format version this runtime reads and the compiler writes.
constexpr uint32_t kArtifactFormatVersion = 2;

enum class ValueKind : uint8_t { Tokens, SeqLens, Param, State, Temp };

/// Element type of a value in memory. CPU functions use F32 and I32 only.
enum class ValueType : uint8_t { F32, BF16, F16, I32 };
size_t valueTypeBytes(ValueType dtype);

/// A dynamic size (batch, sequence, KV-cache length) in a shape.
constexpr int64_t kDynamic = -1;

/// The product of the sizes of a shape; 0 if a size is dynamic or 0.
int64_t shapeElements(const std::vector<int64_t> &shape);

struct ValueDesc {
  ValueKind kind = ValueKind::Temp;
  int32_t index = -1; ///< Param: parameter index. State: slot index.
  int32_t sub = 0;    ///< State: 1 for the V half of a KV cache.
  std::vector<int64_t> shape;
  int32_t buffer = -1; ///< Planned activation buffer, or -1.
  int64_t column = 0;  ///< Element offset of the value within a buffer row.
  ValueType dtype = ValueType::F32;
};

struct Attr {
  std::string name;
  std::vector<int64_t> ints;
  std::vector<double> floats;
};

struct Instr {
  OpCode op;
  std::vector<int32_t> operands; ///< -1 for an absent optional operand.
  std::vector<int32_t> results;
  std::vector<Attr> attrs;
  int32_t kernel = -1; ///< CpuCode kernel, or -1 when the runtime runs it.
  bool once = false;   ///< Reads only parameters; run once at weight binding.
  std::string loc;     ///< "file:line:col" of the model file's op, or "".

  const Attr *attr(const std::string &name) const;
  int64_t intAttr(const std::string &name, int64_t dflt) const;
  double floatAttr(const std::string &name, double dflt) const;
};

struct BufferDesc {
  int64_t width = 0; ///< Floats per token row.
};

struct Function {
  std::string name;
  std::vector<ValueDesc> values;
  std::vector<Instr> instrs;
  std::vector<int32_t> inputs;  ///< tokens, seq_lens, then state values read.
  std::vector<int32_t> outputs; ///< logits, then state values written.
  std::vector<BufferDesc> buffers;
};

struct ParamDesc {
  std::vector<std::string> names; ///< Checkpoint tensor names, in order.
  std::vector<int64_t> shape;
};

struct StateDesc {
  std::string name;
  StateKind kind;
  std::vector<int64_t> shape; ///< Per sequence (per token for KVCache).
};

struct ConfigCheck {
  enum class Type : uint8_t { Int, Float, Bool, String };
  std::string key;
  Type type = Type::Int;
  int64_t intValue = 0;
  double floatValue = 0;
  bool boolValue = false;
  std::string stringValue;
};

enum class Parallel : uint8_t {
  Rows,        ///< One work item per token row (batch * sequence).
  BatchBlocks, ///< batch * blocks items: (b, channel block).
  Batch,       ///< One work item per batch row.
};

struct KernelDesc {
  std::string name;
  Parallel parallel = Parallel::Rows;
  int64_t blocks = 1;
  int32_t phases = 1;    ///< runs over the work range, barrier between
  int64_t workspace = 0; ///< scratch floats per batch row
  /// Contiguous chunks per thread that threads claim as they finish.
  int32_t chunksPerThread = 1;
  bool tuned = false; ///< its configuration came from the tuning database
};

struct CpuCode {
  std::string triple, cpu, features;
  int32_t vectorWidth = 0;
  std::vector<uint8_t> object; ///< ELF shared object.
  std::vector<KernelDesc> kernels;
};

struct TileParam {
  std::string name;
  int64_t value = 0;
  std::vector<int64_t> choices;
};

enum class LaunchGrid : uint8_t {
  Rows, ///< grid (batch * seq): one block per token row
  /// grid (ceil(channels / param(gridParam)), ceil(seq / param(timeParam))
  /// or 1 without a timeParam, batch)
  ChannelBlocks,
  /// grid (min(ceil(batch * channels / block), blocks that fit at once));
  /// the kernel strides over its work, so any grid size is correct
  Persistent,
  /// grid (channels, ceil(seq / param(timeParam)) * splits, batch): the
  /// attention kernels' (head or KV head, query tile and key slice,
  /// sequence); the runtime picks splits, at most param("SPLITS") (1 when
  /// the kernel has no such parameter)
  Attention,
  /// ssm.moe's four phases (kernels/moe.cuh), launched by the runtime with
  /// the phase as the first argument: (ceil(rows / warps)), (rows · top_k,
  /// ceil(inner / warps)), (rows · top_k, ceil(width / warps)), (rows),
  /// where rows = batch · seq and warps = threads / 32
  Experts,
};

/// A CUDA kernel as the compiler emitted it (docs/artifact.md, "CUDA
/// kernels"): the runtime compiles |source| with NVRTC for the device's
/// architecture, with -D<name>=<value> for every parameter.
struct CudaKernelDesc {
  std::string name, op, source;
  std::vector<TileParam> params;
  LaunchGrid grid = LaunchGrid::Rows;
  int64_t channels = 0;
  std::string gridParam, timeParam, blockParam;
  bool cooperative = false;
  int64_t workspace = 0; ///< scratch floats per batch row
  /// The configurations a tuner may try (values in |params| order), those
  /// the kernel family's rules allow; the compiled one first.
  std::vector<std::vector<int64_t>> tuneSpace;
  int64_t param(const std::string &name) const;
};

struct CudaCode {
  ValueType dtype = ValueType::BF16;
  std::vector<std::string> archs;
  Function forward, decode;
  std::vector<CudaKernelDesc> kernels;
  bool present() const { return !kernels.empty(); }
};

struct Program {
  std::string modelName;
  std::vector<ParamDesc> params;
  std::vector<StateDesc> states;
  std::vector<ConfigCheck> config;
  Function forward;   ///< Fused; any number of tokens.
  Function decode;    ///< Fused; one token per sequence.
  Function reference; ///< Unfused, as lowered from the model file.
  CpuCode cpu;
  CudaCode cuda; ///< Empty unless compiled for a CUDA target.
};

} // namespace ssmrt

#endif // SSMC_RUNTIME_ARTIFACT_PROGRAM_H
