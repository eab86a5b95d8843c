#include "testing/memory_topics.h"

namespace streamapp::testing {
namespace {

constexpr int64_t kOffsetBeginning = -2;  // librdkafka's RD_KAFKA_OFFSET_BEGINNING
constexpr int64_t kOffsetEnd = -1;        // RD_KAFKA_OFFSET_END

Status Unsupported(const char* call) {
  return Status::Internal(std::string("the test driver's in-memory topics do not support ") + call);
}

}  // namespace

void MemoryTopics::Append(const kafka::TopicPartition& tp, std::optional<std::string> key,
                          std::optional<std::string> value, int64_t timestamp) {
  std::vector<kafka::Message>& log = partitions_[tp];
  kafka::Message m;
  m.topic = tp.topic;
  m.partition = tp.partition;
  m.offset = Offset(static_cast<int64_t>(log.size()));
  m.timestamp = Timestamp(timestamp);
  m.key = std::move(key);
  m.value = std::move(value);
  log.push_back(std::move(m));
}

const std::vector<kafka::Message>* MemoryTopics::Partition(const kafka::TopicPartition& tp) const {
  auto it = partitions_.find(tp);
  return it == partitions_.end() ? nullptr : &it->second;
}

Status MemoryConsumer::Assign(const std::vector<kafka::PartitionOffset>& partitions) {
  positions_.clear();
  for (const kafka::PartitionOffset& p : partitions) {
    const auto* log = topics_.Partition(p.tp);
    const int64_t size = log ? static_cast<int64_t>(log->size()) : 0;
    int64_t at = p.offset.value();
    if (at == kOffsetBeginning) at = 0;
    if (at == kOffsetEnd) at = size;
    positions_[p.tp] = at;
  }
  return Status::Ok();
}

Result<std::optional<kafka::Message>> MemoryConsumer::Poll(std::chrono::milliseconds) {
  for (auto& [tp, position] : positions_) {
    const auto* log = topics_.Partition(tp);
    if (log == nullptr || position >= static_cast<int64_t>(log->size())) continue;
    return std::optional<kafka::Message>((*log)[static_cast<size_t>(position++)]);
  }
  return std::optional<kafka::Message>();
}

std::vector<kafka::TopicPartition> MemoryConsumer::Assignment() {
  std::vector<kafka::TopicPartition> out;
  for (const auto& [tp, position] : positions_) out.push_back(tp);
  return out;
}

Status MemoryConsumer::Subscribe(const std::vector<std::string>&) {
  return Unsupported("Subscribe");
}
Status MemoryConsumer::Commit(const std::vector<kafka::PartitionOffset>&) {
  return Unsupported("Commit");
}
Result<std::vector<kafka::PartitionOffset>> MemoryConsumer::Committed(const std::vector<kafka::TopicPartition>&,
                                                                      std::chrono::milliseconds) {
  return Unsupported("Committed");
}
Status MemoryConsumer::Seek(const kafka::PartitionOffset&, std::chrono::milliseconds) {
  return Unsupported("Seek");
}
Status MemoryConsumer::Pause(const std::vector<kafka::TopicPartition>&) {
  return Unsupported("Pause");
}
Status MemoryConsumer::Resume(const std::vector<kafka::TopicPartition>&) {
  return Unsupported("Resume");
}

Result<kafka::Watermarks> MemoryAdmin::QueryWatermarks(const kafka::TopicPartition& tp, std::chrono::milliseconds) {
  const auto* log = topics_.Partition(tp);
  return kafka::Watermarks{Offset(0), Offset(log ? static_cast<int64_t>(log->size()) : 0)};
}

Result<int> MemoryAdmin::PartitionCount(const std::string&, std::chrono::milliseconds) {
  return 1;  // the driver runs partition 0 only
}

Status MemoryAdmin::CreateTopics(const std::vector<kafka::NewTopic>&, std::chrono::milliseconds) {
  return Unsupported("CreateTopics");
}
Status MemoryAdmin::DeleteTopics(const std::vector<std::string>&, std::chrono::milliseconds) {
  return Unsupported("DeleteTopics");
}
Status MemoryAdmin::DeleteRecords(const std::vector<kafka::PartitionOffset>&, std::chrono::milliseconds) {
  return Unsupported("DeleteRecords");
}
Result<std::map<std::string, std::string>> MemoryAdmin::DescribeTopicConfig(const std::string&,
                                                                            std::chrono::milliseconds) {
  return Unsupported("DescribeTopicConfig");
}

}  // namespace streamapp::testing
