#include "reset/reset_tool.h"

#include <algorithm>
#include <filesystem>
#include <set>
#include <sstream>
#include <thread>

#include "dsl/graph.h"
#include "runtime/task_state.h"

namespace streamapp::reset {
namespace {

using Clock = std::chrono::steady_clock;

std::string MembersText(const std::vector<kafka::GroupMember>& members) {
  std::string out;
  for (const auto& m : members) {
    out += (out.empty() ? "" : ", ") + m.member_id + " (client " + m.client_id + " on " + m.host + ")";
  }
  return out;
}

Result<std::vector<kafka::TopicPartition>> SelectPartitions(const ResetOptions& options, kafka::Admin& admin,
                                                            const Progress& progress) {
  // topic -> the selected partitions; nullopt: all of them
  std::map<std::string, std::optional<std::set<int>>> wanted;
  if (options.selections.empty()) {
    for (const auto& t : options.input_topics) wanted[t] = std::nullopt;
  } else {
    for (const TopicSelection& s : options.selections) {
      if (std::find(options.input_topics.begin(), options.input_topics.end(), s.topic) == options.input_topics.end()) {
        std::string inputs;
        for (const auto& t : options.input_topics) inputs += (inputs.empty() ? "" : ", ") + t;
        return Status::InvalidArgument("--input-topic " + s.topic + " is not an input topic of the application (" +
                                       inputs + ")");
      }
      auto it = wanted.try_emplace(s.topic, std::set<int>{}).first;
      if (s.partitions.empty()) {
        it->second = std::nullopt;
      } else if (it->second) {
        it->second->insert(s.partitions.begin(), s.partitions.end());
      }
    }
  }
  std::vector<kafka::TopicPartition> out;
  for (const auto& [topic, parts] : wanted) {
    progress("reading partitions of " + topic);
    auto count = admin.PartitionCount(topic, options.timeout);
    if (!count.ok()) return count.status().WithContext("input topic " + topic);
    if (!parts) {
      for (int p = 0; p < *count; ++p) out.push_back({topic, PartitionId(p)});
      continue;
    }
    for (int p : *parts) {
      if (p >= *count) {
        return Status::InvalidArgument("--input-topic " + topic + ": no partition " + std::to_string(p) + " (it has " +
                                       std::to_string(*count) + ")");
      }
      out.push_back({topic, PartitionId(p)});
    }
  }
  return out;
}

}  // namespace

AppTopics TopicsOf(const Topology& topology, const std::string& application_id) {
  AppTopics out;
  // Global tables are not among the sources: a worker reads them from the
  // beginning on every start, so they have no committed offsets.
  const auto resolved = dsl::ResolveInternalTopics(topology.data(), application_id);
  for (const auto& [topic, node] : resolved->source_node_of_topic) {
    if (!resolved->repartition_topics.count(topic)) out.inputs.push_back(topic);
  }
  out.internal.assign(resolved->repartition_topics.begin(), resolved->repartition_topics.end());
  std::set<std::string> changelogs;
  for (const auto& n : resolved->nodes) {
    if (n.kind != dsl::NodeKind::kProcessor) continue;
    for (const StoreSpec& spec : n.op->stores()) {
      if (spec.logged) changelogs.insert(runtime::ChangelogTopic(application_id, spec.name));
    }
  }
  out.internal.insert(out.internal.end(), changelogs.begin(), changelogs.end());
  return out;
}

Result<ResetPlan> PlanReset(const ResetOptions& options, kafka::Admin& admin, kafka::GroupAdmin& groups,
                            const Progress& progress) {
  ResetPlan plan;
  plan.group = options.application_id;
  plan.target = options.target.ToString();
  progress("describing consumer group " + plan.group);
  ASSIGN_OR_RETURN(kafka::GroupDescription group, groups.DescribeGroup(plan.group, options.timeout));
  plan.members = group.members;
  if (!plan.members.empty() && !options.force) {
    return Status::InvalidArgument("consumer group '" + plan.group + "' has " + std::to_string(plan.members.size()) +
                                   " active member(s): " + MembersText(plan.members) +
                                   "; stop every worker of the application first (or wait for their session "
                                   "timeout), or pass --force to wait for them to leave");
  }
  ASSIGN_OR_RETURN(std::vector<kafka::TopicPartition> partitions, SelectPartitions(options, admin, progress));
  progress("reading committed offsets of " + std::to_string(partitions.size()) + " partition(s)");
  ASSIGN_OR_RETURN(auto committed, groups.CommittedOffsets(plan.group, partitions, options.timeout));
  std::map<kafka::TopicPartition, Offset> time_offsets;
  if (options.target.kind == TargetKind::kTime) {
    progress("looking up offsets for the time");
    ASSIGN_OR_RETURN(time_offsets, groups.OffsetsForTime(partitions, Timestamp(options.target.value), options.timeout));
  }
  for (const auto& tp : partitions) {
    ASSIGN_OR_RETURN(kafka::Watermarks w, admin.QueryWatermarks(tp, options.timeout));
    PartitionPlan pp{tp, std::nullopt, Offset(0), w};
    if (auto it = committed.find(tp); it != committed.end()) pp.current = it->second;
    std::optional<Offset> at_time;
    if (auto it = time_offsets.find(tp); it != time_offsets.end()) at_time = it->second;
    pp.target = ComputeTarget(options.target, pp.current, w, at_time);
    plan.partitions.push_back(pp);
  }
  progress("checking " + std::to_string(options.internal_topics.size()) + " internal topic(s)");
  for (const auto& topic : options.internal_topics) {
    auto count = admin.PartitionCount(topic, options.timeout);
    if (count.ok()) {
      plan.delete_topics.push_back(topic);
    } else if (count.status().code() != StatusCode::kNotFound) {
      return count.status().WithContext("internal topic " + topic);
    }
  }
  std::error_code ec;
  if (!options.app_state_dir.empty() && std::filesystem::exists(options.app_state_dir, ec)) {
    plan.delete_dir = options.app_state_dir;
  }
  return plan;
}

std::string DescribePlan(const ResetPlan& plan) {
  std::ostringstream out;
  out << "reset of application '" << plan.group << "' to " << plan.target << "\n";
  if (!plan.members.empty())
    out << "group members (will wait for them to leave): " << MembersText(plan.members) << "\n";
  out << "committed offsets (" << plan.partitions.size() << " partition(s)):\n";
  for (const auto& p : plan.partitions) {
    out << "  " << p.tp.ToString() << ": " << (p.current ? std::to_string(p.current->value()) : "none") << " -> "
        << p.target.value() << "  [low " << p.watermarks.low.value() << ", high " << p.watermarks.high.value() << "]\n";
  }
  out << "internal topics to delete:" << (plan.delete_topics.empty() ? " none" : "") << "\n";
  for (const auto& t : plan.delete_topics) out << "  " << t << "\n";
  out << "local state directory to delete: " << (plan.delete_dir.empty() ? "none" : plan.delete_dir) << "\n";
  return out.str();
}

Status ExecuteReset(const ResetPlan& plan, const ResetOptions& options, kafka::Admin& admin, kafka::GroupAdmin& groups,
                    const Progress& progress) {
  std::vector<kafka::PartitionOffset> offsets;
  for (const auto& p : plan.partitions) offsets.push_back({p.tp, p.target, ""});
  const auto deadline = Clock::now() + options.timeout;
  while (true) {
    ASSIGN_OR_RETURN(kafka::GroupDescription group, groups.DescribeGroup(plan.group, options.timeout));
    Status st;
    if (!group.members.empty()) {
      if (!options.force) {
        return Status::InvalidArgument("consumer group '" + plan.group + "' has active member(s): " +
                                       MembersText(group.members) + "; stop the workers or pass --force");
      }
      st = Status::Retriable("the group still has " + std::to_string(group.members.size()) +
                             " member(s): " + MembersText(group.members));
    } else {
      progress("setting committed offsets of " + std::to_string(offsets.size()) + " partition(s)");
      st = groups.AlterCommittedOffsets(plan.group, offsets, options.timeout);
    }
    if (st.ok()) break;
    if (st.code() != StatusCode::kRetriable || Clock::now() >= deadline) return st;
    progress("waiting: " + st.message());
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
  }
  progress("committed offsets set");
  for (const auto& topic : plan.delete_topics) {
    progress("deleting internal topic " + topic);
    Status st = admin.DeleteTopics({topic}, options.timeout);
    if (!st.ok() && st.code() != StatusCode::kNotFound) return st;
  }
  // Deletion is asynchronous: a worker started right after must not find
  // the old topics (or fail to create new ones while they are being deleted).
  for (const auto& topic : plan.delete_topics) {
    while (true) {
      auto count = admin.PartitionCount(topic, options.timeout);
      if (!count.ok() && count.status().code() == StatusCode::kNotFound) break;
      if (Clock::now() >= deadline) return Status::TimedOut("internal topic " + topic + " still exists after deletion");
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
    progress("deleted " + topic);
  }
  if (!plan.delete_dir.empty()) {
    progress("deleting local state " + plan.delete_dir);
    std::error_code ec;
    std::filesystem::remove_all(plan.delete_dir, ec);
    if (ec) return Status::IoError("cannot delete " + plan.delete_dir + ": " + ec.message());
  }
  return Status::Ok();
}

}  // namespace streamapp::reset
