#include "encoder.h"

#include <charconv>
#include <cmath>
#include <cstring>

namespace streamapp::generators {

void AppendJsonString(std::string_view v, std::string* out) {
  out->push_back('"');
  for (char c : v) {
    const auto u = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out->push_back('\\');
      out->push_back(c);
    } else if (u < 0x20) {
      static const char kHex[] = "0123456789abcdef";
      out->append("\\u00");
      out->push_back(kHex[u >> 4]);
      out->push_back(kHex[u & 15]);
    } else {
      out->push_back(c);
    }
  }
  out->push_back('"');
}

void AppendDouble(double v, std::string* out) {
  char buf[32];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  (void)ec;  // 32 bytes always fit a double
  const std::string_view text(buf, static_cast<size_t>(end - buf));
  out->append(text);
  if (text.find_first_of(".en") == std::string_view::npos) out->append(".0");
}

void AppendInt(int64_t v, std::string* out) {
  char buf[24];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  (void)ec;
  out->append(buf, static_cast<size_t>(end - buf));
}

void AppendCents(int64_t cents, std::string* out) {
  if (cents < 0) {
    out->push_back('-');
    cents = -cents;
  }
  AppendInt(cents / 100, out);
  out->push_back('.');
  out->push_back(static_cast<char>('0' + (cents % 100) / 10));
  out->push_back(static_cast<char>('0' + cents % 10));
}

double RoundTo(double v, int decimals) {
  const double scale = std::pow(10.0, decimals);
  return std::round(v * scale) / scale;
}

void Encoder::Begin(std::string* out, int omit, int mistype) {
  out_ = out;
  out_->clear();
  omit_ = omit;
  mistype_ = mistype;
  first_ = true;
  if (format_ == Format::kJson) out_->push_back('{');
}

void Encoder::End() {
  if (format_ == Format::kJson) out_->push_back('}');
}

void Encoder::Corrupt() {
  if (format_ == Format::kJson) {
    // Cut inside the record: an unterminated object is never valid JSON.
    out_->resize(out_->size() * 2 / 3);
  } else {
    // Field 1 with wire type 7, which does not exist: no parser accepts it.
    out_->push_back(static_cast<char>((1 << 3) | 7));
    out_->push_back('\x01');
  }
}

void Encoder::Key(std::string_view name) {
  if (!first_) out_->push_back(',');
  first_ = false;
  AppendJsonString(name, out_);
  out_->push_back(':');
}

void Encoder::Tag(int number, int wire_type) {
  Varint((static_cast<uint64_t>(number) << 3) | static_cast<uint64_t>(wire_type));
}

void Encoder::Varint(uint64_t v) {
  while (v >= 0x80) {
    out_->push_back(static_cast<char>((v & 0x7f) | 0x80));
    v >>= 7;
  }
  out_->push_back(static_cast<char>(v));
}

void Encoder::Fixed64(uint64_t v) {
  char bytes[8];
  for (int i = 0; i < 8; ++i) bytes[i] = static_cast<char>((v >> (8 * i)) & 0xff);  // little-endian
  out_->append(bytes, 8);
}

// JSON: a string where a number is expected and vice versa. Protobuf: the
// field number with the other wire type (varint for a string field,
// length-delimited for a number); proto3 parsers keep such a field as an
// unknown field, so the reader sees the field's default value.
void Encoder::Mistyped(int number, std::string_view name, bool is_string) {
  if (format_ == Format::kJson) {
    Key(name);
    out_->append(is_string ? "12345" : "\"n/a\"");
    return;
  }
  if (is_string) {
    Tag(number, 0);
    Varint(12345);
  } else {
    Tag(number, 2);
    Varint(3);
    out_->append("n/a");
  }
}

void Encoder::String(int number, std::string_view name, std::string_view v) {
  if (Skip(number)) return;
  if (number == mistype_) return Mistyped(number, name, true);
  if (format_ == Format::kJson) {
    Key(name);
    AppendJsonString(v, out_);
  } else {
    Tag(number, 2);
    Varint(v.size());
    out_->append(v);
  }
}

void Encoder::Int(int number, std::string_view name, int64_t v) {
  if (Skip(number)) return;
  if (number == mistype_) return Mistyped(number, name, false);
  if (format_ == Format::kJson) {
    Key(name);
    AppendInt(v, out_);
  } else {
    Tag(number, 0);
    Varint(static_cast<uint64_t>(v));  // int64: two's complement, 10 bytes when negative
  }
}

void Encoder::Double(int number, std::string_view name, double v) {
  if (Skip(number)) return;
  if (number == mistype_) return Mistyped(number, name, false);
  if (format_ == Format::kJson) {
    Key(name);
    AppendDouble(v, out_);
  } else {
    uint64_t bits;
    std::memcpy(&bits, &v, sizeof bits);
    Tag(number, 1);
    Fixed64(bits);
  }
}

void Encoder::Cents(int number, std::string_view name, int64_t cents) {
  if (format_ == Format::kProtobuf || Skip(number) || number == mistype_) {
    return Double(number, name, static_cast<double>(cents) / 100.0);
  }
  Key(name);
  AppendCents(cents, out_);
}

void Encoder::Bool(int number, std::string_view name, bool v) {
  if (Skip(number)) return;
  if (number == mistype_) return Mistyped(number, name, false);
  if (format_ == Format::kJson) {
    Key(name);
    out_->append(v ? "true" : "false");
  } else {
    Tag(number, 0);
    Varint(v ? 1 : 0);
  }
}

}  // namespace streamapp::generators
