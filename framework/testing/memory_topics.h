// In-memory topics for the test driver: the changelog (and global table)
// topics as a broker would keep them, served through the engine's Consumer
// and Admin interfaces so that restoration runs the engine's own restorer.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "kafka/clients.h"

namespace streamapp::testing {

class MemoryTopics {
 public:
  // Appends a record; its offset is its index in the partition.
  void Append(const kafka::TopicPartition& tp, std::optional<std::string> key, std::optional<std::string> value,
              int64_t timestamp);
  const std::vector<kafka::Message>* Partition(const kafka::TopicPartition& tp) const;

 private:
  std::map<kafka::TopicPartition, std::vector<kafka::Message>> partitions_;
};

// Serves assigned partitions of MemoryTopics from their positions; only what
// restoration uses (Assign, Poll) is supported.
class MemoryConsumer final : public kafka::Consumer {
 public:
  explicit MemoryConsumer(const MemoryTopics& topics) : topics_(topics) {}

  Status Subscribe(const std::vector<std::string>& topics) override;
  Result<std::optional<kafka::Message>> Poll(std::chrono::milliseconds timeout) override;
  Status Commit(const std::vector<kafka::PartitionOffset>& offsets) override;
  Result<std::vector<kafka::PartitionOffset>> Committed(const std::vector<kafka::TopicPartition>& partitions,
                                                        std::chrono::milliseconds timeout) override;
  Status Seek(const kafka::PartitionOffset& position, std::chrono::milliseconds timeout) override;
  Status Pause(const std::vector<kafka::TopicPartition>& partitions) override;
  Status Resume(const std::vector<kafka::TopicPartition>& partitions) override;
  std::vector<kafka::TopicPartition> Assignment() override;
  Status Assign(const std::vector<kafka::PartitionOffset>& partitions) override;
  Status Close() override { return Status::Ok(); }

 private:
  const MemoryTopics& topics_;
  std::map<kafka::TopicPartition, int64_t> positions_;  // next offset to return
};

// Watermarks of MemoryTopics; the other admin calls are not supported.
class MemoryAdmin final : public kafka::Admin {
 public:
  explicit MemoryAdmin(const MemoryTopics& topics) : topics_(topics) {}

  Status CreateTopics(const std::vector<kafka::NewTopic>& topics, std::chrono::milliseconds timeout) override;
  Status DeleteTopics(const std::vector<std::string>& topics, std::chrono::milliseconds timeout) override;
  Result<int> PartitionCount(const std::string& topic, std::chrono::milliseconds timeout) override;
  Result<kafka::Watermarks> QueryWatermarks(const kafka::TopicPartition& tp,
                                            std::chrono::milliseconds timeout) override;
  Status DeleteRecords(const std::vector<kafka::PartitionOffset>& before, std::chrono::milliseconds timeout) override;
  Result<std::map<std::string, std::string>> DescribeTopicConfig(const std::string& topic,
                                                                 std::chrono::milliseconds timeout) override;

 private:
  const MemoryTopics& topics_;
};

}  // namespace streamapp::testing
