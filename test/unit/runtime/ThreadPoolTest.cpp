//===- ThreadPoolTest.cpp - parallel loops cover their range once ---------===//
//
// parallelFor with 1 to 8 chunks per thread, on 1 to 4 threads, over ranges
// of 1 to 1000 items: every item is visited exactly once, chunks are
// non-empty, and there are at most threads x chunks per thread of them.
//
//===----------------------------------------------------------------------===//
#include "runtime/cpu/ThreadPool.h"

#include <gtest/gtest.h>

#include <atomic>
#include <mutex>
#include <vector>

using namespace ssmrt;

namespace {

TEST(ThreadPool, ChunksPerThreadCoverTheRangeOnce) {
  for (int threads : {1, 2, 3, 4}) {
    ThreadPool pool(threads);
    for (int perThread : {1, 2, 4, 8})
      for (int64_t n : {1, 2, 3, 7, 64, 1000}) {
        std::vector<std::atomic<int>> visits(static_cast<size_t>(n));
        std::mutex mutex;
        int chunks = 0;
        bool empty = false;
        for (int repeat = 0; repeat < 3; ++repeat) {
          pool.parallelFor(
              n,
              [&](int64_t begin, int64_t end) {
                for (int64_t i = begin; i < end; ++i)
                  visits[i].fetch_add(1);
                std::lock_guard<std::mutex> lock(mutex);
                ++chunks;
                empty |= begin >= end;
              },
              perThread);
        }
        for (int64_t i = 0; i < n; ++i)
          ASSERT_EQ(visits[i].load(), 3) << "item " << i << " of " << n << ", " << threads
                                         << " threads, " << perThread << " chunks each";
        EXPECT_FALSE(empty);
        EXPECT_LE(chunks, 3 * threads * perThread);
      }
  }
}

} // namespace
