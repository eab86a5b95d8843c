#include "support/inprocess_driver.h"

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
  outputs.push_back(std::move(out));
  return Status::Ok();
}

InProcessDriver::InProcessDriver(const Topology& topology, std::string dlq_topic) {
  runtime::TaskEnv env;
  env.collector = &collector_;
  env.dlq_topic = std::move(dlq_topic);
  env.metrics = &metrics_;
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

Status InProcessDriver::Pipe(const std::string& topic, std::optional<std::string> key, std::optional<std::string> value,
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

}  // namespace streamapp::testing
