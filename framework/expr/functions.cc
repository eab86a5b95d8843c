#include "expr/functions.h"

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cmath>
#include <limits>
#include <regex>
#include <vector>

#include "expr/time_util.h"

namespace streamapp::expr {
namespace {

using Args = std::span<const Datum>;

std::string Str(std::string_view s) {
  return std::string(s);
}

bool IsNumeric(StaticType t) {
  return t == StaticType::kInt || t == StaticType::kDouble || t == StaticType::kNumber;
}

// "a string or an array", for messages.
std::string MaskName(uint8_t mask) {
  if (mask == kMAnything) return "any value";
  std::vector<std::string_view> parts;
  if ((mask & kMNumber) == kMNumber) {
    parts.push_back("a number");
  } else if (mask & kMInt) {
    parts.push_back("an integer");
  } else if (mask & kMDouble) {
    parts.push_back("a double");
  }
  if (mask & kMString) parts.push_back("a string");
  if (mask & kMBool) parts.push_back("a bool");
  if (mask & kMArray) parts.push_back("an array");
  if (mask & kMObject) parts.push_back("an object");
  std::string out;
  for (size_t i = 0; i < parts.size(); ++i) {
    if (i > 0) out += i + 1 == parts.size() ? " or " : ", ";
    out += parts[i];
  }
  return out;
}

// Null and unknown types pass; their data is checked at evaluation.
bool Accepts(uint8_t mask, StaticType t) {
  switch (t) {
    case StaticType::kAny:
    case StaticType::kNull: return true;
    case StaticType::kBool: return mask & kMBool;
    case StaticType::kInt: return mask & kMInt;
    case StaticType::kDouble: return mask & kMDouble;
    case StaticType::kNumber: return mask & kMNumber;
    case StaticType::kString: return mask & kMString;
    case StaticType::kArray: return mask & kMArray;
    case StaticType::kObject: return mask & kMObject;
  }
  return false;
}

std::string Mismatch(const Call& c, size_t i, std::string_view expected, const Datum& got) {
  return "function '" + c.node.name + "' expects " + Str(expected) + " as argument " + std::to_string(i + 1) +
         " but got " + Str(Describe(got));
}

Status GetString(const Call& c, Args a, size_t i, std::string_view* out) {
  if (!a[i].is_string()) return c.Error(Mismatch(c, i, "a string", a[i]));
  *out = a[i].str();
  return Status::Ok();
}

bool DoubleToInt(double d, int64_t* out) {
  // 2^63 is exactly representable; anything at or beyond it is out of range.
  if (!std::isfinite(d) || d < -9223372036854775808.0 || d >= 9223372036854775808.0) return false;
  *out = static_cast<int64_t>(d);
  return true;
}

// Integers, and doubles with an integral value (JSON decoders may give 3.0).
Status GetInt(const Call& c, Args a, size_t i, int64_t* out) {
  if (a[i].is_int()) {
    *out = a[i].i;
    return Status::Ok();
  }
  if (a[i].kind == Datum::Kind::kDouble && std::trunc(a[i].d) == a[i].d && DoubleToInt(a[i].d, out)) {
    return Status::Ok();
  }
  return c.Error(Mismatch(c, i, "an integer", a[i]));
}

Status GetNumber(const Call& c, Args a, size_t i, double* out) {
  if (!a[i].is_number()) return c.Error(Mismatch(c, i, "a number", a[i]));
  *out = a[i].number();
  return Status::Ok();
}

Datum OwnString(std::string s) {
  return Datum::Own(Value(std::move(s)));
}

std::string_view TrimAscii(std::string_view s) {
  constexpr std::string_view kSpace = " \t\n\r\f\v";
  const size_t b = s.find_first_not_of(kSpace);
  if (b == std::string_view::npos) return {};
  return s.substr(b, s.find_last_not_of(kSpace) - b + 1);
}

// --- strings (bytes; lower/upper are ASCII-only)

Status Lower(const Call& c, Args a, Datum* out) {
  std::string_view s;
  RETURN_IF_ERROR(GetString(c, a, 0, &s));
  std::string r(s);
  for (char& ch : r) {
    if (ch >= 'A' && ch <= 'Z') ch = static_cast<char>(ch - 'A' + 'a');
  }
  *out = OwnString(std::move(r));
  return Status::Ok();
}

Status Upper(const Call& c, Args a, Datum* out) {
  std::string_view s;
  RETURN_IF_ERROR(GetString(c, a, 0, &s));
  std::string r(s);
  for (char& ch : r) {
    if (ch >= 'a' && ch <= 'z') ch = static_cast<char>(ch - 'a' + 'A');
  }
  *out = OwnString(std::move(r));
  return Status::Ok();
}

Status Trim(const Call& c, Args a, Datum* out) {
  std::string_view s;
  RETURN_IF_ERROR(GetString(c, a, 0, &s));
  *out = OwnString(Str(TrimAscii(s)));
  return Status::Ok();
}

Status Length(const Call& c, Args a, Datum* out) {
  if (a[0].is_string()) {
    *out = Datum::Int(static_cast<int64_t>(a[0].str().size()));
  } else if (a[0].is_array()) {
    *out = Datum::Int(static_cast<int64_t>(a[0].value_ptr()->as_array().size()));
  } else {
    return c.Error(Mismatch(c, 0, "a string or an array", a[0]));
  }
  return Status::Ok();
}

// substr(s, start[, len]): 0-based; a negative start counts from the end;
// out-of-range positions are clamped, as in most SQL dialects.
Status Substr(const Call& c, Args a, Datum* out) {
  std::string_view s;
  RETURN_IF_ERROR(GetString(c, a, 0, &s));
  const int64_t size = static_cast<int64_t>(s.size());
  int64_t start = 0;
  RETURN_IF_ERROR(GetInt(c, a, 1, &start));
  if (start < 0) start = std::max<int64_t>(0, size + std::max<int64_t>(start, -size));
  start = std::min(start, size);
  int64_t len = size - start;
  if (a.size() > 2) {
    RETURN_IF_ERROR(GetInt(c, a, 2, &len));
    len = std::clamp<int64_t>(len, 0, size - start);
  }
  *out = OwnString(Str(s.substr(static_cast<size_t>(start), static_cast<size_t>(len))));
  return Status::Ok();
}

// concat(...) skips nulls (as Postgres does) and renders non-strings as to_string().
Status Concat(const Call&, Args a, Datum* out) {
  std::string r;
  for (const Datum& d : a) {
    if (d.is_string()) {
      r.append(d.str());
    } else if (!d.is_null()) {
      r.append(ToDisplayString(d));
    }
  }
  *out = OwnString(std::move(r));
  return Status::Ok();
}

Status TwoStrings(const Call& c, Args a, std::string_view* x, std::string_view* y) {
  RETURN_IF_ERROR(GetString(c, a, 0, x));
  return GetString(c, a, 1, y);
}

Status Contains(const Call& c, Args a, Datum* out) {
  std::string_view s, sub;
  RETURN_IF_ERROR(TwoStrings(c, a, &s, &sub));
  *out = Datum::Bool(s.find(sub) != std::string_view::npos);
  return Status::Ok();
}

Status StartsWith(const Call& c, Args a, Datum* out) {
  std::string_view s, prefix;
  RETURN_IF_ERROR(TwoStrings(c, a, &s, &prefix));
  *out = Datum::Bool(s.starts_with(prefix));
  return Status::Ok();
}

Status EndsWith(const Call& c, Args a, Datum* out) {
  std::string_view s, suffix;
  RETURN_IF_ERROR(TwoStrings(c, a, &s, &suffix));
  *out = Datum::Bool(s.ends_with(suffix));
  return Status::Ok();
}

// replace(s, from, to): every occurrence; an empty `from` changes nothing.
Status Replace(const Call& c, Args a, Datum* out) {
  std::string_view s, from, to;
  RETURN_IF_ERROR(TwoStrings(c, a, &s, &from));
  RETURN_IF_ERROR(GetString(c, a, 2, &to));
  std::string r;
  if (from.empty()) {
    r = s;
  } else {
    size_t pos = 0;
    for (size_t hit; (hit = s.find(from, pos)) != std::string_view::npos; pos = hit + from.size()) {
      r.append(s.substr(pos, hit - pos));
      r.append(to);
    }
    r.append(s.substr(pos));
  }
  *out = OwnString(std::move(r));
  return Status::Ok();
}

Status Split(const Call& c, Args a, Datum* out) {
  std::string_view s, sep;
  RETURN_IF_ERROR(TwoStrings(c, a, &s, &sep));
  if (sep.empty()) return c.Error("function 'split' needs a non-empty separator");
  Value::Array parts;
  size_t pos = 0;
  for (size_t hit; (hit = s.find(sep, pos)) != std::string_view::npos; pos = hit + sep.size()) {
    parts.emplace_back(s.substr(pos, hit - pos));
  }
  parts.emplace_back(s.substr(pos));
  *out = Datum::Own(Value(std::move(parts)));
  return Status::Ok();
}

Status ToStringFn(const Call&, Args a, Datum* out) {
  // A borrowed string points into the record or the tree, never into `a`: safe to pass on.
  *out = a[0].kind == Datum::Kind::kString ? Datum::String(a[0].s) : OwnString(ToDisplayString(a[0]));
  return Status::Ok();
}

// regex_match(s, pattern): ECMAScript syntax, the whole string must match.
Status RegexMatch(const Call& c, Args a, Datum* out) {
  std::string_view s, pattern;
  RETURN_IF_ERROR(TwoStrings(c, a, &s, &pattern));
  const std::regex* re = c.node.regex.get();
  std::regex computed;
  if (re == nullptr) {  // pattern computed from data: compiled per call
    try {
      computed = std::regex(pattern.begin(), pattern.end());
    } catch (const std::regex_error& e) {
      return c.Error("invalid regular expression '" + Str(pattern) + "': " + e.what());
    }
    re = &computed;
  }
  *out = Datum::Bool(std::regex_match(s.begin(), s.end(), *re));
  return Status::Ok();
}

// --- math

Status Abs(const Call& c, Args a, Datum* out) {
  if (a[0].is_int()) {
    if (a[0].i == std::numeric_limits<int64_t>::min()) return c.Error("integer overflow in abs()");
    *out = Datum::Int(a[0].i < 0 ? -a[0].i : a[0].i);
    return Status::Ok();
  }
  double x = 0;
  RETURN_IF_ERROR(GetNumber(c, a, 0, &x));
  *out = Datum::Double(std::fabs(x));
  return Status::Ok();
}

// floor/ceil/round(x) return an int: they are mostly used to bucket values.
Status ToIntegral(const Call& c, Args a, double (*fn)(double), Datum* out) {
  if (a[0].is_int()) {
    *out = a[0];
    return Status::Ok();
  }
  double x = 0;
  RETURN_IF_ERROR(GetNumber(c, a, 0, &x));
  int64_t r = 0;
  if (!DoubleToInt(fn(x), &r)) return c.Error("function '" + c.node.name + "': result is out of the integer range");
  *out = Datum::Int(r);
  return Status::Ok();
}

Status Floor(const Call& c, Args a, Datum* out) {
  return ToIntegral(
      c, a, [](double x) { return std::floor(x); }, out);
}
Status Ceil(const Call& c, Args a, Datum* out) {
  return ToIntegral(
      c, a, [](double x) { return std::ceil(x); }, out);
}

// round(x) -> int, half away from zero; round(x, digits) -> double.
Status Round(const Call& c, Args a, Datum* out) {
  if (a.size() == 1)
    return ToIntegral(
        c, a, [](double x) { return std::round(x); }, out);
  double x = 0;
  int64_t digits = 0;
  RETURN_IF_ERROR(GetNumber(c, a, 0, &x));
  RETURN_IF_ERROR(GetInt(c, a, 1, &digits));
  if (digits > 15) {  // beyond double precision: nothing to round
    *out = Datum::Double(x);
    return Status::Ok();
  }
  const double factor = std::pow(10.0, static_cast<double>(std::max<int64_t>(digits, -308)));
  *out = Datum::Double(std::round(x * factor) / factor);
  return Status::Ok();
}

Status Sqrt(const Call& c, Args a, Datum* out) {
  double x = 0;
  RETURN_IF_ERROR(GetNumber(c, a, 0, &x));
  if (x < 0) return c.Error("function 'sqrt' needs a number >= 0");
  *out = Datum::Double(std::sqrt(x));
  return Status::Ok();
}

Status Pow(const Call& c, Args a, Datum* out) {
  double x = 0, y = 0;
  RETURN_IF_ERROR(GetNumber(c, a, 0, &x));
  RETURN_IF_ERROR(GetNumber(c, a, 1, &y));
  *out = Datum::Double(std::pow(x, y));
  return Status::Ok();
}

Status Log(const Call& c, Args a, Datum* out) {
  double x = 0;
  RETURN_IF_ERROR(GetNumber(c, a, 0, &x));
  if (x <= 0) return c.Error("function 'log' needs a number > 0");
  *out = Datum::Double(std::log(x));
  return Status::Ok();
}

Status Exp(const Call& c, Args a, Datum* out) {
  double x = 0;
  RETURN_IF_ERROR(GetNumber(c, a, 0, &x));
  *out = Datum::Double(std::exp(x));
  return Status::Ok();
}

// min/max skip nulls (null only when all are null); the winner keeps its type.
Status Extreme(const Call& c, Args a, bool want_max, Datum* out) {
  const Datum* best = nullptr;
  for (size_t i = 0; i < a.size(); ++i) {
    const Datum& d = a[i];
    if (d.is_null()) continue;
    if (!d.is_number()) return c.Error(Mismatch(c, i, "a number", d));
    if (best == nullptr) {
      best = &d;
      continue;
    }
    const bool less = d.is_int() && best->is_int() ? d.i < best->i : d.number() < best->number();
    const bool greater = d.is_int() && best->is_int() ? d.i > best->i : d.number() > best->number();
    if (want_max ? greater : less) best = &d;
  }
  *out = best == nullptr ? Datum::Null() : *best;
  return Status::Ok();
}
Status Min(const Call& c, Args a, Datum* out) {
  return Extreme(c, a, false, out);
}
Status Max(const Call& c, Args a, Datum* out) {
  return Extreme(c, a, true, out);
}

// int(x): truncates doubles toward zero; parses strings ("42", " 7 ", "3.9" -> 3).
Status IntFn(const Call& c, Args a, Datum* out) {
  const Datum& d = a[0];
  int64_t r = 0;
  if (d.is_int()) {
    r = d.i;
  } else if (d.is_bool()) {
    r = d.b ? 1 : 0;
  } else if (d.kind == Datum::Kind::kDouble) {
    if (!DoubleToInt(d.d, &r)) return c.Error("function 'int': value is out of the integer range");
  } else if (d.is_string()) {
    const std::string_view s = TrimAscii(d.str());
    const char* end = s.data() + s.size();
    auto ri = std::from_chars(s.data(), end, r);
    if (s.empty() || ri.ec != std::errc() || ri.ptr != end) {
      double x = 0;
      auto rd = std::from_chars(s.data(), end, x);
      if (s.empty() || rd.ec != std::errc() || rd.ptr != end || !DoubleToInt(x, &r)) {
        return c.Error("function 'int' cannot convert '" + Str(d.str()) + "' to an integer");
      }
    }
  } else {
    return c.Error(Mismatch(c, 0, "a number, a string or a bool", d));
  }
  *out = Datum::Int(r);
  return Status::Ok();
}

Status DoubleFn(const Call& c, Args a, Datum* out) {
  const Datum& d = a[0];
  if (d.is_number()) {
    *out = Datum::Double(d.number());
  } else if (d.is_bool()) {
    *out = Datum::Double(d.b ? 1 : 0);
  } else if (d.is_string()) {
    const std::string_view s = TrimAscii(d.str());
    double x = 0;
    auto r = std::from_chars(s.data(), s.data() + s.size(), x);
    if (s.empty() || r.ec != std::errc() || r.ptr != s.data() + s.size()) {
      return c.Error("function 'double' cannot convert '" + Str(d.str()) + "' to a number");
    }
    *out = Datum::Double(x);
  } else {
    return c.Error(Mismatch(c, 0, "a number, a string or a bool", d));
  }
  return Status::Ok();
}

// --- time: milliseconds since the epoch, UTC

Status Now(const Call&, Args, Datum* out) {
  using std::chrono::duration_cast, std::chrono::milliseconds, std::chrono::system_clock;
  *out = Datum::Int(duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count());
  return Status::Ok();
}

template <int CivilTime::*kField>
Status CivilField(const Call& c, Args a, Datum* out) {
  int64_t ts = 0;
  RETURN_IF_ERROR(GetInt(c, a, 0, &ts));
  *out = Datum::Int(ToCivil(ts).*kField);
  return Status::Ok();
}

Status Format(const Call& c, int64_t ts, std::string_view format, Datum* out) {
  std::string r, error;
  if (!FormatTime(ts, format, &r, &error)) return c.Error(error);
  *out = OwnString(std::move(r));
  return Status::Ok();
}

Status Date(const Call& c, Args a, Datum* out) {
  int64_t ts = 0;
  RETURN_IF_ERROR(GetInt(c, a, 0, &ts));
  return Format(c, ts, "%F", out);
}

Status FormatTimeFn(const Call& c, Args a, Datum* out) {
  int64_t ts = 0;
  std::string_view format;
  RETURN_IF_ERROR(GetInt(c, a, 0, &ts));
  RETURN_IF_ERROR(GetString(c, a, 1, &format));
  return Format(c, ts, format, out);
}

Status ParseTimeFn(const Call& c, Args a, Datum* out) {
  std::string_view s;
  RETURN_IF_ERROR(GetString(c, a, 0, &s));
  int64_t ms = 0;
  std::string error;
  if (!ParseTime(s, &ms, &error)) return c.Error(error);
  *out = Datum::Int(ms);
  return Status::Ok();
}

// window_start(ts, size): start of the tumbling window (aligned to the epoch) holding ts.
Status WindowStart(const Call& c, Args a, Datum* out) {
  int64_t ts = 0, size = 0;
  RETURN_IF_ERROR(GetInt(c, a, 0, &ts));
  RETURN_IF_ERROR(GetInt(c, a, 1, &size));
  if (size <= 0) return c.Error("function 'window_start' needs a window size > 0");
  int64_t rem = ts % size;
  if (rem < 0) rem += size;
  int64_t start = 0;
  if (__builtin_sub_overflow(ts, rem, &start)) return c.Error("integer overflow in window_start()");
  *out = Datum::Int(start);
  return Status::Ok();
}

// --- misc

Status IsNull(const Call&, Args a, Datum* out) {
  *out = Datum::Bool(a[0].is_null());
  return Status::Ok();
}

// required(x): x, or a DataError when x is null — turns a missing field into
// a record error (dead-lettered) instead of a silent null.
Status Required(const Call& c, Args a, Datum* out) {
  if (a[0].is_null()) return c.Error("a required value is missing");
  *out = a[0];
  return Status::Ok();
}

Status TypeOf(const Call&, Args a, Datum* out) {
  *out = Datum::String(TypeName(a[0].type()));  // static storage
  return Status::Ok();
}

// --- result types

StaticType UnifyArgs(const Node& call) {
  StaticType t = StaticType::kNull;
  for (const auto& child : call.children) t = Unify(t, child->type);
  return t;
}
StaticType ExtremeType(const Node& call) {
  const StaticType t = UnifyArgs(call);
  return t == StaticType::kAny ? StaticType::kNumber : t;
}
StaticType AbsType(const Node& call) {
  const StaticType t = call.children[0]->type;
  return IsNumeric(t) || t == StaticType::kNull ? t : StaticType::kNumber;
}
StaticType RoundType(const Node& call) {
  return call.children.size() == 2 ? StaticType::kDouble : StaticType::kInt;
}
StaticType FirstArgType(const Node& call) {
  return call.children[0]->type;
}
StaticType IfType(const Node& call) {
  return Unify(call.children[1]->type, call.children[2]->type);
}

constexpr uint8_t S = kMString, I = kMInt, N = kMNumber, B = kMBool, A = kMArray, X = kMAnything;
using T = StaticType;
constexpr LazyKind kEager = LazyKind::kNone;

const FunctionDef kFunctions[] = {
    // name, min, max, params, result, null in -> null out, impl, lazy, result type
    {"lower", 1, 1, {S}, T::kString, true, Lower, kEager, nullptr},
    {"upper", 1, 1, {S}, T::kString, true, Upper, kEager, nullptr},
    {"trim", 1, 1, {S}, T::kString, true, Trim, kEager, nullptr},
    {"length", 1, 1, {S | A}, T::kInt, true, Length, kEager, nullptr},
    {"substr", 2, 3, {S, I, I}, T::kString, true, Substr, kEager, nullptr},
    {"concat", 1, kVariadic, {X, X, X}, T::kString, false, Concat, kEager, nullptr},
    {"contains", 2, 2, {S, S}, T::kBool, true, Contains, kEager, nullptr},
    {"starts_with", 2, 2, {S, S}, T::kBool, true, StartsWith, kEager, nullptr},
    {"ends_with", 2, 2, {S, S}, T::kBool, true, EndsWith, kEager, nullptr},
    {"replace", 3, 3, {S, S, S}, T::kString, true, Replace, kEager, nullptr},
    {"split", 2, 2, {S, S}, T::kArray, true, Split, kEager, nullptr},
    {"to_string", 1, 1, {X}, T::kString, true, ToStringFn, kEager, nullptr},
    {"string", 1, 1, {X}, T::kString, true, ToStringFn, kEager, nullptr},
    {"regex_match", 2, 2, {S, S}, T::kBool, true, RegexMatch, kEager, nullptr},
    {"abs", 1, 1, {N}, T::kNumber, true, Abs, kEager, AbsType},
    {"round", 1, 2, {N, I}, T::kInt, true, Round, kEager, RoundType},
    {"floor", 1, 1, {N}, T::kInt, true, Floor, kEager, nullptr},
    {"ceil", 1, 1, {N}, T::kInt, true, Ceil, kEager, nullptr},
    {"sqrt", 1, 1, {N}, T::kDouble, true, Sqrt, kEager, nullptr},
    {"pow", 2, 2, {N, N}, T::kDouble, true, Pow, kEager, nullptr},
    {"log", 1, 1, {N}, T::kDouble, true, Log, kEager, nullptr},
    {"exp", 1, 1, {N}, T::kDouble, true, Exp, kEager, nullptr},
    {"min", 1, kVariadic, {N, N, N}, T::kNumber, false, Min, kEager, ExtremeType},
    {"max", 1, kVariadic, {N, N, N}, T::kNumber, false, Max, kEager, ExtremeType},
    {"int", 1, 1, {N | S | B}, T::kInt, true, IntFn, kEager, nullptr},
    {"double", 1, 1, {N | S | B}, T::kDouble, true, DoubleFn, kEager, nullptr},
    {"now", 0, 0, {}, T::kInt, true, Now, kEager, nullptr},
    {"hour", 1, 1, {I}, T::kInt, true, CivilField<&CivilTime::hour>, kEager, nullptr},
    {"minute", 1, 1, {I}, T::kInt, true, CivilField<&CivilTime::minute>, kEager, nullptr},
    {"day_of_week", 1, 1, {I}, T::kInt, true, CivilField<&CivilTime::weekday>, kEager, nullptr},
    {"date", 1, 1, {I}, T::kString, true, Date, kEager, nullptr},
    {"format_time", 2, 2, {I, S}, T::kString, true, FormatTimeFn, kEager, nullptr},
    {"parse_time", 1, 1, {S}, T::kInt, true, ParseTimeFn, kEager, nullptr},
    {"window_start", 2, 2, {I, I}, T::kInt, true, WindowStart, kEager, nullptr},
    {"if", 3, 3, {B, X, X}, T::kAny, false, nullptr, LazyKind::kIf, IfType},
    {"is_null", 1, 1, {X}, T::kBool, false, IsNull, kEager, nullptr},
    {"coalesce", 1, kVariadic, {X, X, X}, T::kAny, false, nullptr, LazyKind::kCoalesce, UnifyArgs},
    {"type_of", 1, 1, {X}, T::kString, false, TypeOf, kEager, nullptr},
    {"required", 1, 1, {X}, T::kAny, false, Required, kEager, FirstArgType},
};

size_t EditDistance(std::string_view a, std::string_view b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diag = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      const size_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diag + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diag = up;
    }
  }
  return row[b.size()];
}

std::string ArityMessage(const FunctionDef& f, size_t got) {
  auto count = [](int k) { return k == 1 ? std::string("1 argument") : std::to_string(k) + " arguments"; };
  std::string m = "function '" + Str(f.name) + "' takes ";
  if (f.max_args == kVariadic) {
    m += "at least " + count(f.min_args);
  } else if (f.min_args == f.max_args) {
    m += f.min_args == 0 ? "no arguments" : count(f.min_args);
  } else {
    m += std::to_string(f.min_args) + (f.max_args == f.min_args + 1 ? " or " : " to ") + count(f.max_args);
  }
  return m + " but got " + std::to_string(got);
}

}  // namespace

const FunctionDef* FindFunction(std::string_view name) {
  for (const FunctionDef& f : kFunctions) {
    if (f.name == name) return &f;
  }
  return nullptr;
}

std::string_view SuggestFunction(std::string_view name) {
  std::string_view best;
  size_t best_distance = std::max<size_t>(2, name.size() / 3) + 1;  // farther than this is not a typo
  for (const FunctionDef& f : kFunctions) {
    const size_t d = EditDistance(name, f.name);
    if (d < best_distance && d < name.size()) {
      best = f.name;
      best_distance = d;
    }
  }
  return best;
}

Status CheckCall(Node& call, size_t* error_offset) {
  auto fail = [&](size_t offset, std::string message) {
    *error_offset = offset;
    return Status::InvalidArgument(std::move(message));
  };
  const FunctionDef* f = FindFunction(call.name);
  if (f == nullptr) return fail(call.op_offset, "unknown function '" + call.name + "'");
  const size_t n = call.children.size();
  if (n < static_cast<size_t>(f->min_args) || (f->max_args != kVariadic && n > static_cast<size_t>(f->max_args))) {
    return fail(call.op_offset, ArityMessage(*f, n));
  }
  for (size_t i = 0; i < n; ++i) {
    const uint8_t mask = f->params[std::min<size_t>(i, 2)];
    const Node& arg = *call.children[i];
    if (!Accepts(mask, arg.type)) {
      return fail(arg.begin, "function '" + call.name + "' expects " + MaskName(mask) + " as argument " +
                                 std::to_string(i + 1) + " but got " + Str(Describe(arg.type)));
    }
  }
  call.function = f;
  call.type = f->result_type != nullptr ? f->result_type(call) : f->result;
  // Literal arguments that can be checked (and prepared) once, here.
  if (n == 2 && call.children[1]->kind == NodeKind::kLiteral && call.children[1]->literal.is_string()) {
    const Node& arg = *call.children[1];
    const std::string& text = arg.literal.as_string();
    if (f->name == "regex_match") {
      try {
        call.regex = std::make_unique<const std::regex>(text);
      } catch (const std::regex_error& e) {
        return fail(arg.begin, "invalid regular expression '" + text + "': " + e.what());
      }
    } else if (f->name == "format_time") {
      std::string sample, error;
      if (!FormatTime(0, text, &sample, &error)) return fail(arg.begin, error);
    }
  }
  return Status::Ok();
}

std::string ToDisplayString(const Datum& d) {
  switch (d.kind) {
    case Datum::Kind::kNull: return "null";
    case Datum::Kind::kBool: return d.b ? "true" : "false";
    case Datum::Kind::kInt: return std::to_string(d.i);
    case Datum::Kind::kDouble: return Value(d.d).ToJson();
    case Datum::Kind::kString: return std::string(d.s);
    case Datum::Kind::kRef:
    case Datum::Kind::kOwned: break;
  }
  const Value* v = d.value_ptr();
  return v->is_string() ? v->as_string() : v->ToJson();
}

}  // namespace streamapp::expr
