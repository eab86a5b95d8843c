// The YAML topology loader: valid files, data-driven broken files (each
// states its expected errors in `# expect:` comments), the processors the
// steps turn into, and the validate/describe commands.
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "dsl/graph.h"
#include "streamapp/state_store.h"
#include "streamapp/topology_file.h"
#include "support/inprocess_driver.h"
#include "support/run_command.h"
#include "yaml/parse_steps.h"
#include "yaml/suggest.h"

namespace streamapp {
namespace {

namespace fs = std::filesystem;

const fs::path kData = fs::path(STREAMAPP_SOURCE_DIR) / "tests/data/topologies";

std::string Join(const std::vector<Diagnostic>& errors) {
  std::string out;
  for (const Diagnostic& d : errors) out += "  " + d.ToString() + "\n";
  return out;
}

std::vector<fs::path> YamlFiles(const fs::path& dir) {
  std::vector<fs::path> files;
  for (const auto& e : fs::directory_iterator(dir)) {
    if (e.path().extension() == ".yaml") files.push_back(e.path());
  }
  std::sort(files.begin(), files.end());
  return files;
}

// ---------------------------------------------------------------- invalid files

struct Expectation {
  int line = 0;
  int column = 0;
  std::string substring;
};

// "# expect: <line>:<column>: <message substring>" lines at the file's top.
std::vector<Expectation> ReadExpectations(const fs::path& file) {
  std::ifstream in(file);
  std::vector<Expectation> out;
  std::string line;
  const std::string prefix = "# expect: ";
  while (std::getline(in, line)) {
    if (line.rfind(prefix, 0) != 0) continue;
    Expectation e;
    std::istringstream s(line.substr(prefix.size()));
    char colon = 0;
    s >> e.line >> colon >> e.column >> colon;
    std::getline(s, e.substring);
    e.substring.erase(0, e.substring.find_first_not_of(' '));
    out.push_back(e);
  }
  return out;
}

TEST(YamlTopologyInvalid, EveryFileReportsExactlyItsExpectedErrors) {
  const std::vector<fs::path> files = YamlFiles(kData / "invalid");
  ASSERT_GE(files.size(), 12u);
  for (const fs::path& file : files) {
    SCOPED_TRACE(file.filename().string());
    const std::vector<Expectation> expected = ReadExpectations(file);
    ASSERT_FALSE(expected.empty()) << "no '# expect:' lines";
    LoadResult r = LoadTopologyFile(file.string());
    EXPECT_FALSE(r.loaded.has_value());
    ASSERT_EQ(r.errors.size(), expected.size()) << "reported:\n" << Join(r.errors);
    for (size_t i = 0; i < expected.size(); ++i) {
      const Diagnostic& d = r.errors[i];
      EXPECT_EQ(d.file, file.string());
      EXPECT_EQ(d.line, expected[i].line) << d.ToString();
      EXPECT_EQ(d.column, expected[i].column) << d.ToString();
      EXPECT_NE(d.message.find(expected[i].substring), std::string::npos)
          << "expected '" << expected[i].substring << "' in: " << d.ToString();
    }
  }
}

// ---------------------------------------------------------------- valid files

TEST(YamlTopologyValid, EveryValidFileLoads) {
  const std::vector<fs::path> files = YamlFiles(kData / "valid");
  ASSERT_FALSE(files.empty());
  for (const fs::path& file : files) {
    LoadResult r = LoadTopologyFile(file.string());
    EXPECT_TRUE(r.loaded.has_value()) << file << ":\n" << Join(r.errors);
  }
}

TEST(YamlTopologyValid, ShippedExampleLoads) {
  LoadResult r = LoadTopologyFile(std::string(STREAMAPP_SOURCE_DIR) + "/topologies/example.yaml");
  ASSERT_TRUE(r.loaded.has_value()) << Join(r.errors);
  const LoadedTopology& t = *r.loaded;
  EXPECT_EQ(t.app.application_id, "example-app");
  EXPECT_EQ(t.topology.SourceTopics(), std::vector<std::string>{"orders"});
  std::vector<std::string> sinks = t.topology.SinkTopics();
  std::sort(sinks.begin(), sinks.end());
  EXPECT_EQ(sinks, (std::vector<std::string>{"order-items", "order-totals", "orders-big"}));
  // Every stateless step kind appears.
  const std::string d = t.topology.Describe();
  for (const char* node : {"stream.orders", "clean.valid", "clean.1-map", "clean.by-customer", "clean.3-peek",
                           "route.0-branch", "route.big", "route.big.0-peek", "route.big.1-to", "route.small",
                           "route.small.0-to", "items.explode", "items.1-to", "totals.0-mapValues", "totals.1-to"}) {
    EXPECT_NE(d.find(node), std::string::npos) << node << " missing in:\n" << d;
  }
}

LoadResult Load(const std::string& text) {
  return LoadTopologyText(text, "t.yaml", ".");
}

const std::string kHeader = R"(version: 1
application: {id: app}
streams:
  orders: {topic: orders}
  returns: {topic: returns}
)";

TEST(YamlTopology, ApplicationSettings) {
  LoadResult r = Load(R"(version: 1
application:
  id: shop.orders_v2
  processing_guarantee: exactly_once_v2
  commit_interval_ms: 100
  threads: 4
  on_error: fail
  kafka: {linger.ms: 10, enable.idempotence: true, client.id: x}
streams:
  orders: {topic: orders}
pipelines:
  p: {from: orders, steps: [{to: out}]}
)");
  ASSERT_TRUE(r.loaded.has_value()) << Join(r.errors);
  const AppSettings& a = r.loaded->app;
  EXPECT_EQ(a.application_id, "shop.orders_v2");
  EXPECT_EQ(a.processing_guarantee, "exactly_once_v2");
  EXPECT_EQ(a.commit_interval_ms, 100);
  EXPECT_EQ(a.threads, 4);
  EXPECT_EQ(a.dlq_topic, "shop.orders_v2-dlq");
  EXPECT_EQ(a.kafka, (std::map<std::string, std::string>{
                         {"client.id", "x"}, {"enable.idempotence", "true"}, {"linger.ms", "10"}}));
  EXPECT_NE(r.loaded->topology.DescribeJson().find("\"fail\""), std::string::npos);
}

TEST(YamlTopology, MergeAndReusedOutputAttachToTheRightNodes) {
  LoadResult r = Load(kHeader + R"(pipelines:
  both:
    from: [orders, returns]
    steps:
      - filter: "amount > 0"
        name: positive
  out:
    from: both
    steps:
      - to: all
)");
  ASSERT_TRUE(r.loaded.has_value()) << Join(r.errors);
  const dsl::TopologyData& data = r.loaded->topology.data();
  auto node = [&](const std::string& name) -> const dsl::GraphNode& {
    auto it = std::find_if(data.nodes.begin(), data.nodes.end(), [&](const auto& n) { return n.name == name; });
    EXPECT_NE(it, data.nodes.end()) << name;
    return *it;
  };
  auto name_of = [&](int i) { return data.nodes[static_cast<size_t>(i)].name; };
  const dsl::GraphNode& merge = node("both.merge");
  ASSERT_EQ(merge.parents.size(), 2u);
  EXPECT_EQ(name_of(merge.parents[0]), "stream.orders");
  EXPECT_EQ(name_of(merge.parents[1]), "stream.returns");
  ASSERT_EQ(node("both.positive").parents.size(), 1u);
  EXPECT_EQ(name_of(node("both.positive").parents[0]), "both.merge");
  EXPECT_EQ(name_of(node("out.0-to").parents[0]), "both.positive");
  EXPECT_EQ(r.loaded->topology.SinkTopics(), std::vector<std::string>{"all"});
}

TEST(YamlTopology, SinkByStreamNameUsesItsTopicAndSerdes) {
  LoadResult r = Load(R"(version: 1
application: {id: app}
streams:
  in: {topic: in-topic}
  out: {topic: out-topic, key: bytes, value: string}
pipelines:
  p: {from: in, steps: [{to: out}]}
)");
  ASSERT_TRUE(r.loaded.has_value()) << Join(r.errors);
  EXPECT_EQ(r.loaded->topology.SinkTopics(), std::vector<std::string>{"out-topic"});
  for (const dsl::GraphNode& n : r.loaded->topology.data().nodes) {
    if (n.name != "p.0-to") continue;
    EXPECT_EQ(n.sink.produced.key->spec(), "bytes");
    EXPECT_EQ(n.sink.produced.value->spec(), "string");
  }
}

// ---------------------------------------------------------------- step semantics

// Collects what a processor forwards.
class FakeContext : public ProcessorContext {
 public:
  Status Forward(Record record) override {
    out.push_back(std::move(record));
    return Status::Ok();
  }
  Status ForwardTo(size_t child, Record record) override {
    to_child.push_back(child);
    return Forward(std::move(record));
  }
  size_t child_count() const override { return 2; }
  TaskId task_id() const override { return {}; }
  Timestamp stream_time() const override { return Timestamp(0); }
  const std::string& node_name() const override { return name; }
  StateStore* GetStateStore(const std::string&) override { return nullptr; }
  Status Schedule(std::chrono::milliseconds, PunctuationType, Punctuator) override { return Status::Ok(); }
  void AddToMetric(std::string_view, int64_t) override {}

  std::string name = "test";
  std::vector<Record> out;
  std::vector<size_t> to_child;
};

const dsl::GraphNode* FindNode(const Topology& t, const std::string& name) {
  for (const dsl::GraphNode& n : t.data().nodes) {
    if (n.name == name) return &n;
  }
  return nullptr;
}

// Runs one record through one node of a loaded topology.
Status RunNode(const Topology& t, const std::string& name, Record in, FakeContext* ctx) {
  const dsl::GraphNode* n = FindNode(t, name);
  if (n == nullptr || n->op == nullptr) return Status::NotFound(name);
  std::unique_ptr<Processor> p = n->op->CreateProcessor();
  RETURN_IF_ERROR(p->Init(*ctx));
  return p->Process(std::move(in));
}

Value Json(std::vector<Field> fields) {
  return Value(Value::Object(std::move(fields)));
}

TEST(YamlTopology, StepsBehaveAsDocumented) {
  LoadResult r = Load(kHeader + R"(pipelines:
  p:
    from: orders
    steps:
      - map:
          set: {total: "amount * quantity", "customer.tier": "'gold'", amount: "0"}
          rename: {"customer.id": customer_id, missing: nowhere}
          drop: [debug]
      - flatMap: "items"
      - selectKey: "$value"
      - to: {topic_expr: "'t-' + $key", key: string, value: json}
)");
  ASSERT_TRUE(r.loaded.has_value()) << Join(r.errors);
  const Topology& t = r.loaded->topology;
  Record in;
  in.key = "k";
  in.value = Json({{"amount", 2}, {"quantity", 3}, {"debug", true}, {"customer", Json({{"id", "c1"}})}});
  FakeContext ctx;
  ASSERT_TRUE(RunNode(t, "p.0-map", in, &ctx).ok());
  ASSERT_EQ(ctx.out.size(), 1u);
  // `set` sees the original record: total uses amount 2, not the 0 set before.
  EXPECT_EQ(ctx.out[0].value.ToJson(),
            R"({"amount":0,"quantity":3,"customer":{"tier":"gold"},"total":6,"customer_id":"c1"})");

  FakeContext flat;
  in.value = Json({{"items", Value(Value::Array{"a", "b"})}});
  ASSERT_TRUE(RunNode(t, "p.1-flatMap", in, &flat).ok());
  ASSERT_EQ(flat.out.size(), 2u);
  EXPECT_EQ(flat.out[1].value, Value("b"));
  EXPECT_EQ(flat.out[1].key, Value("k"));
  FakeContext none;
  in.value = Json({});
  EXPECT_TRUE(RunNode(t, "p.1-flatMap", in, &none).ok());
  EXPECT_TRUE(none.out.empty());
  in.value = Json({{"items", 5}});
  EXPECT_EQ(RunNode(t, "p.1-flatMap", in, &none).code(), StatusCode::kDataError);

  const dsl::GraphNode* sink = FindNode(t, "p.3-to");
  ASSERT_NE(sink, nullptr);
  ASSERT_TRUE(sink->sink.extractor);
  Record keyed;
  keyed.key = "x";
  Result<std::string> topic = sink->sink.extractor(keyed);
  ASSERT_TRUE(topic.ok()) << topic.status().ToString();
  EXPECT_EQ(*topic, "t-x");
  keyed.key = Value();  // 't-' + null is null: no topic
  EXPECT_EQ(sink->sink.extractor(keyed).status().code(), StatusCode::kDataError);
}

TEST(YamlTopology, BranchFirstMatchWinsAndOtherwiseTakesTheRest) {
  LoadResult r = Load(kHeader + R"(pipelines:
  p:
    from: orders
    steps:
      - branch:
          - when: "amount > 10"
            to: big
          - otherwise: true
            name: rest
            to: small
)");
  ASSERT_TRUE(r.loaded.has_value()) << Join(r.errors);
  FakeContext ctx;
  Record big;
  big.value = Json({{"amount", 11}});
  ASSERT_TRUE(RunNode(r.loaded->topology, "p.0-branch", big, &ctx).ok());
  Record small;
  small.value = Json({{"amount", 1}});
  ASSERT_TRUE(RunNode(r.loaded->topology, "p.0-branch", small, &ctx).ok());
  EXPECT_EQ(ctx.to_child, (std::vector<size_t>{0, 1}));
  EXPECT_NE(FindNode(r.loaded->topology, "p.0"), nullptr);
  EXPECT_NE(FindNode(r.loaded->topology, "p.rest.0-to"), nullptr);
}

// ---------------------------------------------------------------- positions

TEST(YamlTopology, ExpressionErrorsPointAtTheCharacterInEveryScalarStyle) {
  // Column of the second '>' in each style (plain, single, double, '' escape).
  const std::vector<std::pair<std::string, int>> cases = {
      {"      - filter: a > > 1\n", 21},
      {"      - filter: 'a > > 1'\n", 22},
      {"      - filter: \"a > > 1\"\n", 22},
      {"      - filter: 'a == ''x'' > > 1'\n", 31},
  };
  for (const auto& [step, column] : cases) {
    LoadResult r = Load(kHeader + "pipelines:\n  p:\n    from: orders\n    steps:\n" + step);
    ASSERT_EQ(r.errors.size(), 1u) << step << Join(r.errors);
    EXPECT_EQ(r.errors[0].line, 10) << step;
    EXPECT_EQ(r.errors[0].column, column) << step << r.errors[0].ToString();
  }
  // A block scalar: the scalar's own position.
  LoadResult r =
      Load(kHeader + "pipelines:\n  p:\n    from: orders\n    steps:\n      - filter: >\n          a > > 1\n");
  ASSERT_EQ(r.errors.size(), 1u) << Join(r.errors);
  EXPECT_EQ(r.errors[0].line, 10);
  EXPECT_EQ(r.errors[0].column, 17);
}

TEST(YamlTopology, MissingFileIsOneDiagnostic) {
  LoadResult r = LoadTopologyFile("/nonexistent/t.yaml");
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_NE(r.errors[0].ToString().find("/nonexistent/t.yaml: cannot read"), std::string::npos);
}

TEST(YamlTopology, SuggestionsTolerateTyposButNotEverything) {
  EXPECT_EQ(yaml::TypoDistance("fliter", "filter"), 1u);
  EXPECT_EQ(yaml::TypoDistance("MapValues", "mapValues"), 0u);
  EXPECT_EQ(yaml::Nearest("fliter", {"filter", "map"}), "filter");
  EXPECT_EQ(yaml::Nearest("pipeline", {"pipelines", "streams"}), "pipelines");
  EXPECT_EQ(yaml::Nearest("xyz", {"filter", "map"}), std::nullopt);
  EXPECT_EQ(yaml::Nearest("ot", {"to"}), "to");  // a transposition
  EXPECT_EQ(yaml::Nearest("xy", {"to"}), std::nullopt);
}

// ---------------------------------------------------------------- aggregations and tables

std::string Describe(const fs::path& file) {
  LoadResult r = LoadTopologyFile(file.string());
  EXPECT_TRUE(r.loaded.has_value()) << Join(r.errors);
  return r.loaded ? r.loaded->topology.Describe() : std::string();
}

void ExpectContains(const std::string& text, const std::vector<std::string>& parts) {
  for (const std::string& part : parts)
    EXPECT_NE(text.find(part), std::string::npos) << part << " missing in:\n" << text;
}

TEST(YamlAggregation, GroupByRepartitionsBeforeTheAggregate) {
  const std::string d = Describe(kData / "valid/word_count.yaml");
  ExpectContains(d, {"Processor: counts.by-word (selectKey: $value) [key changed]",
                     "Sink: counts.word-count-repartition-sink (topic: counts.word-count-repartition, key: string, "
                     "value: json)",
                     "Source: counts.word-count-repartition-source (topics: [counts.word-count-repartition]",
                     "Processor: counts.word-count (aggregate: count, store counts-word-count)",
                     "Sink: counts.4-to (topic: word-counts"});
  // The repartition topic splits the pipeline in two subtopologies.
  EXPECT_NE(d.find("Sub-topology: 1"), std::string::npos) << d;
}

TEST(YamlAggregation, EveryOpAndWindowKindBuilds) {
  LoadResult r = LoadTopologyFile((kData / "valid/aggregations.yaml").string());
  ASSERT_TRUE(r.loaded.has_value()) << Join(r.errors);
  const Topology& t = r.loaded->topology;
  const std::string d = t.Describe();
  ExpectContains(d, {
                        "totals.0-aggregate (aggregate: sum(amount), store order-totals)",
                        "per-customer.avg-5m (windowedAggregate: avg(amount), tumbling windows size 300000ms grace "
                        "30000ms, emit final, store per-customer-avg-5m)",
                        "per-customer.avg-5m-repartition-sink",
                        "hopping.1-aggregate (windowedAggregate: max(amount), hopping windows size 3600000ms advance "
                        "600000ms grace 0ms, emit updates, store hopping-1-aggregate)",
                        "sessions.0-count (windowedAggregate: count, session windows gap 30000ms",
                        "sliding.distinct-customers (windowedAggregate: count_distinct(customer.id), sliding windows "
                        "size 172800000ms",
                        "sliding.distinct-customers-repartition-source",
                        "misc.4-count (aggregate: count, store misc-4-count)",
                    });
  // No key change upstream: no repartition.
  EXPECT_EQ(d.find("totals.0-aggregate-repartition"), std::string::npos) << d;
  EXPECT_EQ(d.find("hopping.1-aggregate-repartition"), std::string::npos) << d;
  // The pipeline goes on after the aggregation, also in other pipelines.
  ASSERT_NE(FindNode(t, "per-customer.2-filter"), nullptr);
  EXPECT_EQ(t.data().nodes[static_cast<size_t>(FindNode(t, "per-customer.2-filter")->parents[0])].name,
            "per-customer.avg-5m");
  EXPECT_EQ(t.data().nodes[static_cast<size_t>(FindNode(t, "reused.0-to")->parents[0])].name,
            "sliding.distinct-customers");

  auto store_of = [&](const std::string& node) -> StoreSpec {
    const dsl::GraphNode* n = FindNode(t, node);
    EXPECT_NE(n, nullptr) << node;
    if (n == nullptr || n->op == nullptr || n->op->stores().empty()) return {};
    return n->op->stores()[0];
  };
  const StoreSpec totals = store_of("totals.0-aggregate");
  EXPECT_EQ(totals.name, "order-totals");
  EXPECT_EQ(totals.kind, StoreKind::kKeyValue);
  EXPECT_FALSE(totals.cached);
  EXPECT_FALSE(totals.in_memory);
  const StoreSpec avg = store_of("per-customer.avg-5m");
  EXPECT_EQ(avg.name, "per-customer-avg-5m");
  EXPECT_EQ(avg.kind, StoreKind::kWindow);
  EXPECT_TRUE(avg.cached);
  const StoreSpec sessions = store_of("sessions.0-count");
  EXPECT_EQ(sessions.kind, StoreKind::kSession);
  EXPECT_TRUE(sessions.in_memory);
}

TEST(YamlAggregation, OnErrorOfGroupByAndAggregateAreTheirOwn) {
  LoadResult r = Load(kHeader + R"(pipelines:
  p:
    from: orders
    steps:
      - groupBy: customer.id
        on_error: fail
      - aggregate: {op: sum, field: amount}
        on_error: skip
      - to: totals
)");
  ASSERT_TRUE(r.loaded.has_value()) << Join(r.errors);
  const Topology& t = r.loaded->topology;
  EXPECT_EQ(FindNode(t, "p.0-groupBy")->on_error, ErrorHandling::kFail);
  EXPECT_EQ(FindNode(t, "p.1-aggregate")->on_error, ErrorHandling::kSkip);
  EXPECT_EQ(FindNode(t, "p.2-to")->on_error, ErrorHandling::kDlq);
}

TEST(YamlAggregation, DurationsTakeUnits) {
  EXPECT_EQ(yaml::ParseDuration("250"), 250);
  EXPECT_EQ(yaml::ParseDuration("500ms"), 500);
  EXPECT_EQ(yaml::ParseDuration("30s"), 30000);
  EXPECT_EQ(yaml::ParseDuration("5m"), 300000);
  EXPECT_EQ(yaml::ParseDuration("2h"), 7200000);
  EXPECT_EQ(yaml::ParseDuration("1d"), 86400000);
  EXPECT_EQ(yaml::ParseDuration("0"), 0);
  for (const char* bad : {"", "s", "-1", "1.5s", "5 m", "5min", "1w", "99999999999999999999", "9999999999999999d"}) {
    EXPECT_EQ(yaml::ParseDuration(bad), std::nullopt) << bad;
  }
}

TEST(YamlTables, TablesFeedPipelinesLikeStreams) {
  LoadResult r = LoadTopologyFile((kData / "valid/tables.yaml").string());
  ASSERT_TRUE(r.loaded.has_value()) << Join(r.errors);
  const Topology& t = r.loaded->topology;
  ExpectContains(t.Describe(), {"Source: table.customers-source (topics: [customers], key: string, value: json)",
                                "Processor: table.customers (table: store customer-store)",
                                "Processor: table.prices (table: store prices)", "by-tier.1-count-repartition-sink"});
  EXPECT_EQ(t.SourceTopics(),
            (std::vector<std::string>{"by-tier.1-count-repartition", "customers", "prices-a", "prices-b"}));
  // Both pipelines read the one table node.
  EXPECT_EQ(t.data().nodes[static_cast<size_t>(FindNode(t, "gold.0-filter")->parents[0])].name, "table.customers");
  EXPECT_EQ(t.data().nodes[static_cast<size_t>(FindNode(t, "by-tier.0-groupBy")->parents[0])].name, "table.customers");
  EXPECT_TRUE(FindNode(t, "table.prices")->op->stores()[0].in_memory);
  // `to: <table>` writes to the table's topic.
  EXPECT_EQ(FindNode(t, "price-changes.0-to")->sink.topic, "customers");
}

TEST(YamlAggregation, WordCountRunsInProcess) {
  LoadResult r = Load(R"y(version: 1
application: {id: wc}
streams:
  lines: {topic: lines, value: string}
pipelines:
  wc:
    from: lines
    steps:
      - flatMap: "split(lower($value), ' ')"
      - filter: "$value != ''"
      - groupBy: "$value"
      - count:
        name: counts
      - to: {topic: word-counts, value: json}
)y");
  ASSERT_TRUE(r.loaded.has_value()) << Join(r.errors);
  for (size_t cache : {size_t{0}, size_t{1 << 20}}) {
    SCOPED_TRACE("cache " + std::to_string(cache));
    testing::InProcessDriver driver(r.loaded->topology, "wc-dlq", cache);
    int64_t ts = 1000;
    for (const char* line : {"the quick fox", "The lazy  dog", "the end"}) {
      ASSERT_TRUE(driver.Pipe("lines", std::nullopt, std::string(line), ts++).ok());
    }
    ASSERT_TRUE(driver.Commit().ok());
    std::map<std::string, int64_t> last;
    for (const testing::DriverOutput& o : driver.outputs()) {
      if (o.topic != "word-counts") continue;  // changelogs
      ASSERT_TRUE(o.key && o.value);
      last[*o.key] = std::stoll(*o.value);
    }
    EXPECT_EQ(last, (std::map<std::string, int64_t>{
                        {"the", 3}, {"quick", 1}, {"fox", 1}, {"lazy", 1}, {"dog", 1}, {"end", 1}}));
    EXPECT_NE(driver.Store("wc.counts-repartition", "wc-counts"), nullptr);
  }
}

// ---------------------------------------------------------------- custom aggregations, reduce

// The values written to `topic`, in order, as "key=value".
std::vector<std::string> OutputsOf(const testing::InProcessDriver& driver, const std::string& topic) {
  std::vector<std::string> out;
  for (const testing::DriverOutput& o : driver.outputs()) {
    if (o.topic == topic) out.push_back(o.key.value_or("<null>") + "=" + o.value.value_or("<null>"));
  }
  return out;
}

TEST(YamlCustomAggregation, CustomAggregatesAndReducesBuild) {
  LoadResult r = LoadTopologyFile((kData / "valid/custom_aggregations.yaml").string());
  ASSERT_TRUE(r.loaded.has_value()) << Join(r.errors);
  const Topology& t = r.loaded->topology;
  ExpectContains(t.Describe(),
                 {
                     "totals.total (aggregate: initial 0, add agg + coalesce(value.amount, 0), store custom-totals)",
                     "stats.sku-changes-repartition-sink",
                     "windowed-max.0-aggregate (windowedAggregate: initial null, add agg == null ? value.price : "
                     "max(agg, value.price), tumbling windows size 300000ms grace 10000ms, emit final",
                     "session-sum.1-aggregate (windowedAggregate: initial 0, add agg + value.amount, merge left + "
                     "right, session windows gap 1800000ms",
                     "reduce-short.0-reduce (aggregate: reduce(agg.amount >= value.amount ? agg : value), store "
                     "reduce-short-0-reduce)",
                     "reduce-long.per-sku (windowedAggregate: reduce(agg + value), hopping windows size 3600000ms "
                     "advance 900000ms grace 0ms, emit updates, store sku-hourly)",
                     "reduce-long.per-sku-repartition-source",
                     "reduce-session.1-reduce (windowedAggregate: reduce(value.ts > agg.ts ? value : agg), session",
                 });
  EXPECT_EQ(FindNode(t, "stats.sku-changes")->on_error, ErrorHandling::kSkip);
  const StoreSpec sku = FindNode(t, "reduce-long.per-sku")->op->stores()[0];
  EXPECT_EQ(sku.name, "sku-hourly");
  EXPECT_EQ(sku.kind, StoreKind::kWindow);
  EXPECT_TRUE(sku.in_memory);
  EXPECT_FALSE(sku.cached);
  EXPECT_EQ(FindNode(t, "reduce-session.1-reduce")->op->stores()[0].kind, StoreKind::kSession);
  EXPECT_EQ(FindNode(t, "reduce-short.0-reduce")->op->stores()[0].kind, StoreKind::kKeyValue);
}

TEST(YamlCustomAggregation, RunningSumAndMaxRunInProcess) {
  LoadResult r = Load(R"y(version: 1
application: {id: custom}
streams:
  orders: {topic: orders}
pipelines:
  sum:
    from: orders
    steps:
      - aggregate: {initial: 0, add: agg + value.amount, cache: false}
      - to: sums
  max:
    from: orders
    steps:
      - aggregate:
          initial: -1
          add: max(agg, value.amount)
          cache: false
      - to: maxes
  # key and the record's timestamp are in reach of add.
  tagged:
    from: orders
    steps:
      - aggregate: {initial: "[null, 0, 0]", add: "[key, agg[1] + value.amount, $timestamp]", cache: false}
      - to: tagged
)y");
  ASSERT_TRUE(r.loaded.has_value()) << Join(r.errors);
  testing::InProcessDriver driver(r.loaded->topology, "custom-dlq");
  int64_t ts = 1000;
  for (auto [key, value] : std::vector<std::pair<const char*, const char*>>{{"a", R"({"amount": 5})"},
                                                                            {"b", R"({"amount": 7})"},
                                                                            {"a", R"({"amount": 10})"},
                                                                            {"a", R"({"amount": 3})"}}) {
    ASSERT_TRUE(driver.Pipe("orders", std::string(key), std::string(value), ts++).ok());
  }
  ASSERT_TRUE(driver.Commit().ok());
  EXPECT_EQ(OutputsOf(driver, "sums"), (std::vector<std::string>{"a=5", "b=7", "a=15", "a=18"}));
  EXPECT_EQ(OutputsOf(driver, "maxes"), (std::vector<std::string>{"a=5", "b=7", "a=10", "a=10"}));
  EXPECT_EQ(OutputsOf(driver, "tagged"), (std::vector<std::string>{R"(a=["a",5,1000])", R"(b=["b",7,1001])",
                                                                   R"(a=["a",15,1002])", R"(a=["a",18,1003])"}));
}

TEST(YamlCustomAggregation, ReduceRunsInProcess) {
  LoadResult r = Load(R"y(version: 1
application: {id: reduce}
streams:
  orders: {topic: orders}
pipelines:
  # The short form, after a projection; key is in reach.
  product:
    from: orders
    steps:
      - mapValues: amount
      - reduce: "key == 'b' ? agg + value : agg * value"
      - to: products
  # The mapping form after a groupBy: each customer's biggest order.
  biggest:
    from: orders
    steps:
      - groupBy: customer
      - reduce:
          expr: "value.amount > agg.amount ? value : agg"
          cache: false
          store: biggest-orders
      - mapValues: "concat(id, '/', to_string(amount))"
      - to: {topic: biggest, value: string}
)y");
  ASSERT_TRUE(r.loaded.has_value()) << Join(r.errors);
  testing::InProcessDriver driver(r.loaded->topology, "reduce-dlq");
  int64_t ts = 1000;
  for (auto [key, value] :
       std::vector<std::pair<const char*, const char*>>{{"a", R"({"id": "o1", "customer": "c1", "amount": 2})"},
                                                        {"b", R"({"id": "o2", "customer": "c2", "amount": 7})"},
                                                        {"a", R"({"id": "o3", "customer": "c1", "amount": 5})"},
                                                        {"c", R"({"id": "o4", "customer": "c1", "amount": 3})"},
                                                        {"a", R"({"id": "o5", "customer": "c2", "amount": 4})"},
                                                        {"b", R"({"id": "o6", "customer": "c1", "amount": 1})"}}) {
    ASSERT_TRUE(driver.Pipe("orders", std::string(key), std::string(value), ts++).ok());
  }
  ASSERT_TRUE(driver.Commit().ok());
  // A key's first value is its aggregate as is.
  EXPECT_EQ(OutputsOf(driver, "products"), (std::vector<std::string>{"a=2", "b=7", "a=10", "c=3", "a=40", "b=8"}));
  EXPECT_EQ(OutputsOf(driver, "biggest"),
            (std::vector<std::string>{"c1=o1/2", "c2=o2/7", "c1=o3/5", "c1=o3/5", "c2=o2/7", "c1=o3/5"}));
  EXPECT_NE(driver.Store("biggest.1-reduce-repartition", "biggest-orders"), nullptr);
}

TEST(YamlCustomAggregation, TumblingWindowedCustomAggregateEmitsUpdates) {
  LoadResult r = Load(R"y(version: 1
application: {id: windowed}
streams:
  orders: {topic: orders}
pipelines:
  p:
    from: orders
    steps:
      - aggregate:
          initial: 0
          add: agg + value.amount
          window: {tumbling: 10s}
          emit: updates
          cache: false
      - to: windowed
)y");
  ASSERT_TRUE(r.loaded.has_value()) << Join(r.errors);
  testing::InProcessDriver driver(r.loaded->topology, "windowed-dlq");
  for (auto [value, ts] : std::vector<std::pair<const char*, int64_t>>{{R"({"amount": 5})", 1000},
                                                                       {R"({"amount": 7})", 9999},
                                                                       {R"({"amount": 1})", 12000},
                                                                       {R"({"amount": 2})", 3000}}) {
    ASSERT_TRUE(driver.Pipe("orders", std::string("a"), std::string(value), ts).ok());
  }
  ASSERT_TRUE(driver.Commit().ok());
  // The last record is late for its closed window (grace 0): dropped.
  EXPECT_EQ(OutputsOf(driver, "windowed"),
            (std::vector<std::string>{R"(a={"window_start":0,"window_end":10000,"value":5})",
                                      R"(a={"window_start":0,"window_end":10000,"value":12})",
                                      R"(a={"window_start":10000,"window_end":20000,"value":1})"}));
}

// ---------------------------------------------------------------- joins

std::string ParentName(const Topology& t, const std::string& node, size_t i = 0) {
  const dsl::GraphNode* n = FindNode(t, node);
  if (n == nullptr || n->parents.size() <= i) return "";
  return t.data().nodes[static_cast<size_t>(n->parents[i])].name;
}

std::vector<std::string> StoresOf(const Topology& t, const std::string& node) {
  std::vector<std::string> out;
  const dsl::GraphNode* n = FindNode(t, node);
  if (n == nullptr || n->op == nullptr) return out;
  for (const StoreSpec& s : n->op->stores()) out.push_back(s.name);
  return out;
}

TEST(YamlJoin, EveryJoinKindBuilds) {
  LoadResult r = LoadTopologyFile((kData / "valid/joins.yaml").string());
  ASSERT_TRUE(r.loaded.has_value()) << Join(r.errors);
  const Topology& t = r.loaded->topology;
  const std::string d = t.Describe();
  ExpectContains(d, {"enriched.with-customer", "stream-table inner join with customers", "as {order, customer}",
                     "by-customer.1-join", "stream-table left join with customers", "paid.paid-this", "paid.paid-other",
                     "stream-stream inner join with payments, window before 5000ms after 600000ms grace 1000ms",
                     "delivered.0-join-this", "delivered.0-join-other",
                     "stream-stream outer join with valid-shipments, window before 3600000ms after 3600000ms "
                     "grace 0ms",
                     "profiles.0-join-left", "profiles.0-join-right", "table-table outer join with addresses"});
  // Stream-table: reads the stream; the key changed in by-customer, so the
  // stream goes through a repartition topic named after the join.
  EXPECT_EQ(ParentName(t, "enriched.with-customer"), "stream.orders");
  EXPECT_EQ(ParentName(t, "by-customer.1-join"), "by-customer.1-join-repartition-source");
  EXPECT_NE(FindNode(t, "by-customer.1-join-repartition-sink"), nullptr);
  EXPECT_EQ(FindNode(t, "enriched.with-customer-repartition-sink"), nullptr);
  // Stream-stream: a window store per side, named after the node.
  EXPECT_EQ(StoresOf(t, "paid.paid-this"), std::vector<std::string>{"paid.paid-this-store"});
  EXPECT_EQ(StoresOf(t, "paid.paid-other"), std::vector<std::string>{"paid.paid-other-store"});
  EXPECT_EQ(StoresOf(t, "delivered.0-join-this"), std::vector<std::string>{"delivered.0-join-this-store"});
  EXPECT_EQ(StoresOf(t, "delivered.0-join-other"), std::vector<std::string>{"delivered.0-join-other-store"});
  EXPECT_EQ(ParentName(t, "paid.paid-this"), "stream.orders");
  EXPECT_EQ(ParentName(t, "paid.paid-other"), "stream.payments");
  // The other side is the pipeline's output, though it is defined later.
  EXPECT_EQ(ParentName(t, "delivered.0-join-other"), "valid-shipments.0-filter");
  // Table-table: each side fed by its table node.
  EXPECT_EQ(ParentName(t, "profiles.0-join-left"), "table.customers");
  EXPECT_EQ(ParentName(t, "profiles.0-join-right"), "table.addresses");
  // Every join continues as the node of its step.
  EXPECT_EQ(ParentName(t, "enriched.1-to"), "enriched.with-customer");
  EXPECT_EQ(ParentName(t, "paid.1-to"), "paid.paid");
  EXPECT_EQ(ParentName(t, "profiles.1-to"), "profiles.0-join");
}

TEST(YamlJoin, ATableJoinedAfterAStepIsAStreamTableJoin) {
  LoadResult r = Load(R"(version: 1
application: {id: app}
tables:
  customers: {topic: customers}
  addresses: {topic: addresses}
pipelines:
  p:
    from: customers
    steps:
      - filter: "active"
      - join: {with: addresses, type: outer}
      - to: out
)");
  ASSERT_EQ(r.errors.size(), 1u) << Join(r.errors);
  EXPECT_EQ(r.errors[0].line, 11);
  EXPECT_EQ(r.errors[0].column, 39);
  EXPECT_NE(r.errors[0].message.find("a stream-table join is inner or left"), std::string::npos)
      << r.errors[0].ToString();
}

TEST(YamlJoin, JoinCyclesAreReported) {
  LoadResult r = Load(kHeader + R"(pipelines:
  a:
    from: orders
    steps:
      - join: {with: b, within: 1s}
  b:
    from: returns
    steps:
      - join: {with: a, within: 1s}
)");
  ASSERT_FALSE(r.loaded.has_value());
  ASSERT_EQ(r.errors.size(), 1u) << Join(r.errors);
  EXPECT_NE(r.errors[0].message.find("in a cycle: "), std::string::npos) << r.errors[0].ToString();
}

// ---------------------------------------------------------------- global tables
// The in-process driver has no global tables: the join's processor is run on
// its own, against a map standing in for the global store.

class MapStore final : public KeyValueStore {
 public:
  explicit MapStore(std::string name) { spec_.name = std::move(name); }
  const StoreSpec& spec() const override { return spec_; }
  Status Flush() override { return Status::Ok(); }
  void Close() override {}
  Result<std::optional<std::string>> Get(std::string_view key) override {
    auto it = data_.find(std::string(key));
    if (it == data_.end()) return std::optional<std::string>();
    return std::optional<std::string>(it->second);
  }
  Status Put(std::string_view key, std::string_view value) override {
    data_[std::string(key)] = std::string(value);
    return Status::Ok();
  }
  Status Delete(std::string_view key) override {
    data_.erase(std::string(key));
    return Status::Ok();
  }
  Status Range(std::string_view, std::string_view, const KeyValueVisitor&) override { return Status::Ok(); }
  Result<uint64_t> ApproximateCount() override { return static_cast<uint64_t>(data_.size()); }

 private:
  StoreSpec spec_;
  std::map<std::string, std::string> data_;
};

class GlobalStoreContext : public FakeContext {
 public:
  StateStore* GetStateStore(const std::string& store) override {
    auto it = stores.find(store);
    return it == stores.end() ? nullptr : it->second.get();
  }
  std::map<std::string, std::unique_ptr<MapStore>> stores;
};

const dsl::GlobalTableSpec* FindGlobal(const Topology& t, const std::string& name) {
  for (const dsl::GlobalTableSpec& g : t.data().global_tables) {
    if (g.name == name) return &g;
  }
  return nullptr;
}

TEST(YamlGlobalTable, JoinLooksUpAComputedKeyWithoutRepartitioning) {
  LoadResult r = LoadTopologyFile((kData / "valid/global_tables.yaml").string());
  ASSERT_TRUE(r.loaded.has_value()) << Join(r.errors);
  const Topology& t = r.loaded->topology;
  ExpectContains(t.Describe(),
                 {"Processor: enriched.with-product (join-global-table: inner join with global table products, key "
                  "item.sku, as {order, product})",
                  "Processor: enriched.2-join (join-global-table: left join with global table regions, key "
                  "order.region, as {left, regions})"});
  // A lookup, not a co-partitioned join: the key changed upstream, yet no
  // repartition topic.
  EXPECT_EQ(ParentName(t, "enriched.with-product"), "enriched.0-selectKey");
  EXPECT_EQ(ParentName(t, "enriched.2-join"), "enriched.with-product");
  EXPECT_EQ(ParentName(t, "enriched.3-to"), "enriched.2-join");
  for (const dsl::GraphNode& n : t.data().nodes) {
    EXPECT_EQ(n.name.find("repartition"), std::string::npos) << n.name;
  }
  // The global tables' topics are not stream sources; writing to one is fine.
  std::vector<std::string> sources = t.SourceTopics();
  std::sort(sources.begin(), sources.end());
  EXPECT_EQ(sources, (std::vector<std::string>{"orders", "product-updates"}));
  std::vector<std::string> sinks = t.SinkTopics();
  EXPECT_NE(std::find(sinks.begin(), sinks.end(), "products"), sinks.end());
  ASSERT_EQ(t.data().global_tables.size(), 2u);
  const dsl::GlobalTableSpec* products = FindGlobal(t, "products");
  const dsl::GlobalTableSpec* regions = FindGlobal(t, "regions");
  ASSERT_NE(products, nullptr);
  ASSERT_NE(regions, nullptr);
  EXPECT_EQ(products->topic, "products");
  EXPECT_EQ(products->store, "products");
  EXPECT_EQ(products->key_serde->spec(), "string");
  EXPECT_EQ(products->value_serde->spec(), "json");
  EXPECT_EQ(regions->topic, "regions");
  EXPECT_EQ(regions->store, "region-store");

  // The processors: inner drops a miss (and a null key), left keeps it.
  GlobalStoreContext ctx;
  ctx.stores["products"] = std::make_unique<MapStore>("products");
  ctx.stores["region-store"] = std::make_unique<MapStore>("region-store");
  std::string key, value;
  ASSERT_TRUE(products->key_serde->Serialize(Value("sku-1"), &key).ok());
  ASSERT_TRUE(products->value_serde->Serialize(Json({{"name", Value("pen")}}), &value).ok());
  ASSERT_TRUE(ctx.stores["products"]->Put(key, value).ok());
  auto order = [](Value sku) {
    Record in;
    in.key = Value("c1");
    in.value = Json({{"item", Json({{"sku", std::move(sku)}})}, {"region", Value("eu")}});
    return in;
  };
  ASSERT_TRUE(RunNode(t, "enriched.with-product", order(Value("sku-1")), &ctx).ok());
  ASSERT_TRUE(RunNode(t, "enriched.with-product", order(Value("sku-2")), &ctx).ok());
  ASSERT_TRUE(RunNode(t, "enriched.with-product", order(Value()), &ctx).ok());
  ASSERT_EQ(ctx.out.size(), 1u);
  EXPECT_EQ(ctx.out[0].key, Value("c1"));
  EXPECT_EQ(ctx.out[0].value.ToJson(), R"({"order":{"item":{"sku":"sku-1"},"region":"eu"},"product":{"name":"pen"}})");
  ctx.out.clear();
  Record joined;
  joined.key = Value("c1");
  joined.value = Json({{"order", Json({{"region", Value("eu")}})}, {"product", Value()}});
  ASSERT_TRUE(RunNode(t, "enriched.2-join", joined, &ctx).ok());
  ASSERT_EQ(ctx.out.size(), 1u);
  EXPECT_EQ(ctx.out[0].value.ToJson(), R"({"left":{"order":{"region":"eu"},"product":null},"regions":null})");
}

TEST(YamlGlobalTable, OnlyJoinedGlobalTablesArePartOfTheTopology) {
  LoadResult r = Load(kHeader + R"(global_tables:
  products: {topic: products}
  unused: {topic: unused, value: string}
pipelines:
  p:
    from: orders
    steps:
      - join: {with: products, key: sku}
      - join: {with: products, key: "other_sku", type: left, as: {right: other}}
      - to: out
)");
  ASSERT_TRUE(r.loaded.has_value()) << Join(r.errors);
  const Topology& t = r.loaded->topology;
  ASSERT_EQ(t.data().global_tables.size(), 1u);
  EXPECT_EQ(t.data().global_tables[0].name, "products");
  EXPECT_EQ(ParentName(t, "p.1-join"), "p.0-join");
}

TEST(YamlGlobalTable, ATopicReadByAStreamIsReportedAtTheStream) {
  LoadResult r = Load(R"(version: 1
application: {id: app}
streams:
  orders: {topic: orders}
  products-stream: {topics: [x, products]}
global_tables:
  products: {topic: products}
pipelines:
  p:
    from: orders
    steps:
      - join: {with: products, key: sku}
      - to: out
  q:
    from: products-stream
    steps: [{to: out2}]
)");
  ASSERT_FALSE(r.loaded.has_value());
  ASSERT_EQ(r.errors.size(), 1u) << Join(r.errors);
  EXPECT_EQ(r.errors[0].line, 5);
  EXPECT_EQ(r.errors[0].column, 33);
  EXPECT_NE(r.errors[0].message.find("topic 'products' of stream 'products-stream' is also the topic of global "
                                     "table 'products' (at 7:21)"),
            std::string::npos)
      << r.errors[0].ToString();
}

TEST(YamlGlobalTable, KeyExpressionErrorsPointAtTheCharacter) {
  LoadResult r = Load(kHeader + R"(global_tables:
  products: {topic: products}
pipelines:
  p:
    from: orders
    steps:
      - join: {with: products, key: "item.sku +"}
      - to: out
)");
  ASSERT_FALSE(r.loaded.has_value());
  ASSERT_EQ(r.errors.size(), 1u) << Join(r.errors);
  EXPECT_EQ(r.errors[0].line, 12);
  EXPECT_GT(r.errors[0].column, 38);
  EXPECT_EQ(r.errors[0].message.rfind("join key: ", 0), 0u) << r.errors[0].ToString();
}

std::vector<std::string> OutputValues(const testing::InProcessDriver& driver, const std::string& topic) {
  std::vector<std::string> out;
  for (const testing::DriverOutput& o : driver.outputs()) {
    if (o.topic == topic) out.push_back(o.value.value_or("<null>"));
  }
  return out;
}

TEST(YamlJoin, StreamTableLeftJoinRunsInProcess) {
  LoadResult r = Load(R"(version: 1
application: {id: j}
streams:
  orders: {topic: orders}
tables:
  customers: {topic: customers}
pipelines:
  p:
    from: orders
    steps:
      - join: {with: customers, type: left, as: {left: order, right: customer}}
      - to: out
)");
  ASSERT_TRUE(r.loaded.has_value()) << Join(r.errors);
  testing::InProcessDriver driver(r.loaded->topology, "j-dlq");
  ASSERT_TRUE(driver.Pipe("customers", "c1", R"({"name":"Ann"})", 1000).ok());
  ASSERT_TRUE(driver.Pipe("orders", "c1", R"({"id":1})", 2000).ok());
  ASSERT_TRUE(driver.Pipe("orders", "c2", R"({"id":2})", 2001).ok());
  ASSERT_TRUE(driver.Pipe("customers", "c1", R"({"name":"Bea"})", 3000).ok());  // emits nothing
  ASSERT_TRUE(driver.Pipe("orders", "c1", R"({"id":3})", 4000).ok());
  EXPECT_EQ(OutputValues(driver, "out"), (std::vector<std::string>{
                                             R"({"order":{"id":1},"customer":{"name":"Ann"}})",
                                             R"({"order":{"id":2},"customer":null})",
                                             R"({"order":{"id":3},"customer":{"name":"Bea"}})",
                                         }));
}

TEST(YamlJoin, StreamStreamInnerJoinRunsInProcess) {
  // The orders are keyed by a field first: they reach the join through its
  // repartition topic.
  LoadResult r = Load(R"(version: 1
application: {id: j}
streams:
  orders: {topic: orders}
  payments: {topic: payments}
pipelines:
  p:
    from: orders
    steps:
      - selectKey: order
      - join: {with: payments, within: 5s}
        name: paid
      - to: out
)");
  ASSERT_TRUE(r.loaded.has_value()) << Join(r.errors);
  ExpectContains(r.loaded->topology.Describe(), {"p.paid-this-repartition-sink"});
  testing::InProcessDriver driver(r.loaded->topology, "j-dlq");
  ASSERT_TRUE(driver.Pipe("orders", std::nullopt, R"({"order":"o1","n":1})", 1000).ok());
  ASSERT_TRUE(driver.Pipe("payments", "o1", R"({"amount":5})", 3000).ok());   // matches o1 (2s later)
  ASSERT_TRUE(driver.Pipe("payments", "o1", R"({"amount":6})", 10000).ok());  // 9s later: no match
  ASSERT_TRUE(driver.Pipe("orders", std::nullopt, R"({"order":"o2","n":2})", 10000).ok());
  ASSERT_TRUE(driver.Pipe("payments", "o3", R"({"amount":7})", 10500).ok());  // another key
  ASSERT_TRUE(driver.Pipe("payments", "o2", R"({"amount":8})", 11000).ok());
  EXPECT_EQ(OutputValues(driver, "out"), (std::vector<std::string>{
                                             R"({"left":{"order":"o1","n":1},"payments":{"amount":5}})",
                                             R"({"left":{"order":"o2","n":2},"payments":{"amount":8}})",
                                         }));
  EXPECT_NE(driver.Store("payments", "p.paid-other-store"), nullptr);
}

// ---------------------------------------------------------------- the binary

using testing::CommandRun;

CommandRun RunStreamApp(const std::string& args, bool merge_stderr = true) {
  return testing::RunCommand(std::string(STREAM_APP_BINARY) + " " + args, merge_stderr);
}

TEST(YamlTopologyCli, ValidateReportsErrorsInCompilerFormat) {
  const std::string file = (kData / "invalid/multiple_errors.yaml").string();
  CommandRun r = RunStreamApp("validate " + file);
  EXPECT_EQ(r.exit_code, 1) << r.output;
  const size_t expected = ReadExpectations(file).size();
  EXPECT_NE(r.output.find(file + ":"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find(": error: "), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("\n" + std::to_string(expected) + " error(s)\n"), std::string::npos) << r.output;
  // Nothing on stdout when there are errors.
  EXPECT_EQ(RunStreamApp("validate " + file, false).output, "");
}

TEST(YamlTopologyCli, ValidateAcceptsTheExample) {
  const std::string file = std::string(STREAMAPP_SOURCE_DIR) + "/topologies/example.yaml";
  CommandRun r = RunStreamApp("validate " + file);
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(r.output, file + ": OK\n");
  EXPECT_EQ(RunStreamApp("validate").exit_code, 2);
}

TEST(YamlTopologyCli, DescribePrintsTheTopology) {
  const std::string file = std::string(STREAMAPP_SOURCE_DIR) + "/topologies/example.yaml";
  CommandRun text = RunStreamApp("describe " + file);
  EXPECT_EQ(text.exit_code, 0) << text.output;
  EXPECT_NE(text.output.find("clean.by-customer"), std::string::npos) << text.output;
  CommandRun json = RunStreamApp("describe --format json " + file);
  EXPECT_EQ(json.exit_code, 0) << json.output;
  EXPECT_EQ(json.output.rfind("{", 0), 0u) << json.output;
  EXPECT_EQ(RunStreamApp("describe --format xml " + file).exit_code, 2);
  EXPECT_EQ(RunStreamApp("describe " + (kData / "invalid/multiple_errors.yaml").string()).exit_code, 1);
}

}  // namespace
}  // namespace streamapp
