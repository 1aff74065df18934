//===- CudaGraph.h - capture a stream's work once, replay it ----*- C++ -*-===//
#ifndef SSMC_RUNTIME_CUDA_CUDAGRAPH_H
#define SSMC_RUNTIME_CUDA_CUDAGRAPH_H

#include "runtime/Status.h"
#include "runtime/cuda/Context.h"

#include <functional>

namespace ssmrt::cuda {

/// An executable CUDA graph: a recorded sequence of launches and copies that
/// replays with one driver call (the decode step of a small model is
/// launch-bound otherwise). Replays use the arguments captured, so the
/// buffers they name must stay where they are.
class CudaGraph {
public:
  /// Runs |body|, which enqueues work on |context|'s stream, in capture mode
  /// and instantiates what it enqueued. Nothing runs during capture. Capture
  /// ends even when |body| fails, so the stream stays usable.
  static StatusOr<CudaGraph> capture(const Context &context, const std::function<Status()> &body);

  CudaGraph(CudaGraph &&other) noexcept;
  CudaGraph &operator=(CudaGraph &&other) noexcept;
  CudaGraph(const CudaGraph &) = delete;
  CudaGraph &operator=(const CudaGraph &) = delete;
  ~CudaGraph();

  /// Enqueues one replay on the stream it was captured from.
  Status launch() const;

private:
  CudaGraph(const DriverSymbols *driver, CUstream stream, CUgraphExec exec)
      : driver_(driver), stream_(stream), exec_(exec) {}

  const DriverSymbols *driver_ = nullptr;
  CUstream stream_ = nullptr;
  CUgraphExec exec_ = nullptr;
};

} // namespace ssmrt::cuda

#endif // SSMC_RUNTIME_CUDA_CUDAGRAPH_H
