#include "{{ cookiecutter.project_name }}/vm.hpp"

#include "builtins.hpp"

#include <cstddef>
#include <utility>
#include <vector>

namespace {{ cookiecutter.namespace }} {
namespace {

// Two's-complement wrapping arithmetic: overflow is defined behaviour in the
// language, so compute in unsigned and convert back.
std::int64_t wrap(std::uint64_t value) { return static_cast<std::int64_t>(value); }
std::uint64_t bits(std::int64_t value) { return static_cast<std::uint64_t>(value); }

std::int64_t add(std::int64_t a, std::int64_t b) { return wrap(bits(a) + bits(b)); }
std::int64_t subtract(std::int64_t a, std::int64_t b) { return wrap(bits(a) - bits(b)); }
std::int64_t multiply(std::int64_t a, std::int64_t b) { return wrap(bits(a) * bits(b)); }
std::int64_t negate(std::int64_t a) { return wrap(0U - bits(a)); }
std::int64_t absolute(std::int64_t a) { return a < 0 ? negate(a) : a; }

// Callers have already rejected b == 0.
std::int64_t divide(std::int64_t a, std::int64_t b) {
  if (b == -1) {
    return negate(a);  // INT64_MIN / -1 overflows
  }
  return a / b;
}

std::int64_t modulo(std::int64_t a, std::int64_t b) {
  if (b == -1) {
    return 0;
  }
  return a % b;
}

std::int64_t call_builtin(BuiltinId id, const std::int64_t* args) {
  switch (id) {
    case BuiltinId::Min:
      return args[0] < args[1] ? args[0] : args[1];
    case BuiltinId::Max:
      return args[0] < args[1] ? args[1] : args[0];
    case BuiltinId::Abs:
      return absolute(args[0]);
    case BuiltinId::Mix:
      return wrap(mix(bits(args[0]), bits(args[1])));
  }
  return 0;
}

// Replaces the operand on top of the stack by operation(operand).
template <typename Operation>
bool apply_unary(std::vector<std::int64_t>& stack, Operation operation) {
  if (stack.empty()) {
    return false;
  }
  stack.back() = operation(stack.back());
  return true;
}

// Replaces the two operands on top of the stack by operation(left, right).
template <typename Operation>
bool apply_binary(std::vector<std::int64_t>& stack, Operation operation) {
  if (stack.size() < 2) {
    return false;
  }
  const std::int64_t right = stack.back();
  stack.pop_back();
  stack.back() = operation(stack.back(), right);
  return true;
}

RunResult failure(RunResult result, const char* message) {
  result.ok = false;
  result.error = message;
  return result;
}

// Rejects programs that would index out of range, so that the dispatch loop
// only has to guard the stack.
bool well_formed(const Program& program) {
  const std::size_t size = program.code.size();
  for (const Instruction& instruction : program.code) {
    switch (instruction.op) {
      case Op::Load:
      case Op::Store:
        if (instruction.operand >= program.variable_count) {
          return false;
        }
        break;
      case Op::Jump:
      case Op::JumpIfFalse:
        if (instruction.operand > size) {
          return false;
        }
        break;
      case Op::Call:
        if (instruction.operand >= builtins.size()) {
          return false;
        }
        break;
      default:
        break;
    }
  }
  return true;
}

}  // namespace

std::uint64_t mix(std::uint64_t seed, std::uint64_t value) {
  // splitmix64 finaliser over the combined state
  std::uint64_t z = seed ^ (value + 0x9e3779b97f4a7c15ULL + (seed << 6U) + (seed >> 2U));
  z = (z ^ (z >> 30U)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27U)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31U);
}

RunResult run(const Program& program, std::uint64_t step_limit) {
  RunResult result;
  if (!well_formed(program)) {
    return failure(std::move(result), "malformed program");
  }
  std::vector<std::int64_t> variables(program.variable_count, 0);
  std::vector<std::int64_t> stack;
  stack.reserve(64);

  const Instruction* const code = program.code.data();
  const std::size_t size = program.code.size();
  std::size_t pc = 0;
  std::uint64_t steps = 0;

  // One switch over every opcode: the classic interpreter loop. Each case
  // checks its own stack needs, so a hand-made Program cannot overrun it.
  while (pc < size) {
    if (++steps > step_limit) {
      result.steps = steps - 1;
      return failure(std::move(result), "step limit exceeded");
    }
    const Instruction& instruction = code[pc++];
    bool ok = true;
    switch (instruction.op) {
      case Op::Constant:
        stack.push_back(instruction.immediate);
        break;
      case Op::Load:
        stack.push_back(variables[instruction.operand]);
        break;
      case Op::Store:
        ok = !stack.empty();
        if (ok) {
          variables[instruction.operand] = stack.back();
          stack.pop_back();
        }
        break;
      case Op::Jump:
        pc = instruction.operand;
        break;
      case Op::JumpIfFalse:
        ok = !stack.empty();
        if (ok) {
          if (stack.back() == 0) {
            pc = instruction.operand;
          }
          stack.pop_back();
        }
        break;
      case Op::Emit:
        ok = !stack.empty();
        if (ok) {
          result.checksum = mix(result.checksum, bits(stack.back()));
          ++result.emitted;
          stack.pop_back();
        }
        break;
      case Op::Not:
        ok = apply_unary(stack, [](std::int64_t a) -> std::int64_t { return a == 0 ? 1 : 0; });
        break;
      case Op::Negate:
        ok = apply_unary(stack, negate);
        break;
      case Op::Add:
        ok = apply_binary(stack, add);
        break;
      case Op::Subtract:
        ok = apply_binary(stack, subtract);
        break;
      case Op::Multiply:
        ok = apply_binary(stack, multiply);
        break;
      case Op::Divide:
      case Op::Modulo:
        if (!stack.empty() && stack.back() == 0) {
          result.steps = steps;
          return failure(std::move(result), "division by zero");
        }
        ok = instruction.op == Op::Divide ? apply_binary(stack, divide)
                                          : apply_binary(stack, modulo);
        break;
      case Op::Less:
        ok = apply_binary(stack,
                          [](std::int64_t a, std::int64_t b) -> std::int64_t { return a < b; });
        break;
      case Op::LessEqual:
        ok = apply_binary(stack,
                          [](std::int64_t a, std::int64_t b) -> std::int64_t { return a <= b; });
        break;
      case Op::Greater:
        ok = apply_binary(stack,
                          [](std::int64_t a, std::int64_t b) -> std::int64_t { return a > b; });
        break;
      case Op::GreaterEqual:
        ok = apply_binary(stack,
                          [](std::int64_t a, std::int64_t b) -> std::int64_t { return a >= b; });
        break;
      case Op::Equal:
        ok = apply_binary(stack,
                          [](std::int64_t a, std::int64_t b) -> std::int64_t { return a == b; });
        break;
      case Op::NotEqual:
        ok = apply_binary(stack,
                          [](std::int64_t a, std::int64_t b) -> std::int64_t { return a != b; });
        break;
      case Op::Call: {
        const Builtin& builtin = builtins[instruction.operand];
        const auto arity = static_cast<std::size_t>(builtin.arity);
        ok = stack.size() >= arity;
        if (ok) {
          const std::size_t first = stack.size() - arity;
          const std::int64_t value = call_builtin(builtin.id, &stack[first]);
          stack.resize(first);
          stack.push_back(value);
        }
        break;
      }
    }
    if (!ok) {
      return failure(std::move(result), "stack underflow");
    }
  }
  result.steps = steps;
  return result;
}

}  // namespace {{ cookiecutter.namespace }}
