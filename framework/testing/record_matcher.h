// Comparing expected records of a fixture with what a topic received, and
// printing both so that a mismatch reads like a diff.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "streamapp/test_driver.h"
#include "testing/fixture.h"

namespace streamapp::testing {

// An output record with its key and value decoded by the topic's serdes.
struct ActualRecord {
  size_t index = 0;  // in TopologyTestDriver::outputs()
  const TestRecord* record = nullptr;
  Value key;
  Value value;
};

// JSON values compare key-order insensitively and numbers by value; a plain
// scalar also matches a string with its text.
bool ValueMatches(const FixtureValue& expected, const Value& actual);
bool RecordMatches(const ExpectedRecord& expected, const ActualRecord& actual);

struct MatchResult {
  std::vector<std::optional<size_t>> actual_of_expected;  // per expected record: the actual one it matched
  std::vector<bool> actual_matched;
  bool all_expected_found() const;
  bool all_actual_matched() const;
};

// kStrict and kSequence: expected records are taken in the order listed,
// each matching the earliest actual record after the last one matched of
// its key (kStrict) or of the topic (kSequence); kSet: a maximum matching.
MatchResult MatchRecords(const std::vector<ExpectedRecord>& expected, const std::vector<ActualRecord>& actual,
                         OrderMode order);

// "key: "c1", value: {"n":1}, timestamp: 1000": the fields the fixture
// gives / every field of the output (headers only when asked: the
// dead-letter headers are long).
std::string FormatExpected(const ExpectedRecord& expected);
std::string FormatActual(const ActualRecord& actual, bool with_headers);
// Compact JSON, object keys sorted.
std::string CanonicalJson(const Value& v);

}  // namespace streamapp::testing
