//===- CudaGraph.cpp - capture a stream's work once, replay it ------------===//
#include "runtime/cuda/CudaGraph.h"

#include <utility>

using namespace ssmrt;
using namespace ssmrt::cuda;

StatusOr<CudaGraph> CudaGraph::capture(const Context &context,
                                       const std::function<Status()> &body) {
  const DriverSymbols &cu = context.driver();
  CUstream stream = context.stream();
  SSMRT_RETURN_IF_ERROR(context.makeCurrent());
  // Thread-local mode: other threads may keep using CUDA meanwhile; only
  // this thread is barred from calls that are unsafe during capture.
  SSMRT_RETURN_IF_ERROR(
      SSMRT_CU_CALL(cu, cuStreamBeginCapture_v2, stream, CU_STREAM_CAPTURE_MODE_THREAD_LOCAL));
  Status recorded = body();
  CUgraph graph = nullptr;
  Status ended = SSMRT_CU_CALL(cu, cuStreamEndCapture, stream, &graph);
  if (!recorded.ok() || !ended.ok()) {
    if (graph)
      cu.cuGraphDestroy(graph);
    return (recorded.ok() ? ended : recorded).withPrefix("CUDA graph capture");
  }
  CUgraphExec exec = nullptr;
  Status instantiated = SSMRT_CU_CALL(cu, cuGraphInstantiateWithFlags, &exec, graph, 0);
  // The executable graph is independent of the graph it came from.
  cu.cuGraphDestroy(graph);
  SSMRT_RETURN_IF_ERROR(instantiated);
  return CudaGraph(&cu, stream, exec);
}

CudaGraph::CudaGraph(CudaGraph &&other) noexcept
    : driver_(other.driver_), stream_(other.stream_), exec_(std::exchange(other.exec_, nullptr)) {}

CudaGraph &CudaGraph::operator=(CudaGraph &&other) noexcept {
  if (this != &other) {
    if (exec_)
      driver_->cuGraphExecDestroy(exec_);
    driver_ = other.driver_;
    stream_ = other.stream_;
    exec_ = std::exchange(other.exec_, nullptr);
  }
  return *this;
}

CudaGraph::~CudaGraph() {
  if (exec_)
    driver_->cuGraphExecDestroy(exec_);
}

Status CudaGraph::launch() const { return SSMRT_CU_CALL(*driver_, cuGraphLaunch, exec_, stream_); }
