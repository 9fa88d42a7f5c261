#include "{{ cookiecutter.project_name }}/compiler.hpp"

#include "{{ cookiecutter.project_name }}/lexer.hpp"

#include "builtins.hpp"

#include <cstddef>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

namespace {{ cookiecutter.namespace }} {
namespace {

// Deeper nesting than this is rejected instead of overflowing the C++ stack.
constexpr int max_nesting = 200;

// Thrown on the first syntax error and turned into a Diagnostic by compile();
// errors are the cold path, so an exception keeps the hot path branch-free.
struct CompileError {
  Diagnostic diagnostic;
};

class Compiler {
 public:
  explicit Compiler(std::string_view source) : tokens_(tokenize(source)) {}

  Program run() {
    if (tokens_.back().kind == TokenKind::Error) {
      fail(tokens_.back(), "invalid token '" + std::string(tokens_.back().text) + "'");
    }
    program_.code.reserve(tokens_.size());
    while (peek().kind != TokenKind::End) {
      statement();
    }
    program_.variable_count = slots_.size();
    return std::move(program_);
  }

 private:
  [[noreturn]] static void fail(const Token& at, std::string message) {
    throw CompileError{Diagnostic{at.line, at.column, std::move(message)}};
  }

  [[nodiscard]] const Token& peek() const { return tokens_[pos_]; }

  const Token& take() { return tokens_[pos_++]; }

  bool accept(TokenKind kind) {
    if (peek().kind == kind) {
      ++pos_;
      return true;
    }
    return false;
  }

  const Token& expect(TokenKind kind) {
    if (peek().kind != kind) {
      fail(peek(), "expected " + std::string(to_string(kind)) + " but found " +
                       std::string(to_string(peek().kind)));
    }
    return take();
  }

  std::size_t emit(Op op, std::uint32_t operand = 0, std::int64_t immediate = 0) {
    program_.code.push_back(Instruction{op, operand, immediate});
    return program_.code.size() - 1;
  }

  [[nodiscard]] std::uint32_t here() const {
    return static_cast<std::uint32_t>(program_.code.size());
  }

  void patch(std::size_t jump) { program_.code[jump].operand = here(); }

  std::uint32_t declare(const Token& name) {
    const auto [it, inserted] =
        slots_.try_emplace(std::string(name.text), static_cast<std::uint32_t>(slots_.size()));
    if (!inserted) {
      fail(name, "'" + std::string(name.text) + "' is already declared");
    }
    return it->second;
  }

  std::uint32_t lookup(const Token& name) const {
    const auto it = slots_.find(std::string(name.text));
    if (it == slots_.end()) {
      fail(name, "'" + std::string(name.text) + "' is not declared");
    }
    return it->second;
  }

  void nest(const Token& at) {
    if (++depth_ > max_nesting) {
      fail(at, "nesting is deeper than " + std::to_string(max_nesting));
    }
  }

  void statement() {
    const Token& start = peek();
    nest(start);
    switch (start.kind) {
      case TokenKind::Let: {
        take();
        const Token& name = expect(TokenKind::Identifier);
        expect(TokenKind::Assign);
        expression();
        emit(Op::Store, declare(name));
        expect(TokenKind::Semicolon);
        break;
      }
      case TokenKind::Identifier: {
        const std::uint32_t slot = lookup(take());
        expect(TokenKind::Assign);
        expression();
        emit(Op::Store, slot);
        expect(TokenKind::Semicolon);
        break;
      }
      case TokenKind::Emit:
        take();
        expression();
        emit(Op::Emit);
        expect(TokenKind::Semicolon);
        break;
      case TokenKind::If:
        if_statement();
        break;
      case TokenKind::While: {
        take();
        const std::uint32_t loop_start = here();
        expression();
        const std::size_t exit_jump = emit(Op::JumpIfFalse);
        block();
        emit(Op::Jump, loop_start);
        patch(exit_jump);
        break;
      }
      default:
        fail(start, "expected a statement but found " + std::string(to_string(start.kind)));
    }
    --depth_;
  }

  void if_statement() {
    expect(TokenKind::If);
    expression();
    const std::size_t else_jump = emit(Op::JumpIfFalse);
    block();
    if (accept(TokenKind::Else)) {
      const std::size_t end_jump = emit(Op::Jump);
      patch(else_jump);
      if (peek().kind == TokenKind::If) {
        if_statement();
      } else {
        block();
      }
      patch(end_jump);
    } else {
      patch(else_jump);
    }
  }

  void block() {
    expect(TokenKind::LeftBrace);
    while (peek().kind != TokenKind::RightBrace) {
      if (peek().kind == TokenKind::End) {
        fail(peek(), "expected '}' before end of input");
      }
      statement();
    }
    take();
  }

  void expression() {
    nest(peek());
    logical_or();
    --depth_;
  }

  // a || b  ->  a; JumpIfFalse rhs; push 1; Jump end; rhs: b != 0; end:
  void logical_or() {
    logical_and();
    while (accept(TokenKind::OrOr)) {
      const std::size_t rhs_jump = emit(Op::JumpIfFalse);
      emit(Op::Constant, 0, 1);
      const std::size_t end_jump = emit(Op::Jump);
      patch(rhs_jump);
      logical_and();
      emit(Op::Constant, 0, 0);
      emit(Op::NotEqual);
      patch(end_jump);
    }
  }

  // a && b  ->  a; JumpIfFalse false; b != 0; Jump end; false: push 0; end:
  void logical_and() {
    equality();
    while (accept(TokenKind::AndAnd)) {
      const std::size_t false_jump = emit(Op::JumpIfFalse);
      equality();
      emit(Op::Constant, 0, 0);
      emit(Op::NotEqual);
      const std::size_t end_jump = emit(Op::Jump);
      patch(false_jump);
      emit(Op::Constant, 0, 0);
      patch(end_jump);
    }
  }

  void equality() {
    comparison();
    for (;;) {
      if (accept(TokenKind::EqualEqual)) {
        comparison();
        emit(Op::Equal);
      } else if (accept(TokenKind::BangEqual)) {
        comparison();
        emit(Op::NotEqual);
      } else {
        return;
      }
    }
  }

  void comparison() {
    additive();
    for (;;) {
      Op op = Op::Less;
      switch (peek().kind) {
        case TokenKind::Less:
          op = Op::Less;
          break;
        case TokenKind::LessEqual:
          op = Op::LessEqual;
          break;
        case TokenKind::Greater:
          op = Op::Greater;
          break;
        case TokenKind::GreaterEqual:
          op = Op::GreaterEqual;
          break;
        default:
          return;
      }
      take();
      additive();
      emit(op);
    }
  }

  void additive() {
    multiplicative();
    for (;;) {
      if (accept(TokenKind::Plus)) {
        multiplicative();
        emit(Op::Add);
      } else if (accept(TokenKind::Minus)) {
        multiplicative();
        emit(Op::Subtract);
      } else {
        return;
      }
    }
  }

  void multiplicative() {
    unary();
    for (;;) {
      Op op = Op::Multiply;
      switch (peek().kind) {
        case TokenKind::Star:
          op = Op::Multiply;
          break;
        case TokenKind::Slash:
          op = Op::Divide;
          break;
        case TokenKind::Percent:
          op = Op::Modulo;
          break;
        default:
          return;
      }
      take();
      unary();
      emit(op);
    }
  }

  void unary() {
    if (accept(TokenKind::Minus)) {
      nest(peek());
      unary();
      --depth_;
      emit(Op::Negate);
    } else if (accept(TokenKind::Bang)) {
      nest(peek());
      unary();
      --depth_;
      emit(Op::Not);
    } else {
      primary();
    }
  }

  void primary() {
    const Token& token = take();
    switch (token.kind) {
      case TokenKind::Number:
        emit(Op::Constant, 0, token.value);
        return;
      case TokenKind::LeftParen:
        expression();
        expect(TokenKind::RightParen);
        return;
      case TokenKind::Identifier:
        if (peek().kind == TokenKind::LeftParen) {
          call(token);
        } else {
          emit(Op::Load, lookup(token));
        }
        return;
      default:
        fail(token, "expected an expression but found " + std::string(to_string(token.kind)));
    }
  }

  void call(const Token& name) {
    const int index = find_builtin(name.text);
    if (index < 0) {
      fail(name, "unknown function '" + std::string(name.text) + "'");
    }
    const Builtin& builtin = builtins[static_cast<std::size_t>(index)];
    expect(TokenKind::LeftParen);
    for (int arg = 0; arg < builtin.arity; ++arg) {
      if (arg > 0) {
        expect(TokenKind::Comma);
      }
      expression();
    }
    expect(TokenKind::RightParen);
    emit(Op::Call, static_cast<std::uint32_t>(index));
  }

  std::vector<Token> tokens_;
  std::size_t pos_ = 0;
  int depth_ = 0;
  Program program_;
  std::unordered_map<std::string, std::uint32_t> slots_;
};

}  // namespace

CompileResult compile(std::string_view source) {
  try {
    return Compiler(source).run();
  } catch (CompileError& error) {
    return std::move(error.diagnostic);
  }
}

}  // namespace {{ cookiecutter.namespace }}
