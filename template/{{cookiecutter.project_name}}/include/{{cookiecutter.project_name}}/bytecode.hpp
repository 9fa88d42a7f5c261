// Bytecode of the calc stack machine, produced by compile() and run by run().
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace {{ cookiecutter.namespace }} {

// The public headers declare the library API: keep it visible although the
// project compiles with -fvisibility=hidden.
#pragma GCC visibility push(default)

enum class Op : std::uint8_t {
  Constant,  // push immediate
  Load,      // push variables[slot]
  Store,     // variables[slot] = pop
  Add,
  Subtract,
  Multiply,
  Divide,
  Modulo,
  Less,
  LessEqual,
  Greater,
  GreaterEqual,
  Equal,
  NotEqual,
  Not,
  Negate,
  Jump,         // pc = target
  JumpIfFalse,  // if pop == 0: pc = target
  Call,         // builtin[slot] with its fixed arity
  Emit,         // checksum = mix(checksum, pop)
};

struct Instruction {
  Op op = Op::Constant;
  std::uint32_t operand = 0;  // slot, jump target or builtin index
  std::int64_t immediate = 0;
};

struct Program {
  std::vector<Instruction> code;
  std::size_t variable_count = 0;
};

#pragma GCC visibility pop

}  // namespace {{ cookiecutter.namespace }}
