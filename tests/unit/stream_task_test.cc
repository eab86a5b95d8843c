// The engine without a broker: DSL graph -> Topology -> StreamTask fed with
// consumed messages, output captured.
#include "runtime/stream_task.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <thread>

#include "dsl/graph.h"
#include "state/stores.h"
#include "streamapp/dsl.h"

namespace streamapp::runtime {
namespace {

struct Captured {
  std::string topic;
  std::optional<std::string> key;
  std::optional<std::string> value;
  std::vector<Header> headers;
  int64_t timestamp;
};

class CapturingCollector final : public RecordCollector {
 public:
  Status Send(const kafka::OutboundMessage& m) override {
    Captured c{std::string(m.topic), std::nullopt, std::nullopt, {}, m.timestamp.value()};
    if (m.key) c.key = std::string(*m.key);
    if (m.value) c.value = std::string(*m.value);
    if (m.headers) c.headers = *m.headers;
    out.push_back(std::move(c));
    return Status::Ok();
  }
  std::vector<Captured> out;
};

std::shared_ptr<const Serde> SerdeOf(const std::string& spec) {
  auto s = MakeSerde(spec, {});
  EXPECT_TRUE(s.ok()) << s.status().ToString();
  return *s;
}

kafka::Message Msg(const std::string& topic, int partition, int64_t offset, int64_t ts, std::optional<std::string> key,
                   std::optional<std::string> value) {
  kafka::Message m;
  m.topic = topic;
  m.partition = PartitionId(partition);
  m.offset = Offset(offset);
  m.timestamp = Timestamp(ts);
  m.key = std::move(key);
  m.value = std::move(value);
  return m;
}

std::string Header(const Captured& c, const std::string& name) {
  for (const auto& h : c.headers) {
    if (h.key == name) return h.value;
  }
  return "<none>";
}

class StreamTaskTest : public ::testing::Test {
 protected:
  Consumed JsonIn() { return {SerdeOf("string"), SerdeOf("json"), {}}; }
  Produced JsonOut() { return {SerdeOf("string"), SerdeOf("json")}; }

  std::unique_ptr<StreamTask> MakeTask(const Topology& t, std::vector<kafka::TopicPartition> tps) {
    env_.collector = &collector_;
    env_.dlq_topic = "dlq";
    env_.metrics = &metrics_;
    const int sub = t.data().subtopology_of_topic.at(tps[0].topic);
    auto task = std::make_unique<StreamTask>(TaskId{sub, tps[0].partition}, t.data_ptr(), sub, tps, env_);
    EXPECT_TRUE(task->Initialize().ok());
    return task;
  }

  void ProcessAll(StreamTask& task) {
    for (;;) {
      auto r = task.ProcessOne();
      ASSERT_TRUE(r.ok()) << r.status().ToString();
      if (!*r) break;
    }
  }

  // Topics "ta" and "tc" merged into "out": one task reads both.
  Result<Topology> MergeOfTwoTopics() {
    StreamsBuilder b;
    auto a = b.Stream("a", {"ta"}, JsonIn());
    auto c = b.Stream("c", {"tc"}, JsonIn());
    a.Merge("both", c).To("out", "out", JsonOut());
    return b.Build();
  }

  CapturingCollector collector_;
  TaskMetrics metrics_;
  TaskEnv env_;
};

TEST_F(StreamTaskTest, FilterSelectKeyBranchAndSinks) {
  StreamsBuilder b;
  auto s = b.Stream("in", {"orders"}, JsonIn());
  auto keyed = s.Filter("positive", [](const Record& r) -> Result<bool> {
                  return r.value.Find("amount")->as_int() > 0;
                }).SelectKey("by-customer", [](const Record& r) -> Result<Value> { return *r.value.Find("customer"); });
  auto branches = keyed.Branch(
      "split", {{"big", [](const Record& r) -> Result<bool> { return r.value.Find("amount")->as_int() >= 100; }},
                {"rest", nullptr}});
  branches[0].To("to-big", "big", JsonOut());
  branches[1].To("to-small", "small", JsonOut());
  auto topology = b.Build();
  ASSERT_TRUE(topology.ok()) << topology.status().ToString();
  EXPECT_TRUE(topology->data().nodes[topology->data().nodes.size() - 1].key_changed);
  EXPECT_NE(topology->Describe().find("[key changed]"), std::string::npos);

  auto task = MakeTask(*topology, {{"orders", PartitionId(0)}});
  task->Enqueue(Msg("orders", 0, 0, 1000, "k", R"({"customer":"c1","amount":150})"));
  task->Enqueue(Msg("orders", 0, 1, 1001, "k", R"({"customer":"c2","amount":-5})"));
  task->Enqueue(Msg("orders", 0, 2, 1002, "k", R"({"customer":"c3","amount":7})"));
  ProcessAll(*task);

  ASSERT_EQ(collector_.out.size(), 2u);
  EXPECT_EQ(collector_.out[0].topic, "big");
  EXPECT_EQ(collector_.out[0].key, "c1");
  EXPECT_EQ(collector_.out[0].timestamp, 1000);
  EXPECT_EQ(collector_.out[1].topic, "small");
  EXPECT_EQ(collector_.out[1].key, "c3");
  auto offsets = task->CommittableOffsets();
  ASSERT_EQ(offsets.size(), 1u);
  EXPECT_EQ(offsets[0].offset.value(), 3);
  task->MarkCommitted();
  EXPECT_TRUE(task->CommittableOffsets().empty());
  EXPECT_EQ(task->stream_time().value(), 1002);
}

TEST_F(StreamTaskTest, ProcessesLowestTimestampFirstAcrossPartitions) {
  auto topology = MergeOfTwoTopics();
  ASSERT_TRUE(topology.ok()) << topology.status().ToString();
  ASSERT_EQ(topology->data().subtopologies.size(), 1u);
  auto task = MakeTask(*topology, {{"ta", PartitionId(0)}, {"tc", PartitionId(0)}});
  task->Enqueue(Msg("ta", 0, 0, 10, "k", "1"));
  task->Enqueue(Msg("ta", 0, 1, 30, "k", "3"));
  task->Enqueue(Msg("tc", 0, 0, 20, "k", "2"));
  task->Enqueue(Msg("tc", 0, 1, 40, "k", "4"));
  ProcessAll(*task);
  std::vector<std::string> values;
  for (const auto& o : collector_.out) values.push_back(*o.value);
  EXPECT_EQ(values, (std::vector<std::string>{"1", "2", "3", "4"}));
}

// max.task.idle.ms: a record of one partition waits while another partition
// of the task has nothing buffered and has not reported its end, so that an
// older record there (a table row) comes first; bounded by the idle time.
TEST_F(StreamTaskTest, WaitsForAnEmptyPartitionUntilItsEndOrTheIdleTime) {
  auto topology = MergeOfTwoTopics();
  ASSERT_TRUE(topology.ok()) << topology.status().ToString();
  env_.max_task_idle = std::chrono::hours(1);
  auto task = MakeTask(*topology, {{"ta", PartitionId(0)}, {"tc", PartitionId(0)}});
  task->Enqueue(Msg("ta", 0, 0, 30, "k", "30"));
  ProcessAll(*task);
  EXPECT_TRUE(collector_.out.empty()) << "processed before 'tc' was known";
  task->Enqueue(Msg("tc", 0, 0, 10, "k", "10"));  // the older record arrives
  ProcessAll(*task);
  ASSERT_EQ(collector_.out.size(), 1u);  // "30" waits again: 'tc' is empty and not at its end
  EXPECT_EQ(*collector_.out[0].value, "10");
  kafka::Message eof = Msg("tc", 0, 1, 0, std::nullopt, std::nullopt);
  eof.partition_eof = true;
  task->MarkEndOfPartition(eof);
  ProcessAll(*task);
  ASSERT_EQ(collector_.out.size(), 2u);
  EXPECT_EQ(*collector_.out[1].value, "30");

  // A short idle time lets the task go on without the end.
  collector_.out.clear();
  env_.max_task_idle = std::chrono::milliseconds(20);
  auto impatient = MakeTask(*topology, {{"ta", PartitionId(0)}, {"tc", PartitionId(0)}});
  impatient->Enqueue(Msg("tc", 0, 5, 10, "k", "10"));
  ProcessAll(*impatient);
  ASSERT_EQ(collector_.out.size(), 0u);
  std::this_thread::sleep_for(std::chrono::milliseconds(40));
  ProcessAll(*impatient);
  ASSERT_EQ(collector_.out.size(), 1u);
}

TEST_F(StreamTaskTest, DropsRecordsBelowTheTrackedOffset) {
  StreamsBuilder b;
  b.Stream("in", {"t"}, JsonIn()).To("out", "out", JsonOut());
  auto topology = b.Build();
  ASSERT_TRUE(topology.ok());
  auto task = MakeTask(*topology, {{"t", PartitionId(0)}});
  EXPECT_NE(task->Enqueue(Msg("t", 0, 5, 1, "k", "1")), nullptr);
  EXPECT_EQ(task->Enqueue(Msg("t", 0, 5, 1, "k", "1")), nullptr);  // a refetch
  EXPECT_EQ(task->Enqueue(Msg("t", 0, 3, 1, "k", "0")), nullptr);
  EXPECT_EQ(task->Enqueue(Msg("other", 0, 9, 1, "k", "1")), nullptr);  // not this task's
  ProcessAll(*task);
  EXPECT_EQ(collector_.out.size(), 1u);
}

TEST_F(StreamTaskTest, DeadLettersUndecodableAndFailingRecordsWithReasons) {
  StreamsBuilder b;
  b.Stream("in", {"t"}, JsonIn())
      .MapValues("double",
                 [](const Record& r) -> Result<Value> {
                   const Value* v = r.value.Find("n");
                   if (v == nullptr || !v->is_int()) return Status::DataError("n is not an int");
                   return Value(v->as_int() * 2);
                 })
      .To("out", "out", JsonOut());
  auto topology = b.Build();
  ASSERT_TRUE(topology.ok());
  auto task = MakeTask(*topology, {{"t", PartitionId(3)}});
  task->Enqueue(Msg("t", 3, 0, 1, "a", R"({"n":1})"));
  task->Enqueue(Msg("t", 3, 1, 2, "b", R"({"n":)"));      // bad JSON
  task->Enqueue(Msg("t", 3, 2, 3, "c", R"({"n":"x"})"));  // wrong type
  task->Enqueue(Msg("t", 3, 3, 4, "d", R"({"n":4})"));
  ProcessAll(*task);

  ASSERT_EQ(collector_.out.size(), 4u);
  EXPECT_EQ(collector_.out[0].topic, "out");
  EXPECT_EQ(collector_.out[0].value, "2");
  EXPECT_EQ(collector_.out[1].topic, "dlq");
  EXPECT_EQ(collector_.out[1].value, R"({"n":)");  // the original bytes
  EXPECT_EQ(collector_.out[1].key, "b");
  EXPECT_NE(Header(collector_.out[1], "streamapp.error").find("value (json)"), std::string::npos);
  EXPECT_EQ(Header(collector_.out[1], "streamapp.error.step"), "in");
  EXPECT_EQ(Header(collector_.out[1], "streamapp.source.topic"), "t");
  EXPECT_EQ(Header(collector_.out[1], "streamapp.source.partition"), "3");
  EXPECT_EQ(Header(collector_.out[1], "streamapp.source.offset"), "1");
  EXPECT_EQ(collector_.out[2].topic, "dlq");
  EXPECT_EQ(Header(collector_.out[2], "streamapp.error"), "n is not an int");
  EXPECT_EQ(Header(collector_.out[2], "streamapp.error.step"), "double");
  EXPECT_EQ(collector_.out[3].value, "8");
  EXPECT_EQ(metrics_.dead_lettered, 2u);
  EXPECT_EQ(task->CommittableOffsets()[0].offset.value(), 4);
}

TEST_F(StreamTaskTest, SkipCountsAndFailStopsWithoutAdvancingTheOffset) {
  StreamsBuilder b;
  auto in = b.Stream("in", {"t"}, JsonIn(), ErrorHandling::kSkip);
  in.To("out", "out", JsonOut());
  auto topology = b.Build();
  ASSERT_TRUE(topology.ok());
  auto task = MakeTask(*topology, {{"t", PartitionId(0)}});
  task->Enqueue(Msg("t", 0, 0, 1, "a", "not json"));
  task->Enqueue(Msg("t", 0, 1, 1, "a", "1"));
  ProcessAll(*task);
  EXPECT_EQ(metrics_.skipped, 1u);
  EXPECT_EQ(collector_.out.size(), 1u);

  StreamsBuilder fb;
  fb.Stream("in", {"t"}, JsonIn(), ErrorHandling::kFail).To("out", "out", JsonOut());
  auto failing = fb.Build();
  ASSERT_TRUE(failing.ok());
  auto ftask = MakeTask(*failing, {{"t", PartitionId(0)}});
  ftask->Enqueue(Msg("t", 0, 0, 1, "a", "1"));
  ftask->Enqueue(Msg("t", 0, 1, 1, "a", "{bad"));
  ASSERT_TRUE(*ftask->ProcessOne());
  auto r = ftask->ProcessOne();
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kCancelled);
  EXPECT_NE(r.status().message().find("t[0]@1"), std::string::npos);
  EXPECT_EQ(ftask->CommittableOffsets()[0].offset.value(), 1);  // the failed record is not committed
}

TEST_F(StreamTaskTest, TimestampFromAFieldAndIllegalTransitions) {
  StreamsBuilder b;
  b.Stream("in", {"t"}, {SerdeOf("string"), SerdeOf("json"), {"event.time"}}).To("out", "out", JsonOut());
  auto topology = b.Build();
  ASSERT_TRUE(topology.ok());
  auto task = MakeTask(*topology, {{"t", PartitionId(0)}});
  task->Enqueue(Msg("t", 0, 0, 1, "a", R"({"event":{"time":1700000000123}})"));
  task->Enqueue(Msg("t", 0, 1, 1, "a", R"({"event":{"time":"2024-01-02T03:04:05.5Z"}})"));
  task->Enqueue(Msg("t", 0, 2, 1, "a", R"({"event":{}})"));
  ProcessAll(*task);
  ASSERT_EQ(collector_.out.size(), 3u);
  EXPECT_EQ(collector_.out[0].timestamp, 1700000000123);
  EXPECT_EQ(collector_.out[1].timestamp, 1704164645500);
  EXPECT_EQ(collector_.out[2].topic, "dlq");
  EXPECT_NE(Header(collector_.out[2], "streamapp.error").find("timestamp field 'event.time' is missing"),
            std::string::npos);
  task->Close();
  EXPECT_EQ(task->state(), StreamTask::State::kClosed);
  EXPECT_THROW((void)task->Initialize(), std::logic_error);
}

TEST(Builder, ReportsEveryProblemAtBuild) {
  StreamsBuilder b;
  b.Stream("dup", {"t1"}, {nullptr, nullptr, {}});
  auto s2 = b.Stream("dup", {"t1"}, {SerdeOf("string"), SerdeOf("json"), {}});
  s2.To("sink", "", {SerdeOf("string"), SerdeOf("json")});
  auto r = b.Build();
  ASSERT_FALSE(r.ok());
  const std::string& m = r.status().message();
  EXPECT_NE(m.find("source 'dup' needs key and value serdes"), std::string::npos) << m;
  EXPECT_NE(m.find("duplicate node name 'dup'"), std::string::npos) << m;
  EXPECT_NE(m.find("topic 't1' is read by both"), std::string::npos) << m;
  EXPECT_NE(m.find("sink 'sink' has an empty topic"), std::string::npos) << m;
}

}  // namespace
}  // namespace streamapp::runtime

namespace streamapp::runtime {
namespace {

// An operator that records when its punctuators fire.
class PunctuatingOp final : public OperatorDef {
 public:
  explicit PunctuatingOp(std::vector<std::pair<char, int64_t>>* fired) : fired_(fired) {}
  std::unique_ptr<Processor> CreateProcessor() const override {
    struct P final : Processor {
      explicit P(std::vector<std::pair<char, int64_t>>* f) : fired(f) {}
      Status Init(ProcessorContext& ctx) override {
        RETURN_IF_ERROR(Processor::Init(ctx));
        RETURN_IF_ERROR(ctx.Schedule(std::chrono::milliseconds(10), PunctuationType::kStreamTime, [this](Timestamp t) {
          fired->push_back({'s', t.value()});
          return Status::Ok();
        }));
        return ctx.Schedule(std::chrono::milliseconds(100), PunctuationType::kWallClock, [this](Timestamp t) {
          fired->push_back({'w', t.value()});
          return Status::Ok();
        });
      }
      Status Process(Record r) override { return context().Forward(std::move(r)); }
      std::vector<std::pair<char, int64_t>>* fired;
    };
    return std::make_unique<P>(fired_);
  }
  std::string_view kind() const override { return "punctuating"; }

 private:
  std::vector<std::pair<char, int64_t>>* fired_;
};

TEST_F(StreamTaskTest, StreamTimeAndWallClockPunctuatorsFireOnSchedule) {
  std::vector<std::pair<char, int64_t>> fired;
  StreamsBuilder b;
  b.Stream("in", {"t"}, JsonIn()).Process("p", std::make_shared<PunctuatingOp>(&fired)).To("out", "out", JsonOut());
  auto topology = b.Build();
  ASSERT_TRUE(topology.ok());
  auto task = MakeTask(*topology, {{"t", PartitionId(0)}});
  // Stream time 100 anchors the schedule (first due at 110); 105 is too
  // early; 125 fires once (missed intervals are skipped, not replayed); an
  // out-of-order 50 does not move stream time back.
  for (int64_t ts : {100, 105, 125, 50, 131}) task->Enqueue(Msg("t", 0, ts, ts, "k", "1"));
  ProcessAll(*task);
  EXPECT_EQ(fired, (std::vector<std::pair<char, int64_t>>{{'s', 125}, {'s', 131}}));
  fired.clear();
  ASSERT_TRUE(task->PunctuateWallClock(5000).ok());  // anchors: due at 5100
  ASSERT_TRUE(task->PunctuateWallClock(5099).ok());
  ASSERT_TRUE(task->PunctuateWallClock(5100).ok());
  ASSERT_TRUE(task->PunctuateWallClock(5350).ok());
  EXPECT_EQ(fired, (std::vector<std::pair<char, int64_t>>{{'w', 5100}, {'w', 5350}}));
}

}  // namespace
}  // namespace streamapp::runtime

namespace streamapp::runtime {
namespace {

TEST(TaskStateLock, ATaskDirectoryHasOneOwnerAtATime) {
  char tmpl[] = "/tmp/streamapp-lock-XXXXXX";
  ASSERT_NE(mkdtemp(tmpl), nullptr);
  state::StateResources resources(8 << 20);
  StateEnv env;
  env.application_id = "app";
  env.app_state_dir = tmpl;
  env.resources = &resources;
  StoreSpec spec;
  spec.name = "s";
  spec.logged = false;
  auto now = [] { return int64_t{0}; };
  auto first = std::make_unique<TaskState>(TaskId{0, PartitionId(1)}, env, nullptr);
  ASSERT_TRUE(first->OpenAndRestore({spec}, now).ok());
  TaskState second(TaskId{0, PartitionId(1)}, env, nullptr);
  Status st = second.OpenAndRestore({spec}, now);
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.message().find("is locked by another worker"), std::string::npos) << st.ToString();
  TaskState other_task(TaskId{0, PartitionId(2)}, env, nullptr);
  EXPECT_TRUE(other_task.OpenAndRestore({spec}, now).ok());
  first->Close();  // releases the lock
  TaskState third(TaskId{0, PartitionId(1)}, env, nullptr);
  EXPECT_TRUE(third.OpenAndRestore({spec}, now).ok());
  third.Close();
  other_task.Close();
  std::filesystem::remove_all(tmpl);
}

}  // namespace
}  // namespace streamapp::runtime
