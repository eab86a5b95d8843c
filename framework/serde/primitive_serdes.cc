// string, bytes, int64 and double serdes.
#include <simdjson.h>

#include <bit>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <string>

#include "serde/serde_impls.h"

namespace streamapp::serde {
namespace {

std::string TypeError(std::string_view serde, const Value& value) {
  return "serde '" + std::string(serde) + "' cannot encode a " + std::string(TypeName(value.type())) + " value";
}

// Offset of the first byte that is not part of valid UTF-8, or npos.
size_t FirstInvalidUtf8(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    size_t len;
    uint32_t min;
    if (c < 0x80) {
      ++i;
      continue;
    } else if ((c & 0xE0) == 0xC0) {
      len = 2;
      min = 0x80;
    } else if ((c & 0xF0) == 0xE0) {
      len = 3;
      min = 0x800;
    } else if ((c & 0xF8) == 0xF0) {
      len = 4;
      min = 0x10000;
    } else {
      return i;
    }
    if (i + len > s.size()) return i;
    uint32_t cp = c & (0x7F >> len);
    for (size_t k = 1; k < len; ++k) {
      unsigned char cc = static_cast<unsigned char>(s[i + k]);
      if ((cc & 0xC0) != 0x80) return i;
      cp = (cp << 6) | (cc & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return i;
    i += len;
  }
  return std::string_view::npos;
}

void AppendDouble(std::string* out, double d) {
  char buf[32];
  auto r = std::to_chars(buf, buf + sizeof buf, d);  // shortest round-trip form
  out->append(buf, r.ptr);
}

void PutBigEndian(uint64_t bits, std::string* out) {
  out->resize(8);
  for (int i = 7; i >= 0; --i) {
    (*out)[i] = static_cast<char>(bits & 0xFF);
    bits >>= 8;
  }
}

Status GetBigEndian(std::string_view serde, std::string_view bytes, uint64_t* bits) {
  if (bytes.size() != 8) {
    return Status::DataError("serde '" + std::string(serde) + "' expects exactly 8 bytes, got " +
                             std::to_string(bytes.size()));
  }
  uint64_t v = 0;
  for (char c : bytes) v = (v << 8) | static_cast<unsigned char>(c);
  *bits = v;
  return Status::Ok();
}

// True when `d` is integral and representable as int64 (-2^63 <= d < 2^63).
bool DoubleToInt64(double d, int64_t* out) {
  if (!std::isfinite(d) || d != std::trunc(d) || d < -9223372036854775808.0 || d >= 9223372036854775808.0) {
    return false;
  }
  *out = static_cast<int64_t>(d);
  return true;
}

class StringSerde final : public Serde {
 public:
  const std::string& spec() const override { return spec_; }

  Status Deserialize(std::string_view bytes, Value* out) const override {
    if (!simdjson::validate_utf8(bytes.data(), bytes.size())) {
      return Status::DataError("serde 'string': invalid UTF-8 at byte " + std::to_string(FirstInvalidUtf8(bytes)));
    }
    *out = Value(bytes);
    return Status::Ok();
  }

  Status Serialize(const Value& value, std::string* out) const override {
    out->clear();
    switch (value.type()) {
      case Value::Type::kString: out->assign(value.as_string()); break;
      case Value::Type::kBytes: out->assign(value.as_bytes().data); break;
      case Value::Type::kDouble: AppendDouble(out, value.as_double()); break;
      case Value::Type::kNull: return Status::DataError(TypeError(spec_, value));
      default: value.AppendJson(out);  // bool, int, array, object
    }
    return Status::Ok();
  }

 private:
  std::string spec_ = "string";
};

class BytesSerde final : public Serde {
 public:
  const std::string& spec() const override { return spec_; }

  Status Deserialize(std::string_view bytes, Value* out) const override {
    *out = Value(Value::Bytes{std::string(bytes)});
    return Status::Ok();
  }

  Status Serialize(const Value& value, std::string* out) const override {
    if (value.is_bytes()) {
      out->assign(value.as_bytes().data);
    } else if (value.is_string()) {
      out->assign(value.as_string());
    } else {
      return Status::DataError(TypeError(spec_, value));
    }
    return Status::Ok();
  }

 private:
  std::string spec_ = "bytes";
};

class Int64Serde final : public Serde {
 public:
  const std::string& spec() const override { return spec_; }

  Status Deserialize(std::string_view bytes, Value* out) const override {
    uint64_t bits;
    RETURN_IF_ERROR(GetBigEndian(spec_, bytes, &bits));
    *out = Value(static_cast<int64_t>(bits));
    return Status::Ok();
  }

  Status Serialize(const Value& value, std::string* out) const override {
    int64_t v = 0;
    if (value.is_int()) {
      v = value.as_int();
    } else if (value.is_double()) {
      if (!DoubleToInt64(value.as_double(), &v)) {
        std::string text;
        AppendDouble(&text, value.as_double());
        return Status::DataError("serde 'int64' cannot encode the non-integral or out-of-range double " + text);
      }
    } else if (value.is_string()) {
      const std::string& s = value.as_string();
      auto r = std::from_chars(s.data(), s.data() + s.size(), v);
      if (r.ec != std::errc() || r.ptr != s.data() + s.size()) {
        return Status::DataError("serde 'int64' cannot encode the string '" + s + "': not a 64-bit integer");
      }
    } else {
      return Status::DataError(TypeError(spec_, value));
    }
    PutBigEndian(static_cast<uint64_t>(v), out);
    return Status::Ok();
  }

 private:
  std::string spec_ = "int64";
};

class DoubleSerde final : public Serde {
 public:
  const std::string& spec() const override { return spec_; }

  Status Deserialize(std::string_view bytes, Value* out) const override {
    uint64_t bits;
    RETURN_IF_ERROR(GetBigEndian(spec_, bytes, &bits));
    *out = Value(std::bit_cast<double>(bits));
    return Status::Ok();
  }

  Status Serialize(const Value& value, std::string* out) const override {
    if (!value.is_number()) return Status::DataError(TypeError(spec_, value));
    PutBigEndian(std::bit_cast<uint64_t>(value.as_number()), out);
    return Status::Ok();
  }

 private:
  std::string spec_ = "double";
};

}  // namespace

std::shared_ptr<const Serde> MakeStringSerde() {
  return std::make_shared<StringSerde>();
}
std::shared_ptr<const Serde> MakeBytesSerde() {
  return std::make_shared<BytesSerde>();
}
std::shared_ptr<const Serde> MakeInt64Serde() {
  return std::make_shared<Int64Serde>();
}
std::shared_ptr<const Serde> MakeDoubleSerde() {
  return std::make_shared<DoubleSerde>();
}

}  // namespace streamapp::serde
