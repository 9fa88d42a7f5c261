// Tokenizer for the calc language: turns source text into a flat token list.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

namespace {{ cookiecutter.namespace }} {

// The public headers declare the library API: keep it visible although the
// project compiles with -fvisibility=hidden.
#pragma GCC visibility push(default)

enum class TokenKind : std::uint8_t {
  End,
  Error,
  Number,
  Identifier,
  Let,
  If,
  Else,
  While,
  Emit,
  LeftParen,
  RightParen,
  LeftBrace,
  RightBrace,
  Semicolon,
  Comma,
  Assign,
  Plus,
  Minus,
  Star,
  Slash,
  Percent,
  Less,
  LessEqual,
  Greater,
  GreaterEqual,
  EqualEqual,
  BangEqual,
  AndAnd,
  OrOr,
  Bang,
};

struct Token {
  TokenKind kind = TokenKind::End;
  std::string_view text;   // points into the source; valid while it lives
  std::int64_t value = 0;  // numeric value for TokenKind::Number
  std::uint32_t line = 1;
  std::uint32_t column = 1;
};

// Splits `source` into tokens. The last token is TokenKind::End, or
// TokenKind::Error (with `text` holding the offending character) on bad input.
std::vector<Token> tokenize(std::string_view source);

std::string_view to_string(TokenKind kind);

#pragma GCC visibility pop

}  // namespace {{ cookiecutter.namespace }}
