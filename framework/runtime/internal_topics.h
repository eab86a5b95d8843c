// Checks the topics a topology reads and writes, and creates its internal
// topics (repartition, changelog) with the right partition counts.
#pragma once

#include <map>

#include "dsl/graph.h"
#include "kafka/clients.h"
#include "streamapp/streams_config.h"

namespace streamapp::runtime {

// Returns the partition count of each subtopology. InvalidArgument listing
// every problem: missing source or sink topics, sources of one subtopology
// that are not co-partitioned, internal topics that exist with another
// partition count or cleanup policy.
Result<std::map<int, int>> PrepareTopics(const dsl::TopologyData& topology, const StreamsConfig& config,
                                         kafka::Admin& admin);

}  // namespace streamapp::runtime
