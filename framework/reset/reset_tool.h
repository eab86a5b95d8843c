// `stream-app reset`: plans and carries out a replay of an application from
// chosen offsets (group offsets of its input topics, internal topics, local
// state), against the Admin and GroupAdmin interfaces (fakes in tests).
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "kafka/clients.h"
#include "reset/reset_offsets.h"
#include "streamapp/dsl.h"

namespace streamapp::reset {

struct ResetOptions {
  std::string application_id;              // also the consumer group
  std::vector<std::string> input_topics;   // the topology's source topics (no global tables)
  std::vector<TopicSelection> selections;  // empty: every partition of every input topic
  ResetTarget target;
  std::vector<std::string> internal_topics;  // changelog and repartition topics (deleted when they exist)
  std::string app_state_dir;                 // <state.dir>/<application id>; "" = none
  bool force = false;                        // proceed although the group has members
  std::chrono::milliseconds timeout{60000};  // per broker call, and for members to leave under --force
};

struct PartitionPlan {
  kafka::TopicPartition tp;
  std::optional<Offset> current;  // none: no committed offset
  Offset target;
  kafka::Watermarks watermarks;
};

struct ResetPlan {
  std::string group;
  std::string target;
  std::vector<kafka::GroupMember> members;  // active members when planned
  std::vector<PartitionPlan> partitions;
  std::vector<std::string> delete_topics;  // the internal topics that exist
  std::string delete_dir;                  // "" when there is no local state
};

// The topics of a topology that reset deals with, for an application id.
struct AppTopics {
  std::vector<std::string> inputs;    // source topics of streams and tables (global tables left out)
  std::vector<std::string> internal;  // repartition topics and the changelogs of logged stores
};
AppTopics TopicsOf(const Topology& topology, const std::string& application_id);

using Progress = std::function<void(const std::string&)>;

// Reads the group, watermarks and committed offsets and computes the plan.
// InvalidArgument naming the members when the group has members and
// !options.force.
Result<ResetPlan> PlanReset(const ResetOptions& options, kafka::Admin& admin, kafka::GroupAdmin& groups,
                            const Progress& progress);

// The plan as text, one line per partition, topic and directory.
std::string DescribePlan(const ResetPlan& plan);

// Sets the offsets (under --force, waiting until the group's members left),
// deletes the internal topics (and waits until they are gone), then the
// local state directory.
Status ExecuteReset(const ResetPlan& plan, const ResetOptions& options, kafka::Admin& admin, kafka::GroupAdmin& groups,
                    const Progress& progress);

}  // namespace streamapp::reset
