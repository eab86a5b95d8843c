// TopologyTestDriver: the engine's own tasks over in-memory topics.
#include "streamapp/test_driver.h"

#include <stdlib.h>

#include <deque>
#include <filesystem>
#include <map>
#include <set>

#include "dsl/graph.h"
#include "runtime/changelog_restorer.h"
#include "runtime/stream_task.h"
#include "state/stores.h"
#include "testing/memory_topics.h"

namespace streamapp {
namespace {

constexpr size_t kStateMemoryBytes = 64 << 20;
// Commit() repeats flush-and-route until nothing moves; a topology whose
// flushes keep feeding each other would otherwise never settle.
constexpr int kMaxCommitRounds = 100;

kafka::TopicPartition PartitionZero(const std::string& topic) {
  return {topic, PartitionId(0)};
}

// JSON when the bytes are JSON, else the text: for topics without a known serde.
Value DecodeUnknown(const std::string& bytes) {
  static const std::shared_ptr<const Serde> json = *MakeSerde("json", {});
  Value v;
  if (json->Deserialize(bytes, &v).ok()) return v;
  return Value(bytes);
}

}  // namespace

class TopologyTestDriver::Impl {
 public:
  Impl(std::shared_ptr<const dsl::TopologyData> data, TestDriverOptions options)
      : data_(std::move(data)),
        options_(std::move(options)),
        collector_(*this),
        consumer_(topics_),
        admin_(topics_),
        restorer_(consumer_, admin_),
        resources_(kStateMemoryBytes),
        cache_(options_.cache_max_bytes),
        wall_clock_ms_(options_.wall_clock_start_ms) {
    if (options_.dlq_topic.empty()) options_.dlq_topic = options_.application_id + "-dlq";
    for (const dsl::GraphNode& node : data_->nodes) {
      if (node.kind == dsl::NodeKind::kProcessor) {
        for (const StoreSpec& spec : node.op->stores()) {
          changelog_topics_.insert(runtime::ChangelogTopic(options_.application_id, spec.name));
        }
      }
      if (node.kind == dsl::NodeKind::kSink && !node.sink.topic.empty()) {
        sink_serdes_.emplace(node.sink.topic, node.sink.produced);  // the first sink of a topic decides
      }
    }
    for (const dsl::GlobalTableSpec& spec : data_->global_tables) global_specs_.emplace(spec.topic, spec);
  }

  ~Impl() {
    StopTasks(/*clean=*/false);
    CloseGlobalTables();
    if (owns_state_dir_) {
      std::error_code ec;
      std::filesystem::remove_all(state_dir_, ec);
    }
  }

  Status Start() {
    state_dir_ = options_.state_dir;
    if (state_dir_.empty()) {
      std::string tmpl = (std::filesystem::temp_directory_path() / "streamapp-test-driver-XXXXXX").string();
      if (mkdtemp(tmpl.data()) == nullptr) return Status::IoError("cannot create a temporary state directory");
      state_dir_ = tmpl;
      owns_state_dir_ = true;
    }
    app_state_dir_ = state_dir_ + "/" + options_.application_id;
    RETURN_IF_ERROR(StartGlobalTables());
    RETURN_IF_ERROR(StartTasks());
    return Route();
  }

  Status Pipe(const std::string& topic, std::optional<std::string> key, std::optional<std::string> value,
              int64_t timestamp, std::vector<Header> headers) {
    RETURN_IF_ERROR(failure_);
    if (!task_of_topic_.count(topic) && !global_specs_.count(topic)) {
      std::string known;
      for (const std::string& t : InputTopics()) known += (known.empty() ? "" : ", ") + t;
      return Status::NotFound("no source reads topic '" + topic + "'; the topology reads: " + known);
    }
    pending_.push_back({topic, std::move(key), std::move(value), timestamp, std::move(headers)});
    return Route();
  }

  Result<std::optional<std::string>> Serialize(const std::string& topic, const Value& v, bool key) const {
    const Serde* serde = nullptr;
    if (auto it = data_->source_node_of_topic.find(topic); it != data_->source_node_of_topic.end()) {
      const Consumed& consumed = data_->nodes[it->second].consumed;
      serde = key ? consumed.key.get() : consumed.value.get();
    } else if (auto g = global_specs_.find(topic); g != global_specs_.end()) {
      serde = key ? g->second.key_serde.get() : g->second.value_serde.get();
    } else {
      return Status::NotFound("no source reads topic '" + topic + "'");
    }
    if (v.is_null()) return std::optional<std::string>();
    std::string bytes;
    RETURN_IF_ERROR(serde->Serialize(v, &bytes).WithContext(key ? "key" : "value"));
    return std::optional<std::string>(std::move(bytes));
  }

  Status PipeValues(const std::string& topic, const Value& key, const Value& value, int64_t timestamp,
                    std::vector<Header> headers) {
    if (!task_of_topic_.count(topic) && !global_specs_.count(topic)) return Pipe(topic, {}, {}, timestamp, {});
    ASSIGN_OR_RETURN(std::optional<std::string> key_bytes, Serialize(topic, key, /*key=*/true));
    ASSIGN_OR_RETURN(std::optional<std::string> value_bytes, Serialize(topic, value, /*key=*/false));
    return Pipe(topic, std::move(key_bytes), std::move(value_bytes), timestamp, std::move(headers));
  }

  Status Commit() {
    RETURN_IF_ERROR(failure_);
    for (int round = 0; round < kMaxCommitRounds; ++round) {
      for (auto& task : tasks_) RETURN_IF_ERROR(Fail(task->FlushState()));
      const uint64_t before = routed_;
      RETURN_IF_ERROR(Route());
      if (routed_ == before) break;
    }
    for (auto& task : tasks_) RETURN_IF_ERROR(Fail(task->Checkpoint()));
    return Status::Ok();
  }

  Status AdvanceWallClock(std::chrono::milliseconds by) {
    RETURN_IF_ERROR(failure_);
    wall_clock_ms_ += by.count();
    for (auto& task : tasks_) RETURN_IF_ERROR(Fail(task->PunctuateWallClock(wall_clock_ms_)));
    return Route();
  }

  Status Restart(RestartMode mode) {
    RETURN_IF_ERROR(Commit());
    StopTasks(/*clean=*/true);
    CloseGlobalTables();
    if (mode == RestartMode::kWipeState) {
      std::error_code ec;
      std::filesystem::remove_all(app_state_dir_, ec);
      if (ec) return Status::IoError("cannot remove " + app_state_dir_ + ": " + ec.message());
    }
    RETURN_IF_ERROR(Fail(StartGlobalTables()));
    RETURN_IF_ERROR(Fail(StartTasks()));
    return Route();
  }

  std::vector<TestRecord> ReadOutput(const std::string& topic) {
    size_t& next = read_positions_[topic];
    std::vector<TestRecord> out;
    for (; next < outputs_.size(); ++next) {
      if (outputs_[next].topic == topic) out.push_back(outputs_[next]);
    }
    return out;
  }

  Result<Value> Decode(const TestRecord& record, bool key) const {
    const std::optional<std::string>& bytes = key ? record.key : record.value;
    if (!bytes) return Value();
    auto it = sink_serdes_.find(record.topic);
    if (it == sink_serdes_.end()) return DecodeUnknown(*bytes);
    const Serde& serde = key ? *it->second.key : *it->second.value;
    Value v;
    RETURN_IF_ERROR(serde.Deserialize(*bytes, &v).WithContext(key ? "key" : "value"));
    return v;
  }

  StateStore* Store(const std::string& name) const {
    for (const auto& task : tasks_) {
      if (StateStore* s = task->store(name)) return s;
    }
    auto it = global_stores_.find(name);
    return it == global_stores_.end() ? nullptr : it->second;
  }

  int64_t Counter(const std::string& name) const {
    int64_t total = 0;
    for (const auto& task : tasks_) {
      auto it = task->counters().find(name);
      if (it != task->counters().end()) total += it->second;
    }
    return total;
  }

  std::vector<std::string> InputTopics() const {
    std::set<std::string> topics;
    for (const auto& [topic, node] : data_->source_node_of_topic) {
      if (!data_->repartition_topics.count(topic)) topics.insert(topic);
    }
    for (const auto& [topic, spec] : global_specs_) topics.insert(topic);
    return {topics.begin(), topics.end()};
  }

  const TestDriverOptions& options() const { return options_; }
  int64_t wall_clock_ms() const { return wall_clock_ms_; }
  const std::vector<TestRecord>& outputs() const { return outputs_; }
  const std::vector<TestRecord>& changelogs() const { return changelogs_; }

 private:
  // Sorts what the tasks write: changelogs to the in-memory changelog topics,
  // repartition records back in, everything else to the outputs (and back in
  // when the topology reads that topic too).
  struct Collector final : runtime::RecordCollector {
    explicit Collector(Impl& impl) : impl_(impl) {}
    Status Send(const kafka::OutboundMessage& m) override { return impl_.OnSend(m); }
    Impl& impl_;
  };

  Status OnSend(const kafka::OutboundMessage& m) {
    TestRecord r;
    r.topic = std::string(m.topic);
    if (m.key) r.key = std::string(*m.key);
    if (m.value) r.value = std::string(*m.value);
    r.timestamp = m.timestamp.value();
    if (m.headers) r.headers = *m.headers;
    if (changelog_topics_.count(r.topic)) {
      topics_.Append(PartitionZero(r.topic), r.key, r.value, r.timestamp);
      changelogs_.push_back(std::move(r));
      return Status::Ok();
    }
    const bool read_back = task_of_topic_.count(r.topic) > 0 || global_specs_.count(r.topic) > 0;
    if (!data_->repartition_topics.count(r.topic)) outputs_.push_back(r);
    if (read_back) pending_.push_back(std::move(r));
    return Status::Ok();
  }

  // Delivers pending records, in the order written, until none is left.
  Status Route() {
    RETURN_IF_ERROR(failure_);
    while (!pending_.empty()) {
      TestRecord r = std::move(pending_.front());
      pending_.pop_front();
      ++routed_;
      if (auto g = global_tables_.find(r.topic); g != global_tables_.end()) {
        RETURN_IF_ERROR(Fail(ApplyToGlobalTable(g->second, r)));
        continue;
      }
      auto it = task_of_topic_.find(r.topic);
      if (it == task_of_topic_.end()) continue;
      kafka::Message m;
      m.topic = r.topic;
      m.partition = PartitionId(0);
      m.offset = Offset(next_offset_[r.topic]++);
      m.timestamp = Timestamp(r.timestamp);
      m.key = std::move(r.key);
      m.value = std::move(r.value);
      m.headers = std::move(r.headers);
      it->second->Enqueue(std::move(m));
      for (;;) {
        Result<bool> processed = it->second->ProcessOne();
        if (!processed.ok()) return Fail(processed.status());
        if (!*processed) break;
      }
    }
    return Status::Ok();
  }

  // A failed task stops the driver, as it stops a worker.
  Status Fail(Status status) {
    if (!status.ok() && failure_.ok()) failure_ = status;
    return status;
  }

  Status StartTasks() {
    runtime::TaskEnv env;
    env.collector = &collector_;
    env.dlq_topic = options_.dlq_topic;
    env.metrics = &metrics_;
    env.state.application_id = options_.application_id;
    env.state.app_state_dir = app_state_dir_;
    env.state.resources = &resources_;
    env.state.cache = &cache_;
    env.state.restorer = &restorer_;
    env.state.admin = &admin_;
    env.state.global_stores = &global_stores_;
    for (const dsl::Subtopology& sub : data_->subtopologies) {
      std::vector<kafka::TopicPartition> partitions;
      for (const std::string& t : sub.source_topics) partitions.push_back(PartitionZero(t));
      auto task = std::make_unique<runtime::StreamTask>(TaskId{sub.id, PartitionId(0)}, data_, sub.id, partitions, env);
      RETURN_IF_ERROR(task->Initialize());
      // Stream time travels with the committed offsets across restarts.
      if (auto it = stream_times_.find(sub.id); it != stream_times_.end()) task->RestoreStreamTime(it->second);
      // A stream thread punctuates every loop; the first call anchors the schedules.
      RETURN_IF_ERROR(task->PunctuateWallClock(wall_clock_ms_));
      for (const std::string& t : sub.source_topics) task_of_topic_[t] = task.get();
      tasks_.push_back(std::move(task));
    }
    return Status::Ok();
  }

  void StopTasks(bool clean) {
    for (auto& task : tasks_) {
      stream_times_[task->id().subtopology] = task->stream_time();
      task->Close(clean);
    }
    tasks_.clear();
    task_of_topic_.clear();
  }

  // Global tables load everything written to their topics so far, as a
  // worker does when it starts (from the beginning: the driver keeps no
  // global checkpoint, which only shortens loading).
  Status StartGlobalTables() {
    if (global_specs_.empty()) return Status::Ok();
    const std::string dir = app_state_dir_ + "/global";
    RETURN_IF_ERROR(state::WipeDirectory(dir));
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    if (ec) return Status::IoError("cannot create " + dir + ": " + ec.message());
    for (const auto& [topic, spec] : global_specs_) {
      StoreSpec store;
      store.name = spec.store;
      store.logged = false;  // the topic is the changelog
      store.cached = false;
      state::StoreContext ctx;
      ctx.task_dir = dir;
      ctx.resources = &resources_;
      ctx.current_timestamp = [] { return int64_t{0}; };
      ASSIGN_OR_RETURN(state::OpenedStore opened, state::OpenStore(store, ctx));
      auto* inner = dynamic_cast<KeyValueStore*>(opened.restore);
      if (inner == nullptr) return Status::Internal("global store " + spec.store + " has no key-value inner store");
      GlobalTable& table = global_tables_[topic];
      table.opened = std::move(opened);
      global_stores_[spec.store] = inner;
      if (const auto* log = topics_.Partition(PartitionZero(topic))) {
        for (const kafka::Message& m : *log) RETURN_IF_ERROR(Apply(table, m.key, m.value));
      }
    }
    return Status::Ok();
  }

  void CloseGlobalTables() {
    for (auto& [topic, table] : global_tables_) table.opened.store->Close();
    global_tables_.clear();
    global_stores_.clear();
  }

  struct GlobalTable {
    state::OpenedStore opened;
  };

  Status ApplyToGlobalTable(GlobalTable& table, const TestRecord& r) {
    topics_.Append(PartitionZero(r.topic), r.key, r.value, r.timestamp);
    return Apply(table, r.key, r.value);
  }

  static Status Apply(GlobalTable& table, const std::optional<std::string>& key,
                      const std::optional<std::string>& value) {
    if (!key) return Status::Ok();  // a keyless record cannot be state
    return table.opened.restore->ApplyBatch({{*key, value}});
  }

  std::shared_ptr<const dsl::TopologyData> data_;
  TestDriverOptions options_;
  Collector collector_;
  testing::MemoryTopics topics_;  // changelogs and global tables' topics
  testing::MemoryConsumer consumer_;
  testing::MemoryAdmin admin_;
  runtime::ChangelogRestorer restorer_;
  state::StateResources resources_;
  state::ThreadCache cache_;
  runtime::TaskMetrics metrics_;
  std::string state_dir_;
  std::string app_state_dir_;
  bool owns_state_dir_ = false;

  std::set<std::string> changelog_topics_;
  std::map<std::string, Produced> sink_serdes_;
  std::map<std::string, dsl::GlobalTableSpec> global_specs_;  // by topic
  std::map<std::string, GlobalTable> global_tables_;          // by topic
  std::map<std::string, KeyValueStore*> global_stores_;       // by store name

  std::vector<std::unique_ptr<runtime::StreamTask>> tasks_;
  std::map<std::string, runtime::StreamTask*> task_of_topic_;
  std::map<int, Timestamp> stream_times_;  // by subtopology, kept across restarts
  std::map<std::string, int64_t> next_offset_;

  std::deque<TestRecord> pending_;  // written to a topic the topology reads, not yet delivered
  uint64_t routed_ = 0;
  std::vector<TestRecord> outputs_;
  std::vector<TestRecord> changelogs_;
  std::map<std::string, size_t> read_positions_;
  int64_t wall_clock_ms_ = 0;
  Status failure_;
};

Result<std::unique_ptr<TopologyTestDriver>> TopologyTestDriver::Create(const Topology& topology,
                                                                       TestDriverOptions options) {
  auto data = dsl::ResolveInternalTopics(topology.data(), options.application_id);
  auto impl = std::make_unique<Impl>(std::move(data), std::move(options));
  RETURN_IF_ERROR(impl->Start());
  return std::unique_ptr<TopologyTestDriver>(new TopologyTestDriver(std::move(impl)));
}

TopologyTestDriver::TopologyTestDriver(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
TopologyTestDriver::~TopologyTestDriver() = default;

Status TopologyTestDriver::Pipe(const std::string& topic, std::optional<std::string> key,
                                std::optional<std::string> value, int64_t timestamp, std::vector<Header> headers) {
  return impl_->Pipe(topic, std::move(key), std::move(value), timestamp, std::move(headers));
}

Status TopologyTestDriver::PipeValues(const std::string& topic, const Value& key, const Value& value, int64_t timestamp,
                                      std::vector<Header> headers) {
  return impl_->PipeValues(topic, key, value, timestamp, std::move(headers));
}

Result<std::optional<std::string>> TopologyTestDriver::SerializeKey(const std::string& topic, const Value& key) const {
  return impl_->Serialize(topic, key, /*key=*/true);
}
Result<std::optional<std::string>> TopologyTestDriver::SerializeValue(const std::string& topic,
                                                                      const Value& value) const {
  return impl_->Serialize(topic, value, /*key=*/false);
}

Status TopologyTestDriver::Commit() {
  return impl_->Commit();
}
Status TopologyTestDriver::AdvanceWallClock(std::chrono::milliseconds by) {
  return impl_->AdvanceWallClock(by);
}
int64_t TopologyTestDriver::wall_clock_ms() const {
  return impl_->wall_clock_ms();
}
Status TopologyTestDriver::Restart(RestartMode mode) {
  return impl_->Restart(mode);
}
const std::vector<TestRecord>& TopologyTestDriver::outputs() const {
  return impl_->outputs();
}
std::vector<TestRecord> TopologyTestDriver::ReadOutput(const std::string& topic) {
  return impl_->ReadOutput(topic);
}
const std::vector<TestRecord>& TopologyTestDriver::changelog_records() const {
  return impl_->changelogs();
}
Result<Value> TopologyTestDriver::DecodeKey(const TestRecord& record) const {
  return impl_->Decode(record, /*key=*/true);
}
Result<Value> TopologyTestDriver::DecodeValue(const TestRecord& record) const {
  return impl_->Decode(record, /*key=*/false);
}
StateStore* TopologyTestDriver::Store(const std::string& name) const {
  return impl_->Store(name);
}
int64_t TopologyTestDriver::Counter(const std::string& name) const {
  return impl_->Counter(name);
}
const std::string& TopologyTestDriver::dlq_topic() const {
  return impl_->options().dlq_topic;
}
std::vector<std::string> TopologyTestDriver::InputTopics() const {
  return impl_->InputTopics();
}

}  // namespace streamapp
