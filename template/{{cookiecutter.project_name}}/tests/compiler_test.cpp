#include "{{ cookiecutter.project_name }}/compiler.hpp"

#include <gtest/gtest.h>

#include <string>
#include <variant>

namespace {{ cookiecutter.namespace }} {
namespace {

Diagnostic error_of(std::string_view source) {
  CompileResult result = compile(source);
  EXPECT_TRUE(std::holds_alternative<Diagnostic>(result)) << "compiled: " << source;
  if (auto* diagnostic = std::get_if<Diagnostic>(&result)) {
    return *diagnostic;
  }
  return {};
}

TEST(Compiler, CompilesDeclarationsIntoSlots) {
  CompileResult result = compile("let a = 1; let b = a + 2; b = b * a;");
  ASSERT_TRUE(std::holds_alternative<Program>(result));
  const Program& program = std::get<Program>(result);
  EXPECT_EQ(program.variable_count, 2U);
  ASSERT_FALSE(program.code.empty());
  EXPECT_EQ(program.code.front().op, Op::Constant);
  EXPECT_EQ(program.code.back().op, Op::Store);
  EXPECT_EQ(program.code.back().operand, 1U);
}

TEST(Compiler, ReportsPositionOfUndeclaredVariable) {
  const Diagnostic diagnostic = error_of("let a = 1;\nemit a + b;");
  EXPECT_EQ(diagnostic.line, 2U);
  EXPECT_EQ(diagnostic.column, 10U);
  EXPECT_EQ(diagnostic.message, "'b' is not declared");
}

TEST(Compiler, RejectsRedeclaration) {
  EXPECT_EQ(error_of("let a = 1; let a = 2;").message, "'a' is already declared");
}

TEST(Compiler, ReportsWhatWasExpected) {
  EXPECT_EQ(error_of("let a = 1").message, "expected ';' but found end of input");
  EXPECT_EQ(error_of("emit (1 + 2;").message, "expected ')' but found ';'");
  EXPECT_EQ(error_of("while 1 { emit 1;").message, "expected '}' before end of input");
  EXPECT_EQ(error_of("+ 1;").message, "expected a statement but found '+'");
  EXPECT_EQ(error_of("emit ;").message, "expected an expression but found ';'");
}

TEST(Compiler, ChecksFunctionNamesAndArity) {
  EXPECT_EQ(error_of("emit sqrt(4);").message, "unknown function 'sqrt'");
  EXPECT_EQ(error_of("emit min(1);").message, "expected ',' but found ')'");
  EXPECT_EQ(error_of("emit abs(1, 2);").message, "expected ')' but found ','");
}

TEST(Compiler, ReportsInvalidTokens) {
  EXPECT_EQ(error_of("emit 1 $ 2;").message, "invalid token '$'");
}

TEST(Compiler, LimitsNestingInsteadOfOverflowingTheStack) {
  const std::string deep = "emit " + std::string(10000, '(') + "1" + std::string(10000, ')') + ";";
  EXPECT_EQ(error_of(deep).message.rfind("nesting is deeper than", 0), 0U);
  const std::string negations = "emit " + std::string(10000, '-') + "1;";
  EXPECT_EQ(error_of(negations).message.rfind("nesting is deeper than", 0), 0U);
}

}  // namespace
}  // namespace {{ cookiecutter.namespace }}
