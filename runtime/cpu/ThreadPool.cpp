//===- ThreadPool.cpp - a fixed pool for parallel loops -------------------===//
#include "runtime/cpu/ThreadPool.h"

#include <algorithm>
#include <cstdlib>

using namespace ssmrt;

int ssmrt::defaultThreadCount() {
  if (const char *env = std::getenv("SSMC_THREADS")) {
    int n = std::atoi(env);
    if (n > 0)
      return std::min(n, 256);
  }
  return std::max(1u, std::thread::hardware_concurrency());
}

ThreadPool::ThreadPool(int threads) {
  for (int i = 1; i < std::max(1, threads); ++i)
    workers_.emplace_back([this, i] { workerLoop(i); });
}

ThreadPool::~ThreadPool() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stop_ = true;
  }
  wake_.notify_all();
  for (std::thread &t : workers_)
    t.join();
}

namespace {
/// Chunk |index| of |chunks| over [0, n).
std::pair<int64_t, int64_t> chunkRange(int64_t n, int chunks, int index) {
  int64_t base = n / chunks, extra = n % chunks;
  int64_t begin = index * base + std::min<int64_t>(index, extra);
  return {begin, begin + base + (index < extra ? 1 : 0)};
}
} // namespace

void ThreadPool::parallelFor(int64_t n, const std::function<void(int64_t, int64_t)> &body) {
  if (n <= 0)
    return;
  int chunks = static_cast<int>(std::min<int64_t>(n, threads()));
  if (chunks == 1) {
    body(0, n);
    return;
  }
  {
    std::lock_guard<std::mutex> lock(mutex_);
    body_ = &body;
    n_ = n;
    chunks_ = chunks;
    pending_ = chunks - 1;
    ++generation_;
  }
  wake_.notify_all();
  auto [begin, end] = chunkRange(n, chunks, 0);
  body(begin, end);
  std::unique_lock<std::mutex> lock(mutex_);
  done_.wait(lock, [&] { return pending_ == 0; });
  body_ = nullptr;
}

void ThreadPool::workerLoop(int index) {
  uint64_t seen = 0;
  while (true) {
    const std::function<void(int64_t, int64_t)> *body;
    int64_t n;
    int chunks;
    {
      std::unique_lock<std::mutex> lock(mutex_);
      wake_.wait(lock, [&] { return stop_ || generation_ != seen; });
      if (stop_)
        return;
      seen = generation_;
      body = body_;
      n = n_;
      chunks = chunks_;
    }
    if (index < chunks) {
      auto [begin, end] = chunkRange(n, chunks, index);
      (*body)(begin, end);
      std::lock_guard<std::mutex> lock(mutex_);
      if (--pending_ == 0)
        done_.notify_one();
    }
  }
}
