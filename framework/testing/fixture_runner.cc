// Runs fixture tests on a fresh TopologyTestDriver each, step by step; the
// first failing step ends a test with a report naming its file:line.
#include <algorithm>
#include <filesystem>
#include <memory>
#include <ostream>
#include <sstream>

#include "testing/fixture.h"
#include "testing/record_matcher.h"

namespace streamapp::testing {
namespace {

std::string At(const std::string& file, FixturePos pos) {
  if (pos.line <= 0) return file;
  return file + ":" + std::to_string(pos.line) + ":" + std::to_string(pos.column);
}

// A diagnostic of the topology: in the fixture's coordinates when the
// topology is an inline block, else in the topology file's.
std::string FormatDiagnostic(const Diagnostic& d, const TopologySource& src, const std::string& fixture_path) {
  if (!src.text) return d.ToString();
  if (d.line <= 0) return "topology_text: " + d.message;
  const std::string relative = "line " + std::to_string(d.line) + ":" + std::to_string(d.column);
  if (src.text_first_line <= 0) return "topology_text " + relative + ": " + d.message;
  FixturePos in_fixture{src.text_first_line + d.line - 1, src.text_indent + d.column};
  return At(fixture_path, in_fixture) + ": " + d.message + "  [topology_text " + relative + "]";
}

LoadResult LoadTopology(const TopologySource& src, const std::string& fixture_path) {
  if (!src.text) return LoadTopologyFile(src.path);
  std::string base_dir = std::filesystem::path(fixture_path).parent_path().string();
  return LoadTopologyText(*src.text, fixture_path + " (topology_text)", base_dir.empty() ? "." : base_dir);
}

bool ErrorMatches(const ExpectedError& e, const Diagnostic& d) {
  if (e.line && d.line != *e.line) return false;
  if (e.column && d.column != *e.column) return false;
  return d.message.find(e.message) != std::string::npos;
}

// One test's run: the driver and which of its outputs expectations consumed.
class TestRun {
 public:
  TestRun(const Fixture& fixture, const FixtureTest& test, const RunOptions& options)
      : fixture_(fixture), test_(test), options_(options) {}

  TestOutcome Run() {
    TestOutcome outcome;
    outcome.name = test_.name;
    const TopologySource& src = test_.topology ? *test_.topology : *fixture_.topology;
    LoadResult loaded = LoadTopology(src, fixture_.path);
    if (test_.expects_errors) {
      outcome.passed = CheckErrors(loaded, src, &outcome.report);
      return outcome;
    }
    if (!loaded.loaded) {
      std::ostringstream report;
      report << At(fixture_.path, src.pos) << ": the topology does not load:\n";
      for (const Diagnostic& d : loaded.errors) report << "    " << FormatDiagnostic(d, src, fixture_.path) << "\n";
      outcome.report = report.str();
      return outcome;
    }
    TestDriverOptions driver_options;
    driver_options.application_id = loaded.loaded->app.application_id;
    driver_options.dlq_topic = loaded.loaded->app.dlq_topic;
    driver_options.cache_max_bytes = test_.cache_max_bytes.value_or(fixture_.cache_max_bytes.value_or(0));
    auto created = TopologyTestDriver::Create(loaded.loaded->topology, driver_options);
    if (!created.ok()) {
      outcome.report = At(fixture_.path, test_.pos) + ": the driver could not start: " + created.status().ToString();
      return outcome;
    }
    driver_ = std::move(created).value();
    for (size_t i = 0; i < test_.steps.size(); ++i) {
      const FixtureStep& step = test_.steps[i];
      if (options_.trace) *options_.trace << "    " << At(fixture_.path, step.pos) << ": " << step.Describe() << "\n";
      std::string failure = RunStep(step);
      if (!failure.empty()) {
        outcome.report =
            At(fixture_.path, step.pos) + ": step " + std::to_string(i + 1) + " (" + step.Describe() + "): " + failure;
        return outcome;
      }
    }
    outcome.passed = true;
    return outcome;
  }

 private:
  bool CheckErrors(const LoadResult& loaded, const TopologySource& src, std::string* report) {
    std::ostringstream out;
    if (loaded.errors.empty()) {
      out << At(fixture_.path, test_.pos) << ": the topology loaded without errors; expected:\n";
      for (const ExpectedError& e : test_.expect_errors) out << "    " << e.text << "\n";
      *report = out.str();
      return false;
    }
    bool all_found = true;
    for (const ExpectedError& e : test_.expect_errors) {
      const bool found = std::any_of(loaded.errors.begin(), loaded.errors.end(),
                                     [&](const Diagnostic& d) { return ErrorMatches(e, d); });
      if (!found) {
        all_found = false;
        out << At(fixture_.path, e.pos) << ": expected error not reported: " << e.text << "\n";
      }
    }
    if (all_found) return true;
    out << "  the topology reported (as 'line L:C: message'):\n";
    for (const Diagnostic& d : loaded.errors) {
      out << "    line " << d.line << ":" << d.column << ": " << d.message << "\n";
    }
    *report = out.str();
    return false;
  }

  std::string RunStep(const FixtureStep& step) {
    switch (step.kind) {
      case FixtureStep::Kind::kInput: return Input(step);
      case FixtureStep::Kind::kExpect: return Expect(step);
      case FixtureStep::Kind::kExpectEmpty: return ExpectEmpty(step);
      case FixtureStep::Kind::kExpectCounters: return ExpectCounters(step);
      case FixtureStep::Kind::kRestart: return Failed(driver_->Restart(step.restart));
      case FixtureStep::Kind::kAdvanceWallClock:
        return Failed(driver_->AdvanceWallClock(std::chrono::milliseconds(step.advance_ms)));
      case FixtureStep::Kind::kCommit: return Failed(driver_->Commit());
    }
    return "unknown step";
  }

  static std::string Failed(const Status& st) { return st.ok() ? "" : st.ToString(); }

  std::string Input(const FixtureStep& step) {
    for (const InputRecord& rec : step.inputs) {
      std::string failure = PipeOne(step.topic, rec);
      if (!failure.empty()) return "record at line " + std::to_string(rec.pos.line) + ": " + failure;
    }
    return "";
  }

  std::string PipeOne(const std::string& topic, const InputRecord& rec) {
    auto key = driver_->SerializeKey(topic, rec.key.value);
    if (!key.ok()) return Failed(key.status());
    std::optional<std::string> value = rec.raw;
    if (!rec.raw) {
      auto encoded = driver_->SerializeValue(topic, rec.value.value);
      if (!encoded.ok()) return Failed(encoded.status());
      value = std::move(*encoded);
    }
    return Failed(driver_->Pipe(topic, std::move(*key), std::move(value),
                                rec.timestamp.value_or(driver_->wall_clock_ms()), rec.headers));
  }

  // Unread output records of a topic, decoded.
  std::vector<ActualRecord> Unread(const std::string& topic) {
    const std::vector<TestRecord>& outputs = driver_->outputs();
    consumed_.resize(outputs.size(), false);
    std::vector<ActualRecord> out;
    for (size_t i = 0; i < outputs.size(); ++i) {
      if (consumed_[i] || outputs[i].topic != topic) continue;
      ActualRecord a;
      a.index = i;
      a.record = &outputs[i];
      auto key = driver_->DecodeKey(outputs[i]);
      a.key = key.ok() ? std::move(*key) : Value(outputs[i].key.value_or(""));
      auto value = driver_->DecodeValue(outputs[i]);
      a.value = value.ok() ? std::move(*value) : Value(outputs[i].value.value_or(""));
      out.push_back(std::move(a));
    }
    return out;
  }

  std::string Expect(const FixtureStep& step) {
    const std::string topic = step.dlq ? driver_->dlq_topic() : step.topic;
    std::vector<ActualRecord> actual = Unread(topic);
    MatchResult m = MatchRecords(step.expected, actual, step.order);
    const bool ok = m.all_expected_found() && (step.partial || m.all_actual_matched());
    if (ok) {
      for (size_t a = 0; a < actual.size(); ++a) {
        if (!step.partial || m.actual_matched[a]) consumed_[actual[a].index] = true;
      }
      return "";
    }
    return MismatchReport(step, topic, actual, m);
  }

  std::string MismatchReport(const FixtureStep& step, const std::string& topic, const std::vector<ActualRecord>& actual,
                             const MatchResult& m) {
    const bool with_headers = std::any_of(step.expected.begin(), step.expected.end(),
                                          [](const ExpectedRecord& e) { return !e.headers.empty(); });
    const size_t missing = std::count(m.actual_of_expected.begin(), m.actual_of_expected.end(), std::nullopt);
    const size_t extra = step.partial ? 0 : std::count(m.actual_matched.begin(), m.actual_matched.end(), false);
    std::ostringstream out;
    out << missing << " expected record(s) not found";
    if (!step.partial) out << ", " << extra << " unexpected";
    out << " on '" << topic << "' (order: " << OrderModeName(step.order) << (step.partial ? ", partial" : "") << ")";
    if (step.order != OrderMode::kSet) {
      MatchResult as_set = MatchRecords(step.expected, actual, OrderMode::kSet);
      if (as_set.all_expected_found() && (step.partial || as_set.all_actual_matched())) {
        out << "; the records are all there, in another order"
            << (step.order == OrderMode::kStrict ? " (strict: the order of each key's records counts)" : "");
      }
    }
    out << "\n      expected (- not found):\n";
    for (size_t e = 0; e < step.expected.size(); ++e) {
      out << "      " << (m.actual_of_expected[e] ? "  " : "- ") << FormatExpected(step.expected[e]) << "   (line "
          << step.expected[e].pos.line << ")\n";
    }
    out << "      actual, unread on '" << topic << "'" << (step.partial ? "" : " (+ unexpected)") << ":\n";
    if (actual.empty()) out << "        (nothing)\n";
    for (size_t a = 0; a < actual.size(); ++a) {
      const bool flag = !m.actual_matched[a] && !step.partial;
      out << "      " << (flag ? "+ " : "  ") << FormatActual(actual[a], with_headers) << "\n";
    }
    return out.str();
  }

  std::string ExpectEmpty(const FixtureStep& step) {
    std::ostringstream out;
    for (const std::string& topic : step.empty_topics) {
      std::vector<ActualRecord> actual = Unread(topic);
      if (actual.empty()) continue;
      out << "\n      '" << topic << "' has " << actual.size() << " unread record(s):\n";
      for (const ActualRecord& a : actual) out << "      + " << FormatActual(a, false) << "\n";
    }
    const std::string text = out.str();
    return text.empty() ? "" : "expected no unread output" + text;
  }

  std::string ExpectCounters(const FixtureStep& step) {
    std::string out;
    for (const auto& [name, want] : step.counters) {
      const int64_t have = driver_->Counter(name);
      if (have != want) {
        out += "\n      counter '" + name + "': expected " + std::to_string(want) + ", is " + std::to_string(have);
      }
    }
    return out.empty() ? "" : "counters differ" + out;
  }

  const Fixture& fixture_;
  const FixtureTest& test_;
  const RunOptions& options_;
  std::unique_ptr<TopologyTestDriver> driver_;
  std::vector<bool> consumed_;  // by index in driver_->outputs()
};

}  // namespace

std::string_view OrderModeName(OrderMode mode) {
  switch (mode) {
    case OrderMode::kStrict: return "strict";
    case OrderMode::kSequence: return "sequence";
    case OrderMode::kSet: return "set";
  }
  return "?";
}

std::string FixtureStep::Describe() const {
  switch (kind) {
    case Kind::kInput: return "input '" + topic + "', " + std::to_string(inputs.size()) + " record(s)";
    case Kind::kExpect: return dlq ? "expect_dlq" : "expect '" + topic + "'";
    case Kind::kExpectEmpty: {
      std::string names;
      for (const std::string& t : empty_topics) names += (names.empty() ? "'" : ", '") + t + "'";
      return "expect_empty " + names;
    }
    case Kind::kExpectCounters: return "expect_counters";
    case Kind::kRestart: return restart == RestartMode::kWipeState ? "restart, wiping local state" : "restart";
    case Kind::kAdvanceWallClock: return "advance_wall_clock " + std::to_string(advance_ms) + " ms";
    case Kind::kCommit: return "commit";
  }
  return "?";
}

bool FixtureOutcome::passed() const {
  return errors.empty() && std::all_of(tests.begin(), tests.end(), [](const TestOutcome& t) { return t.passed; });
}

FixtureOutcome RunFixture(const Fixture& fixture, const RunOptions& options) {
  FixtureOutcome outcome;
  outcome.path = fixture.path;
  for (const FixtureTest& test : fixture.tests) {
    if (options.trace) *options.trace << "  " << At(fixture.path, test.pos) << ": test '" << test.name << "'\n";
    TestOutcome result = TestRun(fixture, test, options).Run();
    if (test.known_failure) {
      result.known_failure_reason = *test.known_failure;
      if (result.passed) {
        result.passed = false;
        result.report = At(fixture.path, test.pos) + ": passed, but is marked known_failure (" + *test.known_failure +
                        "): remove the mark";
      } else {
        result.passed = true;
        result.known_failure = true;
      }
    }
    outcome.tests.push_back(std::move(result));
  }
  return outcome;
}

FixtureOutcome RunFixtureFile(const std::string& path, const RunOptions& options) {
  FixtureParseResult parsed = ParseFixtureFile(path);
  if (!parsed.fixture) {
    FixtureOutcome outcome;
    outcome.path = path;
    outcome.errors = std::move(parsed.errors);
    return outcome;
  }
  return RunFixture(*parsed.fixture, options);
}

}  // namespace streamapp::testing
