// UTC calendar arithmetic for the time functions: no time zone database and
// no locale, so results are the same on every host.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace streamapp::expr {

struct CivilTime {
  int64_t year = 1970;
  int month = 1;  // 1..12
  int day = 1;    // 1..31
  int hour = 0;
  int minute = 0;
  int second = 0;
  int millis = 0;
  int weekday = 4;  // ISO: 1 = Monday .. 7 = Sunday
  int yearday = 1;  // 1..366
};

// Days since 1970-01-01 of a proleptic Gregorian date.
int64_t DaysFromCivil(int64_t year, int month, int day);
// The UTC calendar time of `ms` milliseconds since the epoch (negative ok).
CivilTime ToCivil(int64_t ms);

// strftime-style formatting in UTC. Supports %Y %m %d %H %M %S %y %j %e %a
// %A %b %B %p %I %u %w %F %T %z %Z %s %% and %f (milliseconds, 3 digits).
// Returns false and sets *error for an unsupported conversion.
bool FormatTime(int64_t ms, std::string_view format, std::string* out, std::string* error);

// ISO 8601: "2024-01-02", "2024-01-02T03:04:05Z", with optional fraction
// (".123"), a 'T' or ' ' separator, and "Z", "+01:00" or "+0100" (no zone
// means UTC). Returns false and sets *error when `text` is not one.
bool ParseTime(std::string_view text, int64_t* ms, std::string* error);

}  // namespace streamapp::expr
