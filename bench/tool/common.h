// Shared helpers of bench-tool: argument parsing, errors, librdkafka handles, clocks, a tiny JSON field reader.
#pragma once

#include <librdkafka/rdkafka.h>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace bench {

// Prints "<program>: <msg>" on stderr and exits 2.
[[noreturn]] void Die(const std::string& msg);

// --name value pairs (a --name without a value is "true").
class Args {
 public:
  Args(int argc, char** argv, int first);
  std::string Str(const std::string& name) const;  // required
  std::string Str(const std::string& name, const std::string& def) const;
  int64_t Int(const std::string& name) const;  // required
  int64_t Int(const std::string& name, int64_t def) const;
  bool Has(const std::string& name) const { return values_.count(name) > 0; }

 private:
  std::map<std::string, std::string> values_;
};

using Conf = std::vector<std::pair<std::string, std::string>>;

// A client handle (RD_KAFKA_PRODUCER or RD_KAFKA_CONSUMER) on bootstrap with the given properties.
rd_kafka_t* NewClient(rd_kafka_type_t type, const std::string& bootstrap, const Conf& props,
                      void (*dr_msg_cb)(rd_kafka_t*, const rd_kafka_message_t*, void*) = nullptr,
                      void (*rebalance_cb)(rd_kafka_t*, rd_kafka_resp_err_t, rd_kafka_topic_partition_list_t*,
                                           void*) = nullptr,
                      void* opaque = nullptr);

// Number of partitions of topic, or 0 when it does not exist.
int PartitionCount(rd_kafka_t* rk, const std::string& topic);
// PartitionCount, retried for a while: 0 only if the topic stays missing.
int AwaitPartitionCount(rd_kafka_t* rk, const std::string& topic);

// Creates the topic if missing and waits until its metadata shows it.
void EnsureTopic(rd_kafka_t* rk, const std::string& topic, int partitions, bool compact);

// Low/high watermarks of every partition (the handle's isolation level decides high vs last stable offset).
std::vector<std::pair<int64_t, int64_t>> Watermarks(rd_kafka_t* rk, const std::string& topic, int partitions);
// The same without dying: false (and a message on stderr) on an error.
bool TryWatermarks(rd_kafka_t* rk, const std::string& topic, int partitions,
                   std::vector<std::pair<int64_t, int64_t>>* out);

int64_t WallMs();      // system clock, ms since the epoch
double MonoSeconds();  // steady clock, seconds

// The raw text of the first "field": value in json (a number, or a string without its quotes).
std::optional<std::string_view> JsonField(std::string_view json, std::string_view field);
std::optional<int64_t> JsonInt(std::string_view json, std::string_view field);

// Formats a double for JSON output.
std::string Num(double v);

}  // namespace bench
