#include "reset/reset_offsets.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstdio>
#include <ctime>
#include <limits>

namespace streamapp::reset {
namespace {

bool IsDigit(char c) {
  return c >= '0' && c <= '9';
}

// Reads digits at `at` into `out`; false when there are none or too many.
bool ReadNumber(std::string_view s, size_t& at, int64_t& out) {
  const size_t start = at;
  while (at < s.size() && IsDigit(s[at])) ++at;
  if (at == start || at - start > 15) return false;
  out = 0;
  std::from_chars(s.data() + start, s.data() + at, out);
  return true;
}

// Exactly `n` digits at `at`.
bool ReadFixed(std::string_view s, size_t& at, int n, int& out) {
  if (at + n > s.size()) return false;
  out = 0;
  for (int i = 0; i < n; ++i) {
    if (!IsDigit(s[at + i])) return false;
    out = out * 10 + (s[at + i] - '0');
  }
  at += n;
  return true;
}

// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm).
int64_t DaysFromCivil(int64_t y, int m, int d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const int64_t yoe = y - era * 400;
  const int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

int DaysInMonth(int y, int m) {
  static const int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  return m == 2 && leap ? 29 : kDays[m - 1];
}

int64_t SaturatingAdd(int64_t a, int64_t b) {
  if (b > 0 && a > std::numeric_limits<int64_t>::max() - b) return std::numeric_limits<int64_t>::max();
  if (b < 0 && a < std::numeric_limits<int64_t>::min() - b) return std::numeric_limits<int64_t>::min();
  return a + b;
}

}  // namespace

Result<std::chrono::milliseconds> ParseIsoDuration(std::string_view text) {
  auto bad = [&](const std::string& why) {
    return Status::InvalidArgument("duration '" + std::string(text) + "': " + why +
                                   " (expected PnDTnHnMnS, e.g. P1D, PT1H30M, PT10.5S)");
  };
  std::string s(text);
  for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  if (s.empty() || s[0] != 'P') return bad("must start with P");
  size_t at = 1;
  int64_t ms = 0;
  int components = 0;
  bool in_time = false;
  char last = ' ';  // the last unit read, to enforce the order D, H, M, S
  const std::string order = "DHMS";
  while (at < s.size()) {
    if (s[at] == 'T') {
      if (in_time) return bad("a second T");
      in_time = true;
      ++at;
      if (at == s.size()) return bad("nothing after T");
      continue;
    }
    int64_t n = 0;
    if (!ReadNumber(s, at, n)) return bad("expected a number at position " + std::to_string(at));
    int64_t fraction_ms = 0;
    bool has_fraction = false;
    if (at < s.size() && (s[at] == '.' || s[at] == ',')) {
      ++at;
      const size_t start = at;
      while (at < s.size() && IsDigit(s[at])) ++at;
      if (at == start || at - start > 9) return bad("bad fraction");
      std::string digits = s.substr(start, at - start);
      digits.resize(3, '0');
      fraction_ms = std::stoll(digits);
      has_fraction = true;
    }
    if (at == s.size()) return bad("a number without a unit");
    const char unit = s[at++];
    if (order.find(unit) == std::string::npos) return bad(std::string("unknown unit ") + unit);
    if (unit == 'D' && in_time) return bad("days must come before T");
    if (unit != 'D' && !in_time) return bad(std::string(1, unit) + " must come after T");
    if (last != ' ' && order.find(unit) <= order.find(last)) return bad("units out of order or repeated");
    if (has_fraction && unit != 'S') return bad("only seconds may have a fraction");
    last = unit;
    ++components;
    const int64_t scale = unit == 'D' ? 86'400'000 : unit == 'H' ? 3'600'000 : unit == 'M' ? 60'000 : 1000;
    ms += n * scale + fraction_ms;
  }
  if (components == 0) return bad("no component");
  return std::chrono::milliseconds(ms);
}

Result<int64_t> ParseIsoDateTime(std::string_view text) {
  auto bad = [&](const std::string& why) {
    return Status::InvalidArgument("date-time '" + std::string(text) + "': " + why +
                                   " (expected YYYY-MM-DDTHH:MM[:SS[.fff]][Z|+HH:MM], e.g. 2024-05-01T12:00:00Z)");
  };
  const std::string_view s = text;
  size_t at = 0;
  int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
  if (!ReadFixed(s, at, 4, year) || at >= s.size() || s[at++] != '-' || !ReadFixed(s, at, 2, month) || at >= s.size() ||
      s[at++] != '-' || !ReadFixed(s, at, 2, day)) {
    return bad("bad date");
  }
  if (month < 1 || month > 12 || day < 1 || day > DaysInMonth(year, month)) return bad("no such date");
  if (at >= s.size() || (s[at] != 'T' && s[at] != 't' && s[at] != ' ')) return bad("expected T and a time");
  ++at;
  if (!ReadFixed(s, at, 2, hour) || at >= s.size() || s[at++] != ':' || !ReadFixed(s, at, 2, minute)) {
    return bad("bad time");
  }
  int64_t millis = 0;
  if (at < s.size() && s[at] == ':') {
    ++at;
    if (!ReadFixed(s, at, 2, second)) return bad("bad seconds");
    if (at < s.size() && (s[at] == '.' || s[at] == ',')) {
      ++at;
      const size_t start = at;
      while (at < s.size() && IsDigit(s[at])) ++at;
      if (at == start || at - start > 9) return bad("bad fraction of a second");
      std::string digits(s.substr(start, at - start));
      digits.resize(3, '0');
      millis = std::stoll(digits);
    }
  }
  if (hour > 23 || minute > 59 || second > 59) return bad("time out of range");
  int64_t offset_minutes = 0;
  if (at < s.size()) {
    const char z = s[at++];
    if (z == 'Z' || z == 'z') {
      // UTC
    } else if (z == '+' || z == '-') {
      int oh = 0, om = 0;
      if (!ReadFixed(s, at, 2, oh)) return bad("bad zone offset");
      if (at < s.size() && s[at] == ':') ++at;
      if (!ReadFixed(s, at, 2, om)) return bad("bad zone offset");
      if (oh > 18 || om > 59) return bad("zone offset out of range");
      offset_minutes = (z == '-' ? -1 : 1) * (oh * 60 + om);
    } else {
      return bad("unexpected '" + std::string(1, z) + "'");
    }
    if (at != s.size()) return bad("trailing characters");
  }
  const int64_t seconds =
      DaysFromCivil(year, month, day) * 86400 + hour * 3600 + minute * 60 + second - offset_minutes * 60;
  return seconds * 1000 + millis;
}

std::string ResetTarget::ToString() const {
  switch (kind) {
    case TargetKind::kEarliest: return "earliest";
    case TargetKind::kLatest: return "latest";
    case TargetKind::kOffset: return "offset " + std::to_string(value);
    case TargetKind::kTime: {
      const std::time_t seconds = static_cast<std::time_t>(value / 1000 - (value % 1000 < 0 ? 1 : 0));
      std::tm utc{};
      gmtime_r(&seconds, &utc);
      char text[32];
      std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%S", &utc);
      char millis[8];
      std::snprintf(millis, sizeof millis, ".%03dZ", static_cast<int>(((value % 1000) + 1000) % 1000));
      return std::string("time ") + text + millis;
    }
    case TargetKind::kShiftBy: return "shift by " + std::to_string(value);
  }
  return "?";
}

Result<TopicSelection> ParseTopicSelection(std::string_view text) {
  auto bad = [&](const std::string& why) {
    return Status::InvalidArgument("--input-topic '" + std::string(text) + "': " + why +
                                   " (expected TOPIC or TOPIC:P[,P|A-B...], e.g. orders:0,2,4-5)");
  };
  TopicSelection out;
  const size_t colon = text.rfind(':');
  out.topic = std::string(text.substr(0, colon));
  if (out.topic.empty()) return bad("no topic");
  if (colon == std::string_view::npos) return out;
  std::string_view rest = text.substr(colon + 1);
  if (rest.empty()) return bad("no partitions after ':'");
  while (!rest.empty()) {
    const size_t comma = rest.find(',');
    std::string_view item = rest.substr(0, comma);
    rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
    if (item.empty() || (comma != std::string_view::npos && rest.empty())) return bad("empty partition");
    const size_t dash = item.find('-');
    int64_t from = 0, to = 0;
    size_t at = 0;
    std::string_view first = item.substr(0, dash);
    if (!ReadNumber(first, at, from) || at != first.size()) return bad("bad partition '" + std::string(item) + "'");
    to = from;
    if (dash != std::string_view::npos) {
      std::string_view second = item.substr(dash + 1);
      at = 0;
      if (!ReadNumber(second, at, to) || at != second.size() || to < from) {
        return bad("bad range '" + std::string(item) + "'");
      }
    }
    if (to > 100000) return bad("partition out of range");
    for (int64_t p = from; p <= to; ++p) out.partitions.push_back(static_cast<int>(p));
  }
  std::sort(out.partitions.begin(), out.partitions.end());
  out.partitions.erase(std::unique(out.partitions.begin(), out.partitions.end()), out.partitions.end());
  return out;
}

Offset ComputeTarget(const ResetTarget& target, std::optional<Offset> committed, const kafka::Watermarks& watermarks,
                     std::optional<Offset> time_offset) {
  const int64_t low = watermarks.low.value();
  const int64_t high = std::max(low, watermarks.high.value());
  int64_t want = low;
  switch (target.kind) {
    case TargetKind::kEarliest: want = low; break;
    case TargetKind::kLatest: want = high; break;
    case TargetKind::kOffset: want = target.value; break;
    case TargetKind::kTime: want = time_offset && time_offset->value() >= 0 ? time_offset->value() : high; break;
    case TargetKind::kShiftBy: want = SaturatingAdd(committed ? committed->value() : low, target.value); break;
  }
  return Offset(std::clamp(want, low, high));
}

}  // namespace streamapp::reset
