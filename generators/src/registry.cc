// MakeGenerator and the helpers shared by all generators.
#include <charconv>

#include "generators_internal.h"

namespace streamapp::generators {
namespace {

struct Entry {
  const char* name;
  const std::vector<ParamSpec>& (*params)();
  std::unique_ptr<Generator> (*make)(const GeneratorOptions&, Params&);
};

const Entry kEntries[] = {
    {"crypto", CryptoParams, MakeCryptoGenerator},
    {"sales", SalesParams, MakeSalesGenerator},
    {"clickstream", ClickstreamParams, MakeClickstreamGenerator},
    {"iot", IotParams, MakeIotGenerator},
    {"fraud", FraudParams, MakeFraudGenerator},
};

const Entry* Find(std::string_view name) {
  for (const Entry& e : kEntries) {
    if (name == e.name) return &e;
  }
  return nullptr;
}

Status Unknown(std::string_view name) {
  std::string known;
  for (const Entry& e : kEntries) known += (known.empty() ? "" : ", ") + std::string(e.name);
  return Status::InvalidArgument("unknown generator '" + std::string(name) + "' (expected one of " + known + ")");
}

// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm).
int64_t DaysFromCivil(int64_t y, int64_t m, int64_t d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const int64_t yoe = y - era * 400;
  const int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

}  // namespace

std::string_view DefectName(Defect d) {
  switch (d) {
    case Defect::kNone: return "none";
    case Defect::kInvalidEncoding: return "invalid_encoding";
    case Defect::kMissingField: return "missing_field";
    case Defect::kWrongType: return "wrong_type";
    case Defect::kNegativeNumber: return "negative_number";
    case Defect::kDomainViolation: return "domain_violation";
  }
  return "?";
}

const std::vector<std::string>& GeneratorNames() {
  static const std::vector<std::string> kNames = [] {
    std::vector<std::string> names;
    for (const Entry& e : kEntries) names.emplace_back(e.name);
    return names;
  }();
  return kNames;
}

Result<std::vector<ParamSpec>> GeneratorParams(std::string_view name) {
  const Entry* e = Find(name);
  if (e == nullptr) return Unknown(name);
  return e->params();
}

Result<std::unique_ptr<Generator>> MakeGenerator(std::string_view name, const GeneratorOptions& options) {
  const Entry* e = Find(name);
  if (e == nullptr) return Unknown(name);
  if (!(options.bad_ratio >= 0 && options.bad_ratio <= 1)) {
    return Status::InvalidArgument("the bad ratio must lie in [0, 1]");
  }
  Params params(e->params(), options.params);
  std::unique_ptr<Generator> generator = e->make(options, params);
  if (!params.status().ok()) return params.status().WithContext(std::string(name));
  return generator;
}

void SetId(std::string* out, std::string_view prefix, int64_t v, int width) {
  char digits[24];
  auto [end, ec] = std::to_chars(digits, digits + sizeof digits, v);
  (void)ec;
  const int n = static_cast<int>(end - digits);
  out->assign(prefix);
  if (n < width) out->append(static_cast<size_t>(width - n), '0');
  out->append(digits, static_cast<size_t>(n));
}

Result<int64_t> ParseStartTime(std::string_view text) {
  int64_t ms = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), ms);
  if (ec == std::errc() && end == text.data() + text.size()) return ms;

  // YYYY-MM-DD[THH:MM:SS[.fff]][Z]
  auto number = [&](size_t pos, size_t len, int64_t* out) {
    if (pos + len > text.size()) return false;
    auto [e, err] = std::from_chars(text.data() + pos, text.data() + pos + len, *out);
    return err == std::errc() && e == text.data() + pos + len;
  };
  const Status bad = Status::InvalidArgument("start time '" + std::string(text) +
                                             "': expected milliseconds or ISO 8601 like 2026-01-01T00:00:00Z (UTC)");
  int64_t y, mo, d, h = 0, mi = 0, s = 0, frac = 0;
  if (!number(0, 4, &y) || text.size() < 10 || text[4] != '-' || !number(5, 2, &mo) || text[7] != '-' ||
      !number(8, 2, &d) || mo < 1 || mo > 12 || d < 1 || d > 31) {
    return bad;
  }
  size_t pos = 10;
  if (pos < text.size() && (text[pos] == 'T' || text[pos] == ' ')) {
    if (!number(pos + 1, 2, &h) || text.size() < pos + 9 || text[pos + 3] != ':' || !number(pos + 4, 2, &mi) ||
        text[pos + 6] != ':' || !number(pos + 7, 2, &s) || h > 23 || mi > 59 || s > 60) {
      return bad;
    }
    pos += 9;
    if (pos < text.size() && text[pos] == '.') {
      if (!number(pos + 1, 3, &frac)) return bad;
      pos += 4;
    }
  }
  if (pos < text.size() && text[pos] == 'Z') ++pos;
  if (pos != text.size()) return bad;
  return ((DaysFromCivil(y, mo, d) * 24 + h) * 60 + mi) * 60000 + s * 1000 + frac;
}

}  // namespace streamapp::generators
