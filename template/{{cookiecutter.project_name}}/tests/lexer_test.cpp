#include "{{ cookiecutter.project_name }}/lexer.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace {{ cookiecutter.namespace }} {
namespace {

std::vector<TokenKind> kinds(std::string_view source) {
  std::vector<TokenKind> result;
  for (const Token& token : tokenize(source)) {
    result.push_back(token.kind);
  }
  return result;
}

TEST(Lexer, KeywordsIdentifiersAndNumbers) {
  const std::vector<Token> tokens = tokenize("let lettuce = 42;");
  ASSERT_EQ(tokens.size(), 6U);
  EXPECT_EQ(tokens[0].kind, TokenKind::Let);
  EXPECT_EQ(tokens[1].kind, TokenKind::Identifier);
  EXPECT_EQ(tokens[1].text, "lettuce");
  EXPECT_EQ(tokens[2].kind, TokenKind::Assign);
  EXPECT_EQ(tokens[3].kind, TokenKind::Number);
  EXPECT_EQ(tokens[3].value, 42);
  EXPECT_EQ(tokens[4].kind, TokenKind::Semicolon);
  EXPECT_EQ(tokens[5].kind, TokenKind::End);
}

TEST(Lexer, TwoCharacterOperatorsWinOverOneCharacterOnes) {
  EXPECT_EQ(kinds("<= < >= > == = != ! && ||"),
            (std::vector<TokenKind>{TokenKind::LessEqual, TokenKind::Less, TokenKind::GreaterEqual,
                                    TokenKind::Greater, TokenKind::EqualEqual, TokenKind::Assign,
                                    TokenKind::BangEqual, TokenKind::Bang, TokenKind::AndAnd,
                                    TokenKind::OrOr, TokenKind::End}));
}

TEST(Lexer, SkipsCommentsAndTracksPositions) {
  const std::vector<Token> tokens = tokenize("# comment\n  emit x; # trailing\nwhile");
  ASSERT_EQ(tokens.size(), 5U);
  EXPECT_EQ(tokens[0].kind, TokenKind::Emit);
  EXPECT_EQ(tokens[0].line, 2U);
  EXPECT_EQ(tokens[0].column, 3U);
  EXPECT_EQ(tokens[3].kind, TokenKind::While);
  EXPECT_EQ(tokens[3].line, 3U);
  EXPECT_EQ(tokens[3].column, 1U);
}

TEST(Lexer, StopsAtTheFirstInvalidCharacter) {
  const std::vector<Token> tokens = tokenize("emit 1 @ 2;");
  ASSERT_EQ(tokens.size(), 3U);
  EXPECT_EQ(tokens.back().kind, TokenKind::Error);
  EXPECT_EQ(tokens.back().text, "@");
  EXPECT_EQ(tokens.back().column, 8U);
}

TEST(Lexer, SingleAmpersandIsAnError) { EXPECT_EQ(kinds("a & b").back(), TokenKind::Error); }

TEST(Lexer, RejectsNumbersThatDoNotFitIn64Bits) {
  EXPECT_EQ(kinds("9223372036854775807").front(), TokenKind::Number);
  EXPECT_EQ(kinds("9223372036854775808").front(), TokenKind::Error);
}

}  // namespace
}  // namespace {{ cookiecutter.namespace }}
