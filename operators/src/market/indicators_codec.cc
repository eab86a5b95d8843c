// Encode/Decode of the indicator states (format: see indicators.h).
#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <string>

#include "market/indicators.h"

namespace streamapp::market {
namespace {

constexpr uint8_t kFormatVersion = 1;

// One tag per calculator, so that one kind's bytes never decode as another's.
enum class Kind : uint8_t {
  kSma = 1,
  kEma = 2,
  kRsi = 3,
  kMacd = 4,
  kBollinger = 5,
  kRollingVolatility = 6,
  kRollingZScore = 7,
};

// CRC-32 (IEEE 802.3, reflected, as zlib's crc32): catches every single-bit
// and every burst error up to 32 bits, which structural checks alone cannot
// (a flipped bit inside a double still decodes).
uint32_t Crc32(std::string_view bytes) {
  static const std::array<uint32_t, 256> kTable = [] {
    std::array<uint32_t, 256> table{};
    for (uint32_t i = 0; i < 256; ++i) {
      uint32_t c = i;
      for (int bit = 0; bit < 8; ++bit) c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
      table[i] = c;
    }
    return table;
  }();
  uint32_t crc = 0xFFFFFFFFu;
  for (char ch : bytes) crc = kTable[(crc ^ static_cast<uint8_t>(ch)) & 0xFF] ^ (crc >> 8);
  return crc ^ 0xFFFFFFFFu;
}

class Writer {
 public:
  explicit Writer(Kind kind) {
    U8(kFormatVersion);
    U8(static_cast<uint8_t>(kind));
  }
  void U8(uint8_t v) { out_.push_back(static_cast<char>(v)); }
  void U32(uint32_t v) {
    for (int i = 0; i < 4; ++i) U8(static_cast<uint8_t>(v >> (8 * i)));
  }
  void F64(double v) {
    uint64_t bits;
    std::memcpy(&bits, &v, sizeof bits);
    for (int i = 0; i < 8; ++i) U8(static_cast<uint8_t>(bits >> (8 * i)));
  }
  void Int(int v) { U32(static_cast<uint32_t>(v)); }
  void Bytes(std::string_view b) {
    U32(static_cast<uint32_t>(b.size()));
    out_.append(b);
  }
  void Window(const internal::Window& w) {
    Int(w.size());
    for (int i = 0; i < w.size(); ++i) F64(w.at(i));
  }
  std::string Finish() && {
    U32(Crc32(out_));
    return std::move(out_);
  }

 private:
  std::string out_;
};

// Reads fields in order. A failed read latches: later reads fail too and
// Finish reports it, so call sites need no check per field.
class Reader {
 public:
  Reader(std::string_view bytes, Kind kind, const char* what) : what_(what) {
    if (bytes.size() < 6) {
      Fail("truncated");
      return;
    }
    const std::string_view body = bytes.substr(0, bytes.size() - 4);
    rest_ = bytes.substr(bytes.size() - 4);
    uint32_t crc = 0;
    U32(&crc);
    if (crc != Crc32(body)) {
      Fail("checksum mismatch (corrupt or truncated)");
      return;
    }
    rest_ = body;
    uint8_t version = 0, tag = 0;
    U8(&version);
    U8(&tag);
    if (version != kFormatVersion) Fail("unknown format version " + std::to_string(version));
    if (tag != static_cast<uint8_t>(kind)) Fail("state of another kind (tag " + std::to_string(tag) + ")");
  }

  bool ok() const { return error_.empty(); }
  Status status() const {
    return ok() ? Status::Ok() : Status::InvalidArgument(std::string(what_) + " state: " + error_);
  }
  void Fail(std::string why) {
    if (error_.empty()) error_ = std::move(why);
  }
  void Check(bool cond, const char* why) {
    if (!cond) Fail(why);
  }

  void U8(uint8_t* v) {
    if (!Take(1)) return;
    *v = static_cast<uint8_t>(rest_[0]);
    rest_.remove_prefix(1);
  }
  void U32(uint32_t* v) {
    if (!Take(4)) return;
    *v = 0;
    for (int i = 0; i < 4; ++i) *v |= static_cast<uint32_t>(static_cast<uint8_t>(rest_[i])) << (8 * i);
    rest_.remove_prefix(4);
  }
  // A double the calculator can hold: finite.
  void F64(double* v) {
    if (!Take(8)) return;
    uint64_t bits = 0;
    for (int i = 0; i < 8; ++i) bits |= static_cast<uint64_t>(static_cast<uint8_t>(rest_[i])) << (8 * i);
    rest_.remove_prefix(8);
    std::memcpy(v, &bits, sizeof bits);
    Check(std::isfinite(*v), "non-finite value");
  }
  void Bool(bool* v) {
    uint8_t b = 0;
    U8(&b);
    Check(b <= 1, "bad flag");
    *v = b == 1;
  }
  // An integer in [min, max].
  void Int(int* v, int min, int max, const char* why) {
    uint32_t u = 0;
    U32(&u);
    const bool in_range = u >= static_cast<uint32_t>(min) && u <= static_cast<uint32_t>(max);
    Check(in_range, why);
    *v = in_range ? static_cast<int>(u) : min;
  }
  void Period(int* v, int min) { Int(v, min, kMaxPeriod, "period out of range"); }
  void Bytes(std::string_view* v) {
    uint32_t n = 0;
    U32(&n);
    if (!Take(n)) return;
    *v = rest_.substr(0, n);
    rest_.remove_prefix(n);
  }
  // Values for `w`, which was built with its capacity (the decoded period).
  void Window(internal::Window* w) {
    int n = 0;
    Int(&n, 0, w->capacity(), "window size above its period");
    for (int i = 0; i < n && ok(); ++i) {
      double v = 0;
      F64(&v);
      w->Push(v);
    }
  }

  // The decoded value, or why there is none. Every byte must be consumed.
  template <typename T>
  Result<T> Finish(T value) {
    if (ok() && !rest_.empty()) Fail("trailing bytes");
    if (!ok()) return status();
    return value;
  }

 private:
  bool Take(size_t n) {
    if (!ok()) return false;
    if (rest_.size() < n) {
      Fail("truncated");
      return false;
    }
    return true;
  }

  const char* what_;
  std::string_view rest_;
  std::string error_;
};

}  // namespace

// Decoders build the calculator through Make (valid parameters) and then fill
// its state; a Reader that already failed makes Finish return the error.

std::string Sma::Encode() const {
  Writer w(Kind::kSma);
  w.Int(period());
  w.Window(window_);
  return std::move(w).Finish();
}

Result<Sma> Sma::Decode(std::string_view bytes) {
  Reader r(bytes, Kind::kSma, "Sma");
  int period = 1;
  r.Period(&period, 1);
  Sma out(period);
  r.Window(&out.window_);
  return r.Finish(std::move(out));
}

std::string Ema::Encode() const {
  Writer w(Kind::kEma);
  w.Int(period_);
  w.Int(seen_);
  w.F64(seed_sum_);
  w.F64(value_);
  return std::move(w).Finish();
}

Result<Ema> Ema::Decode(std::string_view bytes) {
  Reader r(bytes, Kind::kEma, "Ema");
  int period = 1;
  r.Period(&period, 1);
  Ema out(period);
  r.Int(&out.seen_, 0, period, "seen count above period");
  r.F64(&out.seed_sum_);
  r.F64(&out.value_);
  return r.Finish(std::move(out));
}

std::string Rsi::Encode() const {
  Writer w(Kind::kRsi);
  w.Int(period_);
  w.U8(has_prev_ ? 1 : 0);
  w.Int(changes_);
  for (double v : {prev_, sum_gain_, sum_loss_, avg_gain_, avg_loss_}) w.F64(v);
  return std::move(w).Finish();
}

Result<Rsi> Rsi::Decode(std::string_view bytes) {
  Reader r(bytes, Kind::kRsi, "Rsi");
  int period = 1;
  r.Period(&period, 1);
  Rsi out(period);
  r.Bool(&out.has_prev_);
  r.Int(&out.changes_, 0, period, "change count above period");
  for (double* v : {&out.prev_, &out.sum_gain_, &out.sum_loss_, &out.avg_gain_, &out.avg_loss_}) r.F64(v);
  r.Check(out.has_prev_ || out.changes_ == 0, "changes without a previous price");
  r.Check(out.sum_gain_ >= 0 && out.sum_loss_ >= 0 && out.avg_gain_ >= 0 && out.avg_loss_ >= 0,
          "negative average gain or loss");
  return r.Finish(std::move(out));
}

std::string Macd::Encode() const {
  Writer w(Kind::kMacd);
  w.Bytes(fast_.Encode());
  w.Bytes(slow_.Encode());
  w.Bytes(signal_.Encode());
  return std::move(w).Finish();
}

Result<Macd> Macd::Decode(std::string_view bytes) {
  Reader r(bytes, Kind::kMacd, "Macd");
  std::string_view parts[3];
  for (std::string_view& part : parts) r.Bytes(&part);
  if (!r.ok()) return r.status();
  Result<Ema> fast = Ema::Decode(parts[0]);
  Result<Ema> slow = Ema::Decode(parts[1]);
  Result<Ema> signal = Ema::Decode(parts[2]);
  for (const Result<Ema>* e : {&fast, &slow, &signal}) {
    if (!e->ok()) return e->status().WithContext("Macd state");
  }
  // The three EMAs see the same stream, so their progress is linked.
  r.Check(fast->period_ < slow->period_, "fast period not below slow period");
  r.Check(fast->seen_ == std::min(slow->seen_, fast->period_), "fast and slow EMA out of step");
  r.Check(slow->ready() || signal->seen_ == 0, "signal started before the line existed");
  return r.Finish(Macd(*fast, *slow, *signal));
}

std::string Bollinger::Encode() const {
  Writer w(Kind::kBollinger);
  w.Int(period());
  w.F64(k_);
  w.Window(window_);
  return std::move(w).Finish();
}

Result<Bollinger> Bollinger::Decode(std::string_view bytes) {
  Reader r(bytes, Kind::kBollinger, "Bollinger");
  int period = 1;
  r.Period(&period, 1);
  double k = 0;
  r.F64(&k);
  r.Check(k >= 0, "negative k");
  Bollinger out(period, k);
  r.Window(&out.window_);
  return r.Finish(std::move(out));
}

std::string RollingVolatility::Encode() const {
  Writer w(Kind::kRollingVolatility);
  w.Int(period());
  w.U8(has_prev_ ? 1 : 0);
  w.F64(prev_);
  w.Window(returns_);
  return std::move(w).Finish();
}

Result<RollingVolatility> RollingVolatility::Decode(std::string_view bytes) {
  Reader r(bytes, Kind::kRollingVolatility, "RollingVolatility");
  int period = 2;
  r.Period(&period, 2);
  RollingVolatility out(period);
  r.Bool(&out.has_prev_);
  r.F64(&out.prev_);
  r.Check(!out.has_prev_ || out.prev_ > 0, "non-positive previous price");
  r.Window(&out.returns_);
  r.Check(out.has_prev_ || out.returns_.size() == 0, "returns without a previous price");
  return r.Finish(std::move(out));
}

std::string RollingZScore::Encode() const {
  Writer w(Kind::kRollingZScore);
  w.Int(period());
  w.Window(window_);
  return std::move(w).Finish();
}

Result<RollingZScore> RollingZScore::Decode(std::string_view bytes) {
  Reader r(bytes, Kind::kRollingZScore, "RollingZScore");
  int period = 2;
  r.Period(&period, 2);
  RollingZScore out(period);
  r.Window(&out.window_);
  return r.Finish(std::move(out));
}

}  // namespace streamapp::market
