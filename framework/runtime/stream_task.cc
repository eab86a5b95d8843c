#include "runtime/stream_task.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <charconv>
#include <ctime>

namespace streamapp::runtime {

using dsl::GraphNode;
using dsl::NodeKind;

std::string_view TaskStateName(StreamTask::State state) {
  switch (state) {
    case StreamTask::State::kCreated: return "CREATED";
    case StreamTask::State::kRunning: return "RUNNING";
    case StreamTask::State::kSuspended: return "SUSPENDED";
    case StreamTask::State::kClosed: return "CLOSED";
  }
  return "?";
}

// A node of this task: its processor, children, and the context it sees.
class StreamTask::NodeRuntime final : public ProcessorContext {
 public:
  NodeRuntime(StreamTask& task, const GraphNode& def) : task_(task), def_(def) {}

  Status Forward(Record record) override {
    for (size_t i = 0; i < children_.size(); ++i) {
      if (i + 1 == children_.size()) return task_.Deliver(*children_[i], std::move(record));
      RETURN_IF_ERROR(task_.Deliver(*children_[i], record));
    }
    return Status::Ok();
  }
  Status ForwardTo(size_t child, Record record) override {
    if (child >= children_.size()) return Status::Internal(def_.name + ": no child " + std::to_string(child));
    return task_.Deliver(*children_[child], std::move(record));
  }
  size_t child_count() const override { return children_.size(); }
  TaskId task_id() const override { return task_.id_; }
  Timestamp stream_time() const override { return task_.stream_time_; }
  const std::string& node_name() const override { return def_.name; }
  StateStore* GetStateStore(const std::string& name) override { return task_.store(name); }
  Status Schedule(std::chrono::milliseconds interval, PunctuationType type, Punctuator punctuator) override {
    if (interval.count() <= 0) return Status::InvalidArgument(def_.name + ": punctuation interval must be > 0");
    task_.schedules_.push_back({interval, type, std::move(punctuator), -1});
    return Status::Ok();
  }
  void AddToMetric(std::string_view name, int64_t delta) override {
    task_.counters_[std::string(name)] += delta;
    if (name == "late-records-dropped" && task_.env_.metrics) {
      task_.env_.metrics->late_dropped += static_cast<uint64_t>(delta);
      spdlog::debug("task {}: '{}' dropped a record later than the grace period", task_.id_.ToString(), def_.name);
    }
  }

  const GraphNode& def() const { return def_; }
  std::unique_ptr<Processor> processor;
  OperatorMetrics* metrics = nullptr;  // the thread's entry for this node, or null
  std::vector<NodeRuntime*> children_;

 private:
  StreamTask& task_;
  const GraphNode& def_;
};

namespace {

// Epoch milliseconds from a number or an ISO-8601 UTC string
// ("2024-05-01T12:00:00Z", optional fraction).
Result<int64_t> TimestampFromValue(const Value& v) {
  if (v.is_int()) return v.as_int();
  if (v.is_double()) return static_cast<int64_t>(v.as_double());
  if (v.is_string()) {
    std::tm tm{};
    const char* s = v.as_string().c_str();
    const char* rest = strptime(s, "%Y-%m-%dT%H:%M:%S", &tm);
    if (rest != nullptr) {
      int64_t ms = static_cast<int64_t>(timegm(&tm)) * 1000;
      if (*rest == '.') {
        int64_t scale = 100;
        for (++rest; *rest >= '0' && *rest <= '9'; ++rest, scale /= 10) ms += (*rest - '0') * scale;
      }
      if (*rest == 'Z' || *rest == '\0') return ms;
    }
  }
  return Status::DataError("timestamp field holds " + std::string(TypeName(v.type())) + " " + v.ToJson() +
                           "; expected epoch milliseconds or an ISO-8601 UTC time");
}

}  // namespace

StreamTask::StreamTask(TaskId id, std::shared_ptr<const dsl::TopologyData> topology, int subtopology,
                       const std::vector<kafka::TopicPartition>& partitions, TaskEnv env)
    : id_(id), topology_(std::move(topology)), subtopology_(subtopology), env_(std::move(env)) {
  for (const kafka::TopicPartition& tp : partitions) {
    queues_.Add(tp, topology_->source_node_of_topic.at(tp.topic));
  }
}

StreamTask::~StreamTask() {
  if (state_ != State::kClosed) Close();
}

void StreamTask::TransitionTo(State next) {
  static constexpr bool kAllowed[4][4] = {
      // to:   created running suspended closed
      /* created   */ {false, true, false, true},
      /* running   */ {false, false, true, true},
      /* suspended */ {false, true, false, true},
      /* closed    */ {false, false, false, false},
  };
  if (!kAllowed[static_cast<int>(state_)][static_cast<int>(next)]) {
    throw std::logic_error("task " + id_.ToString() + ": illegal transition " + std::string(TaskStateName(state_)) +
                           " -> " + std::string(TaskStateName(next)));
  }
  state_ = next;
}

Status StreamTask::Initialize() {
  const auto& sub = topology_->subtopologies.at(static_cast<size_t>(subtopology_));
  std::vector<StoreSpec> specs;
  for (int i : sub.nodes) {
    const GraphNode& node = topology_->nodes[i];
    if (node.kind == NodeKind::kProcessor) {
      for (StoreSpec& spec : node.op->stores()) specs.push_back(std::move(spec));
    }
  }
  if (!specs.empty()) {
    task_state_ = std::make_unique<TaskState>(id_, env_.state, env_.collector);
    RETURN_IF_ERROR(task_state_->OpenAndRestore(specs, [this] { return current_timestamp_; })
                        .WithContext("task " + id_.ToString()));
  }
  nodes_.resize(topology_->nodes.size());
  for (int i : sub.nodes) {
    nodes_[i] = std::make_unique<NodeRuntime>(*this, topology_->nodes[i]);
    if (env_.metrics) nodes_[i]->metrics = &env_.metrics->operators[topology_->nodes[i].name];
  }
  for (int i : sub.nodes) {
    NodeRuntime& n = *nodes_[i];
    for (int c : topology_->nodes[i].children) n.children_.push_back(nodes_[c].get());
    if (n.def().kind == NodeKind::kProcessor) {
      n.processor = n.def().op->CreateProcessor();
      RETURN_IF_ERROR(n.processor->Init(n).WithContext("init " + n.def().name));
    }
  }
  TransitionTo(State::kRunning);
  return Status::Ok();
}

void StreamTask::Decode(const GraphNode& source, std::string_view topic, PendingRecord& p) const {
  Record& r = p.record;
  r.source = {topic, p.raw.partition, p.raw.offset};
  r.timestamp = p.raw.timestamp;
  r.headers = p.raw.headers;
  if (p.raw.key) {
    if (Status st = source.consumed.key->Deserialize(*p.raw.key, &r.key); !st.ok()) {
      p.error = st.WithContext("key (" + source.consumed.key->spec() + ")");
      return;
    }
  }
  if (p.raw.value) {
    if (Status st = source.consumed.value->Deserialize(*p.raw.value, &r.value); !st.ok()) {
      p.error = st.WithContext("value (" + source.consumed.value->spec() + ")");
      return;
    }
  }
  if (!source.consumed.timestamp.field.empty()) {
    auto path = FieldPath::Parse(source.consumed.timestamp.field);
    const Value* v = path.ok() ? path->Lookup(r.value) : nullptr;
    if (v == nullptr || v->is_null()) {
      p.error = Status::DataError("timestamp field '" + source.consumed.timestamp.field + "' is missing");
      return;
    }
    auto ts = TimestampFromValue(*v);
    if (!ts.ok()) {
      p.error = ts.status();
      return;
    }
    r.timestamp = Timestamp(*ts);
  }
  if (r.timestamp.value() < 0) {
    p.error = Status::DataError("record has no valid timestamp");
    return;
  }
  const auto max_future = source.consumed.timestamp.max_future;
  if (max_future.count() > 0) {
    const int64_t now =
        std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
            .count();
    if (r.timestamp.value() - now > max_future.count()) {  // no overflow: both are epoch ms
      p.error = Status::DataError("timestamp " + std::to_string(r.timestamp.value()) + " is more than " +
                                  std::to_string(max_future.count()) + " ms ahead of this worker's clock (max_future)");
    }
  }
}

PartitionQueue* StreamTask::Enqueue(kafka::Message message) {
  PartitionQueue* q = queues_.Find({message.topic, message.partition});
  if (q == nullptr) return nullptr;
  if (q->next_fetch.valid() && message.offset < q->next_fetch) return nullptr;  // seen already
  q->next_fetch = message.offset.Next();
  q->at_end = false;
  PendingRecord& p = q->records.emplace_back();
  p.raw = std::move(message);
  Decode(topology_->nodes[q->source_node], q->tp.topic, p);
  return q;
}

void StreamTask::MarkEndOfPartition(const kafka::Message& eof) {
  PartitionQueue* q = queues_.Find({eof.topic, eof.partition});
  if (q == nullptr) return;
  if (!q->next_fetch.valid() || eof.offset >= q->next_fetch) q->at_end = true;
}

PartitionQueue* StreamTask::NextQueue() {
  if (env_.max_task_idle.count() < 0 || queues_.AllPartitionsKnown()) {
    idle_since_.reset();
    return queues_.NextQueue();
  }
  // A partition has nothing buffered and may have older records on the way
  // (a table row the stream record needs): wait for them, for a while.
  if (queues_.buffered() == 0) return nullptr;
  const auto now = std::chrono::steady_clock::now();
  if (!idle_since_) idle_since_ = now;
  if (now - *idle_since_ < env_.max_task_idle) return nullptr;
  return queues_.NextQueue();
}

Result<bool> StreamTask::ProcessOne() {
  PartitionQueue* q = NextQueue();
  if (q == nullptr) return false;
  PendingRecord& p = q->records.front();
  current_ = &p;
  NodeRuntime& source = *nodes_[q->source_node];
  Status st;
  if (!p.error.ok()) {
    st = HandleDataError(source.def(), p.error);
  } else {
    if (p.record.timestamp > stream_time_) stream_time_ = p.record.timestamp;
    current_timestamp_ = p.record.timestamp.value();
    if (source.metrics) ++source.metrics->records;
    st = source.Forward(std::move(p.record));
  }
  current_ = nullptr;
  if (!st.ok()) return st;
  RETURN_IF_ERROR(RunPunctuators(PunctuationType::kStreamTime, stream_time_.value()));
  q->next_to_commit = p.raw.offset.Next();
  q->records.pop_front();
  if (env_.metrics) ++env_.metrics->processed;
  return true;
}

Status StreamTask::Deliver(NodeRuntime& node, Record record) {
  Status st;
  if (node.def().kind == NodeKind::kSink) {
    if (node.metrics) ++node.metrics->records;
    st = Sink(node.def(), record);
  } else if (node.metrics == nullptr) {
    st = node.processor->Process(std::move(record));
  } else if (++node.metrics->records % OperatorMetrics::kTimingSample != 0) {
    st = node.processor->Process(std::move(record));
  } else {
    const auto start = std::chrono::steady_clock::now();
    st = node.processor->Process(std::move(record));
    node.metrics->process_seconds.Observe(
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  }
  if (st.ok() || st.code() != StatusCode::kDataError) return st;
  return HandleDataError(node.def(), st);
}

Status StreamTask::Sink(const GraphNode& node, const Record& record) {
  const dsl::SinkSpec& sink = node.sink;
  std::string topic_buf;
  std::string_view topic = sink.topic;
  if (sink.extractor) {
    ASSIGN_OR_RETURN(topic_buf, sink.extractor(record));
    if (topic_buf.empty()) return Status::DataError("the computed topic is empty");
    topic = topic_buf;
  }
  kafka::OutboundMessage out;
  out.topic = topic;
  out.timestamp = record.timestamp;
  out.headers = &record.headers;
  if (!record.key.is_null()) {
    RETURN_IF_ERROR(sink.produced.key->Serialize(record.key, &key_buf_).WithContext("key"));
    out.key = key_buf_;
  }
  if (!record.value.is_null()) {
    RETURN_IF_ERROR(sink.produced.value->Serialize(record.value, &value_buf_).WithContext("value"));
    out.value = value_buf_;
  }
  Status st = env_.collector->Send(out);
  if (!st.ok()) return st.code() == StatusCode::kDataError ? Status::IoError(st.message()) : st;
  if (env_.metrics) {
    ++env_.metrics->produced;
    if (record.timestamp.value() > 0 && wall_clock_ms_ > 0) {
      env_.metrics->e2e_latency.Observe(
          static_cast<double>(std::max<int64_t>(0, wall_clock_ms_ - record.timestamp.value())) / 1000.0);
    }
  }
  return Status::Ok();
}

Status StreamTask::HandleDataError(const GraphNode& node, const Status& error) {
  if (current_ == nullptr) {
    // Raised while flushing caches or punctuating: there is no input record
    // to dead-letter or skip, and dropping the update silently is not allowed.
    return Status::Cancelled("'" + node.name +
                             "' failed outside record processing (cache flush or punctuation): " + error.message());
  }
  const kafka::Message& raw = current_->raw;
  const std::string where =
      raw.topic + "[" + std::to_string(raw.partition.value()) + "]@" + std::to_string(raw.offset.value());
  switch (node.on_error) {
    case ErrorHandling::kFail:
      return Status::Cancelled("stopping (on_error: fail): record " + where + " failed at '" + node.name +
                               "': " + error.message());
    case ErrorHandling::kSkip:
      if (env_.metrics) ++env_.metrics->skipped;
      spdlog::warn("task {}: skipped record {} at '{}': {}", id_.ToString(), where, node.name, error.message());
      return Status::Ok();
    case ErrorHandling::kDlq: {
      std::vector<Header> headers = raw.headers;
      headers.push_back({"streamapp.error", error.message()});
      headers.push_back({"streamapp.error.step", node.name});
      headers.push_back({"streamapp.source.topic", raw.topic});
      headers.push_back({"streamapp.source.partition", std::to_string(raw.partition.value())});
      headers.push_back({"streamapp.source.offset", std::to_string(raw.offset.value())});
      kafka::OutboundMessage out;
      out.topic = env_.dlq_topic;
      if (raw.key) out.key = *raw.key;
      if (raw.value) out.value = *raw.value;
      out.timestamp = raw.timestamp;
      out.headers = &headers;
      RETURN_IF_ERROR(env_.collector->Send(out).WithContext("dead-letter topic " + env_.dlq_topic));
      if (env_.metrics) ++env_.metrics->dead_lettered;
      spdlog::debug("task {}: record {} to {} (at '{}': {})", id_.ToString(), where, env_.dlq_topic, node.name,
                    error.message());
      return Status::Ok();
    }
  }
  return error;
}

namespace {
constexpr std::string_view kStreamTimePrefix = "streamapp.v1 stream-time=";
}  // namespace

std::string EncodeCommitMetadata(Timestamp stream_time) {
  return std::string(kStreamTimePrefix) + std::to_string(stream_time.value());
}

std::optional<Timestamp> DecodeCommitMetadata(std::string_view metadata) {
  if (metadata.substr(0, kStreamTimePrefix.size()) != kStreamTimePrefix) return std::nullopt;
  metadata.remove_prefix(kStreamTimePrefix.size());
  int64_t value = 0;
  auto [end, ec] = std::from_chars(metadata.data(), metadata.data() + metadata.size(), value);
  if (ec != std::errc() || end != metadata.data() + metadata.size()) return std::nullopt;
  return Timestamp(value);
}

std::vector<kafka::PartitionOffset> StreamTask::CommittableOffsets() const {
  std::vector<kafka::PartitionOffset> out;
  const std::string metadata = stream_time_.value() >= 0 ? EncodeCommitMetadata(stream_time_) : std::string();
  for (const auto& q : const_cast<PartitionGroup&>(queues_).queues()) {
    if (q->next_to_commit.valid() && q->next_to_commit != q->committed) {
      out.push_back({q->tp, q->next_to_commit, metadata});
    }
  }
  return out;
}

void StreamTask::RestoreStreamTime(Timestamp committed) {
  if (committed > stream_time_) stream_time_ = committed;
}

void StreamTask::MarkCommitted() {
  for (auto& q : queues_.queues()) q->committed = q->next_to_commit;
}

StateStore* StreamTask::store(const std::string& name) const {
  if (task_state_) {
    if (StateStore* s = task_state_->Get(name)) return s;
  }
  if (env_.state.global_stores) {
    auto it = env_.state.global_stores->find(name);
    if (it != env_.state.global_stores->end()) return it->second;
  }
  return nullptr;
}

Status StreamTask::RunPunctuators(PunctuationType type, int64_t now) {
  if (now < 0) return Status::Ok();
  for (Schedule& s : schedules_) {
    if (s.type != type) continue;
    if (s.next < 0) s.next = now + s.interval.count();  // first due one interval after the first observation
    if (now < s.next) continue;
    current_timestamp_ = now;
    RETURN_IF_ERROR(s.punctuator(Timestamp(now)));
    // Skips missed intervals, as Kafka Streams does, rather than firing a burst.
    s.next = now + s.interval.count() - (now - s.next) % s.interval.count();
  }
  return Status::Ok();
}

Status StreamTask::PunctuateWallClock(int64_t now_ms) {
  return RunPunctuators(PunctuationType::kWallClock, now_ms);
}

Status StreamTask::FlushState() {
  if (!task_state_) return Status::Ok();
  current_timestamp_ = stream_time_.value();
  return task_state_->Flush();
}

Status StreamTask::Checkpoint(bool force) {
  return task_state_ ? task_state_->Checkpoint(force) : Status::Ok();
}

void StreamTask::Close(bool clean) {
  if (state_ == State::kClosed) return;
  if (clean && task_state_) {
    if (Status st = task_state_->Checkpoint(true); !st.ok()) {
      spdlog::warn("task {}: checkpoint on close failed: {}", id_.ToString(), st.ToString());
    }
  }
  for (auto& n : nodes_) {
    if (n && n->processor) n->processor->Close();
  }
  if (task_state_) task_state_->Close();
  TransitionTo(State::kClosed);
}

}  // namespace streamapp::runtime
