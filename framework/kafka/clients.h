// The engine's view of Kafka: producer, consumer and admin interfaces.
//
// Nothing outside framework/kafka/ includes librdkafka; the engine talks to
// these interfaces, and tests substitute fakes. Factories at the bottom make
// the librdkafka-backed implementations.
#pragma once

#include <chrono>
#include <compare>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "streamapp/record.h"
#include "streamapp/status.h"
#include "streamapp/types.h"

namespace streamapp::kafka {

// librdkafka properties, passed through unchanged (e.g. "bootstrap.servers").
using Config = std::map<std::string, std::string>;

using Header = streamapp::Header;

struct TopicPartition {
  std::string topic;
  PartitionId partition;
  auto operator<=>(const TopicPartition&) const = default;
  std::string ToString() const { return topic + "-" + std::to_string(partition.value()); }
};

// A position to commit or seek to. `metadata` travels with a committed offset.
struct PartitionOffset {
  TopicPartition tp;
  Offset offset;
  std::string metadata;
};

// A consumed record, owning its bytes.
struct Message {
  std::string topic;
  PartitionId partition;
  Offset offset;
  Timestamp timestamp;
  std::optional<std::string> key;
  std::optional<std::string> value;
  std::vector<Header> headers;
  // Not a record: the consumer reached the end of the partition, and
  // `offset` is its next fetch position (past transaction markers). Only
  // with enable.partition.eof=true.
  bool partition_eof = false;
};

// A record to produce. Views must stay valid for the duration of Send().
struct OutboundMessage {
  std::string_view topic;
  std::optional<PartitionId> partition;  // none: the configured partitioner picks
  std::optional<std::string_view> key;
  std::optional<std::string_view> value;
  Timestamp timestamp{Timestamp::kUnknown};
  const std::vector<Header>* headers = nullptr;
};

class Consumer;

class Producer {
 public:
  virtual ~Producer() = default;

  // Queues a record. Delivery failures surface from Flush().
  virtual Status Send(const OutboundMessage& message) = 0;
  // Waits until every queued record is acknowledged; returns the first
  // delivery error seen since the previous Flush().
  virtual Status Flush(std::chrono::milliseconds timeout) = 0;
  // Serves delivery reports without blocking.
  virtual void Poll() = 0;

  // Transactions (only for a producer created with transactional.id).
  virtual Status InitTransactions(std::chrono::milliseconds timeout) = 0;
  virtual Status BeginTransaction() = 0;
  // Adds the consumed offsets (with their metadata) and the consumer's group
  // metadata to the transaction, so they commit or abort with its records.
  virtual Status SendOffsetsToTransaction(const std::vector<PartitionOffset>& offsets, Consumer& consumer,
                                          std::chrono::milliseconds timeout) = 0;
  virtual Status CommitTransaction(std::chrono::milliseconds timeout) = 0;
  virtual Status AbortTransaction(std::chrono::milliseconds timeout) = 0;
};

// Called from inside Consumer::Poll() when the group changes the assignment.
class RebalanceListener {
 public:
  virtual ~RebalanceListener() = default;
  virtual void OnPartitionsRevoked(const std::vector<TopicPartition>& partitions) = 0;
  virtual void OnPartitionsAssigned(const std::vector<TopicPartition>& partitions) = 0;
};

class Consumer {
 public:
  virtual ~Consumer() = default;

  virtual Status Subscribe(const std::vector<std::string>& topics) = 0;
  // A record, or nullopt when none arrived within the timeout.
  virtual Result<std::optional<Message>> Poll(std::chrono::milliseconds timeout) = 0;
  // Synchronous commit of the given next-offsets-to-read.
  virtual Status Commit(const std::vector<PartitionOffset>& offsets) = 0;
  virtual Result<std::vector<PartitionOffset>> Committed(const std::vector<TopicPartition>& partitions,
                                                         std::chrono::milliseconds timeout) = 0;
  virtual Status Seek(const PartitionOffset& position, std::chrono::milliseconds timeout) = 0;
  virtual Status Pause(const std::vector<TopicPartition>& partitions) = 0;
  virtual Status Resume(const std::vector<TopicPartition>& partitions) = 0;
  virtual std::vector<TopicPartition> Assignment() = 0;
  // Manual assignment (no group membership), starting at the given offsets;
  // an empty list unassigns. For restoration consumers.
  virtual Status Assign(const std::vector<PartitionOffset>& partitions) = 0;
  // Leaves the group; the consumer is unusable afterwards.
  virtual Status Close() = 0;
  // Records between the consumer's position and the partition's high
  // watermark as last seen in a fetch response (no broker round trip);
  // nullopt while either is unknown.
  virtual std::optional<int64_t> CachedLag(const TopicPartition& tp) { return std::nullopt; }
};

struct NewTopic {
  std::string name;
  int partitions = 1;
  int replication_factor = 1;
  std::map<std::string, std::string> configs;
};

struct Watermarks {
  Offset low;
  // The end offset: the high watermark, or under isolation.level=read_committed
  // (librdkafka's default, also for admin handles) the last stable offset.
  Offset high;
};

class Admin {
 public:
  virtual ~Admin() = default;
  // Creates the topics; fails if any exists already.
  virtual Status CreateTopics(const std::vector<NewTopic>& topics, std::chrono::milliseconds timeout) = 0;
  virtual Status DeleteTopics(const std::vector<std::string>& topics, std::chrono::milliseconds timeout) = 0;
  // NotFound when the topic does not exist.
  virtual Result<int> PartitionCount(const std::string& topic, std::chrono::milliseconds timeout) = 0;
  virtual Result<Watermarks> QueryWatermarks(const TopicPartition& tp, std::chrono::milliseconds timeout) = 0;
  // Deletes records below the given offsets (purging consumed repartition data).
  virtual Status DeleteRecords(const std::vector<PartitionOffset>& before, std::chrono::milliseconds timeout) = 0;
  // Topic configs (e.g. cleanup.policy) of an existing topic.
  virtual Result<std::map<std::string, std::string>> DescribeTopicConfig(const std::string& topic,
                                                                         std::chrono::milliseconds timeout) = 0;
};

// A member of a consumer group, as the group coordinator reports it.
struct GroupMember {
  std::string member_id;
  std::string client_id;
  std::string host;
  std::vector<TopicPartition> assignment;  // the partitions it consumes
};

struct GroupDescription {
  std::string state;  // "Stable", "Empty", "Dead", ...
  std::vector<GroupMember> members;
};

// Consumer-group administration (`stream-app reset`; the HTTP endpoint's
// owner of a key's partition).
class GroupAdmin {
 public:
  virtual ~GroupAdmin() = default;
  virtual Result<GroupDescription> DescribeGroup(const std::string& group, std::chrono::milliseconds timeout) = 0;
  // The group's committed offsets; partitions without one are left out.
  virtual Result<std::map<TopicPartition, Offset>> CommittedOffsets(const std::string& group,
                                                                    const std::vector<TopicPartition>& partitions,
                                                                    std::chrono::milliseconds timeout) = 0;
  // Sets the group's committed offsets. The broker refuses while the group
  // has members (a Retriable status then).
  virtual Status AlterCommittedOffsets(const std::string& group, const std::vector<PartitionOffset>& offsets,
                                       std::chrono::milliseconds timeout) = 0;
  // Per partition, the first offset whose record timestamp is >= `time`;
  // Offset(-1) when no record is that recent.
  virtual Result<std::map<TopicPartition, Offset>> OffsetsForTime(const std::vector<TopicPartition>& partitions,
                                                                  Timestamp time,
                                                                  std::chrono::milliseconds timeout) = 0;
};

// librdkafka-backed clients. `config` is passed to librdkafka as is, on top
// of the framework's defaults; invalid properties are an InvalidArgument.
Result<std::unique_ptr<Producer>> MakeProducer(const Config& config);
Result<std::unique_ptr<Consumer>> MakeConsumer(const Config& config, RebalanceListener* listener);
Result<std::unique_ptr<Admin>> MakeAdmin(const Config& config);
Result<std::unique_ptr<GroupAdmin>> MakeGroupAdmin(const Config& config);

// Where the application gets its clients: the librdkafka ones by default;
// tests wrap them to inject failures, embedded mode to serve its cluster.
class ClientFactory {
 public:
  virtual ~ClientFactory() = default;
  virtual Result<std::unique_ptr<Producer>> NewProducer(const Config& config) { return MakeProducer(config); }
  virtual Result<std::unique_ptr<Consumer>> NewConsumer(const Config& config, RebalanceListener* listener) {
    return MakeConsumer(config, listener);
  }
  virtual Result<std::unique_ptr<Admin>> NewAdmin(const Config& config) { return MakeAdmin(config); }
};

// The librdkafka version string, for --version.
std::string LibraryVersion();

}  // namespace streamapp::kafka
