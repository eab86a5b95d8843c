// Reading whole topics for the chaos test, through the framework's Kafka
// client layer: every record of every partition from the beginning, and the
// end offsets that tell whether a transaction is still open.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "kafka/clients.h"

namespace streamapp::chaos {

struct Rec {
  int64_t offset = 0;
  std::string key;
  std::string value;
  bool operator==(const Rec& o) const { return key == o.key && value == o.value; }  // offsets differ by topic
};

// Records of one topic, by partition.
using TopicRecords = std::vector<std::vector<Rec>>;

Result<int> PartitionCount(const std::string& bootstrap, const std::string& topic);

struct EndOffsets {
  std::vector<int64_t> high;    // log end offset (read_uncommitted)
  std::vector<int64_t> stable;  // last stable offset (read_committed): below the first open transaction
};

// librdkafka answers watermark queries with the isolation level of the
// handle, so one admin handle per level gives both ends.
Result<EndOffsets> QueryEndOffsets(const std::string& bootstrap, const std::string& topic, int partitions);

// Reads topics from the beginning with one consumer assigned to all their
// partitions (no group membership); Poll() appends what arrived.
class TopicReader {
 public:
  // isolation: "read_committed" or "read_uncommitted".
  static Result<std::unique_ptr<TopicReader>> Open(const std::string& bootstrap, const std::vector<std::string>& topics,
                                                   const std::string& isolation);
  ~TopicReader();

  // Polls for `duration`, appending the records that arrive.
  Status Poll(std::chrono::milliseconds duration);
  // Reads until every partition is at the end it had when this was called:
  // the last stable offset for read_committed, the high watermark for
  // read_uncommitted. The consumer's EOF events give its position, which
  // passes transaction markers and aborted records that never arrive.
  Status ReadToEnd(std::chrono::milliseconds timeout);

  const TopicRecords& records(const std::string& topic) const { return records_.at(topic); }
  size_t total(const std::string& topic) const { return totals_.at(topic); }
  size_t Total() const;  // over all topics

 private:
  TopicReader() = default;

  std::string bootstrap_;
  std::string isolation_;
  std::unique_ptr<kafka::Consumer> consumer_;
  std::map<std::string, TopicRecords> records_;
  std::map<std::string, size_t> totals_;
  std::map<std::string, std::vector<int64_t>> positions_;  // next offset to read, by partition
};

// Convenience: the whole topic, read to the end.
Result<TopicRecords> ReadTopic(const std::string& bootstrap, const std::string& topic, const std::string& isolation,
                               std::chrono::milliseconds timeout = std::chrono::seconds(120));

}  // namespace streamapp::chaos
