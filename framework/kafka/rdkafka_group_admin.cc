// Consumer-group administration through librdkafka's C admin API:
// DescribeConsumerGroups, ListConsumerGroupOffsets, AlterConsumerGroupOffsets,
// and offsets_for_times (all available in librdkafka 2.0.2).
#include <librdkafka/rdkafka.h>

#include <memory>

#include "kafka/clients.h"
#include "kafka/errors.h"

namespace streamapp::kafka {
namespace {

using HandlePtr = std::unique_ptr<rd_kafka_t, decltype(&rd_kafka_destroy)>;
using QueuePtr = std::unique_ptr<rd_kafka_queue_t, decltype(&rd_kafka_queue_destroy)>;
using EventPtr = std::unique_ptr<rd_kafka_event_t, decltype(&rd_kafka_event_destroy)>;
using ListPtr = std::unique_ptr<rd_kafka_topic_partition_list_t, decltype(&rd_kafka_topic_partition_list_destroy)>;
using OptionsPtr = std::unique_ptr<rd_kafka_AdminOptions_t, decltype(&rd_kafka_AdminOptions_destroy)>;

Status FromC(rd_kafka_resp_err_t err, const std::string& what) {
  return FromErrorCode(static_cast<RdKafka::ErrorCode>(err), what);
}

// Errors the coordinator returns while the group still has (possibly dead)
// members or is rebalancing: worth retrying once they left.
bool GroupBusy(rd_kafka_resp_err_t err) {
  return err == RD_KAFKA_RESP_ERR_UNKNOWN_MEMBER_ID || err == RD_KAFKA_RESP_ERR_ILLEGAL_GENERATION ||
         err == RD_KAFKA_RESP_ERR_REBALANCE_IN_PROGRESS || err == RD_KAFKA_RESP_ERR_COORDINATOR_LOAD_IN_PROGRESS ||
         err == RD_KAFKA_RESP_ERR_NOT_COORDINATOR || err == RD_KAFKA_RESP_ERR_COORDINATOR_NOT_AVAILABLE;
}

ListPtr ToList(const std::vector<TopicPartition>& partitions) {
  ListPtr list(rd_kafka_topic_partition_list_new(static_cast<int>(partitions.size())),
               &rd_kafka_topic_partition_list_destroy);
  for (const auto& tp : partitions)
    rd_kafka_topic_partition_list_add(list.get(), tp.topic.c_str(), tp.partition.value());
  return list;
}

class RdKafkaGroupAdmin final : public GroupAdmin {
 public:
  explicit RdKafkaGroupAdmin(HandlePtr handle) : rk_(std::move(handle)) {}

  Result<GroupDescription> DescribeGroup(const std::string& group, std::chrono::milliseconds timeout) override {
    QueuePtr queue(rd_kafka_queue_new(rk_.get()), &rd_kafka_queue_destroy);
    OptionsPtr options = Options(RD_KAFKA_ADMIN_OP_DESCRIBECONSUMERGROUPS, timeout);
    const char* groups[] = {group.c_str()};
    rd_kafka_DescribeConsumerGroups(rk_.get(), groups, 1, options.get(), queue.get());
    EventPtr ev(rd_kafka_queue_poll(queue.get(), static_cast<int>(timeout.count()) + 5000), &rd_kafka_event_destroy);
    RETURN_IF_ERROR(EventStatus(ev.get(), "describe group " + group));
    size_t n = 0;
    const rd_kafka_ConsumerGroupDescription_t** descs =
        rd_kafka_DescribeConsumerGroups_result_groups(rd_kafka_event_DescribeConsumerGroups_result(ev.get()), &n);
    if (n != 1) return Status::Internal("describe group " + group + ": " + std::to_string(n) + " results");
    const rd_kafka_error_t* error = rd_kafka_ConsumerGroupDescription_error(descs[0]);
    if (error != nullptr && rd_kafka_error_code(error) == RD_KAFKA_RESP_ERR_GROUP_ID_NOT_FOUND) {
      return GroupDescription{"Dead", {}};  // never used: no members, no offsets
    }
    if (error != nullptr) {
      return FromC(rd_kafka_error_code(error), "describe group " + group + ": " + rd_kafka_error_string(error));
    }
    GroupDescription out;
    out.state = rd_kafka_consumer_group_state_name(rd_kafka_ConsumerGroupDescription_state(descs[0]));
    const size_t members = rd_kafka_ConsumerGroupDescription_member_count(descs[0]);
    for (size_t i = 0; i < members; ++i) {
      const rd_kafka_MemberDescription_t* m = rd_kafka_ConsumerGroupDescription_member(descs[0], i);
      GroupMember member;
      member.member_id = rd_kafka_MemberDescription_consumer_id(m);
      member.client_id = rd_kafka_MemberDescription_client_id(m);
      member.host = rd_kafka_MemberDescription_host(m);
      const rd_kafka_MemberAssignment_t* a = rd_kafka_MemberDescription_assignment(m);
      const rd_kafka_topic_partition_list_t* parts = a != nullptr ? rd_kafka_MemberAssignment_partitions(a) : nullptr;
      for (int p = 0; parts != nullptr && p < parts->cnt; ++p) {
        member.assignment.push_back({parts->elems[p].topic, PartitionId(parts->elems[p].partition)});
      }
      out.members.push_back(std::move(member));
    }
    return out;
  }

  Result<std::map<TopicPartition, Offset>> CommittedOffsets(const std::string& group,
                                                            const std::vector<TopicPartition>& partitions,
                                                            std::chrono::milliseconds timeout) override {
    std::map<TopicPartition, Offset> out;
    if (partitions.empty()) return out;
    ListPtr list = ToList(partitions);
    rd_kafka_ListConsumerGroupOffsets_t* request = rd_kafka_ListConsumerGroupOffsets_new(group.c_str(), list.get());
    QueuePtr queue(rd_kafka_queue_new(rk_.get()), &rd_kafka_queue_destroy);
    OptionsPtr options = Options(RD_KAFKA_ADMIN_OP_LISTCONSUMERGROUPOFFSETS, timeout);
    rd_kafka_ListConsumerGroupOffsets(rk_.get(), &request, 1, options.get(), queue.get());
    rd_kafka_ListConsumerGroupOffsets_destroy(request);
    EventPtr ev(rd_kafka_queue_poll(queue.get(), static_cast<int>(timeout.count()) + 5000), &rd_kafka_event_destroy);
    RETURN_IF_ERROR(EventStatus(ev.get(), "committed offsets of group " + group));
    size_t n = 0;
    const rd_kafka_group_result_t** results =
        rd_kafka_ListConsumerGroupOffsets_result_groups(rd_kafka_event_ListConsumerGroupOffsets_result(ev.get()), &n);
    for (size_t i = 0; i < n; ++i) {
      RETURN_IF_ERROR(GroupResultStatus(results[i], "committed offsets of group " + group));
      const rd_kafka_topic_partition_list_t* parts = rd_kafka_group_result_partitions(results[i]);
      for (int j = 0; parts && j < parts->cnt; ++j) {
        const auto& e = parts->elems[j];
        if (e.err != RD_KAFKA_RESP_ERR_NO_ERROR) {
          return FromC(e.err, "committed offset of " + std::string(e.topic) + "-" + std::to_string(e.partition));
        }
        if (e.offset >= 0) out[{e.topic, PartitionId(e.partition)}] = Offset(e.offset);
      }
    }
    return out;
  }

  Status AlterCommittedOffsets(const std::string& group, const std::vector<PartitionOffset>& offsets,
                               std::chrono::milliseconds timeout) override {
    if (offsets.empty()) return Status::Ok();
    ListPtr list(rd_kafka_topic_partition_list_new(static_cast<int>(offsets.size())),
                 &rd_kafka_topic_partition_list_destroy);
    for (const auto& po : offsets) {
      rd_kafka_topic_partition_list_add(list.get(), po.tp.topic.c_str(), po.tp.partition.value())->offset =
          po.offset.value();
    }
    rd_kafka_AlterConsumerGroupOffsets_t* request = rd_kafka_AlterConsumerGroupOffsets_new(group.c_str(), list.get());
    QueuePtr queue(rd_kafka_queue_new(rk_.get()), &rd_kafka_queue_destroy);
    OptionsPtr options = Options(RD_KAFKA_ADMIN_OP_ALTERCONSUMERGROUPOFFSETS, timeout);
    rd_kafka_AlterConsumerGroupOffsets(rk_.get(), &request, 1, options.get(), queue.get());
    rd_kafka_AlterConsumerGroupOffsets_destroy(request);
    EventPtr ev(rd_kafka_queue_poll(queue.get(), static_cast<int>(timeout.count()) + 5000), &rd_kafka_event_destroy);
    const std::string what = "set committed offsets of group " + group;
    RETURN_IF_ERROR(EventStatus(ev.get(), what));
    size_t n = 0;
    const rd_kafka_group_result_t** results =
        rd_kafka_AlterConsumerGroupOffsets_result_groups(rd_kafka_event_AlterConsumerGroupOffsets_result(ev.get()), &n);
    for (size_t i = 0; i < n; ++i) {
      RETURN_IF_ERROR(GroupResultStatus(results[i], what));
      const rd_kafka_topic_partition_list_t* parts = rd_kafka_group_result_partitions(results[i]);
      for (int j = 0; parts && j < parts->cnt; ++j) {
        const auto& e = parts->elems[j];
        if (e.err == RD_KAFKA_RESP_ERR_NO_ERROR) continue;
        const std::string where = what + " (" + e.topic + "-" + std::to_string(e.partition) + ")";
        if (GroupBusy(e.err)) return Status::Retriable(where + ": " + rd_kafka_err2str(e.err));
        return FromC(e.err, where);
      }
    }
    return Status::Ok();
  }

  Result<std::map<TopicPartition, Offset>> OffsetsForTime(const std::vector<TopicPartition>& partitions, Timestamp time,
                                                          std::chrono::milliseconds timeout) override {
    std::map<TopicPartition, Offset> out;
    if (partitions.empty()) return out;
    ListPtr list = ToList(partitions);
    for (int i = 0; i < list->cnt; ++i) list->elems[i].offset = time.value();
    rd_kafka_resp_err_t err = rd_kafka_offsets_for_times(rk_.get(), list.get(), static_cast<int>(timeout.count()));
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR) return FromC(err, "offsets for time " + std::to_string(time.value()));
    for (int i = 0; i < list->cnt; ++i) {
      const auto& e = list->elems[i];
      if (e.err != RD_KAFKA_RESP_ERR_NO_ERROR) {
        return FromC(e.err, "offset for time of " + std::string(e.topic) + "-" + std::to_string(e.partition));
      }
      out[{e.topic, PartitionId(e.partition)}] = Offset(e.offset < 0 ? -1 : e.offset);
    }
    return out;
  }

 private:
  OptionsPtr Options(rd_kafka_admin_op_t op, std::chrono::milliseconds timeout) {
    OptionsPtr options(rd_kafka_AdminOptions_new(rk_.get(), op), &rd_kafka_AdminOptions_destroy);
    char err[512];
    rd_kafka_AdminOptions_set_request_timeout(options.get(), static_cast<int>(timeout.count()), err, sizeof err);
    return options;
  }

  static Status EventStatus(rd_kafka_event_t* ev, const std::string& what) {
    if (ev == nullptr) return Status::TimedOut(what + ": no answer");
    if (rd_kafka_event_error(ev) != RD_KAFKA_RESP_ERR_NO_ERROR) {
      return FromC(rd_kafka_event_error(ev), what + ": " + rd_kafka_event_error_string(ev));
    }
    return Status::Ok();
  }

  static Status GroupResultStatus(const rd_kafka_group_result_t* result, const std::string& what) {
    const rd_kafka_error_t* error = rd_kafka_group_result_error(result);
    if (error == nullptr) return Status::Ok();
    const std::string message = what + ": " + rd_kafka_error_string(error);
    if (GroupBusy(rd_kafka_error_code(error))) return Status::Retriable(message);
    return FromC(rd_kafka_error_code(error), message);
  }

  HandlePtr rk_;
};

}  // namespace

Result<std::unique_ptr<GroupAdmin>> MakeGroupAdmin(const Config& config) {
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  char err[512];
  for (const auto& [k, v] : config) {
    if (rd_kafka_conf_set(conf, k.c_str(), v.c_str(), err, sizeof err) != RD_KAFKA_CONF_OK) {
      rd_kafka_conf_destroy(conf);
      return Status::InvalidArgument("kafka property " + k + "=" + v + ": " + err);
    }
  }
  rd_kafka_conf_set(conf, "log_level", "3", err, sizeof err);
  rd_kafka_t* rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof err);
  if (rk == nullptr) {
    rd_kafka_conf_destroy(conf);
    return Status::InvalidArgument(std::string("cannot create admin client: ") + err);
  }
  return std::unique_ptr<GroupAdmin>(new RdKafkaGroupAdmin(HandlePtr(rk, &rd_kafka_destroy)));
}

}  // namespace streamapp::kafka
