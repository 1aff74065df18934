//===- ThreadPool.cpp - a fixed pool for parallel loops -------------------===//
#include "runtime/cpu/ThreadPool.h"

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdlib>

using namespace ssmrt;

namespace {
/// How long an idle worker polls for the next loop before it sleeps.
constexpr auto kSpin = std::chrono::microseconds(200);

/// Chunk |index| of |chunks| over [0, n).
std::pair<int64_t, int64_t> chunkRange(int64_t n, int chunks, int index) {
  int64_t base = n / chunks, extra = n % chunks;
  int64_t begin = index * base + std::min<int64_t>(index, extra);
  return {begin, begin + base + (index < extra ? 1 : 0)};
}
} // namespace

int ssmrt::hardwareThreads() {
  return static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
}

StatusOr<int> ssmrt::threadCount(int requested) {
  int hardware = hardwareThreads();
  std::string range =
      "from 1 to " + std::to_string(hardware) + ", the hardware threads of this machine";
  if (requested > 0) {
    if (requested > hardware)
      return Status::error(std::to_string(requested) + " threads requested; use " + range);
    return requested;
  }
  const char *env = std::getenv("SSMC_THREADS");
  if (!env || !*env)
    return hardware;
  char *end = nullptr;
  errno = 0;
  long n = std::strtol(env, &end, 10);
  if (errno || *end || n < 1 || n > hardware)
    return Status::error("SSMC_THREADS must be a whole number " + range + ", got '" + env + "'");
  return static_cast<int>(n);
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

void ThreadPool::runChunks(const LoopBody &body, int64_t n, int chunks, int first) {
  for (int i = first; i < chunks; i = nextChunk_.fetch_add(1, std::memory_order_relaxed)) {
    auto [begin, end] = chunkRange(n, chunks, i);
    body(begin, end);
  }
}

void ThreadPool::parallelFor(int64_t n, LoopBody body, int chunksPerThread) {
  if (n <= 0)
    return;
  int chunks = static_cast<int>(
      std::min<int64_t>(n, static_cast<int64_t>(threads()) * std::max(1, chunksPerThread)));
  int participants = std::min(chunks, threads());
  if (participants == 1) {
    body(0, n);
    return;
  }
  {
    std::lock_guard<std::mutex> lock(mutex_);
    body_ = &body;
    n_ = n;
    chunks_ = chunks;
    participants_ = participants;
    nextChunk_.store(participants, std::memory_order_relaxed);
    pending_.store(participants - 1, std::memory_order_relaxed);
    generation_.fetch_add(1, std::memory_order_release);
  }
  wake_.notify_all();
  runChunks(body, n, chunks, 0);
  while (pending_.load(std::memory_order_acquire) != 0)
    std::this_thread::yield();
}

void ThreadPool::workerLoop(int index) {
  uint64_t seen = 0;
  while (true) {
    // Poll for a new loop for a while, then sleep until one is posted.
    auto deadline = std::chrono::steady_clock::now() + kSpin;
    while (generation_.load(std::memory_order_acquire) == seen && !stop_ &&
           std::chrono::steady_clock::now() < deadline)
      std::this_thread::yield();
    if (generation_.load(std::memory_order_acquire) == seen && !stop_) {
      std::unique_lock<std::mutex> lock(mutex_);
      wake_.wait(lock, [&] { return stop_ || generation_.load() != seen; });
    }
    if (stop_)
      return;
    const LoopBody *body;
    int64_t n;
    int chunks, participants;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      seen = generation_.load();
      body = body_;
      n = n_;
      chunks = chunks_;
      participants = participants_;
    }
    if (index < participants) {
      runChunks(*body, n, chunks, index);
      pending_.fetch_sub(1, std::memory_order_acq_rel);
    }
  }
}
