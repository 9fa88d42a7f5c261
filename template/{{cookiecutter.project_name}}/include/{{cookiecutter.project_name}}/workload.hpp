// Deterministic generator of calc programs: the sample workload that the app
// runs, the tests check and the benchmarks (and PGO training) measure.
#pragma once

#include "{{ cookiecutter.project_name }}/vm.hpp"

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace {{ cookiecutter.namespace }} {

// The public headers declare the library API: keep it visible although the
// project compiles with -fvisibility=hidden.
#pragma GCC visibility push(default)

struct WorkloadOptions {
  std::uint64_t seed = 1;
  std::size_t statements = 1000;  // top-level statements to generate
};

// Same options -> same text, on every platform and compiler.
std::string generate_program(const WorkloadOptions& options);

// compile() + run(); a compile error is reported as a failed RunResult.
RunResult evaluate(std::string_view source, std::uint64_t step_limit = default_step_limit);

#pragma GCC visibility pop

}  // namespace {{ cookiecutter.namespace }}
