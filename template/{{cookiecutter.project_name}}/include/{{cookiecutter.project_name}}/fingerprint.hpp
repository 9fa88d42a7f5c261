// A fast fingerprint of a program's text, to tell inputs apart (the app prints
// it next to the checksum). Its loop is the sample's CPU-dispatched hot spot:
// a portable build carries an x86-64-v3 (AVX2) copy too and picks one at run
// time (cmake/perfproj/runtime/perfproj_dispatch.h).
#pragma once

#include <cstdint>
#include <string_view>

namespace {{ cookiecutter.namespace }} {

#pragma GCC visibility push(default)

// Two sums over the bytes, modulo 2^32: a = 1 + sum(byte), b = sum((n - i) * byte_i);
// returns b << 32 | a. Not a cryptographic hash.
std::uint64_t fingerprint(std::string_view text);

#pragma GCC visibility pop

}  // namespace {{ cookiecutter.namespace }}
