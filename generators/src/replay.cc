// The dump/replay line format (replay.h). A small strict JSON scanner of its
// own: a replayed value must be produced byte for byte as written, which a
// DOM parser (that re-serializes) would not give.
#include "streamapp/generators/replay.h"

#include <charconv>

#include "encoder.h"

namespace streamapp::generators {
namespace {

constexpr char kBase64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

void AppendBase64(std::string_view in, std::string* out) {
  size_t i = 0;
  for (; i + 3 <= in.size(); i += 3) {
    const uint32_t n = (uint32_t{static_cast<uint8_t>(in[i])} << 16) |
                       (uint32_t{static_cast<uint8_t>(in[i + 1])} << 8) | static_cast<uint8_t>(in[i + 2]);
    for (int s = 18; s >= 0; s -= 6) out->push_back(kBase64[(n >> s) & 63]);
  }
  if (i < in.size()) {
    uint32_t n = uint32_t{static_cast<uint8_t>(in[i])} << 16;
    if (i + 1 < in.size()) n |= uint32_t{static_cast<uint8_t>(in[i + 1])} << 8;
    out->push_back(kBase64[(n >> 18) & 63]);
    out->push_back(kBase64[(n >> 12) & 63]);
    out->push_back(i + 1 < in.size() ? kBase64[(n >> 6) & 63] : '=');
    out->push_back('=');
  }
}

bool DecodeBase64(std::string_view in, std::string* out) {
  out->clear();
  uint32_t acc = 0;
  int bits = 0;
  size_t pad = 0;
  for (char c : in) {
    if (c == '=') {
      ++pad;
      continue;
    }
    if (pad > 0) return false;  // data after padding
    const char* p = std::char_traits<char>::find(kBase64, 64, c);
    if (p == nullptr) return false;
    acc = (acc << 6) | static_cast<uint32_t>(p - kBase64);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out->push_back(static_cast<char>((acc >> bits) & 0xff));
    }
  }
  return pad <= 2 && (in.size() % 4 == 0);
}

class Scanner {
 public:
  explicit Scanner(std::string_view text) : s_(text) {}

  void SkipSpace() {
    while (i_ < s_.size() && (s_[i_] == ' ' || s_[i_] == '\t' || s_[i_] == '\r' || s_[i_] == '\n')) ++i_;
  }
  bool AtEnd() {
    SkipSpace();
    return i_ == s_.size();
  }
  bool Consume(char c) {
    SkipSpace();
    if (i_ < s_.size() && s_[i_] == c) {
      ++i_;
      return true;
    }
    return false;
  }
  char Peek() {
    SkipSpace();
    return i_ < s_.size() ? s_[i_] : '\0';
  }
  size_t pos() const { return i_; }

  // A JSON string, unescaped into *out.
  Status String(std::string* out) {
    out->clear();
    if (!Consume('"')) return Error("expected a string");
    while (i_ < s_.size()) {
      const char c = s_[i_++];
      if (c == '"') return Status::Ok();
      if (static_cast<unsigned char>(c) < 0x20) return Error("control character in a string");
      if (c != '\\') {
        out->push_back(c);
        continue;
      }
      if (i_ >= s_.size()) break;
      const char e = s_[i_++];
      switch (e) {
        case '"': out->push_back('"'); break;
        case '\\': out->push_back('\\'); break;
        case '/': out->push_back('/'); break;
        case 'b': out->push_back('\b'); break;
        case 'f': out->push_back('\f'); break;
        case 'n': out->push_back('\n'); break;
        case 'r': out->push_back('\r'); break;
        case 't': out->push_back('\t'); break;
        case 'u': {
          uint32_t cp;
          RETURN_IF_ERROR(Hex4(&cp));
          if (cp >= 0xd800 && cp < 0xdc00) {  // a surrogate pair
            uint32_t low;
            if (i_ + 2 > s_.size() || s_[i_] != '\\' || s_[i_ + 1] != 'u') return Error("unpaired surrogate");
            i_ += 2;
            RETURN_IF_ERROR(Hex4(&low));
            if (low < 0xdc00 || low > 0xdfff) return Error("unpaired surrogate");
            cp = 0x10000 + ((cp - 0xd800) << 10) + (low - 0xdc00);
          }
          AppendUtf8(cp, out);
          break;
        }
        default: return Error("bad escape in a string");
      }
    }
    return Error("unterminated string");
  }

  // Skips any JSON value, checking its syntax.
  Status Skip(int depth = 0) {
    if (depth > 200) return Error("nesting too deep");
    const char c = Peek();
    if (c == '"') {
      std::string ignored;
      return String(&ignored);
    }
    if (c == '{' || c == '[') {
      ++i_;
      const char close = c == '{' ? '}' : ']';
      if (Consume(close)) return Status::Ok();
      do {
        if (c == '{') {
          std::string ignored;
          RETURN_IF_ERROR(String(&ignored));
          if (!Consume(':')) return Error("expected ':'");
        }
        RETURN_IF_ERROR(Skip(depth + 1));
      } while (Consume(','));
      if (!Consume(close)) return Error(std::string("expected ',' or '") + close + "'");
      return Status::Ok();
    }
    for (std::string_view word : {"true", "false", "null"}) {
      if (s_.substr(i_, word.size()) == word) {
        i_ += word.size();
        return Status::Ok();
      }
    }
    return Number(nullptr);
  }

  // A JSON number; *out gets it when it is an integer (nullptr: any number).
  Status Number(int64_t* out) {
    SkipSpace();
    const size_t start = i_;
    if (i_ < s_.size() && s_[i_] == '-') ++i_;
    if (i_ >= s_.size() || !IsDigit(s_[i_])) return Error("expected a value");
    if (s_[i_] == '0') {
      ++i_;
    } else {
      while (i_ < s_.size() && IsDigit(s_[i_])) ++i_;
    }
    bool integral = true;
    if (i_ < s_.size() && s_[i_] == '.') {
      integral = false;
      ++i_;
      if (i_ >= s_.size() || !IsDigit(s_[i_])) return Error("bad number");
      while (i_ < s_.size() && IsDigit(s_[i_])) ++i_;
    }
    if (i_ < s_.size() && (s_[i_] == 'e' || s_[i_] == 'E')) {
      integral = false;
      ++i_;
      if (i_ < s_.size() && (s_[i_] == '+' || s_[i_] == '-')) ++i_;
      if (i_ >= s_.size() || !IsDigit(s_[i_])) return Error("bad number");
      while (i_ < s_.size() && IsDigit(s_[i_])) ++i_;
    }
    if (out != nullptr) {
      if (!integral) return Error("expected an integer");
      auto [end, ec] = std::from_chars(s_.data() + start, s_.data() + i_, *out);
      if (ec != std::errc() || end != s_.data() + i_) return Error("integer out of range");
    }
    return Status::Ok();
  }

  Status Error(const std::string& what) const {
    return Status::InvalidArgument(what + " at column " + std::to_string(i_ + 1));
  }

  std::string_view Slice(size_t from, size_t to) const { return s_.substr(from, to - from); }

 private:
  static bool IsDigit(char c) { return c >= '0' && c <= '9'; }

  Status Hex4(uint32_t* cp) {
    if (i_ + 4 > s_.size()) return Error("bad \\u escape");
    auto [end, ec] = std::from_chars(s_.data() + i_, s_.data() + i_ + 4, *cp, 16);
    if (ec != std::errc() || end != s_.data() + i_ + 4) return Error("bad \\u escape");
    i_ += 4;
    return Status::Ok();
  }

  static void AppendUtf8(uint32_t cp, std::string* out) {
    if (cp < 0x80) {
      out->push_back(static_cast<char>(cp));
    } else if (cp < 0x800) {
      out->push_back(static_cast<char>(0xc0 | (cp >> 6)));
      out->push_back(static_cast<char>(0x80 | (cp & 0x3f)));
    } else if (cp < 0x10000) {
      out->push_back(static_cast<char>(0xe0 | (cp >> 12)));
      out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3f)));
      out->push_back(static_cast<char>(0x80 | (cp & 0x3f)));
    } else {
      out->push_back(static_cast<char>(0xf0 | (cp >> 18)));
      out->push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3f)));
      out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3f)));
      out->push_back(static_cast<char>(0x80 | (cp & 0x3f)));
    }
  }

  std::string_view s_;
  size_t i_ = 0;
};

}  // namespace

Status ParseReplayLine(std::string_view line, ReplayRecord* out) {
  out->topic.clear();
  out->key.reset();
  out->value.reset();
  out->timestamp.reset();
  Scanner sc(line);
  if (!sc.Consume('{')) return sc.Error("expected a JSON object");
  bool has_value = false;
  std::string name, text;
  if (!sc.Consume('}')) {
    do {
      RETURN_IF_ERROR(sc.String(&name));
      if (!sc.Consume(':')) return sc.Error("expected ':'");
      const bool is_null = sc.Peek() == 'n';
      if (name == "topic") {
        RETURN_IF_ERROR(sc.String(&out->topic));
      } else if (name == "key") {
        if (is_null) {
          RETURN_IF_ERROR(sc.Skip());
        } else {
          RETURN_IF_ERROR(sc.String(&text));
          out->key = text;
        }
      } else if (name == "value") {
        if (has_value) return sc.Error("both value and value_base64");
        has_value = true;
        if (sc.Peek() == '"') {
          RETURN_IF_ERROR(sc.String(&text));
          out->value = text;
        } else {
          sc.SkipSpace();
          const size_t from = sc.pos();
          RETURN_IF_ERROR(sc.Skip());
          if (!is_null) out->value = std::string(sc.Slice(from, sc.pos()));
        }
      } else if (name == "value_base64") {
        if (has_value) return sc.Error("both value and value_base64");
        has_value = true;
        RETURN_IF_ERROR(sc.String(&text));
        std::string bytes;
        if (!DecodeBase64(text, &bytes)) return sc.Error("value_base64 is not base64");
        out->value = std::move(bytes);
      } else if (name == "timestamp") {
        int64_t ts;
        RETURN_IF_ERROR(sc.Number(&ts));
        if (ts < 0) return sc.Error("negative timestamp");
        out->timestamp = ts;
      } else {
        return sc.Error("unknown field '" + name + "' (expected topic, key, value, value_base64, timestamp)");
      }
    } while (sc.Consume(','));
    if (!sc.Consume('}')) return sc.Error("expected ',' or '}'");
  }
  if (!sc.AtEnd()) return sc.Error("text after the object");
  if (!has_value) return Status::InvalidArgument("no value (or value_base64) field");
  return Status::Ok();
}

void AppendDumpLine(const GeneratedRecord& record, std::string* out) {
  out->append("{\"topic\":");
  AppendJsonString(record.topic, out);
  out->append(",\"key\":");
  AppendJsonString(record.key, out);
  switch (record.value_kind) {
    case ValueKind::kJson:
      out->append(",\"value\":");
      out->append(record.value);
      break;
    case ValueKind::kText:
      out->append(",\"value\":");
      AppendJsonString(record.value, out);
      break;
    case ValueKind::kBinary:
      out->append(",\"value_base64\":\"");
      AppendBase64(record.value, out);
      out->push_back('"');
      break;
  }
  out->append(",\"timestamp\":");
  AppendInt(record.timestamp, out);
  out->append("}\n");
}

}  // namespace streamapp::generators
