#include "runtime/internal_topics.h"

#include <spdlog/spdlog.h>

#include "runtime/task_state.h"

namespace streamapp::runtime {
namespace {

using namespace std::chrono_literals;

// Creates `topic` or checks that the existing one matches.
Status EnsureInternalTopic(kafka::Admin& admin, const std::string& topic, int partitions,
                           const std::map<std::string, std::string>& configs) {
  auto count = admin.PartitionCount(topic, 30s);
  if (!count.ok() && count.status().code() == StatusCode::kNotFound) {
    Status st = admin.CreateTopics({{topic, partitions, 1, configs}}, 30s);
    if (st.ok()) spdlog::info("created internal topic {} ({} partitions)", topic, partitions);
    return st.code() == StatusCode::kAlreadyExists ? Status::Ok() : st;
  }
  if (!count.ok()) return count.status();
  if (*count != partitions) {
    return Status::InvalidArgument("internal topic '" + topic + "' has " + std::to_string(*count) +
                                   " partitions but the topology needs " + std::to_string(partitions) +
                                   " (the source partition count); delete it or reset the application");
  }
  auto it = configs.find("cleanup.policy");
  if (it != configs.end()) {
    ASSIGN_OR_RETURN(auto existing, admin.DescribeTopicConfig(topic, 30s));
    if (existing["cleanup.policy"] != it->second) {
      return Status::InvalidArgument("internal topic '" + topic + "' has cleanup.policy=" + existing["cleanup.policy"] +
                                     " but must have " + it->second);
    }
  }
  return Status::Ok();
}

std::map<std::string, std::string> ChangelogConfigs(const StoreSpec& spec) {
  if (spec.kind == StoreKind::kKeyValue) return {{"cleanup.policy", "compact"}};
  // Windows expire: compact for the latest value, delete after retention
  // (plus a day, as Kafka Streams does, so restoration never misses data).
  const auto retention = spec.retention + std::chrono::hours(24);
  return {{"cleanup.policy", "compact,delete"}, {"retention.ms", std::to_string(retention.count())}};
}

}  // namespace

Result<std::map<int, int>> PrepareTopics(const dsl::TopologyData& topology, const StreamsConfig& config,
                                         kafka::Admin& admin) {
  std::vector<std::string> problems;
  std::map<std::string, int> external;
  for (const auto& [topic, node] : topology.source_node_of_topic) {
    if (topology.repartition_topics.count(topic)) continue;
    auto count = admin.PartitionCount(topic, 30s);
    if (count.ok()) {
      external[topic] = *count;
      // The topology file's `partitions:` is a promise the check above relied on.
      const int declared = topology.nodes[node].consumed.partitions;
      if (declared > 0 && declared != *count) {
        problems.push_back("topic '" + topic + "' has " + std::to_string(*count) +
                           " partitions but the topology declares " + std::to_string(declared));
      }
    } else {
      problems.push_back(count.status().code() == StatusCode::kNotFound ? "source topic '" + topic + "' does not exist"
                                                                        : count.status().ToString());
    }
  }
  std::map<int, int> partitions_of = dsl::ResolvePartitionCounts(topology, external, problems);
  // Under exactly-once a task that did not close cleanly starts from an empty
  // state directory and restores from changelogs: a store without one would
  // silently lose its state on every crash.
  if (config.guarantee == ProcessingGuarantee::kExactlyOnceV2) {
    for (const auto& n : topology.nodes) {
      if (n.kind != dsl::NodeKind::kProcessor) continue;
      for (const StoreSpec& spec : n.op->stores()) {
        if (!spec.logged) {
          problems.push_back("store '" + spec.name +
                             "' has no changelog (changelog: false), which exactly-once cannot keep: its state would "
                             "be wiped after every unclean stop; give it a changelog or use at_least_once");
        }
      }
    }
  }
  std::map<std::string, int> writer_of;  // repartition topic -> subtopology writing it
  for (const dsl::Subtopology& sub : topology.subtopologies) {
    for (int i : sub.nodes) {
      const auto& n = topology.nodes[i];
      if (n.kind == dsl::NodeKind::kSink && topology.repartition_topics.count(n.sink.topic)) {
        writer_of[n.sink.topic] = sub.id;
      }
    }
  }
  for (const std::string& topic : [&] {
         std::set<std::string> sinks;
         for (const auto& n : topology.nodes) {
           if (n.kind == dsl::NodeKind::kSink && !n.sink.topic.empty() &&
               !topology.repartition_topics.count(n.sink.topic)) {
             sinks.insert(n.sink.topic);
           }
         }
         return sinks;
       }()) {
    auto count = admin.PartitionCount(topic, 30s);
    if (!count.ok()) {
      problems.push_back(count.status().code() == StatusCode::kNotFound
                             ? "sink topic '" + topic + "' does not exist; create it before starting"
                             : count.status().ToString());
    }
  }
  if (!problems.empty()) {
    std::string msg;
    for (const auto& p : problems) msg += (msg.empty() ? "" : "; ") + p;
    return Status::InvalidArgument(msg);
  }
  for (const auto& [topic, sub] : writer_of) {
    RETURN_IF_ERROR(EnsureInternalTopic(admin, topic, partitions_of.at(sub), {{"cleanup.policy", "delete"}}));
  }
  for (const dsl::Subtopology& sub : topology.subtopologies) {
    for (int i : sub.nodes) {
      const auto& n = topology.nodes[i];
      if (n.kind != dsl::NodeKind::kProcessor) continue;
      for (const StoreSpec& spec : n.op->stores()) {
        if (!spec.logged) continue;
        RETURN_IF_ERROR(EnsureInternalTopic(admin, ChangelogTopic(config.application_id, spec.name),
                                            partitions_of.at(sub.id), ChangelogConfigs(spec)));
      }
    }
  }
  return partitions_of;
}

}  // namespace streamapp::runtime
