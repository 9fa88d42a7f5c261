#include "{{ cookiecutter.project_name }}/workload.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>

namespace {{ cookiecutter.namespace }} {
namespace {

TEST(Workload, IsDeterministic) {
  const WorkloadOptions options{7, 200};
  EXPECT_EQ(generate_program(options), generate_program(options));
  EXPECT_NE(generate_program(options), generate_program(WorkloadOptions{8, 200}));
}

TEST(Workload, GeneratedProgramsRunCleanly) {
  for (std::uint64_t seed = 1; seed <= 20; ++seed) {
    const std::string source = generate_program(WorkloadOptions{seed, 300});
    const RunResult result = evaluate(source);
    ASSERT_TRUE(result.ok) << "seed " << seed << ": " << result.error;
    EXPECT_GT(result.emitted, 50U) << "seed " << seed;
    EXPECT_GT(result.steps, result.emitted) << "seed " << seed;
  }
}

TEST(Workload, ProgramsGrowWithTheStatementCount) {
  const std::string small = generate_program(WorkloadOptions{3, 100});
  const std::string large = generate_program(WorkloadOptions{3, 1000});
  EXPECT_GT(large.size(), 5 * small.size());
}

}  // namespace
}  // namespace {{ cookiecutter.namespace }}
