//===- ThreadPool.h - a fixed pool for parallel loops -----------*- C++ -*-===//
#ifndef SSMC_RUNTIME_CPU_THREADPOOL_H
#define SSMC_RUNTIME_CPU_THREADPOOL_H

#include "runtime/Status.h"

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <thread>
#include <type_traits>
#include <vector>

namespace ssmrt {

/// A non-owning reference to a callable `void(int64_t begin, int64_t end)`.
/// Unlike std::function it never allocates, so the loops of a decode step
/// cost no heap traffic; the callable must outlive the call it is passed to.
class LoopBody {
public:
  template <typename F, typename = std::enable_if_t<!std::is_same_v<std::decay_t<F>, LoopBody>>>
  LoopBody(const F &f) // NOLINT: implicit, as std::function's
      : object_(&f), call_([](const void *o, int64_t begin, int64_t end) {
          (*static_cast<const F *>(o))(begin, end);
        }) {}
  void operator()(int64_t begin, int64_t end) const { call_(object_, begin, end); }

private:
  const void *object_;
  void (*call_)(const void *, int64_t, int64_t);
};

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
  /// |chunksPerThread| per thread, and returns when all are done. Each
  /// thread runs its own first chunk; with more than one chunk per thread,
  /// threads then claim the remaining chunks in order as they finish.
  void parallelFor(int64_t n, LoopBody body, int chunksPerThread = 1);

private:
  void workerLoop(int index);
  /// Runs chunk |first|, then claims chunks until none are left.
  void runChunks(const LoopBody &body, int64_t n, int chunks, int first);

  std::vector<std::thread> workers_;
  std::mutex mutex_;
  std::condition_variable wake_;
  const LoopBody *body_ = nullptr;
  int64_t n_ = 0;
  int chunks_ = 0, participants_ = 0;
  std::atomic<int> nextChunk_{0};
  std::atomic<uint64_t> generation_{0};
  std::atomic<int> pending_{0};
  std::atomic<bool> stop_{false};
};

/// The hardware threads of this machine (at least 1).
int hardwareThreads();
/// The threads to use: |requested| when positive, else $SSMC_THREADS when
/// set, else hardwareThreads(). More threads than the hardware has never
/// help (each loop of a decode step waits for the slowest thread), so more
/// is an error, as is an SSMC_THREADS that is not such a number.
StatusOr<int> threadCount(int requested);

} // namespace ssmrt

#endif // SSMC_RUNTIME_CPU_THREADPOOL_H
