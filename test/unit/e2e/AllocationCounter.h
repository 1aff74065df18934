//===- AllocationCounter.h - count heap allocations in a region -*- C++ -*-===//
//
// Linking AllocationCounter.cpp replaces the global operator new of the test
// binary with one that counts, on every thread, while a counter is alive.
//
//===----------------------------------------------------------------------===//
#ifndef SSMC_TEST_UNIT_E2E_ALLOCATIONCOUNTER_H
#define SSMC_TEST_UNIT_E2E_ALLOCATIONCOUNTER_H

namespace ssmc::test {

/// Counts the operator new calls made between its construction and
/// count() (one counter at a time).
class AllocationCounter {
public:
  AllocationCounter();
  ~AllocationCounter();
  AllocationCounter(const AllocationCounter &) = delete;
  AllocationCounter &operator=(const AllocationCounter &) = delete;
  long count() const;
};

} // namespace ssmc::test

#endif // SSMC_TEST_UNIT_E2E_ALLOCATIONCOUNTER_H
