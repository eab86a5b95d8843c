#include "streamapp/streams_config.h"

#include <array>
#include <charconv>
#include <string_view>

namespace streamapp {
namespace {

Result<int64_t> ParseInt(const std::string& key, const std::string& value) {
  int64_t out = 0;
  auto r = std::from_chars(value.data(), value.data() + value.size(), out);
  if (r.ec != std::errc() || r.ptr != value.data() + value.size()) {
    return Status::InvalidArgument(key + ": expected an integer, got '" + value + "'");
  }
  return out;
}

// librdkafka properties the engine sets on its clients itself. A user value
// would break what streamapp promises: offsets are committed with the output
// (never automatically), the group is the application, the range assignor
// keeps co-partitioned topics in one task, and exactly-once reads committed.
struct ManagedProperty {
  std::string_view name;
  std::string_view instead;
};
constexpr std::array<ManagedProperty, 9> kManagedKafkaProperties{{
    {"bootstrap.servers", "set bootstrap.servers (without kafka.)"},
    {"group.id", "the group is the application id: set application.id"},
    {"client.id", "streamapp names each client after its worker and thread"},
    {"transactional.id", "derived per stream thread from the application id"},
    {"enable.auto.commit", "offsets are committed by the engine, after the output is flushed"},
    {"enable.auto.offset.store", "offsets are committed by the engine, after the output is flushed"},
    {"isolation.level", "follows processing.guarantee (read_committed for exactly_once_v2)"},
    {"partition.assignment.strategy", "range keeps co-partitioned topics in one task"},
    {"enable.partition.eof", "set per client by the engine"},
}};

}  // namespace

Status StreamsConfig::Set(const std::string& key, const std::string& value) {
  if (key.rfind("kafka.", 0) == 0) {
    kafka[key.substr(6)] = value;
  } else if (key == "application.id") {
    application_id = value;
  } else if (key == "bootstrap.servers") {
    bootstrap_servers = value;
  } else if (key == "num.stream.threads") {
    ASSIGN_OR_RETURN(int64_t n, ParseInt(key, value));
    num_threads = static_cast<int>(n);
  } else if (key == "processing.guarantee") {
    if (value == "at_least_once") {
      guarantee = ProcessingGuarantee::kAtLeastOnce;
    } else if (value == "exactly_once_v2" || value == "exactly_once") {
      guarantee = ProcessingGuarantee::kExactlyOnceV2;
    } else {
      return Status::InvalidArgument("processing.guarantee: expected at_least_once or exactly_once_v2, got '" + value +
                                     "'");
    }
  } else if (key == "commit.interval.ms") {
    ASSIGN_OR_RETURN(int64_t ms, ParseInt(key, value));
    commit_interval = std::chrono::milliseconds(ms);
  } else if (key == "state.dir") {
    state_dir = value;
  } else if (key == "dlq.topic") {
    dlq_topic = value;
  } else if (key == "cache.max.bytes" || key == "statestore.cache.max.bytes") {
    ASSIGN_OR_RETURN(int64_t n, ParseInt(key, value));
    if (n < 0) return Status::InvalidArgument(key + " must be >= 0");
    cache_max_bytes = static_cast<size_t>(n);
  } else if (key == "state.memory.bytes") {
    ASSIGN_OR_RETURN(int64_t n, ParseInt(key, value));
    if (n < (1 << 20)) return Status::InvalidArgument(key + " must be at least 1048576");
    state_memory_bytes = static_cast<size_t>(n);
  } else if (key == "metrics.log.interval.ms") {
    ASSIGN_OR_RETURN(int64_t ms, ParseInt(key, value));
    if (ms <= 0) return Status::InvalidArgument(key + " must be > 0");
    throughput_log_interval = std::chrono::milliseconds(ms);
  } else if (key == "http.port") {
    ASSIGN_OR_RETURN(int64_t port, ParseInt(key, value));
    if (port < 0 || port > 65535) return Status::InvalidArgument(key + " must be between 0 (off) and 65535");
    http_port = static_cast<int>(port);
  } else if (key == "http.bind") {
    if (value.empty()) return Status::InvalidArgument(key + " must name an address, e.g. 127.0.0.1 or 0.0.0.0");
    http_bind = value;
  } else if (key == "max.task.idle.ms") {
    ASSIGN_OR_RETURN(int64_t n, ParseInt(key, value));
    max_task_idle = std::chrono::milliseconds(n);
  } else if (key == "buffered.records.per.partition") {
    ASSIGN_OR_RETURN(int64_t n, ParseInt(key, value));
    max_buffered_per_partition = static_cast<size_t>(n);
  } else {
    return Status::InvalidArgument(
        "unknown setting '" + key +
        "'; expected application.id, bootstrap.servers, num.stream.threads, "
        "processing.guarantee, commit.interval.ms, state.dir, dlq.topic, "
        "buffered.records.per.partition, max.task.idle.ms, cache.max.bytes, state.memory.bytes, "
        "metrics.log.interval.ms, http.port, http.bind or "
        "kafka.<librdkafka property>");
  }
  return Status::Ok();
}

Status StreamsConfig::Validate() const {
  if (application_id.empty()) return Status::InvalidArgument("application.id is not set");
  if (bootstrap_servers.empty()) return Status::InvalidArgument("bootstrap.servers is not set");
  if (num_threads < 1) return Status::InvalidArgument("num.stream.threads must be >= 1");
  if (CommitInterval().count() <= 0) return Status::InvalidArgument("commit.interval.ms must be > 0");
  if (max_buffered_per_partition < 1) return Status::InvalidArgument("buffered.records.per.partition must be >= 1");
  for (const ManagedProperty& p : kManagedKafkaProperties) {
    if (kafka.count(std::string(p.name)) > 0) {
      return Status::InvalidArgument("kafka." + std::string(p.name) + " cannot be set: " + std::string(p.instead));
    }
  }
  return Status::Ok();
}

}  // namespace streamapp
