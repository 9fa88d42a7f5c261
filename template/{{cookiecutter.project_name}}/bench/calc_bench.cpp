// Benchmarks of the sample workload: each stage alone, then end to end.
// `perfproj::measured(state)` loops are what the CI benchmark gate counts
// (cmake/perfproj/runtime/perfproj_bench.hpp); main() comes from perfproj.
#include "{{ cookiecutter.project_name }}/compiler.hpp"
#include "{{ cookiecutter.project_name }}/fingerprint.hpp"
#include "{{ cookiecutter.project_name }}/lexer.hpp"
#include "{{ cookiecutter.project_name }}/vm.hpp"
#include "{{ cookiecutter.project_name }}/workload.hpp"

#include <benchmark/benchmark.h>
#include <perfproj_bench.hpp>

#include <cstdint>
#include <string>
#include <unordered_map>
#include <variant>
#include <vector>

namespace {{ cookiecutter.namespace }} {
namespace {

std::string program_text(const benchmark::State& state) {
  return generate_program(WorkloadOptions{42, static_cast<std::size_t>(state.range(0))});
}

void BM_Tokenize(benchmark::State& state) {
  const std::string source = program_text(state);
  for (auto _ : perfproj::measured(state)) {
    benchmark::DoNotOptimize(tokenize(source));
  }
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(source.size()));
}
BENCHMARK(BM_Tokenize)->Arg(200)->Arg(2000);

void BM_Compile(benchmark::State& state) {
  const std::string source = program_text(state);
  for (auto _ : perfproj::measured(state)) {
    benchmark::DoNotOptimize(compile(source));
  }
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(source.size()));
}
BENCHMARK(BM_Compile)->Arg(200)->Arg(2000);

void BM_Run(benchmark::State& state) {
  const CompileResult compiled = compile(program_text(state));
  const Program& program = std::get<Program>(compiled);
  std::uint64_t steps = 0;
  for (auto _ : perfproj::measured(state)) {
    const RunResult result = run(program);
    steps += result.steps;
    benchmark::DoNotOptimize(result.checksum);
  }
  state.counters["steps/s"] =
      benchmark::Counter(static_cast<double>(steps), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_Run)->Arg(200)->Arg(2000);

void BM_Evaluate(benchmark::State& state) {
  const std::string source = program_text(state);
  for (auto _ : perfproj::measured(state)) {
    benchmark::DoNotOptimize(evaluate(source).checksum);
  }
}
BENCHMARK(BM_Evaluate)->Arg(2000);

// The CPU-dispatched loop (fingerprint.hpp): 64 KiB of program text.
void BM_Fingerprint(benchmark::State& state) {
  std::string text;
  while (text.size() < 65536) {
    text += program_text(state);
  }
  for (auto _ : perfproj::measured(state)) {
    benchmark::DoNotOptimize(fingerprint(text));
  }
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(text.size()));
}
BENCHMARK(BM_Fingerprint)->Arg(2000);

// Allocation-heavy work in the style of a long-running service: many
// short-lived strings, vectors and hash-map nodes of mixed sizes, on one and on
// two threads. Compare allocators on it (PERFPROJ_ALLOCATOR) before switching:
// the gain or loss is specific to the workload, so measure yours too.
void BM_AllocationChurn(benchmark::State& state) {
  std::uint64_t seed = static_cast<std::uint64_t>(state.thread_index()) + 1;
  for (auto _ : perfproj::measured(state)) {
    std::unordered_map<std::string, std::vector<std::uint64_t>> sessions;
    for (std::uint64_t request = 0; request < 2000; ++request) {
      seed = mix(seed, request);
      std::string key = "session-";
      key += std::to_string(seed % 512);
      std::vector<std::uint64_t>& values = sessions[key];
      values.resize(1 + seed % 96);
      if (seed % 5 == 0) {
        sessions.erase(key);
      }
    }
    benchmark::DoNotOptimize(sessions.size());
  }
}
BENCHMARK(BM_AllocationChurn)->Threads(1)->Threads(2)->UseRealTime();

}  // namespace
}  // namespace {{ cookiecutter.namespace }}
