// The indicator math. Encode/Decode live in indicators_codec.cc.
#include "market/indicators.h"

#include <cmath>
#include <string>

namespace streamapp::market {
namespace {

Status BadPeriod(const char* what, int period, int min) {
  return Status::InvalidArgument(std::string(what) + ": period must be in [" + std::to_string(min) + ", " +
                                 std::to_string(kMaxPeriod) + "], got " + std::to_string(period));
}

// NaN fails the comparison too.
bool InDomain(double x) {
  return std::fabs(x) <= kMaxAbsInput;
}

bool PeriodOk(int period, int min) {
  return period >= min && period <= kMaxPeriod;
}

double Mean(const internal::Window& w) {
  return w.Sum() / w.size();
}

// Population (ddof 0) or sample (ddof 1) standard deviation around `mean`.
// Two-pass (mean first, then squared deviations): no cancellation, unlike
// E[x^2] - E[x]^2.
double StdDev(const internal::Window& w, double mean, int ddof) {
  return std::sqrt(w.SumSquaredDeviations(mean) / (w.size() - ddof));
}

}  // namespace

namespace internal {

void Window::Push(double value) {
  if (full()) {
    values_[static_cast<size_t>(head_)] = value;
    head_ = (head_ + 1) % capacity();
  } else {
    values_[static_cast<size_t>((head_ + size_) % capacity())] = value;
    ++size_;
  }
}

double Window::Sum() const {
  double sum = 0;
  for (int i = 0; i < size_; ++i) sum += at(i);
  return sum;
}

double Window::SumSquaredDeviations(double mean) const {
  bool constant = true;
  for (int i = 1; i < size_ && constant; ++i) constant = at(i) == at(0);
  if (constant) return 0;
  double sum = 0;
  for (int i = 0; i < size_; ++i) {
    double d = at(i) - mean;
    sum += d * d;
  }
  return sum;
}

}  // namespace internal

// ---- Sma

Result<Sma> Sma::Make(int period) {
  if (!PeriodOk(period, 1)) return BadPeriod("Sma", period, 1);
  return Sma(period);
}

std::optional<double> Sma::Update(double value) {
  if (!InDomain(value)) return std::nullopt;
  window_.Push(value);
  if (!window_.full()) return std::nullopt;
  return Mean(window_);
}

// ---- Ema

Result<Ema> Ema::Make(int period) {
  if (!PeriodOk(period, 1)) return BadPeriod("Ema", period, 1);
  return Ema(period);
}

std::optional<double> Ema::Update(double value) {
  if (!InDomain(value)) return std::nullopt;
  if (seen_ < period_) {
    seed_sum_ += value;
    if (++seen_ < period_) return std::nullopt;
    value_ = seed_sum_ / period_;
    return value_;
  }
  const double alpha = 2.0 / (period_ + 1);
  value_ += alpha * (value - value_);
  return value_;
}

// ---- Rsi

Result<Rsi> Rsi::Make(int period) {
  if (!PeriodOk(period, 1)) return BadPeriod("Rsi", period, 1);
  return Rsi(period);
}

std::optional<double> Rsi::Update(double price) {
  if (!InDomain(price)) return std::nullopt;
  if (!has_prev_) {
    has_prev_ = true;
    prev_ = price;
    return std::nullopt;
  }
  const double change = price - prev_;
  prev_ = price;
  const double gain = change > 0 ? change : 0;
  const double loss = change < 0 ? -change : 0;
  if (changes_ < period_) {
    sum_gain_ += gain;
    sum_loss_ += loss;
    if (++changes_ < period_) return std::nullopt;
    avg_gain_ = sum_gain_ / period_;
    avg_loss_ = sum_loss_ / period_;
  } else {
    avg_gain_ = (avg_gain_ * (period_ - 1) + gain) / period_;
    avg_loss_ = (avg_loss_ * (period_ - 1) + loss) / period_;
  }
  return Value();
}

double Rsi::Value() const {
  if (avg_loss_ == 0) return avg_gain_ == 0 ? 0.0 : 100.0;
  return 100.0 - 100.0 / (1.0 + avg_gain_ / avg_loss_);
}

// ---- Macd

Result<Macd> Macd::Make(int fast, int slow, int signal) {
  if (!PeriodOk(fast, 1)) return BadPeriod("Macd fast", fast, 1);
  if (!PeriodOk(slow, 1)) return BadPeriod("Macd slow", slow, 1);
  if (!PeriodOk(signal, 1)) return BadPeriod("Macd signal", signal, 1);
  if (fast >= slow) {
    return Status::InvalidArgument("Macd: fast period (" + std::to_string(fast) + ") must be below slow period (" +
                                   std::to_string(slow) + ")");
  }
  return Macd(Ema(fast), Ema(slow), Ema(signal));
}

std::optional<MacdValue> Macd::Update(double price) {
  if (!InDomain(price)) return std::nullopt;
  const std::optional<double> fast = fast_.Update(price);
  const std::optional<double> slow = slow_.Update(price);
  // fast < slow, so fast is ready whenever slow is (Decode checks it too).
  if (!fast || !slow) return std::nullopt;
  MacdValue out{*fast - *slow, std::nullopt, std::nullopt};
  out.signal = signal_.Update(out.line);
  if (out.signal) out.histogram = out.line - *out.signal;
  return out;
}

bool Macd::SameParams(const Macd& other) const {
  return fast_.SameParams(other.fast_) && slow_.SameParams(other.slow_) && signal_.SameParams(other.signal_);
}

// ---- Bollinger

Result<Bollinger> Bollinger::Make(int period, double k) {
  if (!PeriodOk(period, 1)) return BadPeriod("Bollinger", period, 1);
  if (!std::isfinite(k) || k < 0) {
    return Status::InvalidArgument("Bollinger: k must be finite and >= 0, got " + std::to_string(k));
  }
  return Bollinger(period, k);
}

std::optional<BollingerValue> Bollinger::Update(double value) {
  if (!InDomain(value)) return std::nullopt;
  window_.Push(value);
  if (!window_.full()) return std::nullopt;
  const double middle = Mean(window_);
  const double width = k_ * StdDev(window_, middle, /*ddof=*/0);
  return BollingerValue{middle, middle + width, middle - width};
}

// ---- RollingVolatility

Result<RollingVolatility> RollingVolatility::Make(int period) {
  // A sample standard deviation needs two returns.
  if (!PeriodOk(period, 2)) return BadPeriod("RollingVolatility", period, 2);
  return RollingVolatility(period);
}

std::optional<double> RollingVolatility::Update(double price) {
  // The bounds keep the ratio, hence the log return, finite.
  if (!InDomain(price) || price < 1 / kMaxAbsInput) return std::nullopt;
  if (has_prev_) returns_.Push(std::log(price / prev_));
  has_prev_ = true;
  prev_ = price;
  if (!returns_.full()) return std::nullopt;
  return StdDev(returns_, Mean(returns_), /*ddof=*/1);
}

// ---- RollingZScore

Result<RollingZScore> RollingZScore::Make(int period) {
  if (!PeriodOk(period, 2)) return BadPeriod("RollingZScore", period, 2);
  return RollingZScore(period);
}

std::optional<double> RollingZScore::Update(double value) {
  if (!InDomain(value)) return std::nullopt;
  std::optional<double> z;
  if (window_.full()) {
    // Statistics of the previous `period` values, before `value` enters.
    const double mean = Mean(window_);
    const double sd = StdDev(window_, mean, /*ddof=*/1);
    if (sd > 0) z = (value - mean) / sd;
  }
  window_.Push(value);
  return z;
}

bool IsVolumeSpike(double volume, double mean, double k) {
  if (!std::isfinite(volume) || !std::isfinite(mean) || !std::isfinite(k)) return false;
  return volume > k * mean;
}

}  // namespace streamapp::market
