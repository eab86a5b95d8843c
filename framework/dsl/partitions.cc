// Partition counts of subtopologies, shared by the static check in
// StreamsBuilder::Build (declared counts) and the runtime's topic
// preparation (the broker's counts), so both apply the same rules.
#include "dsl/graph.h"

namespace streamapp::dsl {

std::map<int, int> ResolvePartitionCounts(const TopologyData& topology, const std::map<std::string, int>& external,
                                          std::vector<std::string>& problems) {
  std::map<int, int> partitions_of;
  std::map<std::string, int> writer_of;  // repartition topic -> subtopology writing it
  for (const Subtopology& sub : topology.subtopologies) {
    for (int i : sub.nodes) {
      const GraphNode& n = topology.nodes[i];
      if (n.kind == NodeKind::kSink && topology.repartition_topics.count(n.sink.topic))
        writer_of[n.sink.topic] = sub.id;
    }
  }
  // Subtopologies fed by repartition topics take their writer's count, so
  // resolve in passes until nothing changes.
  std::set<int> reported;
  for (size_t pass = 0; pass <= topology.subtopologies.size(); ++pass) {
    for (const Subtopology& sub : topology.subtopologies) {
      if (partitions_of.count(sub.id) || reported.count(sub.id)) continue;
      int count = -1;
      bool waiting = false;  // for a writer whose count is not known yet
      std::string first;
      for (const std::string& topic : sub.source_topics) {
        int n = -1;
        if (topology.repartition_topics.count(topic)) {
          auto w = writer_of.find(topic);
          if (w == writer_of.end() || !partitions_of.count(w->second)) {
            waiting = true;
            break;
          }
          n = partitions_of[w->second];
        } else if (auto e = external.find(topic); e != external.end()) {
          n = e->second;
        } else {
          continue;  // count unknown (not declared, or missing and reported by the caller)
        }
        if (count < 0) {
          count = n;
          first = topic;
        } else if (n != count) {
          // A repartition topic has the partition count of the topics feeding it.
          auto name = [&](const std::string& t, int partitions, const char* unit) {
            return topology.repartition_topics.count(t)
                       ? "repartition topic '" + t + "' (" + std::to_string(partitions) + unit + ", as its input)"
                       : "'" + t + "' (" + std::to_string(partitions) + unit + ")";
          };
          problems.push_back("topics " + name(first, count, " partitions") + " and " + name(topic, n, "") +
                             " are read by one subtopology and must be co-partitioned: give them the same number "
                             "of partitions");
          reported.insert(sub.id);
          count = -1;
          break;
        }
      }
      if (!waiting && count > 0) partitions_of[sub.id] = count;
    }
  }
  return partitions_of;
}

}  // namespace streamapp::dsl
