//===- ThreadPool.h - a fixed pool for parallel loops -----------*- C++ -*-===//
#ifndef SSMC_RUNTIME_CPU_THREADPOOL_H
#define SSMC_RUNTIME_CPU_THREADPOOL_H

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace ssmrt {

/// Runs parallel loops on |threads| threads (the caller is one of them).
/// Workers spin briefly for the next loop before they sleep: a decode step
/// issues hundreds of short loops, and a sleeping worker takes tens of
/// microseconds to wake. Not reentrant: one parallelFor at a time.
class ThreadPool {
public:
  explicit ThreadPool(int threads);
  ~ThreadPool();
  ThreadPool(const ThreadPool &) = delete;
  ThreadPool &operator=(const ThreadPool &) = delete;

  int threads() const { return static_cast<int>(workers_.size()) + 1; }

  /// Calls |body(begin, end)| on contiguous chunks covering [0, n), at most
  /// one chunk per thread, and returns when all are done.
  void parallelFor(int64_t n, const std::function<void(int64_t, int64_t)> &body);

private:
  void workerLoop(int index);

  std::vector<std::thread> workers_;
  std::mutex mutex_;
  std::condition_variable wake_;
  const std::function<void(int64_t, int64_t)> *body_ = nullptr;
  int64_t n_ = 0;
  int chunks_ = 0;
  std::atomic<uint64_t> generation_{0};
  std::atomic<int> pending_{0};
  std::atomic<bool> stop_{false};
};

/// The number of threads to use by default: $SSMC_THREADS, else the
/// hardware concurrency.
int defaultThreadCount();

} // namespace ssmrt

#endif // SSMC_RUNTIME_CPU_THREADPOOL_H
