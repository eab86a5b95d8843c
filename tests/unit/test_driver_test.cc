// The topology test driver from C++ (streamapp/test_driver.h), and the
// fixture runner behind `stream-app test`: a wrong expectation must fail,
// with a report that shows where and what differs.
#include "streamapp/test_driver.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>

#include "streamapp/topology_file.h"
#include "support/run_command.h"
#include "testing/fixture.h"

namespace streamapp {
namespace {

using namespace std::chrono_literals;

Topology LoadOrDie(const std::string& yaml) {
  LoadResult r = LoadTopologyText(yaml, "inline.yaml", ".");
  if (!r.loaded) {
    std::string all;
    for (const Diagnostic& d : r.errors) all += d.ToString() + "\n";
    ADD_FAILURE() << all;
    std::abort();
  }
  return r.loaded->topology;
}

const char* kSums = R"y(version: 1
application: {id: sums}
streams:
  orders: {topic: orders}
pipelines:
  totals:
    from: orders
    steps:
      - groupBy: customer
      - aggregate: {op: sum, field: amount}
        name: sum
      - to: totals
)y";

TestDriverOptions Options(std::string application_id, std::string dlq_topic = "", size_t cache_max_bytes = 0) {
  TestDriverOptions options;
  options.application_id = std::move(application_id);
  options.dlq_topic = std::move(dlq_topic);
  options.cache_max_bytes = cache_max_bytes;
  return options;
}

std::unique_ptr<TopologyTestDriver> Start(const Topology& topology, TestDriverOptions options = {}) {
  auto driver = TopologyTestDriver::Create(topology, std::move(options));
  if (!driver.ok()) {
    ADD_FAILURE() << driver.status().ToString();
    std::abort();
  }
  return std::move(driver).value();
}

Value Json(const std::string& text) {
  static auto json = *MakeSerde("json", {});
  Value v;
  EXPECT_TRUE(json->Deserialize(text, &v).ok()) << text;
  return v;
}

// "key=value" of each record, decoded with the topic's serdes.
std::vector<std::string> Decoded(const TopologyTestDriver& driver, const std::vector<TestRecord>& records) {
  std::vector<std::string> out;
  for (const TestRecord& r : records) {
    auto key = driver.DecodeKey(r);
    auto value = driver.DecodeValue(r);
    EXPECT_TRUE(key.ok() && value.ok());
    out.push_back((key.ok() ? key->ToJson() : "?") + "=" + (value.ok() ? value->ToJson() : "?"));
  }
  return out;
}

TEST(TopologyTestDriver, RunsATopologyAndRestoresItsStateAfterARestart) {
  Topology topology = LoadOrDie(kSums);
  auto driver = Start(topology, Options("sums"));
  ASSERT_TRUE(driver->PipeValues("orders", Value("o1"), Json(R"({"customer":"c1","amount":5})"), 1000).ok());
  ASSERT_TRUE(driver->PipeValues("orders", Value("o2"), Json(R"({"customer":"c2","amount":3})"), 1001).ok());
  ASSERT_TRUE(driver->PipeValues("orders", Value("o3"), Json(R"({"customer":"c1","amount":4})"), 1002).ok());
  std::vector<TestRecord> totals = driver->ReadOutput("totals");
  EXPECT_EQ(Decoded(*driver, totals), (std::vector<std::string>{R"("c1"=5)", R"("c2"=3)", R"("c1"=9)"}));
  ASSERT_EQ(totals.size(), 3u);
  EXPECT_EQ(totals[2].timestamp, 1002);
  EXPECT_TRUE(driver->ReadOutput("totals").empty());  // read already

  // The repartition topic is internal: routed back in, not an output; the
  // changelog of the store is kept under the application's name.
  for (const TestRecord& r : driver->outputs()) EXPECT_EQ(r.topic, "totals");
  ASSERT_FALSE(driver->changelog_records().empty());
  EXPECT_EQ(driver->changelog_records()[0].topic, "sums-totals-sum-changelog");
  EXPECT_NE(driver->Store("totals-sum"), nullptr);
  EXPECT_EQ(driver->InputTopics(), (std::vector<std::string>{"orders"}));

  // Local state gone: the store is rebuilt from its changelog.
  ASSERT_TRUE(driver->Restart(RestartMode::kWipeState).ok());
  ASSERT_TRUE(driver->PipeValues("orders", Value("o4"), Json(R"({"customer":"c1","amount":1})"), 1003).ok());
  ASSERT_TRUE(driver->Restart(RestartMode::kClean).ok());
  ASSERT_TRUE(driver->PipeValues("orders", Value("o5"), Json(R"({"customer":"c2","amount":1})"), 1004).ok());
  EXPECT_EQ(Decoded(*driver, driver->ReadOutput("totals")), (std::vector<std::string>{R"("c1"=10)", R"("c2"=4)"}));

  EXPECT_EQ(driver->Pipe("nowhere", std::nullopt, std::string("x"), 0).code(), StatusCode::kNotFound);
}

TEST(TopologyTestDriver, BadRecordsGoToTheDeadLetterTopic) {
  Topology topology = LoadOrDie(kSums);
  auto driver = Start(topology, Options("sums", "bad-orders"));
  ASSERT_TRUE(driver->Pipe("orders", std::string("o1"), std::string("{not json"), 5).ok());
  std::vector<TestRecord> dead = driver->ReadOutput("bad-orders");
  ASSERT_EQ(dead.size(), 1u);
  EXPECT_EQ(dead[0].value, "{not json");
  EXPECT_EQ(driver->dlq_topic(), "bad-orders");
}

TEST(TopologyTestDriver, ACacheFoldsUpdatesUntilCommit) {
  Topology topology = LoadOrDie(kSums);
  auto driver = Start(topology, Options("sums", "", 1 << 20));
  for (int amount : {1, 2, 3}) {
    ASSERT_TRUE(driver
                    ->PipeValues("orders", Value("o"),
                                 Json(R"({"customer":"c1","amount":)" + std::to_string(amount) + "}"), 100 + amount)
                    .ok());
  }
  EXPECT_TRUE(driver->ReadOutput("totals").empty());
  ASSERT_TRUE(driver->Commit().ok());
  std::vector<TestRecord> totals = driver->ReadOutput("totals");
  EXPECT_EQ(Decoded(*driver, totals), (std::vector<std::string>{R"("c1"=6)"}));
  ASSERT_EQ(totals.size(), 1u);
  EXPECT_EQ(totals[0].timestamp, 103);  // the record that last wrote the key
}

// No YAML step punctuates on wall-clock time, so a custom operator shows it:
// it counts records and reports the count every 10 s of wall-clock time.
class CountReporter final : public OperatorDef {
 public:
  std::unique_ptr<Processor> CreateProcessor() const override {
    class P final : public Processor {
     public:
      Status Init(ProcessorContext& context) override {
        RETURN_IF_ERROR(Processor::Init(context));
        return context.Schedule(10s, PunctuationType::kWallClock, [this](Timestamp now) {
          Record out;
          out.key = Value("count");
          out.value = Value(seen_);
          out.timestamp = now;
          return this->context().Forward(std::move(out));
        });
      }
      Status Process(Record) override {
        ++seen_;
        return Status::Ok();
      }

     private:
      int64_t seen_ = 0;
    };
    return std::make_unique<P>();
  }
  std::string_view kind() const override { return "count-reporter"; }
};

TEST(TopologyTestDriver, AdvancingTheWallClockRunsWallClockPunctuators) {
  auto string_serde = *MakeSerde("string", {});
  auto json_serde = *MakeSerde("json", {});
  StreamsBuilder b;
  b.Stream("in", {"in"}, Consumed{string_serde, json_serde, {}})
      .Process("report", std::make_shared<CountReporter>())
      .To("out", "reports", {.key = string_serde, .value = json_serde});
  Result<Topology> topology = b.Build();
  ASSERT_TRUE(topology.ok()) << topology.status().ToString();
  TestDriverOptions options;
  options.wall_clock_start_ms = 50'000;
  auto driver = Start(*topology, options);

  ASSERT_TRUE(driver->PipeValues("in", Value("k"), Value(1), 0).ok());
  ASSERT_TRUE(driver->AdvanceWallClock(9s).ok());  // not due yet: scheduled at 60 s
  EXPECT_TRUE(driver->ReadOutput("reports").empty());
  ASSERT_TRUE(driver->AdvanceWallClock(1s).ok());
  ASSERT_TRUE(driver->PipeValues("in", Value("k"), Value(2), 0).ok());
  ASSERT_TRUE(driver->AdvanceWallClock(25s).ok());  // 85 s: one run (missed intervals are skipped)
  std::vector<TestRecord> reports = driver->ReadOutput("reports");
  EXPECT_EQ(Decoded(*driver, reports), (std::vector<std::string>{R"("count"=1)", R"("count"=2)"}));
  ASSERT_EQ(reports.size(), 2u);
  EXPECT_EQ(reports[0].timestamp, 60'000);
  EXPECT_EQ(reports[1].timestamp, 85'000);
  EXPECT_EQ(driver->wall_clock_ms(), 85'000);
}

// ---------------------------------------------------------------- the fixture runner

testing::FixtureOutcome RunText(const std::string& text) {
  testing::FixtureParseResult parsed = testing::ParseFixtureText(text, "inline-fixture.yaml");
  EXPECT_TRUE(parsed.errors.empty()) << (parsed.errors.empty() ? "" : parsed.errors[0].ToString());
  if (!parsed.fixture) return {};
  return testing::RunFixture(*parsed.fixture);
}

const char* kCountFixture = R"y(topology_text: |
  version: 1
  application: {id: counting}
  streams:
    clicks: {topic: clicks}
  pipelines:
    per-user:
      from: clicks
      steps:
        - count: true
        - to: user-counts
tests:
  - name: counts
    steps:
      - input:
          topic: clicks
          records:
            - {key: u1, value: {page: a}, timestamp: 7}
            - {key: u1, value: {page: b}, timestamp: 8}
      - expect:
          topic: user-counts
          records:
            - {key: u1, value: %FIRST%}
            - {key: u1, value: %SECOND%}
)y";

// The fixture above expecting `first` and `second` as the two counts.
std::string CountFixture(const std::string& first, const std::string& second) {
  std::string text = kCountFixture;
  text.replace(text.find("%FIRST%"), 7, first);
  text.replace(text.find("%SECOND%"), 8, second);
  return text;
}

TEST(FixtureRunner, ARightExpectationPasses) {
  testing::FixtureOutcome outcome = RunText(CountFixture("1, timestamp: 7", "2"));
  ASSERT_EQ(outcome.tests.size(), 1u);
  EXPECT_TRUE(outcome.tests[0].passed) << outcome.tests[0].report;
  EXPECT_TRUE(outcome.passed());
}

TEST(FixtureRunner, AWrongExpectationFailsAndShowsExpectedAndActual) {
  testing::FixtureOutcome outcome = RunText(CountFixture("1, timestamp: 7", "3"));
  ASSERT_EQ(outcome.tests.size(), 1u);
  EXPECT_FALSE(outcome.tests[0].passed);
  EXPECT_FALSE(outcome.passed());
  const std::string& report = outcome.tests[0].report;
  // Where: the expect step of the fixture (line 20 of the text above).
  EXPECT_NE(report.find("inline-fixture.yaml:20:9: step 2 (expect 'user-counts')"), std::string::npos) << report;
  EXPECT_NE(report.find("1 expected record(s) not found, 1 unexpected"), std::string::npos) << report;
  // What: the missing expectation and the record that came instead.
  EXPECT_NE(report.find("- key: \"u1\", value: 3   (line 24)"), std::string::npos) << report;
  EXPECT_NE(report.find("+ key: \"u1\", value: 2, timestamp: 8"), std::string::npos) << report;
  EXPECT_NE(report.find("  key: \"u1\", value: 1, timestamp: 7"), std::string::npos) << report;
}

TEST(FixtureRunner, ReportsRecordsInAnotherOrder) {
  // The same records, in the wrong order for their key.
  testing::FixtureOutcome outcome = RunText(CountFixture("2", "1"));
  ASSERT_EQ(outcome.tests.size(), 1u);
  EXPECT_FALSE(outcome.tests[0].passed);
  EXPECT_NE(outcome.tests[0].report.find("in another order"), std::string::npos) << outcome.tests[0].report;
}

TEST(FixtureRunner, UnexpectedExtraOutputFailsUnlessPartial) {
  // Expecting only the second count: the first is unexpected...
  std::string text = CountFixture("2", "2");
  text.erase(text.find("            - {key: u1, value: 2}\n"), 34);
  EXPECT_FALSE(RunText(text).passed());
  // ...unless the expectation is partial.
  text.replace(text.find("topic: user-counts"), 18, "topic: user-counts\n          partial: true");
  testing::FixtureOutcome outcome = RunText(text);
  ASSERT_EQ(outcome.tests.size(), 1u);
  EXPECT_TRUE(outcome.tests[0].passed) << outcome.tests[0].report;
}

TEST(FixtureRunner, ExpectedErrorsMustAppear) {
  const std::string fixture = R"y(tests:
  - name: misspelt
    topology_text: |
      version: 1
      application: {id: app}
      streams:
        orders: {topic: orders}
      pipelines:
        clean:
          from: orders
          steps:
            - fliter: "amount > 0"
            - to: out
    expect_errors: ["line 9:9: unknown step 'fliter'", "%OTHER%"]
)y";
  std::string right = fixture;
  right.replace(right.find("%OTHER%"), 7, "did you mean 'filter'?");
  EXPECT_TRUE(RunText(right).passed());

  std::string wrong = fixture;
  wrong.replace(wrong.find("%OTHER%"), 7, "line 3: no such error");
  testing::FixtureOutcome outcome = RunText(wrong);
  ASSERT_EQ(outcome.tests.size(), 1u);
  EXPECT_FALSE(outcome.tests[0].passed);
  const std::string& report = outcome.tests[0].report;
  EXPECT_NE(report.find("inline-fixture.yaml:14:56: expected error not reported: line 3: no such error"),
            std::string::npos)
      << report;
  EXPECT_NE(report.find("line 9:9: unknown step 'fliter'"), std::string::npos) << report;
}

TEST(FixtureRunner, TopologyErrorsPointIntoTheFixture) {
  testing::FixtureOutcome outcome = RunText(R"y(tests:
  - name: loads
    topology_text: |
      version: 1
      application: {id: app}
      streams:
        orders: {topic: orders}
      pipelines:
        clean:
          from: orders
          steps:
            - fliter: "amount > 0"
    steps:
      - expect_empty: out
)y");
  ASSERT_EQ(outcome.tests.size(), 1u);
  EXPECT_FALSE(outcome.tests[0].passed);
  // Line 9 of the topology text is line 12 of the fixture, indented by 6.
  EXPECT_NE(outcome.tests[0].report.find("inline-fixture.yaml:12:15: unknown step 'fliter'"), std::string::npos)
      << outcome.tests[0].report;
}

TEST(FixtureRunner, MalformedFixturesReportPositions) {
  testing::FixtureParseResult parsed = testing::ParseFixtureText(R"y(topology: x.yaml
tests:
  - name: a
    steps:
      - inptu: {topic: t, records: []}
      - expect: {records: []}
      - advance_wall_clock: soon
)y",
                                                                 "bad.yaml");
  EXPECT_FALSE(parsed.fixture.has_value());
  std::vector<std::string> errors;
  for (const Diagnostic& d : parsed.errors) errors.push_back(d.ToString());
  ASSERT_EQ(errors.size(), 3u) << ::testing::PrintToString(errors);
  EXPECT_NE(errors[0].find("bad.yaml:5:9: unknown key 'inptu' in a step"), std::string::npos) << errors[0];
  EXPECT_NE(errors[0].find("did you mean 'input'?"), std::string::npos) << errors[0];
  EXPECT_NE(errors[1].find("bad.yaml:6:9: expect: 'topic' is required"), std::string::npos) << errors[1];
  EXPECT_NE(errors[2].find("bad.yaml:7:29: advance_wall_clock: 'soon' is not a duration"), std::string::npos)
      << errors[2];
}

TEST(FixtureRunner, TheCommandFailsOnAFailingFixture) {
  const auto dir = std::filesystem::temp_directory_path() / ("streamapp-fixture-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const std::string good = (dir / "good.yaml").string();
  const std::string bad = (dir / "bad.yaml").string();
  std::ofstream(good) << CountFixture("1, timestamp: 7", "2");
  std::ofstream(bad) << CountFixture("1, timestamp: 7", "3");
  const std::string binary = STREAM_APP_BINARY;

  testing::CommandRun pass = testing::RunCommand(binary + " test " + good);
  EXPECT_EQ(pass.exit_code, 0) << pass.output;
  EXPECT_NE(pass.output.find("PASS " + good + ": counts\n"), std::string::npos) << pass.output;
  EXPECT_NE(pass.output.find("1 passed, 0 failed\n"), std::string::npos) << pass.output;

  testing::CommandRun fail = testing::RunCommand(binary + " test " + good + " " + bad);
  EXPECT_EQ(fail.exit_code, 1) << fail.output;
  EXPECT_NE(fail.output.find("FAIL " + bad + ": counts\n"), std::string::npos) << fail.output;
  EXPECT_NE(fail.output.find(bad + ":20:9: step 2"), std::string::npos) << fail.output;
  EXPECT_NE(fail.output.find("1 passed, 1 failed\n"), std::string::npos) << fail.output;

  std::ofstream(bad) << "tests: 5\n";
  testing::CommandRun malformed = testing::RunCommand(binary + " test " + bad);
  EXPECT_EQ(malformed.exit_code, 1) << malformed.output;
  EXPECT_NE(malformed.output.find(bad + ":1:8: error: tests: expected a sequence"), std::string::npos)
      << malformed.output;
  EXPECT_EQ(testing::RunCommand(binary + " test").exit_code, 2);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace streamapp
