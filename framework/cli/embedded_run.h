// `stream-app run --embedded`: the topology on an in-process Kafka-protocol
// cluster (librdkafka's mock cluster), optionally fed by a generator in the
// same process, ending with a summary of what it wrote (docs/embedded.md).
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "kafka/clients.h"
#include "streamapp/dsl.h"
#include "streamapp/streams_config.h"

namespace streamapp::cli {

// Printed at the start of every embedded run and in `run --help`.
inline constexpr const char* kEmbeddedWarning =
    "WARNING: embedded mode does not honour exactly-once: the in-process mock cluster has no transactions, so the "
    "application runs at-least-once (processing.guarantee=at_least_once) whatever its configuration says";

struct EmbeddedOptions {
  std::string generator;  // empty: no generator
  std::optional<uint64_t> count;
  uint64_t seed = 1;
  double rate = 0;                // generated main-topic records per second; 0: as fast as possible
  std::optional<double> seconds;  // stop after this long
  int partitions = 3;             // of created topics without a declared count
  int show = 5;                   // records of each output topic in the summary
  bool state_dir_given = false;   // else a fresh temporary directory, removed at the end
};

int RunEmbedded(Topology topology, StreamsConfig config, const EmbeddedOptions& options);

// embedded_summary.cc: what the topology wrote, read back from the cluster.
struct TopicSummary {
  std::string topic;
  int64_t count = 0;
  std::vector<kafka::Message> last;  // the last records, oldest first
};
Result<std::vector<TopicSummary>> ReadSummaries(kafka::Admin& admin, const kafka::Config& base,
                                                const std::vector<std::string>& topics, int show);
// Records in `topics` (high minus low watermarks); topics that do not exist count 0.
int64_t CountRecords(kafka::Admin& admin, const std::vector<std::string>& topics);
void PrintSummaries(std::ostream& out, const std::vector<TopicSummary>& summaries);

}  // namespace streamapp::cli
