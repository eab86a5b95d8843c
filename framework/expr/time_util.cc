#include "expr/time_util.h"

#include <charconv>

namespace streamapp::expr {
namespace {

constexpr int64_t kMsPerDay = 86'400'000;
constexpr const char* kWeekdays[] = {"Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"};
constexpr const char* kMonths[] = {"January", "February", "March",     "April",   "May",      "June",
                                   "July",    "August",   "September", "October", "November", "December"};

int64_t FloorDiv(int64_t a, int64_t b) {
  return a / b - ((a % b != 0) && ((a < 0) != (b < 0)));
}

bool IsLeap(int64_t y) {
  return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

int DaysInMonth(int64_t y, int m) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && IsLeap(y) ? 29 : kDays[m - 1];
}

void AppendPadded(std::string* out, int64_t v, int width, char pad = '0') {
  if (v < 0) {
    out->push_back('-');
    v = -v;
  }
  char buf[24];
  auto r = std::to_chars(buf, buf + sizeof buf, v);
  for (int n = static_cast<int>(r.ptr - buf); n < width; ++n) out->push_back(pad);
  out->append(buf, r.ptr);
}

// Reads exactly `n` digits at *pos.
bool ReadDigits(std::string_view s, size_t* pos, int n, int* out) {
  if (*pos + static_cast<size_t>(n) > s.size()) return false;
  int v = 0;
  for (int k = 0; k < n; ++k) {
    const char c = s[*pos + static_cast<size_t>(k)];
    if (c < '0' || c > '9') return false;
    v = v * 10 + (c - '0');
  }
  *pos += static_cast<size_t>(n);
  *out = v;
  return true;
}

bool Expect(std::string_view s, size_t* pos, char c) {
  if (*pos < s.size() && s[*pos] == c) {
    ++*pos;
    return true;
  }
  return false;
}

}  // namespace

// Howard Hinnant's days_from_civil / civil_from_days: exact for all int64 days we can reach.
int64_t DaysFromCivil(int64_t year, int month, int day) {
  year -= month <= 2;
  const int64_t era = FloorDiv(year, 400);
  const int64_t yoe = year - era * 400;
  const int64_t doy = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1;
  const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

CivilTime ToCivil(int64_t ms) {
  CivilTime t;
  const int64_t days = FloorDiv(ms, kMsPerDay);
  const int64_t in_day = ms - days * kMsPerDay;
  t.hour = static_cast<int>(in_day / 3'600'000);
  t.minute = static_cast<int>(in_day / 60'000 % 60);
  t.second = static_cast<int>(in_day / 1000 % 60);
  t.millis = static_cast<int>(in_day % 1000);
  const int64_t z = days + 719468;
  const int64_t era = FloorDiv(z, 146097);
  const int64_t doe = z - era * 146097;
  const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const int64_t mp = (5 * doy + 2) / 153;
  t.day = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
  t.month = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  t.year = yoe + era * 400 + (t.month <= 2);
  // 1970-01-01 was a Thursday (ISO 4).
  t.weekday = static_cast<int>((days % 7 + 7 + 3) % 7 + 1);
  t.yearday = static_cast<int>(days - DaysFromCivil(t.year, 1, 1) + 1);
  return t;
}

bool FormatTime(int64_t ms, std::string_view format, std::string* out, std::string* error) {
  const CivilTime t = ToCivil(ms);
  for (size_t i = 0; i < format.size(); ++i) {
    if (format[i] != '%') {
      out->push_back(format[i]);
      continue;
    }
    if (++i == format.size()) {
      *error = "time format ends with a lone '%'";
      return false;
    }
    switch (format[i]) {
      case 'Y': AppendPadded(out, t.year, 4); break;
      case 'y': AppendPadded(out, (t.year % 100 + 100) % 100, 2); break;
      case 'm': AppendPadded(out, t.month, 2); break;
      case 'd': AppendPadded(out, t.day, 2); break;
      case 'e': AppendPadded(out, t.day, 2, ' '); break;
      case 'j': AppendPadded(out, t.yearday, 3); break;
      case 'H': AppendPadded(out, t.hour, 2); break;
      case 'I': AppendPadded(out, (t.hour + 11) % 12 + 1, 2); break;
      case 'p': out->append(t.hour < 12 ? "AM" : "PM"); break;
      case 'M': AppendPadded(out, t.minute, 2); break;
      case 'S': AppendPadded(out, t.second, 2); break;
      case 'f': AppendPadded(out, t.millis, 3); break;
      case 'a': out->append(std::string_view(kWeekdays[t.weekday - 1]).substr(0, 3)); break;
      case 'A': out->append(kWeekdays[t.weekday - 1]); break;
      case 'b': out->append(std::string_view(kMonths[t.month - 1]).substr(0, 3)); break;
      case 'B': out->append(kMonths[t.month - 1]); break;
      case 'u': AppendPadded(out, t.weekday, 1); break;
      case 'w': AppendPadded(out, t.weekday % 7, 1); break;
      case 'F':
        AppendPadded(out, t.year, 4);
        out->push_back('-');
        AppendPadded(out, t.month, 2);
        out->push_back('-');
        AppendPadded(out, t.day, 2);
        break;
      case 'T':
        AppendPadded(out, t.hour, 2);
        out->push_back(':');
        AppendPadded(out, t.minute, 2);
        out->push_back(':');
        AppendPadded(out, t.second, 2);
        break;
      case 'z': out->append("+0000"); break;
      case 'Z': out->append("UTC"); break;
      case 's': AppendPadded(out, FloorDiv(ms, 1000), 1); break;
      case '%': out->push_back('%'); break;
      default: *error = std::string("unsupported conversion '%") + format[i] + "' in time format"; return false;
    }
  }
  return true;
}

bool ParseTime(std::string_view s, int64_t* ms, std::string* error) {
  *error = "expected an ISO 8601 time like 2024-01-02T03:04:05Z but got '" + std::string(s) + "'";
  size_t pos = 0;
  int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0, millis = 0;
  if (!ReadDigits(s, &pos, 4, &year) || !Expect(s, &pos, '-') || !ReadDigits(s, &pos, 2, &month) ||
      !Expect(s, &pos, '-') || !ReadDigits(s, &pos, 2, &day)) {
    return false;
  }
  if (month < 1 || month > 12 || day < 1 || day > DaysInMonth(year, month)) return false;
  int64_t offset_minutes = 0;
  if (pos < s.size()) {
    if (s[pos] != 'T' && s[pos] != 't' && s[pos] != ' ') return false;
    ++pos;
    if (!ReadDigits(s, &pos, 2, &hour) || !Expect(s, &pos, ':') || !ReadDigits(s, &pos, 2, &minute)) return false;
    if (Expect(s, &pos, ':')) {
      if (!ReadDigits(s, &pos, 2, &second)) return false;
      if (Expect(s, &pos, '.') || Expect(s, &pos, ',')) {
        // Keep milliseconds; further digits are truncated.
        int digits = 0;
        while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
          if (digits < 3) millis = millis * 10 + (s[pos] - '0');
          ++digits;
          ++pos;
        }
        if (digits == 0) return false;
        for (; digits < 3; ++digits) millis *= 10;
      }
    }
    if (hour > 23 || minute > 59 || second > 59) return false;
    if (pos < s.size()) {
      const char z = s[pos++];
      if (z == 'Z' || z == 'z') {
        if (pos != s.size()) return false;
      } else if (z == '+' || z == '-') {
        int oh = 0, om = 0;
        if (!ReadDigits(s, &pos, 2, &oh)) return false;
        Expect(s, &pos, ':');
        if (pos < s.size() && !ReadDigits(s, &pos, 2, &om)) return false;
        if (pos != s.size() || oh > 23 || om > 59) return false;
        offset_minutes = (z == '-' ? -1 : 1) * (oh * 60 + om);
      } else {
        return false;
      }
    }
  }
  const int64_t days = DaysFromCivil(year, month, day);
  *ms = days * kMsPerDay + ((hour * 60 + minute - offset_minutes) * 60 + second) * 1000 + millis;
  error->clear();
  return true;
}

}  // namespace streamapp::expr
