// The stack machine that executes compiled calc programs.
#pragma once

#include <cstdint>
#include <string>
#include "{{ cookiecutter.project_name }}/bytecode.hpp"

namespace {{ cookiecutter.namespace }} {

// The public headers declare the library API: keep it visible although the
// project compiles with -fvisibility=hidden.
#pragma GCC visibility push(default)

struct RunResult {
  bool ok = true;
  std::uint64_t checksum = 0;  // hash of every emitted value, in order
  std::uint64_t emitted = 0;   // number of emit statements executed
  std::uint64_t steps = 0;     // instructions executed
  std::string error;           // set when !ok
};

inline constexpr std::uint64_t default_step_limit = 100'000'000;

// Runs `program`; stops with an error after `step_limit` instructions so that
// a runaway loop cannot hang the caller. Arithmetic wraps on overflow.
RunResult run(const Program& program, std::uint64_t step_limit = default_step_limit);

// Hash step used for the checksum; exposed so tests can predict results.
std::uint64_t mix(std::uint64_t seed, std::uint64_t value);

#pragma GCC visibility pop

}  // namespace {{ cookiecutter.namespace }}
