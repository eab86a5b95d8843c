#include "support/inprocess_driver.h"

#include <algorithm>
#include <filesystem>
#include <stdexcept>

#include "dsl/graph.h"

namespace streamapp::testing {

Status InProcessDriver::Collector::Send(const kafka::OutboundMessage& m) {
  DriverOutput out;
  out.topic = std::string(m.topic);
  if (m.key) out.key = std::string(*m.key);
  if (m.value) out.value = std::string(*m.value);
  out.timestamp = m.timestamp.value();
  if (m.headers) out.headers = *m.headers;
  // Changelog writes are kept apart from what the topology outputs.
  const bool changelog = out.topic.rfind("driver-", 0) == 0 && out.topic.ends_with("-changelog");
  (changelog ? changelogs : outputs).push_back(std::move(out));
  return Status::Ok();
}

InProcessDriver::InProcessDriver(const Topology& topology, std::string dlq_topic, size_t cache_max_bytes) {
  char tmpl[] = "/tmp/streamapp-driver-XXXXXX";
  if (mkdtemp(tmpl) == nullptr) throw std::runtime_error("mkdtemp failed");
  state_dir_ = tmpl;
  resources_ = std::make_unique<state::StateResources>(64 << 20);
  cache_ = std::make_unique<state::ThreadCache>(cache_max_bytes);
  runtime::TaskEnv env;
  env.collector = &collector_;
  env.dlq_topic = std::move(dlq_topic);
  env.metrics = &metrics_;
  env.state.application_id = "driver";
  env.state.app_state_dir = state_dir_;
  env.state.resources = resources_.get();
  env.state.cache = cache_.get();
  for (const dsl::Subtopology& sub : topology.data().subtopologies) {
    std::vector<kafka::TopicPartition> tps;
    for (const auto& t : sub.source_topics) tps.push_back({t, PartitionId(0)});
    auto task =
        std::make_unique<runtime::StreamTask>(TaskId{sub.id, PartitionId(0)}, topology.data_ptr(), sub.id, tps, env);
    Status st = task->Initialize();
    if (!st.ok()) throw std::runtime_error(st.ToString());
    for (const auto& t : sub.source_topics) task_of_topic_[t] = task.get();
    tasks_.push_back(std::move(task));
  }
}

InProcessDriver::~InProcessDriver() {
  for (auto& t : tasks_) t->Close();
  tasks_.clear();
  std::error_code ec;
  std::filesystem::remove_all(state_dir_, ec);
}

Status InProcessDriver::Commit() {
  for (auto& t : tasks_) RETURN_IF_ERROR(t->FlushState());
  return Route();
}

StateStore* InProcessDriver::Store(const std::string& topic, const std::string& store) const {
  auto it = task_of_topic_.find(topic);
  return it == task_of_topic_.end() ? nullptr : it->second->store(store);
}

int64_t InProcessDriver::Counter(const std::string& name) const {
  int64_t total = 0;
  for (const auto& t : tasks_) {
    auto it = t->counters().find(name);
    if (it != t->counters().end()) total += it->second;
  }
  return total;
}

Status InProcessDriver::Pipe(const std::string& topic, std::optional<std::string> key, std::optional<std::string> value,
                             int64_t timestamp) {
  RETURN_IF_ERROR(Feed(topic, std::move(key), std::move(value), timestamp));
  return Route();
}

Status InProcessDriver::Feed(const std::string& topic, std::optional<std::string> key, std::optional<std::string> value,
                             int64_t timestamp) {
  auto it = task_of_topic_.find(topic);
  if (it == task_of_topic_.end()) return Status::NotFound("no source reads topic " + topic);
  kafka::Message m;
  m.topic = topic;
  m.partition = PartitionId(0);
  m.offset = Offset(next_offset_[topic]++);
  m.timestamp = Timestamp(timestamp);
  m.key = std::move(key);
  m.value = std::move(value);
  it->second->Enqueue(std::move(m));
  for (;;) {
    ASSIGN_OR_RETURN(bool processed, it->second->ProcessOne());
    if (!processed) return Status::Ok();
  }
}

Status InProcessDriver::Route() {
  // Output to a topic the topology itself reads (a repartition topic) goes
  // back in, as the broker would deliver it.
  for (;;) {
    auto& out = collector_.outputs;
    auto it =
        std::find_if(out.begin(), out.end(), [&](const DriverOutput& o) { return task_of_topic_.count(o.topic); });
    if (it == out.end()) return Status::Ok();
    DriverOutput o = std::move(*it);
    out.erase(it);
    RETURN_IF_ERROR(Feed(o.topic, std::move(o.key), std::move(o.value), o.timestamp));
  }
}

}  // namespace streamapp::testing
