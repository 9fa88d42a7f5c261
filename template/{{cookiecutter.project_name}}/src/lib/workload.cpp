#include "{{ cookiecutter.project_name }}/workload.hpp"

#include "{{ cookiecutter.project_name }}/compiler.hpp"

#include <array>
#include <cstddef>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace {{ cookiecutter.namespace }} {
namespace {

// splitmix64: tiny, fast and identical on every platform, unlike the
// distributions of <random>, whose output is implementation-defined.
class Random {
 public:
  explicit Random(std::uint64_t seed) : state_(seed) {}

  std::uint64_t next() {
    std::uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30U)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27U)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31U);
  }

  // Uniform-enough integer in [0, bound); bound must be > 0.
  std::size_t below(std::size_t bound) { return static_cast<std::size_t>(next() % bound); }

  bool percent(std::size_t chance) { return below(100) < chance; }

 private:
  std::uint64_t state_;
};

constexpr std::array<std::string_view, 12> binary_operators{"+",  "-", "*",  "+",  "-",  "<",
                                                            "<=", ">", "==", "!=", "&&", "||"};

constexpr std::size_t max_variables = 48;
constexpr int max_expression_depth = 3;
constexpr int max_block_depth = 2;

class Generator {
 public:
  explicit Generator(const WorkloadOptions& options) : random_(options.seed) {
    out_.reserve(options.statements * 48);
  }

  std::string run(std::size_t statements) {
    // A few variables up front so the first expressions have operands.
    for (int i = 0; i < 4; ++i) {
      declare_variable(0);
    }
    for (std::size_t i = 0; i < statements; ++i) {
      statement(0);
    }
    return std::move(out_);
  }

 private:
  void indent(int depth) { out_.append(static_cast<std::size_t>(depth) * 2, ' '); }

  void number() { out_ += std::to_string(random_.below(1000)); }

  void variable() { out_ += names_[random_.below(names_.size())]; }

  void expression(int depth) {
    const std::size_t choice = random_.below(depth >= max_expression_depth ? 2 : 10);
    switch (choice) {
      case 0:
        number();
        return;
      case 1:
      case 2:
      case 3:
        variable();
        return;
      case 4:  // division and modulo with a divisor that can never be zero
        out_ += '(';
        expression(depth + 1);
        out_ += random_.percent(50) ? " / (abs(" : " % (abs(";
        expression(depth + 1);
        out_ += ") + 1))";
        return;
      case 5: {
        static constexpr std::array<std::string_view, 4> calls{"min(", "max(", "mix(", "abs("};
        const std::string_view call = calls[random_.below(calls.size())];
        out_ += call;
        expression(depth + 1);
        if (call != "abs(") {
          out_ += ", ";
          expression(depth + 1);
        }
        out_ += ')';
        return;
      }
      case 6:
        out_ += random_.percent(50) ? "-" : "!";
        expression(depth + 1);
        return;
      default:
        out_ += '(';
        expression(depth + 1);
        out_ += ' ';
        out_ += binary_operators[random_.below(binary_operators.size())];
        out_ += ' ';
        expression(depth + 1);
        out_ += ')';
        return;
    }
  }

  // Appends each part to the program text: no temporary strings.
  template <typename... Parts>
  void write(const Parts&... parts) {
    (out_.append(parts), ...);
  }

  void declare_variable(int depth) {
    std::string name = "v";
    name += std::to_string(assignable_.size());
    indent(depth);
    write("let ", name, " = ");
    number();
    write(";\n");
    names_.push_back(name);
    assignable_.push_back(std::move(name));
  }

  void block(int depth, std::size_t count) {
    out_ += " {\n";
    for (std::size_t i = 0; i < count; ++i) {
      statement(depth + 1);
    }
    indent(depth);
    out_ += "}";
  }

  void loop(int depth) {
    std::string counter = "i";
    counter += std::to_string(loops_++);
    const std::size_t trips = depth == 0 ? 8 + random_.below(24) : 2 + random_.below(6);
    indent(depth);
    write("let ", counter, " = 0;\n");
    indent(depth);
    write("while ", counter, " < ", std::to_string(trips), " {\n");
    for (std::size_t i = 0, n = 2 + random_.below(4); i < n; ++i) {
      statement(depth + 1);
    }
    indent(depth + 1);
    write(counter, " = ", counter, " + 1;\n");
    indent(depth);
    write("}\n");
    names_.push_back(std::move(counter));  // readable, never reassigned
  }

  void statement(int depth) {
    const bool nested_ok = depth < max_block_depth;
    const std::size_t roll = random_.below(100);
    if (roll < 8 && names_.size() < max_variables) {
      declare_variable(depth);
    } else if (roll < 45) {
      indent(depth);
      write(assignable_[random_.below(assignable_.size())], " = ");
      expression(0);
      out_ += ";\n";
    } else if (roll < 75) {
      indent(depth);
      out_ += "emit ";
      expression(0);
      out_ += ";\n";
    } else if (!nested_ok) {
      indent(depth);  // blocks are not nested deeper: emit instead
      out_ += "emit ";
      variable();
      out_ += ";\n";
    } else if (roll < 92) {
      indent(depth);
      out_ += "if ";
      expression(1);
      block(depth, 1 + random_.below(3));
      if (random_.percent(50)) {
        out_ += " else";
        block(depth, 1 + random_.below(2));
      }
      out_ += '\n';
    } else {
      loop(depth);
    }
  }

  Random random_;
  std::string out_;
  std::vector<std::string> names_;       // every variable, loop counters too
  std::vector<std::string> assignable_;  // variables statements may assign
  int loops_ = 0;
};

}  // namespace

std::string generate_program(const WorkloadOptions& options) {
  return Generator(options).run(options.statements);
}

RunResult evaluate(std::string_view source, std::uint64_t step_limit) {
  CompileResult compiled = compile(source);
  if (const auto* error = std::get_if<Diagnostic>(&compiled)) {
    RunResult result;
    result.ok = false;
    result.error =
        std::to_string(error->line) + ":" + std::to_string(error->column) + ": " + error->message;
    return result;
  }
  return run(std::get<Program>(compiled), step_limit);
}

}  // namespace {{ cookiecutter.namespace }}
