// Benchmark helpers for Google Benchmark (see PerfprojBench.cmake).
//
//   for (auto _ : perfproj::measured(state)) { ... }
//
// is the same loop as `for (auto _ : state)`. Under callgrind, as perfproj's
// benchmark gate runs it, it also counts the instructions of the loop alone
// (setup code and Google Benchmark's own bookkeeping left out) and tells
// callgrind how many iterations they belong to, so the gate computes exact,
// repeatable instructions per iteration whatever iteration count Google
// Benchmark picked. Outside valgrind the extra cost is one check per loop.
#pragma once

#include <benchmark/benchmark.h>

#include <cstdint>
#include <cstdio>

#if defined(__has_include)
#if __has_include(<valgrind/callgrind.h>)
#include <valgrind/callgrind.h>
#define PERFPROJ_HAVE_CALLGRIND 1
#endif
#endif

namespace perfproj {

class Measured {
 public:
  class Iterator {
   public:
    Iterator(benchmark::State::StateIterator inner, Measured* owner)
        : inner_(inner), owner_(owner) {}

    benchmark::State::StateIterator::Value operator*() const { return *inner_; }

    Iterator& operator++() {
      ++inner_;
      if (owner_ != nullptr) {
        ++owner_->done_;
      }
      return *this;
    }

    bool operator!=(const Iterator& other) const {
      // Stop counting before the last comparison: it runs Google
      // Benchmark's end-of-loop bookkeeping.
      if (owner_ != nullptr && owner_->done_ == owner_->planned_) {
        owner_->stop();
      }
      const bool more = inner_ != other.inner_;
      if (!more && owner_ != nullptr) {
        owner_->stop();  // the loop ended early (an error was reported)
      }
      return more;
    }

   private:
    benchmark::State::StateIterator inner_;
    Measured* owner_;
  };

  explicit Measured(benchmark::State& state) : state_(state) {}
  Measured(const Measured&) = delete;
  Measured& operator=(const Measured&) = delete;

  Iterator begin() {
    benchmark::State::StateIterator first = state_.begin();
    planned_ = static_cast<std::uint64_t>(state_.max_iterations);
#if defined(PERFPROJ_HAVE_CALLGRIND)
    // One thread only: callgrind's collection switch is process-wide.
    counting_ = RUNNING_ON_VALGRIND != 0 && state_.threads() == 1;
    if (counting_) {
      CALLGRIND_ZERO_STATS;
      CALLGRIND_TOGGLE_COLLECT;
    }
#endif
    return Iterator(first, this);
  }

  Iterator end() { return Iterator(state_.end(), nullptr); }

 private:
  void stop() {
#if defined(PERFPROJ_HAVE_CALLGRIND)
    if (counting_) {
      counting_ = false;
      CALLGRIND_TOGGLE_COLLECT;
      char label[64];
      std::snprintf(label, sizeof label, "perfproj-bench iterations=%llu",
                    static_cast<unsigned long long>(done_));
      CALLGRIND_DUMP_STATS_AT(label);
    }
#endif
  }

  benchmark::State& state_;
  std::uint64_t planned_ = 0;
  std::uint64_t done_ = 0;
  bool counting_ = false;
};

inline Measured measured(benchmark::State& state) { return Measured(state); }

}  // namespace perfproj
