//===- EventTimer.cpp - GPU time between two recorded events --------------===//
#include "runtime/cuda/EventTimer.h"

#include <utility>

using namespace ssmrt;
using namespace ssmrt::cuda;

StatusOr<EventTimer> EventTimer::create(const Context &context) {
  const DriverSymbols &cu = context.driver();
  SSMRT_RETURN_IF_ERROR(context.makeCurrent());
  EventTimer timer(&cu, context.stream());
  // CU_EVENT_DEFAULT: timing enabled (CU_EVENT_DISABLE_TIMING would not be).
  SSMRT_RETURN_IF_ERROR(SSMRT_CU_CALL(cu, cuEventCreate, &timer.start_, CU_EVENT_DEFAULT));
  SSMRT_RETURN_IF_ERROR(SSMRT_CU_CALL(cu, cuEventCreate, &timer.stop_, CU_EVENT_DEFAULT));
  return timer;
}

EventTimer::EventTimer(EventTimer &&other) noexcept
    : driver_(other.driver_), stream_(other.stream_), start_(std::exchange(other.start_, nullptr)),
      stop_(std::exchange(other.stop_, nullptr)) {}

EventTimer &EventTimer::operator=(EventTimer &&other) noexcept {
  if (this != &other) {
    release();
    driver_ = other.driver_;
    stream_ = other.stream_;
    start_ = std::exchange(other.start_, nullptr);
    stop_ = std::exchange(other.stop_, nullptr);
  }
  return *this;
}

EventTimer::~EventTimer() { release(); }

void EventTimer::release() {
  if (start_)
    driver_->cuEventDestroy_v2(std::exchange(start_, nullptr));
  if (stop_)
    driver_->cuEventDestroy_v2(std::exchange(stop_, nullptr));
}

Status EventTimer::start() { return SSMRT_CU_CALL(*driver_, cuEventRecord, start_, stream_); }

Status EventTimer::stop() { return SSMRT_CU_CALL(*driver_, cuEventRecord, stop_, stream_); }

StatusOr<float> EventTimer::elapsedMs() const {
  SSMRT_RETURN_IF_ERROR(SSMRT_CU_CALL(*driver_, cuEventSynchronize, stop_));
  float ms = 0;
  SSMRT_RETURN_IF_ERROR(SSMRT_CU_CALL(*driver_, cuEventElapsedTime, &ms, start_, stop_));
  return ms;
}
