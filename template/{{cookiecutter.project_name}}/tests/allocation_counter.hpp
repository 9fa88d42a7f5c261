// Counting heap allocations in tests: a hot path that must not allocate gets
// a test that fails the day it does.
//
//   EXPECT_EQ(allocations_during([&] { hot_path(); }), 0U);
//
// allocation_counter.cpp replaces the global operator new and delete of the
// test binary; they count, per thread, only while a counter is alive.
#pragma once

#include <cstddef>
#include <utility>

// ThreadSanitizer and MemorySanitizer (Clang links their runtimes into the
// binary) own operator new themselves: there the counter cannot be installed.
#if defined(__SANITIZE_THREAD__)
#define ALLOCATION_COUNTER_AVAILABLE 0
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer) || __has_feature(memory_sanitizer)
#define ALLOCATION_COUNTER_AVAILABLE 0
#endif
#endif
#ifndef ALLOCATION_COUNTER_AVAILABLE
#define ALLOCATION_COUNTER_AVAILABLE 1
#endif

namespace {{ cookiecutter.namespace }}::test_support {

inline constexpr bool allocation_counter_available = ALLOCATION_COUNTER_AVAILABLE != 0;

class AllocationCounter {
 public:
  AllocationCounter();
  ~AllocationCounter();
  AllocationCounter(const AllocationCounter&) = delete;
  AllocationCounter& operator=(const AllocationCounter&) = delete;

  // Allocations (operator new of any kind) by this thread so far.
  [[nodiscard]] std::size_t count() const;

 private:
  std::size_t start_;
};

template <typename Function>
std::size_t allocations_during(Function&& function) {
  const AllocationCounter counter;
  std::forward<Function>(function)();
  return counter.count();
}

}  // namespace {{ cookiecutter.namespace }}::test_support
