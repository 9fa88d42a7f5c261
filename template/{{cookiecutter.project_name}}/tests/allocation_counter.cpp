// Replacement of the global allocation functions for the test binary only
// (see allocation_counter.hpp). Every form of operator new counts, then
// allocates with malloc; every operator delete frees.
#include "allocation_counter.hpp"

#include <cstdlib>
#include <new>

namespace {

thread_local std::size_t allocations = 0;
thread_local int active_counters = 0;

}  // namespace

namespace {{ cookiecutter.namespace }}::test_support {

AllocationCounter::AllocationCounter() : start_(allocations) { ++active_counters; }

AllocationCounter::~AllocationCounter() { --active_counters; }

std::size_t AllocationCounter::count() const { return allocations - start_; }

}  // namespace {{ cookiecutter.namespace }}::test_support

#if ALLOCATION_COUNTER_AVAILABLE

namespace {

void* allocate(std::size_t size, std::size_t alignment) {
  if (active_counters > 0) {
    ++allocations;
  }
  if (size == 0) {
    size = 1;
  }
  void* memory = nullptr;
  if (alignment <= alignof(std::max_align_t)) {
    memory = std::malloc(size);
  } else {
    // aligned_alloc wants a size that is a multiple of the alignment.
    memory = std::aligned_alloc(alignment, (size + alignment - 1) / alignment * alignment);
  }
  return memory;
}

void* allocate_or_throw(std::size_t size, std::size_t alignment) {
  void* memory = allocate(size, alignment);
  if (memory == nullptr) {
    throw std::bad_alloc();
  }
  return memory;
}

}  // namespace

void* operator new(std::size_t size) { return allocate_or_throw(size, alignof(std::max_align_t)); }
void* operator new[](std::size_t size) {
  return allocate_or_throw(size, alignof(std::max_align_t));
}
void* operator new(std::size_t size, std::align_val_t alignment) {
  return allocate_or_throw(size, static_cast<std::size_t>(alignment));
}
void* operator new[](std::size_t size, std::align_val_t alignment) {
  return allocate_or_throw(size, static_cast<std::size_t>(alignment));
}
void* operator new(std::size_t size, const std::nothrow_t& /*unused*/) noexcept {
  return allocate(size, alignof(std::max_align_t));
}
void* operator new[](std::size_t size, const std::nothrow_t& /*unused*/) noexcept {
  return allocate(size, alignof(std::max_align_t));
}

void operator delete(void* memory) noexcept { std::free(memory); }
void operator delete[](void* memory) noexcept { std::free(memory); }
void operator delete(void* memory, std::size_t /*size*/) noexcept { std::free(memory); }
void operator delete[](void* memory, std::size_t /*size*/) noexcept { std::free(memory); }
void operator delete(void* memory, std::align_val_t /*alignment*/) noexcept { std::free(memory); }
void operator delete[](void* memory, std::align_val_t /*alignment*/) noexcept { std::free(memory); }
void operator delete(void* memory, std::size_t /*size*/, std::align_val_t /*alignment*/) noexcept {
  std::free(memory);
}
void operator delete[](void* memory, std::size_t /*size*/,
                       std::align_val_t /*alignment*/) noexcept {
  std::free(memory);
}

#endif  // ALLOCATION_COUNTER_AVAILABLE
