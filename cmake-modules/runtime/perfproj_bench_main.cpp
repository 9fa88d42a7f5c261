// main() of the project's benchmark executables (perfproj_benchmark() in
// PerfprojBench.cmake): Google Benchmark's own, plus context in its output,
// so that every result file says what produced it.
#include "perfproj_build_info.h"
#include "perfproj_git_revision.h"

#include <benchmark/benchmark.h>

#include <string>

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) {
    return 1;
  }
  benchmark::AddCustomContext("perfproj.git_revision", PERFPROJ_GIT_REVISION);
  benchmark::AddCustomContext("perfproj.preset", PERFPROJ_BUILD_DIRECTORY_NAME);
  for (const char* setting : {"compiler", "build_type", "lto", "pgo", "arch", "sanitizers"}) {
    benchmark::AddCustomContext(std::string("perfproj.") + setting,
                                perfproj_build_setting(setting));
  }
  char allocator[512];
  perfproj_describe_allocator(allocator, sizeof allocator);
  benchmark::AddCustomContext("perfproj.allocator", allocator);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
