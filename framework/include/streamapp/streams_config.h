// A worker's configuration: the application it belongs to and how it runs.
#pragma once

#include <chrono>
#include <cstddef>
#include <map>
#include <optional>
#include <string>

#include "streamapp/status.h"

namespace streamapp {

enum class ProcessingGuarantee { kAtLeastOnce, kExactlyOnceV2 };

struct StreamsConfig {
  std::string application_id;  // consumer group id and prefix of internal topics
  std::string bootstrap_servers;
  int num_threads = 1;
  ProcessingGuarantee guarantee = ProcessingGuarantee::kAtLeastOnce;
  // Unset: Kafka Streams' defaults, 30 s at-least-once, 100 ms exactly-once
  // (a transaction's output is invisible to read_committed readers until it
  // commits, so the interval is the added end-to-end latency).
  std::optional<std::chrono::milliseconds> commit_interval;
  std::string state_dir = "/tmp/streamapp";
  std::string dlq_topic;   // empty: "<application_id>-dlq"
  int dlq_partitions = 1;  // when the app creates the DLQ topic
  // A partition whose buffer holds this many records is paused until it drains.
  size_t max_buffered_per_partition = 1000;
  // A task reading several partitions (a stream and its table, two joined
  // streams) processes in timestamp order only if it knows what each holds:
  // while one has nothing buffered and the consumer has not reported its
  // end, the task waits for it, at most this long (librdkafka can take
  // seconds to fetch a partition whose neighbours it fetched first, so the
  // bound is generous). Negative: never waits.
  std::chrono::milliseconds max_task_idle{10000};
  std::chrono::milliseconds throughput_log_interval{10000};
  // Record cache per stream thread: folds repeated updates of a key between
  // commits into one downstream record and one changelog write. 0: off.
  size_t cache_max_bytes = 10 * 1024 * 1024;
  // Memory for all RocksDB stores of the worker (block cache + memtables).
  size_t state_memory_bytes = 256 * 1024 * 1024;
  // The worker's HTTP endpoint (/metrics, /health, /ready, /topology,
  // /stores): off while the port is 0.
  int http_port = 0;
  std::string http_bind = "127.0.0.1";
  // librdkafka properties for every client (the `kafka.` prefix removed).
  std::map<std::string, std::string> kafka;

  std::chrono::milliseconds CommitInterval() const {
    if (commit_interval) return *commit_interval;
    return std::chrono::milliseconds(guarantee == ProcessingGuarantee::kExactlyOnceV2 ? 100 : 30000);
  }
  std::string EffectiveDlqTopic() const { return dlq_topic.empty() ? application_id + "-dlq" : dlq_topic; }

  // Applies one "key=value" setting as given by --set or a config file:
  // application.id, bootstrap.servers, num.stream.threads,
  // processing.guarantee, commit.interval.ms, state.dir, dlq.topic,
  // buffered.records.per.partition, cache.max.bytes, state.memory.bytes,
  // metrics.log.interval.ms (the periodic throughput line), http.port,
  // http.bind,
  // kafka.<property>.
  Status Set(const std::string& key, const std::string& value);
  Status Validate() const;
};

}  // namespace streamapp
