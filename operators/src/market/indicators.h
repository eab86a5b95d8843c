// Streaming technical indicators for the crypto pipeline (docs: pipelines.md,
// "1. Crypto market analytics", steps 3 and 4).
//
// Every calculator is fed one observation at a time; Update returns the value
// after that observation, or std::nullopt while it is still warming up.
// Calculators are plain value types: operators keep one per symbol in a
// key-value store, so the whole state round-trips through Encode/Decode and a
// decoded calculator continues with bit-identical results.
//
// Construction goes through static Make(...) factories that validate the
// parameters (InvalidArgument otherwise); the only other way to get a
// calculator is Decode. Decode takes no parameters: the encoding carries them,
// and the caller compares with SameParams to detect a configuration change.
//
// Inputs: an observation that is not finite or beyond +-kMaxAbsInput (and, for
// RollingVolatility, a price below 1 / kMaxAbsInput, including <= 0) is
// ignored: the state does not change and Update returns std::nullopt, so one
// bad record cannot poison a symbol's state forever. The bound is far beyond
// any price or volume and keeps every intermediate (sums, squared deviations,
// ratios) finite, so every reachable state encodes to bytes Decode accepts.
//
// Numerics: windowed quantities are recomputed from the window's values (kept
// in a ring buffer) on every update, summing oldest to newest, instead of
// being maintained as running sums. Windows are short, so this is cheap, it
// cannot drift over millions of updates, and results depend only on the window
// contents, which is also what makes decoded state bit-identical.
//
// Encoding (binary): [format version u8][kind u8][parameters and state][CRC-32
// u32 of everything before it]. Integers and doubles are little-endian, doubles
// as their IEEE-754 bits. Decode rejects (InvalidArgument) a wrong version or
// kind, truncation, trailing bytes, a checksum mismatch, parameters Make would
// reject and states that break an invariant (a count above the period,
// non-finite values, negative average gains...); it never reads out of bounds.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "streamapp/status.h"

namespace streamapp::market {

// Upper bound for every period (TA-Lib's bound too); it also caps what a
// decoded state may ask us to allocate.
inline constexpr int kMaxPeriod = 100000;

// Largest accepted |observation| (see "Inputs" above).
inline constexpr double kMaxAbsInput = 1e150;

namespace internal {

// The last `capacity` values, oldest first. Storage is allocated once.
class Window {
 public:
  explicit Window(int capacity) : values_(static_cast<size_t>(capacity)) {}

  void Push(double value);
  int size() const { return size_; }
  int capacity() const { return static_cast<int>(values_.size()); }
  bool full() const { return size_ == capacity(); }
  // i = 0 is the oldest value.
  double at(int i) const { return values_[static_cast<size_t>((head_ + i) % capacity())]; }

  // Sum, oldest to newest.
  double Sum() const;
  // Sum of squared deviations from `mean`; exactly 0 when all values are equal
  // (a computed mean can be an ulp off the common value).
  double SumSquaredDeviations(double mean) const;

 private:
  std::vector<double> values_;
  int head_ = 0;  // index of the oldest value
  int size_ = 0;
};

}  // namespace internal

// Simple moving average of the last `period` values. First value at the
// period-th observation.
class Sma {
 public:
  static Result<Sma> Make(int period);
  static Result<Sma> Decode(std::string_view bytes);

  std::optional<double> Update(double value);
  bool ready() const { return window_.full(); }
  int period() const { return window_.capacity(); }
  bool SameParams(const Sma& other) const { return period() == other.period(); }
  std::string Encode() const;

 private:
  explicit Sma(int period) : window_(period) {}
  internal::Window window_;
};

// A rolling mean of volumes is an SMA.
using RollingMean = Sma;

// Exponential moving average, alpha = 2 / (period + 1), seeded with the SMA of
// the first `period` values (StockCharts' and TA-Lib's convention): the first
// value is that SMA, at the period-th observation; afterwards
// ema += alpha * (value - ema).
class Ema {
 public:
  static Result<Ema> Make(int period);
  static Result<Ema> Decode(std::string_view bytes);

  std::optional<double> Update(double value);
  bool ready() const { return seen_ == period_; }
  int period() const { return period_; }
  bool SameParams(const Ema& other) const { return period_ == other.period_; }
  std::string Encode() const;

 private:
  friend class Macd;  // checks the consistency of its three EMAs on Decode
  explicit Ema(int period) : period_(period) {}
  int period_;
  int seen_ = 0;         // observations used for the seed, up to period_
  double seed_sum_ = 0;  // sum of those observations
  double value_ = 0;     // the EMA once ready()
};

// Wilder's RSI. Changes are split into gains and losses (both >= 0); the first
// averages are the simple means of the first `period` changes, then
// avg = (avg * (period - 1) + current) / period. RSI = 100 - 100 / (1 + RS),
// RS = avg gain / avg loss. First value after period + 1 prices.
// Edge cases, as TA-Lib: avg loss 0 gives 100; avg gain and avg loss both 0
// (no movement at all) gives 0. (TA-Lib tests "both 0" with an absolute
// tolerance of 1e-14; we test exactly 0, since crypto prices can be tiny.)
class Rsi {
 public:
  static Result<Rsi> Make(int period = 14);
  static Result<Rsi> Decode(std::string_view bytes);

  std::optional<double> Update(double price);
  bool ready() const { return changes_ == period_; }
  int period() const { return period_; }
  bool SameParams(const Rsi& other) const { return period_ == other.period_; }
  std::string Encode() const;

 private:
  explicit Rsi(int period) : period_(period) {}
  double Value() const;
  int period_;
  bool has_prev_ = false;
  int changes_ = 0;  // changes seen, up to period_
  double prev_ = 0;
  double sum_gain_ = 0, sum_loss_ = 0;  // during warm-up
  double avg_gain_ = 0, avg_loss_ = 0;  // once ready()
};

struct MacdValue {
  double line;                      // EMA(fast) - EMA(slow)
  std::optional<double> signal;     // EMA(signal) of the line
  std::optional<double> histogram;  // line - signal
};

// MACD in StockCharts' form: both EMAs (SMA-seeded as Ema) start at the first
// price, so the line exists from the slow-th price; the signal is an Ema of
// the line, so it exists from price slow + signal - 1. (TA-Lib differs: it
// seeds the fast EMA later so both start at the same price.) Requires
// fast < slow.
class Macd {
 public:
  static Result<Macd> Make(int fast = 12, int slow = 26, int signal = 9);
  static Result<Macd> Decode(std::string_view bytes);

  std::optional<MacdValue> Update(double price);
  bool ready() const { return signal_.ready(); }
  int fast_period() const { return fast_.period(); }
  int slow_period() const { return slow_.period(); }
  int signal_period() const { return signal_.period(); }
  bool SameParams(const Macd& other) const;
  std::string Encode() const;

 private:
  Macd(Ema fast, Ema slow, Ema signal) : fast_(fast), slow_(slow), signal_(signal) {}
  Ema fast_, slow_, signal_;
};

struct BollingerValue {
  double middle;  // SMA
  double upper;   // middle + k * stddev
  double lower;   // middle - k * stddev
};

// Bollinger Bands with the POPULATION standard deviation of the window
// (divide by N), as John Bollinger and StockCharts define them. First value at
// the period-th observation.
class Bollinger {
 public:
  static Result<Bollinger> Make(int period = 20, double k = 2.0);
  static Result<Bollinger> Decode(std::string_view bytes);

  std::optional<BollingerValue> Update(double value);
  bool ready() const { return window_.full(); }
  int period() const { return window_.capacity(); }
  double k() const { return k_; }
  bool SameParams(const Bollinger& other) const { return period() == other.period() && k_ == other.k_; }
  std::string Encode() const;

 private:
  Bollinger(int period, double k) : window_(period), k_(k) {}
  internal::Window window_;
  double k_;
};

// SAMPLE standard deviation (divide by N - 1) of the last `period` log returns
// ln(p_t / p_{t-1}); per candle, not annualized. First value after period + 1
// prices. Requires period >= 2.
class RollingVolatility {
 public:
  static Result<RollingVolatility> Make(int period);
  static Result<RollingVolatility> Decode(std::string_view bytes);

  std::optional<double> Update(double price);
  bool ready() const { return returns_.full(); }
  int period() const { return returns_.capacity(); }
  bool SameParams(const RollingVolatility& other) const { return period() == other.period(); }
  std::string Encode() const;

 private:
  explicit RollingVolatility(int period) : returns_(period) {}
  internal::Window returns_;
  bool has_prev_ = false;
  double prev_ = 0;
};

// z = (x - mean) / stddev of the newest value x against the PREVIOUS `period`
// values, excluding x itself: "how unusual is this value compared to the last
// N". Including x would pull the mean and stddev towards the outlier and cap
// |z| (at (N-1)/sqrt(N) for the population form), hiding the anomalies we look
// for. stddev is the SAMPLE standard deviation (divide by N - 1) of those
// values, the usual estimate of the process's spread from N observations.
// First value at observation period + 1. When the previous values are all
// equal, stddev is 0 and z is undefined: Update returns std::nullopt (0 would
// call a jump typical, infinity cannot be serialized); the value still enters
// the window. Requires period >= 2.
class RollingZScore {
 public:
  static Result<RollingZScore> Make(int period);
  static Result<RollingZScore> Decode(std::string_view bytes);

  std::optional<double> Update(double value);
  bool ready() const { return window_.full(); }
  int period() const { return window_.capacity(); }
  bool SameParams(const RollingZScore& other) const { return period() == other.period(); }
  std::string Encode() const;

 private:
  explicit RollingZScore(int period) : window_(period) {}
  internal::Window window_;
};

// Volume spike: volume > k * mean (strictly). False if any input is not finite.
bool IsVolumeSpike(double volume, double mean, double k);

}  // namespace streamapp::market
