#include "{{ cookiecutter.project_name }}/vm.hpp"
#include "{{ cookiecutter.project_name }}/workload.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <initializer_list>
#include <limits>

namespace {{ cookiecutter.namespace }} {
namespace {

// The checksum a program must produce when it emits exactly `values`.
std::uint64_t checksum_of(std::initializer_list<std::int64_t> values) {
  std::uint64_t checksum = 0;
  for (const std::int64_t value : values) {
    checksum = mix(checksum, static_cast<std::uint64_t>(value));
  }
  return checksum;
}

void expect_emits(std::string_view source, std::initializer_list<std::int64_t> values) {
  const RunResult result = evaluate(source);
  ASSERT_TRUE(result.ok) << result.error;
  EXPECT_EQ(result.emitted, values.size()) << source;
  EXPECT_EQ(result.checksum, checksum_of(values)) << source;
}

TEST(Vm, FollowsOperatorPrecedence) {
  expect_emits("emit 1 + 2 * 3; emit (1 + 2) * 3; emit 10 - 4 - 3; emit -2 * 3;", {7, 9, 3, -6});
  expect_emits("emit 17 / 5; emit 17 % 5; emit -17 / 5; emit -17 % 5;", {3, 2, -3, -2});
  expect_emits("emit 1 < 2 == 1; emit 3 >= 3; emit 2 != 2; emit !0; emit !7;", {1, 1, 0, 1, 0});
}

TEST(Vm, ShortCircuitsLogicalOperators) {
  // The right-hand sides would divide by zero if they were evaluated.
  expect_emits("emit 0 && 1 / 0; emit 5 || 1 / 0; emit 2 && 3; emit 0 || 0;", {0, 1, 1, 0});
}

TEST(Vm, WrapsOnOverflowInsteadOfInvokingUndefinedBehaviour) {
  constexpr std::int64_t max = std::numeric_limits<std::int64_t>::max();
  constexpr std::int64_t min = std::numeric_limits<std::int64_t>::min();
  expect_emits("let m = 9223372036854775807; emit m + 1; emit (m + 1) / -1; emit (m + 1) % -1;",
               {min, min, 0});
  expect_emits("let m = 9223372036854775807; emit m * 2; emit abs(m + 1); emit -(m + 1);",
               {-2, min, min});
  expect_emits("emit 9223372036854775807;", {max});
}

TEST(Vm, RunsControlFlow) {
  expect_emits("let i = 0; let sum = 0; while i < 5 { sum = sum + i; i = i + 1; } emit sum;", {10});
  expect_emits("let x = 2; if x == 1 { emit 1; } else if x == 2 { emit 2; } else { emit 3; }", {2});
  expect_emits("if 0 { emit 1; } emit 4;", {4});
}

TEST(Vm, CallsBuiltins) {
  expect_emits("emit min(3, -4); emit max(3, -4); emit abs(-9);", {-4, 3, 9});
  expect_emits("emit mix(1, 2);", {static_cast<std::int64_t>(mix(1, 2))});
}

TEST(Vm, ReportsRuntimeErrors) {
  RunResult result = evaluate("let z = 0; emit 1 / z;");
  EXPECT_FALSE(result.ok);
  EXPECT_EQ(result.error, "division by zero");

  result = evaluate("while 1 { }", 1000);
  EXPECT_FALSE(result.ok);
  EXPECT_EQ(result.error, "step limit exceeded");
  EXPECT_EQ(result.steps, 1000U);

  result = evaluate("emit (1 +;");
  EXPECT_FALSE(result.ok);
  EXPECT_EQ(result.error, "1:10: expected an expression but found ';'");
}

TEST(Vm, RejectsMalformedPrograms) {
  Program program;
  program.code.push_back(Instruction{Op::Load, 3, 0});
  EXPECT_EQ(run(program).error, "malformed program");

  program.code.assign({Instruction{Op::Add, 0, 0}});
  EXPECT_EQ(run(program).error, "stack underflow");
}

}  // namespace
}  // namespace {{ cookiecutter.namespace }}
