#include "{{ cookiecutter.project_name }}/compiler.hpp"
#include "{{ cookiecutter.project_name }}/lexer.hpp"
#include "{{ cookiecutter.project_name }}/vm.hpp"
#include "{{ cookiecutter.project_name }}/workload.hpp"

#include "allocation_counter.hpp"

#include <gtest/gtest.h>

#include <string>
#include <variant>

namespace {{ cookiecutter.namespace }} {
namespace {

using test_support::allocations_during;

class Allocations : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!test_support::allocation_counter_available) {
      GTEST_SKIP() << "this sanitizer's runtime replaces operator new";
    }
  }
};

TEST_F(Allocations, CountsWhatTheCodeAllocates) {
  // Through a volatile pointer: the optimizer may remove a new/delete pair it sees.
  EXPECT_EQ(allocations_during([] {
              int* volatile value = new int(1);
              delete value;
            }),
            1U);
  EXPECT_EQ(allocations_during([] {}), 0U);
}

TEST_F(Allocations, TheVmAllocatesOncePerRunNotPerInstruction) {
  const CompileResult small = compile(generate_program(WorkloadOptions{1, 50}));
  const CompileResult large = compile(generate_program(WorkloadOptions{1, 500}));
  const auto run_small = [&] { run(std::get<Program>(small)); };
  const auto run_large = [&] { run(std::get<Program>(large)); };
  // The variables and the stack, allocated once: ten times the work, no more.
  EXPECT_EQ(allocations_during(run_small), 2U);
  EXPECT_EQ(allocations_during(run_large), 2U);
}

TEST_F(Allocations, TokenizeReservesItsOutputOnce) {
  const std::string source = generate_program(WorkloadOptions{1, 500});
  EXPECT_EQ(allocations_during([&] { tokenize(source); }), 1U);
}

}  // namespace
}  // namespace {{ cookiecutter.namespace }}
