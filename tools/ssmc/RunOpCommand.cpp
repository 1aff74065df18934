//===- RunOpCommand.cpp - ssmc run-op -------------------------------------===//
#include "tools/ssmc/Commands.h"

#include "codegen/driver/Compiler.h"
#include "codegen/driver/RunOp.h"
#include "runtime/engine/Session.h"
#include "runtime/gpu/CudaDevice.h"
#include "runtime/io/SafeTensors.h"
#include "runtime/io/SafeTensorsWriter.h"
#include "tools/cli/ArgParser.h"

#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"
#include "llvm/Support/SourceMgr.h"

#include <cstdio>
#include <cstring>

using namespace ssmc;

namespace {

int fail(const std::string &message) {
  std::fprintf(stderr, "ssmc run-op: %s\n", message.c_str());
  return 1;
}

/// The tensors of a safetensors file: F32, BF16 and F16 as f32, I32 as is.
ssmrt::StatusOr<std::vector<OpTensor>> readInputs(const std::string &path) {
  ssmrt::StatusOr<ssmrt::SafeTensorsFile> file = ssmrt::SafeTensorsFile::open(path);
  if (!file.ok())
    return file.status();
  std::vector<OpTensor> inputs;
  for (const ssmrt::TensorView &t : file->tensors()) {
    OpTensor in{t.name, t.shape, t.dtype == ssmrt::DType::I32, {}, {}};
    if (in.isInt) {
      in.i32.resize(t.numElements());
      std::memcpy(in.i32.data(), t.data, in.i32.size() * sizeof(int32_t));
    } else {
      ssmrt::StatusOr<std::vector<float>> values = ssmrt::readFloats(t);
      if (!values.ok())
        return ssmrt::Status::error(values.status().message() + " (inputs are F32, BF16, F16 "
                                                                "or I32)");
      in.f32 = std::move(*values);
    }
    inputs.push_back(std::move(in));
  }
  return inputs;
}

ssmrt::Status writeOutputs(const std::string &path, const std::vector<OpTensor> &outputs) {
  ssmrt::SafeTensorsWriter writer;
  for (const OpTensor &t : outputs)
    SSMRT_RETURN_IF_ERROR(t.isInt ? writer.addRaw(t.name, ssmrt::DType::I32, t.shape, t.i32.data(),
                                                  t.i32.size() * sizeof(int32_t))
                                  : writer.addFloats(t.name, t.shape, t.f32.data()));
  return writer.writeFile(path);
}

} // namespace

int ssmc::runRunOpCommand(const std::vector<std::string> &args) {
  std::string path, inputsPath, output, target = "cpu", gpuDtype = "fp32";
  bool reference = false, noFoldDeltaProj = false, verbose = false;
  int64_t vectorWidth = 0;
  cli::ArgParser parser(
      "ssmc run-op", "ssmc run-op FILE.mlir --inputs IN.safetensors -o OUT.safetensors [options]",
      "Compiles the one func.func of FILE (graph-level ssm ops, e.g. one\n"
      "ssm.selective_scan) as a model is compiled, runs it on the input tensors\n"
      "and writes its results: kernel ops on their CPU (or CUDA) kernel, matrix\n"
      "products through BLAS, the rest in the float64 reference interpreter.\n"
      "Tensors are named by position: argument i is the input 'arg<i>', result i\n"
      "the output 'result<i>' (float32, or int32 for i32 results). Arguments\n"
      "[batch, seq, ...] give the batch and sequence sizes; an argument an op\n"
      "reads as recurrent state is a state; other float arguments are weights.");
  parser.positional("FILE", &path, "a .mlir file with one func.func of ssm ops");
  parser.option("inputs", &inputsPath, "IN", "safetensors file with the tensors arg0, arg1, ...");
  parser.option("output", &output, "OUT", "safetensors file for result0, result1, ...", "o");
  parser.option("target", &target, "TARGET",
                "cpu (the default), or cuda / cuda:N: the CUDA kernels on GPU N");
  parser.option("gpu-dtype", &gpuDtype, "DTYPE",
                "with a CUDA target: weights and activations in bf16, fp16 or fp32 (default)");
  parser.flag("reference", &reference,
              "run the unfused function in the float64 reference interpreter instead");
  parser.flag("no-fold-delta-proj", &noFoldDeltaProj,
              "keep dt_proj as a matrix product instead of folding it into the scan");
  parser.option("vector-width", &vectorWidth, "N",
                "f32 lanes per vector in CPU kernels (default: from the host CPU)");
  parser.flag("verbose", &verbose, "say how each op ran (on stderr)", "v");
  if (std::optional<int> done = parser.parseOrReport(args))
    return *done;
  if (inputsPath.empty() || output.empty())
    return fail("give --inputs IN.safetensors and -o OUT.safetensors");
  RunOpOptions options;
  options.reference = reference;
  options.foldDeltaProj = !noFoldDeltaProj;
  options.vectorWidth = static_cast<int>(vectorWidth);
  options.gpuDtype = gpuDtype;
  if (gpuDtype != "bf16" && gpuDtype != "fp16" && gpuDtype != "fp32")
    return fail("--gpu-dtype must be bf16, fp16 or fp32");
  if (vectorWidth != 0 && vectorWidth != 4 && vectorWidth != 8 && vectorWidth != 16)
    return fail("--vector-width must be 4, 8 or 16");
  std::unique_ptr<ssmrt::gpu::GpuDevice> device;
  if (target != "cpu") {
    ssmrt::StatusOr<ssmrt::DeviceChoice> choice = ssmrt::parseDevice(target);
    if (!choice.ok() || choice->kind != ssmrt::DeviceChoice::Kind::Cuda)
      return fail("unknown --target '" + target + "' (cpu, cuda or cuda:N)");
    options.cuda = true;
    ssmrt::StatusOr<std::unique_ptr<ssmrt::gpu::GpuDevice>> opened =
        ssmrt::gpu::openCudaDevice(choice->ordinal);
    if (!opened.ok())
      return fail(opened.status().message());
    device = std::move(*opened);
  }

  ssmrt::StatusOr<std::vector<OpTensor>> inputs = readInputs(inputsPath);
  if (!inputs.ok())
    return fail(inputs.status().message());
  mlir::MLIRContext context;
  loadCompilerDialects(context);
  llvm::SourceMgr sources;
  mlir::SourceMgrDiagnosticHandler diagnostics(sources, &context);
  mlir::OwningOpRef<mlir::ModuleOp> module =
      mlir::parseSourceFile<mlir::ModuleOp>(path, sources, &context);
  if (!module)
    return 1; // the parser reported where
  ssmrt::StatusOr<RunOpResult> result = runOp(*module, *inputs, options, device.get());
  if (!result.ok())
    return fail(path + ": " + result.status().message());
  if (verbose)
    for (const std::string &line : result->trace)
      std::fprintf(stderr, "%s\n", line.c_str());
  if (ssmrt::Status st = writeOutputs(output, result->outputs); !st.ok())
    return fail(st.message());
  return 0;
}
