//===- EventTimer.h - GPU time between two recorded events ------*- C++ -*-===//
#ifndef SSMC_RUNTIME_CUDA_EVENTTIMER_H
#define SSMC_RUNTIME_CUDA_EVENTTIMER_H

#include "runtime/Status.h"
#include "runtime/cuda/Context.h"

namespace ssmrt::cuda {

/// Times the work enqueued on a context's stream between start() and stop(),
/// as the GPU sees it (no host overhead, about 0.5 us resolution).
class EventTimer {
public:
  static StatusOr<EventTimer> create(const Context &context);

  EventTimer(EventTimer &&other) noexcept;
  EventTimer &operator=(EventTimer &&other) noexcept;
  EventTimer(const EventTimer &) = delete;
  EventTimer &operator=(const EventTimer &) = delete;
  ~EventTimer();

  /// Records the start event on the stream.
  Status start();
  /// Records the stop event on the stream.
  Status stop();
  /// Waits for the stop event and returns the milliseconds between the two.
  StatusOr<float> elapsedMs() const;

private:
  EventTimer(const DriverSymbols *driver, CUstream stream) : driver_(driver), stream_(stream) {}
  void release();

  const DriverSymbols *driver_ = nullptr;
  CUstream stream_ = nullptr;
  CUevent start_ = nullptr;
  CUevent stop_ = nullptr;
};

} // namespace ssmrt::cuda

#endif // SSMC_RUNTIME_CUDA_EVENTTIMER_H
