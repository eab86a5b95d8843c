// Splits expression text into tokens, each with its byte offset.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "streamapp/status.h"

namespace streamapp::expr {

enum class Tok : uint8_t {
  kEnd,
  kInt,     // uint_value (up to 2^63 so that `-9223372036854775808` works)
  kDouble,  // double_value
  kString,  // str (escapes decoded)
  kIdent,   // names and keywords (and, or, not, in, true, false, null)
  kDollar,  // $key, $value, ... (text includes the '$')
  kLParen,
  kRParen,
  kLBracket,
  kRBracket,
  kLBrace,
  kRBrace,
  kComma,
  kDot,
  kPlus,
  kMinus,
  kStar,
  kSlash,
  kPercent,
  kEqEq,
  kNotEq,
  kLess,
  kLessEq,
  kGreater,
  kGreaterEq,
  kBang,
  kAndAnd,
  kOrOr,
  kQuestion,
  kQuestionQuestion,
  kColon,
};

struct Token {
  Tok kind = Tok::kEnd;
  size_t offset = 0;  // first byte
  size_t end = 0;     // one past the last byte
  std::string_view text;
  std::string str;
  uint64_t uint_value = 0;
  double double_value = 0;
};

// Tokenizes `text`; the last token is always kEnd. On failure sets
// *error_offset and returns InvalidArgument.
Status Lex(std::string_view text, std::vector<Token>* tokens, size_t* error_offset);

// How a token reads in an error message: "end of expression" or "'x'".
std::string DescribeToken(const Token& token);

}  // namespace streamapp::expr
