//===- RunOp.cpp - compile and run one function of ssm ops ----------------===//
#include "codegen/driver/RunOp.h"

#include "codegen/OpLowering.h"
#include "codegen/cpu/CPUPasses.h"
#include "codegen/cuda/CUDAKernels.h"
#include "codegen/driver/Pipelines.h"
#include "codegen/driver/ProgramBuilder.h"
#include "dialect/SSMOps.h"
#include "passes/Passes.h"
#include "passes/ValueRoles.h"
#include "runtime/cpu/Blas.h"
#include "runtime/cpu/KernelLibrary.h"
#include "runtime/cpu/MixtureOfExperts.h"
#include "runtime/cpu/ThreadPool.h"
#include "runtime/gpu/GpuWeights.h"
#include "runtime/gpu/KernelLaunch.h"
#include "runtime/reference/ReferenceInterpreter.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"

#include "mlir/Pass/PassManager.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/StringMap.h"
#include <cstring>

using namespace mlir;
using namespace mlir::ssm;
using namespace ssmc;
using ssmrt::Status;
using ssmrt::StatusOr;
namespace gpu = ssmrt::gpu;

namespace {

/// A value while the function runs: f32 (or i32) elements, row-major.
struct Tensor {
  std::vector<int64_t> shape;
  bool isInt = false;
  std::vector<float> f;
  std::vector<int32_t> i;

  int64_t elements() const { return ssmrt::shapeElements(shape); }
  void *data() { return isInt ? static_cast<void *>(i.data()) : static_cast<void *>(f.data()); }
  static Tensor zeros(std::vector<int64_t> shape, bool isInt) {
    Tensor t{std::move(shape), isInt, {}, {}};
    if (isInt)
      t.i.assign(t.elements(), 0);
    else
      t.f.assign(t.elements(), 0.0f);
    return t;
  }
};

std::string describe(llvm::ArrayRef<int64_t> shape) {
  std::string s = "[";
  for (size_t i = 0; i < shape.size(); ++i)
    s += (i ? ", " : "") + (shape[i] < 0 ? std::string("?") : std::to_string(shape[i]));
  return s + "]";
}

bool isIntType(Value v) {
  return llvm::cast<RankedTensorType>(v.getType()).getElementType().isInteger(32);
}

/// An argument [batch, seq, ...]: an activation.
bool isActivationType(Type type) {
  auto t = llvm::cast<RankedTensorType>(type);
  return t.getRank() >= 3 && t.isDynamicDim(0) && t.isDynamicDim(1);
}

class Runner {
public:
  Runner(ModuleOp module, func::FuncOp func, const RunOpOptions &options, gpu::GpuDevice *device)
      : module_(module), func_(func), options_(options), device_(device) {}

  Status bindInputs(const std::vector<OpTensor> &inputs);
  Status compile();
  Status run(RunOpResult &result);

private:
  Status runOp(Operation &op, std::string &how);
  Status runCpuKernel(Operation &op);
  Status runCudaKernel(Operation &op);
  Status runMatMul(Operation &op);
  Status runMoE(Operation &op);
  Status runReference(Operation &op);
  /// |v|'s type with the dynamic batch and sequence sizes filled in.
  StatusOr<std::vector<int64_t>> concreteShape(Value v) const;
  Status allocateResults(Operation &op);

  ModuleOp module_;
  func::FuncOp func_;
  RunOpOptions options_;
  gpu::GpuDevice *device_;
  int64_t batch_ = 1, seq_ = 1;
  CPUTarget target_ = CPUTarget::host();
  std::vector<Tensor> args_;
  llvm::StringMap<Tensor> params_;
  llvm::DenseMap<Value, Tensor> values_;
  // CPU kernels.
  std::unique_ptr<ssmrt::KernelLibrary> library_;
  std::vector<ssmrt::KernelDesc> cpuKernels_;
  llvm::StringMap<int32_t> cpuIndex_;
  std::unique_ptr<ssmrt::ThreadPool> pool_;
  // CUDA kernels.
  llvm::StringMap<ssmrt::CudaKernelDesc> cudaKernels_;
  llvm::StringMap<int> loaded_;
};

Status Runner::bindInputs(const std::vector<OpTensor> &inputs) {
  llvm::StringMap<const OpTensor *> byName;
  for (const OpTensor &t : inputs)
    byName[t.name] = &t;
  unsigned n = func_.getNumArguments();
  for (const OpTensor &t : inputs) {
    llvm::StringRef name(t.name);
    unsigned index;
    if (!name.consume_front("arg") || name.getAsInteger(10, index) || index >= n)
      return Status::error("input '" + t.name + "' is not an argument of @" +
                           func_.getSymName().str() + " (arg0 to arg" + std::to_string(n - 1) +
                           ")");
  }
  bool sized = false;
  for (unsigned a = 0; a < n; ++a) {
    std::string name = "arg" + std::to_string(a);
    auto it = byName.find(name);
    if (it == byName.end())
      return Status::error("no input tensor '" + name + "' for argument " + std::to_string(a) +
                           " of @" + func_.getSymName().str());
    const OpTensor &t = *it->second;
    auto type = llvm::cast<RankedTensorType>(func_.getArgument(a).getType());
    bool isInt = type.getElementType().isInteger(32);
    if (isInt != t.isInt)
      return Status::error("input '" + name + "' holds " + (t.isInt ? "integers" : "floats") +
                           " but argument " + std::to_string(a) + " is " +
                           (isInt ? "an i32" : "a float") + " tensor");
    bool fits = t.shape.size() == static_cast<size_t>(type.getRank());
    for (int64_t d = 0; fits && d < type.getRank(); ++d)
      fits = type.isDynamicDim(d) || type.getDimSize(d) == t.shape[d];
    if (!fits)
      return Status::error("input '" + name + "' has shape " + describe(t.shape) +
                           " but argument " + std::to_string(a) + " is " +
                           describe(type.getShape()));
    if (isActivationType(type)) {
      if (sized && (t.shape[0] != batch_ || t.shape[1] != seq_))
        return Status::error("input '" + name + "' is " + std::to_string(t.shape[0]) + " x " +
                             std::to_string(t.shape[1]) + " tokens but an earlier one is " +
                             std::to_string(batch_) + " x " + std::to_string(seq_));
      batch_ = t.shape[0];
      seq_ = t.shape[1];
      sized = true;
    }
    args_.push_back({t.shape, t.isInt, t.f32, t.i32});
  }
  // Weights become parameters (static, bound by name), states get the
  // argument attribute that makes them states.
  OpBuilder builder(func_.getBody());
  auto stateAttr = ssmDialect(func_).getStateAttrHelper();
  for (unsigned a = 0; a < n; ++a) {
    BlockArgument arg = func_.getArgument(a);
    std::string name = "arg" + std::to_string(a);
    bool state = llvm::any_of(arg.getUses(), [&](OpOperand &use) {
      auto op = dyn_cast<RecurrentStateOpInterface>(use.getOwner());
      return op && llvm::is_contained(op.getInitialStates(), arg);
    });
    if (state) {
      func_.setArgAttr(a, stateAttr.getName(), builder.getStringAttr(name));
    } else if (!isIntType(arg) && !isActivationType(arg.getType())) {
      auto type = llvm::cast<RankedTensorType>(arg.getType());
      if (!type.hasStaticShape())
        return Status::error("argument " + std::to_string(a) +
                             " is a weight (not [batch, seq, "
                             "...]) and needs a static shape, not " +
                             describe(type.getShape()));
      auto param = builder.create<ParamOp>(arg.getLoc(), type, builder.getStringAttr(name));
      arg.replaceAllUsesWith(param);
      params_[name] = args_[a];
    }
  }
  return ssmrt::okStatus();
}

Status Runner::compile() {
  if (options_.vectorWidth)
    target_ = target_.withVectorWidth(options_.vectorWidth);
  if (options_.reference)
    return ssmrt::okStatus();
  PassManager pm(module_.getContext());
  OpPassManager &fn = pm.nest<func::FuncOp>();
  ssm::buildFunctionFusion(fn, options_.foldDeltaProj);
  fn.addPass(createSSMPlanMemory());
  if (options_.cuda)
    buildCUDAKernelPipeline(pm, options_.gpuDtype, /*sharedMemoryKB=*/48);
  else
    buildCPUKernelPipeline(pm, target_.vectorWidth, /*referenceFallback=*/true);
  if (failed(pm.run(module_)))
    return Status::error("compiling @" + func_.getSymName().str() + " failed");
  if (options_.cuda) {
    FailureOr<std::vector<ssmrt::CudaKernelDesc>> kernels = emitCUDAKernels(module_);
    if (failed(kernels))
      return Status::error("emitting the CUDA kernels failed");
    for (ssmrt::CudaKernelDesc &k : *kernels)
      cudaKernels_[k.name] = std::move(k);
    return ssmrt::okStatus();
  }
  ssmrt::CpuCode code;
  code.triple = target_.triple;
  code.cpu = target_.cpu;
  code.features = target_.features;
  code.vectorWidth = target_.vectorWidth;
  code.kernels = cpuKernels_ = cpuKernelDescs(module_, cpuIndex_);
  if (!code.kernels.empty()) {
    OwningOpRef<ModuleOp> kernels = extractKernels(module_);
    std::string error;
    if (failed(lowerKernelsToLLVMDialect(*kernels)))
      return Status::error("lowering the CPU kernels to LLVM failed");
    FailureOr<std::vector<uint8_t>> object = kernelsToSharedObject(*kernels, target_, error);
    if (failed(object))
      return Status::error("compiling the CPU kernels failed: " + error);
    code.object = std::move(*object);
    StatusOr<std::unique_ptr<ssmrt::KernelLibrary>> library = ssmrt::KernelLibrary::load(code);
    if (!library.ok())
      return library.status();
    library_ = std::move(*library);
  }
  StatusOr<int> threads = ssmrt::threadCount(0);
  if (!threads.ok())
    return threads.status();
  pool_ = std::make_unique<ssmrt::ThreadPool>(*threads);
  return ssmrt::okStatus();
}

StatusOr<std::vector<int64_t>> Runner::concreteShape(Value v) const {
  std::vector<int64_t> shape;
  auto type = llvm::cast<RankedTensorType>(v.getType());
  for (int64_t d = 0; d < type.getRank(); ++d) {
    if (!type.isDynamicDim(d))
      shape.push_back(type.getDimSize(d));
    else if (d < 2)
      shape.push_back(d == 0 ? batch_ : seq_);
    else
      return Status::error("a result of dynamic shape " + describe(type.getShape()));
  }
  return shape;
}

Status Runner::allocateResults(Operation &op) {
  for (Value r : op.getResults()) {
    StatusOr<std::vector<int64_t>> shape = concreteShape(r);
    if (!shape.ok())
      return shape.status();
    values_[r] = Tensor::zeros(*shape, isIntType(r));
  }
  return ssmrt::okStatus();
}

Status Runner::runCpuKernel(Operation &op) {
  StringRef name = ssmDialect(&op).getKernelAttrHelper().getAttr(&op).getValue();
  int32_t index = cpuIndex_.lookup(name);
  const ssmrt::KernelDesc &desc = cpuKernels_[index];
  SSMRT_RETURN_IF_ERROR(allocateResults(op));
  // Memref descriptors (docs/artifact.md, the CPU kernel ABI): token rows
  // [rows, width]; ids [n]; weights and states whole, contiguous.
  std::vector<int64_t> slots;
  auto push = [&](Value v) {
    Tensor &t = values_[v];
    int64_t ptr = reinterpret_cast<intptr_t>(t.data());
    slots.insert(slots.end(), {ptr, ptr, 0});
    ValueRole role = valueRole(v);
    if (role == ValueRole::Activation) {
      int64_t width = rowWidth(v);
      slots.insert(slots.end(), {t.elements() / width, width, width, 1});
    } else if (role == ValueRole::Ids) {
      slots.insert(slots.end(), {t.elements(), 1});
    } else {
      std::vector<int64_t> strides(t.shape.size(), 1);
      for (size_t d = t.shape.size(); d-- > 1;)
        strides[d - 1] = strides[d] * t.shape[d];
      slots.insert(slots.end(), t.shape.begin(), t.shape.end());
      slots.insert(slots.end(), strides.begin(), strides.end());
    }
  };
  for (Value v : odsOperands(&op))
    if (v)
      push(v);
  for (Value v : op.getResults())
    push(v);
  std::vector<float> workspace(desc.workspace * batch_ + 1);
  if (desc.workspace) {
    int64_t ptr = reinterpret_cast<intptr_t>(workspace.data());
    slots.insert(slots.end(), {ptr, ptr, 0, desc.workspace * batch_, 1});
  }
  slots.insert(slots.end(), {batch_, seq_, 0, 0, 0});
  int64_t items = desc.parallel == ssmrt::Parallel::Rows          ? batch_ * seq_
                  : desc.parallel == ssmrt::Parallel::BatchBlocks ? batch_ * desc.blocks
                                                                  : batch_;
  ssmrt::PackedKernel kernel = library_->kernel(index);
  size_t n = slots.size();
  for (int64_t phase = 0; phase < desc.phases; ++phase)
    pool_->parallelFor(items, [&](int64_t begin, int64_t end) {
      std::vector<int64_t> local = slots;
      local[n - 3] = begin;
      local[n - 2] = end;
      local[n - 1] = phase;
      std::vector<void *> pointers(n);
      for (size_t i = 0; i < n; ++i)
        pointers[i] = &local[i];
      kernel(pointers.data());
    });
  return ssmrt::okStatus();
}

Status Runner::runCudaKernel(Operation &op) {
  std::string name = ssmDialect(&op).getKernelAttrHelper().getAttr(&op).str();
  const ssmrt::CudaKernelDesc &desc = cudaKernels_[name];
  if (!loaded_.count(name)) {
    StatusOr<int> handle = device_->loadKernel(desc);
    if (!handle.ok())
      return handle.status();
    loaded_[name] = *handle;
  }
  int handle = loaded_[name];
  SSMRT_RETURN_IF_ERROR(allocateResults(op));
  std::vector<gpu::DevicePtr> owned;
  auto release = [&] {
    for (gpu::DevicePtr p : owned)
      device_->release(p);
  };
  std::vector<gpu::KernelArg> args;
  // Each value in its own device allocation, in the type the GPU keeps it.
  auto push = [&](Value v, bool upload) -> Status {
    Tensor &t = values_[v];
    ssmrt::ValueType type = valueTypeOf(v);
    size_t bytes = static_cast<size_t>(t.elements()) * ssmrt::valueTypeBytes(type);
    StatusOr<gpu::DevicePtr> p = device_->allocate(bytes ? bytes : 4, "a value of the op");
    if (!p.ok())
      return p.status();
    owned.push_back(*p);
    if (upload) {
      std::vector<uint8_t> stored(bytes);
      if (t.isInt)
        std::memcpy(stored.data(), t.i.data(), bytes);
      else
        gpu::convertFloats(t.f.data(), t.f.size(), type, stored.data());
      SSMRT_RETURN_IF_ERROR(device_->upload(*p, stored.data(), bytes));
    }
    args.push_back(gpu::KernelArg::pointer(*p));
    if (valueRole(v) == ValueRole::Activation)
      args.push_back(gpu::KernelArg::int64(rowWidth(v)));
    return ssmrt::okStatus();
  };
  Status status = ssmrt::okStatus();
  for (Value v : odsOperands(&op))
    if (v && status.ok())
      status = push(v, true);
  size_t firstResult = owned.size();
  for (Value v : op.getResults())
    if (status.ok())
      status = push(v, false);
  if (status.ok() && desc.workspace) {
    // 64 words of grid-barrier state, then the per-row scratch.
    StatusOr<gpu::DevicePtr> p =
        device_->allocate((64 + desc.workspace * batch_) * sizeof(float), "the workspace");
    status = p.status();
    if (p.ok()) {
      owned.push_back(*p);
      args.push_back(gpu::KernelArg::pointer(*p));
    }
  }
  args.push_back(gpu::KernelArg::int32(static_cast<int32_t>(batch_)));
  args.push_back(gpu::KernelArg::int32(static_cast<int32_t>(seq_)));
  StatusOr<int64_t> resident =
      status.ok() ? gpu::residentBlocks(*device_, handle, desc, {}) : StatusOr<int64_t>(status);
  if (resident.ok())
    status = device_->launch(handle, gpu::launchDims(desc, {}, batch_, seq_, *resident), args,
                             desc.cooperative);
  else
    status = resident.status();
  if (status.ok())
    status = device_->synchronize();
  for (size_t r = 0; status.ok() && r < op.getNumResults(); ++r) {
    Value v = op.getResult(r);
    Tensor &t = values_[v];
    ssmrt::ValueType type = valueTypeOf(v);
    std::vector<uint8_t> stored(static_cast<size_t>(t.elements()) * ssmrt::valueTypeBytes(type));
    status = device_->download(stored.data(), owned[firstResult + r], stored.size());
    for (int64_t i = 0; status.ok() && i < t.elements(); ++i)
      t.f[i] = gpu::loadAsFloat(stored.data(), i, type);
  }
  release();
  return status;
}

Status Runner::runMatMul(Operation &op) {
  // linear (input, weight, bias) and logits (input, weight), on the host.
  SmallVector<Value> operands = odsOperands(&op);
  Tensor &x = values_[operands[0]], &w = values_[operands[1]];
  SSMRT_RETURN_IF_ERROR(allocateResults(op));
  Tensor &y = values_[op.getResult(0)];
  int64_t out = w.shape[0], in = w.shape[1], rows = x.elements() / in;
  ssmrt::gemmXWt(x.f.data(), in, rows, w.f.data(), out, in, y.f.data(), out);
  if (operands.size() > 2 && operands[2]) {
    const Tensor &bias = values_[operands[2]];
    for (int64_t r = 0; r < rows; ++r)
      for (int64_t c = 0; c < out; ++c)
        y.f[r * out + c] += bias.f[c];
  }
  if (options_.cuda) // stored in its GPU dtype
    for (float &v : y.f)
      v = gpu::roundTo(valueTypeOf(op.getResult(0)), v);
  return ssmrt::okStatus();
}

Status Runner::runMoE(Operation &op) {
  // The CPU runtime's implementation, on the run's tensors.
  SmallVector<Value> operands = odsOperands(&op);
  auto moe = cast<MoEOp>(op);
  Tensor &x = values_[operands[0]], &router = values_[operands[1]];
  ssmrt::MoEWeights w;
  w.router = router.f.data();
  w.width = router.shape[1];
  w.topK = moe.getTopK();
  w.renormalize = moe.getRenormalize();
  auto matrix = [&](Value v) {
    ssmrt::WeightMatrix m;
    m.f32 = values_[v].f.data();
    m.out = values_[v].shape[0];
    m.in = values_[v].shape[1];
    return m;
  };
  for (size_t e = 2; e + 2 < operands.size(); e += 3)
    w.experts.push_back({matrix(operands[e]), matrix(operands[e + 1]), matrix(operands[e + 2]),
                         values_[operands[e]].shape[0]});
  SSMRT_RETURN_IF_ERROR(allocateResults(op));
  Tensor &y = values_[op.getResult(0)];
  int64_t rows = x.elements() / w.width;
  ssmrt::MixtureOfExperts runner;
  runner.prepare(w, rows);
  runner.run(*pool_, w, x.f.data(), w.width, rows, y.f.data(), w.width);
  return ssmrt::okStatus();
}

Status Runner::runReference(Operation &op) {
  // One instruction over a function that declares only its results.
  ssmrt::Function function;
  ssmrt::Instr instr;
  instr.op = opInfoOf(&op)->code;
  instr.attrs = instructionAttrs(&op);
  std::vector<ssmrt::RefTensor> owned;
  SmallVector<Value> operands = odsOperands(&op);
  owned.reserve(operands.size());
  std::vector<const ssmrt::RefTensor *> refs;
  for (Value v : operands) {
    instr.operands.push_back(v ? 0 : -1);
    if (!v) {
      refs.push_back(nullptr);
      continue;
    }
    const Tensor &t = values_[v];
    ssmrt::RefTensor r(t.shape);
    for (int64_t i = 0; i < t.elements(); ++i)
      r.data[i] = t.isInt ? t.i[i] : t.f[i];
    owned.push_back(std::move(r));
    refs.push_back(&owned.back());
  }
  for (Value r : op.getResults()) {
    ssmrt::ValueDesc desc;
    for (int64_t d : llvm::cast<RankedTensorType>(r.getType()).getShape())
      desc.shape.push_back(ShapedType::isDynamic(d) ? ssmrt::kDynamic : d);
    instr.results.push_back(static_cast<int32_t>(function.values.size()));
    function.values.push_back(std::move(desc));
  }
  std::vector<ssmrt::RefTensor> results;
  SSMRT_RETURN_IF_ERROR(ssmrt::ReferenceInterpreter::evaluate(function, instr, refs, results));
  for (auto [r, value] : llvm::zip(results, op.getResults())) {
    Tensor t = Tensor::zeros(r.shape, isIntType(value));
    for (int64_t i = 0; i < t.elements(); ++i) {
      if (t.isInt)
        t.i[i] = static_cast<int32_t>(r.data[i]);
      else
        t.f[i] = static_cast<float>(r.data[i]);
    }
    values_[value] = std::move(t);
  }
  return ssmrt::okStatus();
}

Status Runner::runOp(Operation &op, std::string &how) {
  if (auto param = dyn_cast<ParamOp>(op)) {
    values_[param.getResult()] = params_.lookup(param.getName());
    how = "input '" + param.getName().str() + "'";
    return ssmrt::okStatus();
  }
  if (!opInfoOf(&op))
    return Status::error("'" + op.getName().getStringRef().str() + "' is not an ssm op");
  Lowering lowering =
      options_.reference
          ? Lowering::Reference
          : loweringOf(&op, options_.cuda ? LoweringTarget::cuda()
                                          : LoweringTarget::cpu(target_.vectorWidth));
  switch (lowering) {
  case Lowering::Kernel:
    how = (options_.cuda ? "CUDA kernel " : "CPU kernel ") +
          ssmDialect(&op).getKernelAttrHelper().getAttr(&op).str();
    return options_.cuda ? runCudaKernel(op) : runCpuKernel(op);
  case Lowering::Library:
    if (isa<MoEOp>(op)) {
      how = "mixture of experts (matrix products per expert)";
      return runMoE(op);
    }
    how = "matrix product (BLAS)";
    return runMatMul(op);
  default:
    how = std::string("float64 reference interpreter (") + loweringName(lowering) + ")";
    return runReference(op);
  }
}

Status Runner::run(RunOpResult &result) {
  for (unsigned a = 0; a < func_.getNumArguments(); ++a)
    values_[func_.getArgument(a)] = args_[a];
  for (Operation &op : func_.getBody().front()) {
    if (auto ret = dyn_cast<func::ReturnOp>(op)) {
      for (auto [i, v] : llvm::enumerate(ret.getOperands())) {
        const Tensor &t = values_[v];
        result.outputs.push_back({"result" + std::to_string(i), t.shape, t.isInt, t.f, t.i});
      }
      continue;
    }
    std::string how;
    std::string what = op.getName().getStringRef().str();
    if (Status st = runOp(op, how); !st.ok())
      return st.withPrefix(what);
    result.trace.push_back(what + ": " + how);
  }
  return ssmrt::okStatus();
}

} // namespace

StatusOr<RunOpResult> ssmc::runOp(ModuleOp module, const std::vector<OpTensor> &inputs,
                                  const RunOpOptions &options, gpu::GpuDevice *device) {
  SmallVector<func::FuncOp> funcs(module.getOps<func::FuncOp>());
  if (funcs.size() != 1)
    return Status::error("the file must hold exactly one func.func, not " +
                         std::to_string(funcs.size()));
  if (options.cuda && options.reference)
    return Status::error("--reference runs on the host; it does not go with a CUDA target");
  if (options.cuda && !device)
    return Status::error("no GPU to run the CUDA kernels on");
  Runner runner(module, funcs[0], options, device);
  SSMRT_RETURN_IF_ERROR(runner.bindInputs(inputs));
  SSMRT_RETURN_IF_ERROR(runner.compile());
  RunOpResult result;
  SSMRT_RETURN_IF_ERROR(runner.run(result));
  return result;
}
