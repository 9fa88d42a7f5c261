// Parser and code generator: calc source text -> bytecode Program.
//
// Grammar (statements end with ';', blocks use braces, '#' starts a comment):
//   statement := 'let' NAME '=' expr ';' | NAME '=' expr ';' | 'emit' expr ';'
//              | 'if' expr block ('else' (block | if-statement))?
//              | 'while' expr block
//   expr      := C-like precedence: || && == != < <= > >= + - * / % unary ! -
//   call      := min(a, b) | max(a, b) | abs(a) | mix(a, b)
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <variant>
#include "{{ cookiecutter.project_name }}/bytecode.hpp"

namespace {{ cookiecutter.namespace }} {

// The public headers declare the library API: keep it visible although the
// project compiles with -fvisibility=hidden.
#pragma GCC visibility push(default)

struct Diagnostic {
  std::uint32_t line = 0;
  std::uint32_t column = 0;
  std::string message;
};

// Either the compiled program or the first error found.
using CompileResult = std::variant<Program, Diagnostic>;

CompileResult compile(std::string_view source);

#pragma GCC visibility pop

}  // namespace {{ cookiecutter.namespace }}
