#include "{{ cookiecutter.project_name }}/fingerprint.hpp"

#include <perfproj_dispatch.h>

#include <cstddef>
#include <cstdint>

namespace {{ cookiecutter.namespace }} {
namespace {

// No loop-carried dependency but the two sums: compilers vectorize it, and
// the x86-64-v3 copy does so with 256-bit AVX2 registers.
PERFPROJ_DISPATCH_KERNEL std::uint64_t fingerprint_kernel(const unsigned char* bytes,
                                                          std::size_t size) {
  std::uint32_t a = 1;
  std::uint32_t b = 0;
  for (std::size_t i = 0; i < size; ++i) {
    a += bytes[i];
    b += static_cast<std::uint32_t>(bytes[i]) * static_cast<std::uint32_t>(size - i);
  }
  return (static_cast<std::uint64_t>(b) << 32U) | a;
}

PERFPROJ_DISPATCH_V3(std::uint64_t, fingerprint_bytes,
                     (const unsigned char* bytes, std::size_t size), (bytes, size),
                     fingerprint_kernel)

}  // namespace

std::uint64_t fingerprint(std::string_view text) {
  return fingerprint_bytes(reinterpret_cast<const unsigned char*>(text.data()), text.size());
}

}  // namespace {{ cookiecutter.namespace }}
