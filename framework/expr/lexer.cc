#include "expr/lexer.h"

#include <charconv>

namespace streamapp::expr {
namespace {

bool IsIdentStart(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}
bool IsIdentChar(char c) {
  return IsIdentStart(c) || (c >= '0' && c <= '9');
}
bool IsDigit(char c) {
  return c >= '0' && c <= '9';
}

int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

void AppendUtf8(std::string* out, uint32_t cp) {
  if (cp < 0x80) {
    out->push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out->push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out->push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out->push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

class Lexer {
 public:
  Lexer(std::string_view text, size_t* error_offset) : text_(text), error_offset_(error_offset) {}

  Status Run(std::vector<Token>* tokens) {
    while (true) {
      while (pos_ < text_.size() &&
             (text_[pos_] == ' ' || text_[pos_] == '\t' || text_[pos_] == '\n' || text_[pos_] == '\r')) {
        ++pos_;
      }
      Token t;
      t.offset = pos_;
      if (pos_ == text_.size()) {
        t.kind = Tok::kEnd;
        t.end = pos_;
        tokens->push_back(std::move(t));
        return Status::Ok();
      }
      RETURN_IF_ERROR(Next(&t));
      t.end = pos_;
      t.text = text_.substr(t.offset, t.end - t.offset);
      tokens->push_back(std::move(t));
    }
  }

 private:
  Status Fail(size_t offset, std::string message) {
    if (error_offset_ != nullptr) *error_offset_ = offset;
    return Status::InvalidArgument(std::move(message));
  }

  bool Match(char c) {
    if (pos_ < text_.size() && text_[pos_] == c) {
      ++pos_;
      return true;
    }
    return false;
  }

  Status Next(Token* t) {
    const char c = text_[pos_];
    if (IsDigit(c)) return Number(t);
    if (c == '\'' || c == '"') return String(t);
    if (IsIdentStart(c)) {
      while (pos_ < text_.size() && IsIdentChar(text_[pos_])) ++pos_;
      t->kind = Tok::kIdent;
      return Status::Ok();
    }
    ++pos_;
    switch (c) {
      case '$':
        if (pos_ == text_.size() || !IsIdentStart(text_[pos_])) {
          return Fail(t->offset, "expected a name after '$' such as $key or $timestamp");
        }
        while (pos_ < text_.size() && IsIdentChar(text_[pos_])) ++pos_;
        t->kind = Tok::kDollar;
        return Status::Ok();
      case '(': t->kind = Tok::kLParen; return Status::Ok();
      case ')': t->kind = Tok::kRParen; return Status::Ok();
      case '[': t->kind = Tok::kLBracket; return Status::Ok();
      case ']': t->kind = Tok::kRBracket; return Status::Ok();
      case '{': t->kind = Tok::kLBrace; return Status::Ok();
      case '}': t->kind = Tok::kRBrace; return Status::Ok();
      case ',': t->kind = Tok::kComma; return Status::Ok();
      case '.': t->kind = Tok::kDot; return Status::Ok();
      case '+': t->kind = Tok::kPlus; return Status::Ok();
      case '-': t->kind = Tok::kMinus; return Status::Ok();
      case '*': t->kind = Tok::kStar; return Status::Ok();
      case '/': t->kind = Tok::kSlash; return Status::Ok();
      case '%': t->kind = Tok::kPercent; return Status::Ok();
      case ':': t->kind = Tok::kColon; return Status::Ok();
      case '<': t->kind = Match('=') ? Tok::kLessEq : Tok::kLess; return Status::Ok();
      case '>': t->kind = Match('=') ? Tok::kGreaterEq : Tok::kGreater; return Status::Ok();
      case '!': t->kind = Match('=') ? Tok::kNotEq : Tok::kBang; return Status::Ok();
      case '?': t->kind = Match('?') ? Tok::kQuestionQuestion : Tok::kQuestion; return Status::Ok();
      case '=':
        if (Match('=')) {
          t->kind = Tok::kEqEq;
          return Status::Ok();
        }
        return Fail(t->offset, "unexpected '='; use '==' to compare");
      case '&':
        if (Match('&')) {
          t->kind = Tok::kAndAnd;
          return Status::Ok();
        }
        return Fail(t->offset, "unexpected '&'; use '&&' or 'and'");
      case '|':
        if (Match('|')) {
          t->kind = Tok::kOrOr;
          return Status::Ok();
        }
        return Fail(t->offset, "unexpected '|'; use '||' or 'or'");
      default: break;
    }
    return Fail(t->offset, std::string("unexpected character '") + c + "'");
  }

  Status Number(Token* t) {
    const size_t start = pos_;
    bool is_double = false;
    while (pos_ < text_.size() && IsDigit(text_[pos_])) ++pos_;
    // A '.' is part of the number only when a digit follows, so `a[0].b` lexes as a path.
    if (pos_ + 1 < text_.size() && text_[pos_] == '.' && IsDigit(text_[pos_ + 1])) {
      is_double = true;
      ++pos_;
      while (pos_ < text_.size() && IsDigit(text_[pos_])) ++pos_;
    }
    if (pos_ < text_.size() && (text_[pos_] == 'e' || text_[pos_] == 'E')) {
      is_double = true;
      ++pos_;
      if (pos_ < text_.size() && (text_[pos_] == '+' || text_[pos_] == '-')) ++pos_;
      if (pos_ == text_.size() || !IsDigit(text_[pos_])) return Fail(pos_, "expected digits in the exponent");
      while (pos_ < text_.size() && IsDigit(text_[pos_])) ++pos_;
    }
    if (pos_ < text_.size() && IsIdentChar(text_[pos_])) {
      return Fail(pos_, "unexpected '" + std::string(1, text_[pos_]) + "' after a number");
    }
    const std::string_view digits = text_.substr(start, pos_ - start);
    if (is_double) {
      // from_chars: locale-independent, unlike strtod.
      t->kind = Tok::kDouble;
      auto r = std::from_chars(digits.data(), digits.data() + digits.size(), t->double_value);
      if (r.ec != std::errc()) return Fail(start, "number " + std::string(digits) + " is out of range");
      return Status::Ok();
    }
    auto r = std::from_chars(digits.data(), digits.data() + digits.size(), t->uint_value);
    if (r.ec != std::errc() || t->uint_value > (uint64_t{1} << 63)) {
      return Fail(start, "integer literal " + std::string(digits) + " is out of range for a 64-bit integer");
    }
    t->kind = Tok::kInt;
    return Status::Ok();
  }

  Status String(Token* t) {
    const char quote = text_[pos_++];
    t->kind = Tok::kString;
    while (true) {
      if (pos_ == text_.size())
        return Fail(t->offset, "unterminated string literal; expected a closing " + std::string(1, quote));
      const char c = text_[pos_];
      if (c == quote) {
        ++pos_;
        return Status::Ok();
      }
      if (c != '\\') {
        t->str.push_back(c);
        ++pos_;
        continue;
      }
      const size_t escape_at = pos_;
      ++pos_;
      if (pos_ == text_.size())
        return Fail(escape_at, "unterminated string literal; expected a closing " + std::string(1, quote));
      const char e = text_[pos_++];
      switch (e) {
        case 'n': t->str.push_back('\n'); break;
        case 't': t->str.push_back('\t'); break;
        case 'r': t->str.push_back('\r'); break;
        case '0': t->str.push_back('\0'); break;
        case '\\': t->str.push_back('\\'); break;
        case '\'': t->str.push_back('\''); break;
        case '"': t->str.push_back('"'); break;
        case '/': t->str.push_back('/'); break;
        case 'u': {
          uint32_t cp = 0;
          for (int k = 0; k < 4; ++k) {
            const int h = pos_ < text_.size() ? HexDigit(text_[pos_]) : -1;
            if (h < 0) return Fail(escape_at, "expected 4 hex digits after \\u");
            cp = cp * 16 + static_cast<uint32_t>(h);
            ++pos_;
          }
          AppendUtf8(&t->str, cp);
          break;
        }
        default:
          return Fail(escape_at, std::string("unknown escape '\\") + e +
                                     "'; expected one of \\n \\t \\r \\0 \\\\ \\' \\\" \\/ \\uXXXX");
      }
    }
  }

  std::string_view text_;
  size_t* error_offset_;
  size_t pos_ = 0;
};

}  // namespace

Status Lex(std::string_view text, std::vector<Token>* tokens, size_t* error_offset) {
  return Lexer(text, error_offset).Run(tokens);
}

std::string DescribeToken(const Token& token) {
  if (token.kind == Tok::kEnd) return "end of expression";
  return "'" + std::string(token.text) + "'";
}

}  // namespace streamapp::expr
