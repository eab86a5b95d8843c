#include "testing/record_matcher.h"

#include <algorithm>
#include <functional>
#include <map>

namespace streamapp::testing {
namespace {

// Object fields sorted, recursively, so that == ignores their order.
Value Canonical(Value v) {
  if (v.is_object()) {
    auto& fields = v.as_object();
    for (Field& f : fields) f.value = Canonical(std::move(f.value));
    std::sort(fields.begin(), fields.end(), [](const Field& a, const Field& b) { return a.name < b.name; });
  } else if (v.is_array()) {
    for (Value& e : v.as_array()) e = Canonical(std::move(e));
  }
  return v;
}

bool HasHeader(const std::vector<Header>& headers, const Header& wanted) {
  return std::any_of(headers.begin(), headers.end(), [&](const Header& h) { return h == wanted; });
}

std::string FormatHeaders(const std::vector<Header>& headers) {
  Value obj = Value::MakeObject();
  for (const Header& h : headers) obj.as_object().push_back({h.key, Value(h.value)});  // repeated names stay
  return obj.ToJson();
}

std::string FormatFixtureValue(const FixtureValue& v) {
  return CanonicalJson(v.value);
}

}  // namespace

std::string CanonicalJson(const Value& v) {
  return Canonical(v).ToJson();
}

bool ValueMatches(const FixtureValue& expected, const Value& actual) {
  if (Canonical(expected.value) == Canonical(actual)) return true;
  return expected.plain_text && actual.is_string() && *expected.plain_text == actual.as_string();
}

bool RecordMatches(const ExpectedRecord& expected, const ActualRecord& actual) {
  const TestRecord& r = *actual.record;
  if (expected.key && !ValueMatches(*expected.key, actual.key)) return false;
  if (expected.value) {
    if (expected.value->value.is_null()) {
      if (r.value) return false;  // a tombstone has no bytes
    } else if (!r.value || !ValueMatches(*expected.value, actual.value)) {
      return false;
    }
  }
  if (expected.raw && r.value != expected.raw) return false;
  if (expected.timestamp && r.timestamp != *expected.timestamp) return false;
  for (const Header& h : expected.headers) {
    if (!HasHeader(r.headers, h)) return false;
  }
  return true;
}

bool MatchResult::all_expected_found() const {
  return std::all_of(actual_of_expected.begin(), actual_of_expected.end(),
                     [](const std::optional<size_t>& a) { return a.has_value(); });
}

bool MatchResult::all_actual_matched() const {
  return std::all_of(actual_matched.begin(), actual_matched.end(), [](bool b) { return b; });
}

MatchResult MatchRecords(const std::vector<ExpectedRecord>& expected, const std::vector<ActualRecord>& actual,
                         OrderMode order) {
  MatchResult m;
  m.actual_of_expected.assign(expected.size(), std::nullopt);
  m.actual_matched.assign(actual.size(), false);
  if (order == OrderMode::kSet) {
    // Kuhn's augmenting paths: optional fields (timestamp, headers) make
    // "matches" no equivalence, so first-fit could miss a full matching.
    std::vector<std::optional<size_t>> expected_of_actual(actual.size());
    std::function<bool(size_t, std::vector<bool>&)> augment = [&](size_t e, std::vector<bool>& seen) {
      for (size_t a = 0; a < actual.size(); ++a) {
        if (seen[a] || !RecordMatches(expected[e], actual[a])) continue;
        seen[a] = true;
        if (!expected_of_actual[a] || augment(*expected_of_actual[a], seen)) {
          expected_of_actual[a] = e;
          return true;
        }
      }
      return false;
    };
    for (size_t e = 0; e < expected.size(); ++e) {
      std::vector<bool> seen(actual.size(), false);
      augment(e, seen);
    }
    for (size_t a = 0; a < actual.size(); ++a) {
      if (!expected_of_actual[a]) continue;
      m.actual_of_expected[*expected_of_actual[a]] = a;
      m.actual_matched[a] = true;
    }
    return m;
  }
  // Ordered: per group (a key, or the whole topic), matches move forward only.
  auto group_of = [&](const ActualRecord& a) { return order == OrderMode::kStrict ? CanonicalJson(a.key) : ""; };
  std::map<std::string, size_t> next_in_group;  // actual records of a group before this are passed
  for (size_t e = 0; e < expected.size(); ++e) {
    for (size_t a = 0; a < actual.size(); ++a) {
      if (m.actual_matched[a]) continue;
      auto it = next_in_group.find(group_of(actual[a]));
      if (it != next_in_group.end() && a < it->second) continue;
      if (!RecordMatches(expected[e], actual[a])) continue;
      m.actual_of_expected[e] = a;
      m.actual_matched[a] = true;
      next_in_group[group_of(actual[a])] = a + 1;
      break;
    }
  }
  return m;
}

std::string FormatExpected(const ExpectedRecord& e) {
  std::vector<std::string> parts;
  if (e.key) parts.push_back("key: " + FormatFixtureValue(*e.key));
  if (e.value)
    parts.push_back("value: " + (e.value->value.is_null() ? "null (tombstone)" : FormatFixtureValue(*e.value)));
  if (e.raw) parts.push_back("raw: " + Value(*e.raw).ToJson());
  if (e.timestamp) parts.push_back("timestamp: " + std::to_string(*e.timestamp));
  if (!e.headers.empty()) parts.push_back("headers: " + FormatHeaders(e.headers));
  std::string out;
  for (const std::string& p : parts) out += (out.empty() ? "" : ", ") + p;
  return out.empty() ? "(any record)" : out;
}

std::string FormatActual(const ActualRecord& a, bool with_headers) {
  const TestRecord& r = *a.record;
  std::string out = "key: " + CanonicalJson(a.key);
  out += ", value: " + (r.value ? CanonicalJson(a.value) : std::string("null (tombstone)"));
  out += ", timestamp: " + std::to_string(r.timestamp);
  if (with_headers && !r.headers.empty()) out += ", headers: " + FormatHeaders(r.headers);
  return out;
}

}  // namespace streamapp::testing
