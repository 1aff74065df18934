//===- GridRunner.cpp - CUDA threads as host threads ----------------------===//
#include "GridRunner.h"

#include <algorithm>
#include <atomic>
#include <climits>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <system_error>
#include <thread>
#include <vector>

#include <linux/futex.h>
#include <sys/syscall.h>
#include <unistd.h>

using ssmrt::Status;

namespace ssmc::cudaemu {
namespace {

/// Thrown through the kernel's frames to unwind a cancelled thread.
struct Cancelled {};

/// How long cancelled threads get to unwind before the process aborts.
constexpr std::chrono::seconds kCancelGrace{10};

// Barriers count arrivals atomically and sleep on a futex: with up to 1024
// threads on a few cores, threads queueing on a mutex made a __syncthreads
// about three times slower.
static_assert(sizeof(std::atomic<uint32_t>) == sizeof(uint32_t) &&
              std::atomic<uint32_t>::is_always_lock_free);

/// Sleeps unless |word| has changed from |value| (it may return early).
void futexWait(std::atomic<uint32_t> &word, uint32_t value) {
  syscall(SYS_futex, reinterpret_cast<uint32_t *>(&word), FUTEX_WAIT_PRIVATE, value, nullptr,
          nullptr, 0);
}

void futexWakeAll(std::atomic<uint32_t> &word) {
  syscall(SYS_futex, reinterpret_cast<uint32_t *>(&word), FUTEX_WAKE_PRIVATE, INT_MAX, nullptr,
          nullptr, 0);
}

/// A reusable barrier whose participants may leave, like C++20's
/// std::barrier::arrive_and_drop, that gives up when the launch is cancelled.
class Barrier {
public:
  /// |completion| runs in the last thread to arrive, before any is released.
  Barrier(const std::atomic<bool> &cancelled, unsigned count, std::function<void()> completion = {})
      : cancelled_(cancelled), expected_(count), remaining_(count),
        completion_(std::move(completion)) {}

  /// Waits for the other participants; throws Cancelled when cancelled.
  void arriveAndWait() {
    // The phase cannot end before this thread arrives.
    uint32_t phase = phase_.load();
    if (remaining_.fetch_sub(1) == 1) {
      completePhase();
      return;
    }
    while (phase_.load() == phase && !cancelled_)
      futexWait(phase_, phase);
    if (cancelled_)
      throw Cancelled();
  }

  /// Stops taking part: this and later phases no longer wait for the caller.
  void leave() {
    expected_.fetch_sub(1);
    if (remaining_.fetch_sub(1) == 1)
      completePhase();
  }

  /// Expects |count| participants again (once all have left).
  void reset(unsigned count) {
    expected_ = count;
    remaining_ = count;
  }

  /// Releases the waiters after the launch was cancelled: they see the
  /// phase change (so none sleeps through it) and then the cancellation.
  void cancel() {
    phase_.fetch_add(1);
    futexWakeAll(phase_);
  }

private:
  void completePhase() {
    remaining_ = expected_.load();
    if (completion_)
      completion_();
    phase_.fetch_add(1);
    futexWakeAll(phase_);
  }

  const std::atomic<bool> &cancelled_;
  std::atomic<unsigned> expected_, remaining_;
  std::atomic<uint32_t> phase_{0};
  std::function<void()> completion_;
};

/// The lanes of one warp: their barrier and the double-buffered slots of
/// warp_exchange. A lane writes slot set k % 2 for its k-th exchange; it can
/// reach exchange k + 2 only once every lane has arrived at exchange k + 1,
/// that is, has finished reading set k % 2.
struct Warp {
  explicit Warp(std::unique_ptr<Barrier> barrier, unsigned lanes)
      : barrier(std::move(barrier)), lanes(lanes) {}
  std::unique_ptr<Barrier> barrier;
  unsigned lanes;
  unsigned char slots[2][32][kEmuWarpBytes] = {};
};

/// What the threads of one launch share.
struct Launch {
  Launch(ssmc_emu_call_fn call, void **args, Dim3 grid) : call(call), args(args), grid(grid) {}

  ssmc_emu_call_fn call;
  void **args;
  Dim3 grid;
  std::atomic<bool> cancelled{false};
  std::vector<std::unique_ptr<Barrier>> barriers;
  std::vector<std::unique_ptr<Warp>> warps;

  std::mutex mutex;
  std::condition_variable allDone;
  uint64_t running = 0;

  void threadDone() {
    std::lock_guard<std::mutex> lock(mutex);
    if (--running == 0)
      allDone.notify_all();
  }
  /// Whether every thread finished within |timeout|.
  template <typename Duration> bool waitDone(Duration timeout) {
    std::unique_lock<std::mutex> lock(mutex);
    return allDone.wait_for(lock, timeout, [&] { return running == 0; });
  }
  void cancel() {
    cancelled = true;
    for (const std::unique_ptr<Barrier> &barrier : barriers)
      barrier->cancel();
    for (const std::unique_ptr<Warp> &warp : warps)
      warp->barrier->cancel();
  }
  /// Re-arms the warps of a normal launch for its next block.
  void resetWarps() {
    for (const std::unique_ptr<Warp> &warp : warps)
      warp->barrier->reset(warp->lanes);
  }
};

/// One host thread: its CUDA coordinates and its block's barrier.
struct Worker {
  Launch *launch;
  Barrier *syncthreads;
  Warp *warp;
  unsigned lane;
  unsigned exchanges; ///< warp_exchange calls in the current block
  ssmc_emu_thread thread;
};

void syncthreadsCallback(void *context) {
  static_cast<Worker *>(context)->syncthreads->arriveAndWait();
}

void warpExchangeCallback(void *context, const void *mine, void *all, unsigned bytes) {
  auto *worker = static_cast<Worker *>(context);
  if (bytes > kEmuWarpBytes) {
    std::fprintf(stderr, "ssmc_cuda_emu: a warp exchange of %u bytes (at most %d)\n", bytes,
                 int(kEmuWarpBytes));
    std::abort();
  }
  Warp &warp = *worker->warp;
  unsigned set = worker->exchanges++ % 2;
  std::memcpy(warp.slots[set][worker->lane], mine, bytes);
  warp.barrier->arriveAndWait();
  for (unsigned lane = 0; lane < 32; ++lane)
    std::memcpy(static_cast<unsigned char *>(all) + lane * bytes, warp.slots[set][lane], bytes);
}

void pollCallback(void *context, int yield) {
  if (static_cast<Worker *>(context)->launch->cancelled.load(std::memory_order_relaxed))
    throw Cancelled();
  if (yield)
    std::this_thread::yield();
}

/// Stores the coordinates of element |index| (x fastest) of |extent|.
void setCoordinates(unsigned out[3], uint64_t index, const Dim3 &extent) {
  out[0] = unsigned(index % extent.x);
  out[1] = unsigned(index / extent.x % extent.y);
  out[2] = unsigned(index / extent.x / extent.y);
}

void copyExtent(unsigned out[3], const Dim3 &extent) {
  out[0] = extent.x;
  out[1] = extent.y;
  out[2] = extent.z;
}

/// A normal launch's thread: the same thread of every block in turn.
void runBlocks(Worker *worker, Barrier *blockEnd) {
  Launch &launch = *worker->launch;
  try {
    for (uint64_t b = 0; b < launch.grid.count(); ++b) {
      setCoordinates(worker->thread.blockIdx, b, launch.grid);
      worker->exchanges = 0;
      launch.call(&worker->thread, launch.args);
      worker->syncthreads->leave();
      worker->warp->barrier->leave();
      blockEnd->arriveAndWait();
    }
  } catch (const Cancelled &) {
  }
  launch.threadDone();
}

/// A cooperative launch's thread: one thread of one block.
void runThread(Worker *worker) {
  try {
    worker->launch->call(&worker->thread, worker->launch->args);
    worker->syncthreads->leave();
    worker->warp->barrier->leave();
  } catch (const Cancelled &) {
  }
  worker->launch->threadDone();
}

std::string describe(const Dim3 &extent) {
  return "(" + std::to_string(extent.x) + ", " + std::to_string(extent.y) + ", " +
         std::to_string(extent.z) + ")";
}

Status checkExtents(const Dim3 &grid, const Dim3 &block, bool cooperative) {
  if (grid.count() == 0 || block.count() == 0)
    return Status::error("empty launch: grid " + describe(grid) + ", block " + describe(block));
  if (block.count() > 1024)
    return Status::error("block " + describe(block) + " has " + std::to_string(block.count()) +
                         " threads; CUDA allows at most 1024");
  if (grid.y > 65535 || grid.z > 65535)
    return Status::error("grid " + describe(grid) +
                         ": CUDA allows at most 65535 blocks in y and z");
  if (cooperative && grid.count() * block.count() > kMaxCooperativeThreads)
    return Status::error("cooperative grid " + describe(grid) + " x block " + describe(block) +
                         " has " + std::to_string(grid.count() * block.count()) +
                         " threads; the emulator runs at most " +
                         std::to_string(kMaxCooperativeThreads) + " at once");
  return ssmrt::okStatus();
}

} // namespace

Status runGrid(ssmc_emu_call_fn call, void **args, Dim3 grid, Dim3 block, bool cooperative,
               std::chrono::milliseconds timeout) {
  SSMRT_RETURN_IF_ERROR(checkExtents(grid, block, cooperative));
  auto blockThreads = unsigned(block.count());
  uint64_t numThreads = cooperative ? grid.count() * blockThreads : blockThreads;

  Launch launch(call, args, grid);
  launch.running = numThreads;
  Barrier *blockEnd = nullptr;
  if (cooperative) {
    for (uint64_t b = 0; b < grid.count(); ++b)
      launch.barriers.push_back(std::make_unique<Barrier>(launch.cancelled, blockThreads));
  } else {
    // The block's threads have all left its __syncthreads barrier when they
    // meet at the block's end: re-arm it for the next block.
    auto syncthreads = std::make_unique<Barrier>(launch.cancelled, blockThreads);
    Barrier *syncthreadsPtr = syncthreads.get();
    launch.barriers.push_back(std::move(syncthreads));
    Launch *launchPtr = &launch;
    launch.barriers.push_back(std::make_unique<Barrier>(launch.cancelled, blockThreads, [=] {
      syncthreadsPtr->reset(blockThreads);
      launchPtr->resetWarps();
    }));
    blockEnd = launch.barriers.back().get();
  }
  // The warps of each block that runs at once (all blocks when cooperative).
  unsigned warpsPerBlock = (blockThreads + 31) / 32;
  for (uint64_t b = 0; b < (cooperative ? grid.count() : 1); ++b)
    for (unsigned w = 0; w < warpsPerBlock; ++w) {
      unsigned lanes = std::min(32u, blockThreads - 32 * w);
      launch.warps.push_back(
          std::make_unique<Warp>(std::make_unique<Barrier>(launch.cancelled, lanes), lanes));
    }

  std::vector<Worker> workers(numThreads);
  for (uint64_t i = 0; i < numThreads; ++i) {
    Worker &worker = workers[i];
    worker.launch = &launch;
    worker.syncthreads = launch.barriers[cooperative ? i / blockThreads : 0].get();
    unsigned inBlock = unsigned(i % blockThreads);
    worker.warp =
        launch.warps[(cooperative ? i / blockThreads : 0) * warpsPerBlock + inBlock / 32].get();
    worker.lane = inBlock % 32;
    worker.exchanges = 0;
    ssmc_emu_thread &thread = worker.thread;
    setCoordinates(thread.threadIdx, i % blockThreads, block);
    setCoordinates(thread.blockIdx, i / blockThreads, grid);
    copyExtent(thread.blockDim, block);
    copyExtent(thread.gridDim, grid);
    thread.context = &worker;
    thread.syncthreads = syncthreadsCallback;
    thread.poll = pollCallback;
    thread.warp_exchange = warpExchangeCallback;
  }

  Status status;
  std::vector<std::thread> threads;
  threads.reserve(numThreads);
  try {
    for (Worker &worker : workers)
      threads.push_back(cooperative ? std::thread(runThread, &worker)
                                    : std::thread(runBlocks, &worker, blockEnd));
  } catch (const std::system_error &e) {
    status = Status::error("cannot start " + std::to_string(numThreads) + " threads: " + e.what());
    std::lock_guard<std::mutex> lock(launch.mutex);
    launch.running -= numThreads - threads.size();
  }
  if (status.ok() && !launch.waitDone(timeout))
    status = Status::error("the launch did not finish within " + std::to_string(timeout.count()) +
                           " ms (a deadlock?) and was cancelled");
  if (!status.ok()) {
    launch.cancel();
    if (!launch.waitDone(kCancelGrace)) {
      std::fprintf(stderr,
                   "ssmc_cuda_emu: %s; threads that reach no __syncthreads, "
                   "__nanosleep or atomic cannot be stopped: aborting\n",
                   status.message().c_str());
      std::abort();
    }
  }
  for (std::thread &thread : threads)
    thread.join();
  return status;
}

} // namespace ssmc::cudaemu
