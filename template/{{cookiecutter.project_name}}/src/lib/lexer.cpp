#include "{{ cookiecutter.project_name }}/lexer.hpp"

#include <array>
#include <cstddef>
#include <limits>

namespace {{ cookiecutter.namespace }} {
namespace {

constexpr bool is_digit(char c) { return c >= '0' && c <= '9'; }

constexpr bool is_identifier_start(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

constexpr bool is_identifier_char(char c) { return is_identifier_start(c) || is_digit(c); }

struct Keyword {
  std::string_view word;
  TokenKind kind;
};

constexpr std::array<Keyword, 5> keywords{
    Keyword{"let", TokenKind::Let},   Keyword{"if", TokenKind::If},
    Keyword{"else", TokenKind::Else}, Keyword{"while", TokenKind::While},
    Keyword{"emit", TokenKind::Emit},
};

// The kind of every token that is one character and never starts a longer one;
// TokenKind::End for the rest. A table keeps next() small, so compilers inline
// it into the token loop under any inlining budget, LTO included.
constexpr std::array<TokenKind, 128> single_character_kinds = [] {
  std::array<TokenKind, 128> kinds{};
  for (TokenKind& kind : kinds) {
    kind = TokenKind::End;
  }
  kinds['('] = TokenKind::LeftParen;
  kinds[')'] = TokenKind::RightParen;
  kinds['{'] = TokenKind::LeftBrace;
  kinds['}'] = TokenKind::RightBrace;
  kinds[';'] = TokenKind::Semicolon;
  kinds[','] = TokenKind::Comma;
  kinds['+'] = TokenKind::Plus;
  kinds['-'] = TokenKind::Minus;
  kinds['*'] = TokenKind::Star;
  kinds['/'] = TokenKind::Slash;
  kinds['%'] = TokenKind::Percent;
  return kinds;
}();

TokenKind classify_word(std::string_view word) {
  for (const Keyword& keyword : keywords) {
    if (keyword.word == word) {
      return keyword.kind;
    }
  }
  return TokenKind::Identifier;
}

class Lexer {
 public:
  explicit Lexer(std::string_view source) : source_(source) {}

  std::vector<Token> run() {
    std::vector<Token> tokens;
    tokens.reserve(source_.size() / 2 + 1);  // programs average 2.2-2.5 characters per token
    for (;;) {
      skip_blanks_and_comments();
      Token token = next();
      tokens.push_back(token);
      if (token.kind == TokenKind::End || token.kind == TokenKind::Error) {
        return tokens;
      }
    }
  }

 private:
  [[nodiscard]] bool at_end() const { return pos_ >= source_.size(); }

  [[nodiscard]] char peek(std::size_t ahead = 0) const {
    const std::size_t at = pos_ + ahead;
    return at < source_.size() ? source_[at] : '\0';
  }

  void advance() {
    if (source_[pos_] == '\n') {
      ++line_;
      column_ = 1;
    } else {
      ++column_;
    }
    ++pos_;
  }

  void skip_blanks_and_comments() {
    while (!at_end()) {
      const char c = peek();
      if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
        advance();
      } else if (c == '#') {
        while (!at_end() && peek() != '\n') {
          advance();
        }
      } else {
        return;
      }
    }
  }

  // Token from the start of the current token up to the current position.
  [[nodiscard]] Token make(TokenKind kind) const {
    Token token;
    token.kind = kind;
    token.text = source_.substr(start_, pos_ - start_);
    token.line = start_line_;
    token.column = start_column_;
    return token;
  }

  Token single(TokenKind kind) {
    advance();
    return make(kind);
  }

  // `one`, or `two` when the next character is `follower` (as in < and <=).
  Token one_or_two(TokenKind one, char follower, TokenKind two) {
    advance();
    if (peek() == follower) {
      advance();
      return make(two);
    }
    return make(one);
  }

  Token number() {
    constexpr auto limit = std::numeric_limits<std::int64_t>::max();
    std::int64_t value = 0;
    bool overflow = false;
    while (is_digit(peek())) {
      const int digit = peek() - '0';
      if (value > (limit - digit) / 10) {
        overflow = true;
      } else {
        value = value * 10 + digit;
      }
      advance();
    }
    Token token = make(overflow ? TokenKind::Error : TokenKind::Number);
    token.value = value;
    return token;
  }

  Token next() {
    start_ = pos_;
    start_line_ = line_;
    start_column_ = column_;
    if (at_end()) {
      return make(TokenKind::End);
    }
    const char c = peek();
    if (is_digit(c)) {
      return number();
    }
    if (is_identifier_start(c)) {
      while (is_identifier_char(peek())) {
        advance();
      }
      Token token = make(TokenKind::Identifier);
      token.kind = classify_word(token.text);
      return token;
    }
    const auto index = static_cast<unsigned char>(c);
    if (index < single_character_kinds.size() && single_character_kinds[index] != TokenKind::End) {
      return single(single_character_kinds[index]);
    }
    switch (c) {
      case '<':
        return one_or_two(TokenKind::Less, '=', TokenKind::LessEqual);
      case '>':
        return one_or_two(TokenKind::Greater, '=', TokenKind::GreaterEqual);
      case '=':
        return one_or_two(TokenKind::Assign, '=', TokenKind::EqualEqual);
      case '!':
        return one_or_two(TokenKind::Bang, '=', TokenKind::BangEqual);
      case '&':  // only && and || exist; a single & or | is an error
        return one_or_two(TokenKind::Error, '&', TokenKind::AndAnd);
      case '|':
        return one_or_two(TokenKind::Error, '|', TokenKind::OrOr);
      default:
        return single(TokenKind::Error);
    }
  }

  std::string_view source_;
  std::size_t pos_ = 0;
  std::uint32_t line_ = 1;
  std::uint32_t column_ = 1;
  std::size_t start_ = 0;  // where the token being scanned begins
  std::uint32_t start_line_ = 1;
  std::uint32_t start_column_ = 1;
};

}  // namespace

std::vector<Token> tokenize(std::string_view source) { return Lexer(source).run(); }

std::string_view to_string(TokenKind kind) {
  switch (kind) {
    case TokenKind::End:
      return "end of input";
    case TokenKind::Error:
      return "invalid token";
    case TokenKind::Number:
      return "number";
    case TokenKind::Identifier:
      return "identifier";
    case TokenKind::Let:
      return "'let'";
    case TokenKind::If:
      return "'if'";
    case TokenKind::Else:
      return "'else'";
    case TokenKind::While:
      return "'while'";
    case TokenKind::Emit:
      return "'emit'";
    case TokenKind::LeftParen:
      return "'('";
    case TokenKind::RightParen:
      return "')'";
    case TokenKind::LeftBrace:
      return "'{'";
    case TokenKind::RightBrace:
      return "'}'";
    case TokenKind::Semicolon:
      return "';'";
    case TokenKind::Comma:
      return "','";
    case TokenKind::Assign:
      return "'='";
    case TokenKind::Plus:
      return "'+'";
    case TokenKind::Minus:
      return "'-'";
    case TokenKind::Star:
      return "'*'";
    case TokenKind::Slash:
      return "'/'";
    case TokenKind::Percent:
      return "'%'";
    case TokenKind::Less:
      return "'<'";
    case TokenKind::LessEqual:
      return "'<='";
    case TokenKind::Greater:
      return "'>'";
    case TokenKind::GreaterEqual:
      return "'>='";
    case TokenKind::EqualEqual:
      return "'=='";
    case TokenKind::BangEqual:
      return "'!='";
    case TokenKind::AndAnd:
      return "'&&'";
    case TokenKind::OrOr:
      return "'||'";
    case TokenKind::Bang:
      return "'!'";
  }
  return "unknown token";
}

}  // namespace {{ cookiecutter.namespace }}
