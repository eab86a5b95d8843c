// Topology fixture files (docs/testing.md): a topology, and tests made of
// steps — records in, records expected out, restarts, wall-clock time — run
// on the TopologyTestDriver by `stream-app test`. Parsing (fixture_parser.cc)
// keeps every position so a failure points at the line that expected it;
// running and comparing live in fixture_runner.cc and record_matcher.cc.
#pragma once

#include <cstdint>
#include <iosfwd>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "streamapp/record.h"
#include "streamapp/test_driver.h"
#include "streamapp/topology_file.h"
#include "streamapp/value.h"

namespace streamapp::testing {

// 1-based; line 0: no position.
struct FixturePos {
  int line = 0;
  int column = 0;
};

// A key or value as written: YAML maps and lists are JSON objects and arrays;
// plain scalars are numbers, booleans or null where they read as one.
struct FixtureValue {
  Value value;
  // The text of a plain (unquoted) scalar: an output decoded as a string
  // matches it too, so `value: 5` matches the string "5" of a string serde.
  std::optional<std::string> plain_text;
};

struct InputRecord {
  FixturePos pos;
  FixtureValue key;                  // null: a null key
  FixtureValue value;                // null: a tombstone
  std::optional<std::string> raw;    // the value's bytes as given, instead of `value`
  std::optional<int64_t> timestamp;  // none: the driver's wall-clock time
  std::vector<Header> headers;
};

struct ExpectedRecord {
  FixturePos pos;
  std::optional<FixtureValue> key;    // none: not checked
  std::optional<FixtureValue> value;  // none: not checked; null: a tombstone
  std::optional<std::string> raw;     // the value's exact bytes
  std::optional<int64_t> timestamp;
  std::vector<Header> headers;  // each must be present with this value; others are ignored
};

enum class OrderMode {
  kStrict,    // per key, in the order listed (what Kafka guarantees: order within a partition)
  kSequence,  // exactly in the order listed, across keys
  kSet,       // in any order
};
std::string_view OrderModeName(OrderMode mode);

struct FixtureStep {
  enum class Kind { kInput, kExpect, kExpectEmpty, kExpectCounters, kRestart, kAdvanceWallClock, kCommit };
  Kind kind = Kind::kInput;
  FixturePos pos;
  std::string topic;  // kInput, kExpect (empty with `dlq`)
  bool dlq = false;   // kExpect written as expect_dlq
  std::vector<InputRecord> inputs;
  std::vector<ExpectedRecord> expected;
  OrderMode order = OrderMode::kStrict;
  bool partial = false;                   // kExpect: other records of the topic may be there (and stay unread)
  std::vector<std::string> empty_topics;  // kExpectEmpty
  std::vector<std::pair<std::string, int64_t>> counters;  // kExpectCounters
  RestartMode restart = RestartMode::kClean;
  int64_t advance_ms = 0;  // kAdvanceWallClock
  // A one-line description for reports: "expect 'totals'", "restart".
  std::string Describe() const;
};

struct TopologySource {
  FixturePos pos;
  std::string path;                 // a file, relative to the fixture (resolved when parsed)
  std::optional<std::string> text;  // inline `topology_text`
  // Where line 1 of an inline text is in the fixture (a block scalar), so
  // diagnostics can point into the fixture; 0 when unknown.
  int text_first_line = 0;
  int text_indent = 0;
};

struct ExpectedError {
  FixturePos pos;
  std::string text;         // as written
  std::optional<int> line;  // "line 7: ..." or "line 7:9: ..."
  std::optional<int> column;
  std::string message;  // a substring of the diagnostic's message
};

struct FixtureTest {
  std::string name;
  FixturePos pos;
  std::optional<TopologySource> topology;  // none: the file's
  std::optional<size_t> cache_max_bytes;   // none: the file's, or 0
  std::vector<FixtureStep> steps;
  bool expects_errors = false;
  std::vector<ExpectedError> expect_errors;
  // The engine is known to fail this test (the reason says how): a failure
  // is reported but does not fail the run; a pass does, so the mark goes
  // once the engine is fixed.
  std::optional<std::string> known_failure;
};

struct Fixture {
  std::string path;
  std::optional<TopologySource> topology;
  std::optional<size_t> cache_max_bytes;
  std::vector<FixtureTest> tests;
};

struct FixtureParseResult {
  std::optional<Fixture> fixture;  // set when there are no errors
  std::vector<Diagnostic> errors;
};

FixtureParseResult ParseFixtureFile(const std::string& path);
// `path` names the file in diagnostics; topology paths resolve against its directory.
FixtureParseResult ParseFixtureText(std::string_view text, const std::string& path);

struct TestOutcome {
  std::string name;
  bool passed = false;         // passed, or failed as its known_failure says
  bool known_failure = false;  // failed, as its known_failure says
  std::string known_failure_reason;
  std::string report;  // why it failed: the step, its position, expected vs actual
};

struct FixtureOutcome {
  std::string path;
  std::vector<Diagnostic> errors;  // the fixture itself is malformed: no test ran
  std::vector<TestOutcome> tests;
  bool passed() const;
};

struct RunOptions {
  std::ostream* trace = nullptr;  // when set, each step as it runs (--verbose)
};

FixtureOutcome RunFixture(const Fixture& fixture, const RunOptions& options = {});
// Parses and runs a fixture file.
FixtureOutcome RunFixtureFile(const std::string& path, const RunOptions& options = {});

}  // namespace streamapp::testing
