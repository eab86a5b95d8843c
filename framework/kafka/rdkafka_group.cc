#include <librdkafka/rdkafka.h>

#include <memory>

#include "kafka/errors.h"
#include "kafka/group_members.h"

namespace streamapp::kafka {
namespace {

using HandlePtr = std::unique_ptr<rd_kafka_t, decltype(&rd_kafka_destroy)>;
using QueuePtr = std::unique_ptr<rd_kafka_queue_t, decltype(&rd_kafka_queue_destroy)>;
using EventPtr = std::unique_ptr<rd_kafka_event_t, decltype(&rd_kafka_event_destroy)>;
using OptionsPtr = std::unique_ptr<rd_kafka_AdminOptions_t, decltype(&rd_kafka_AdminOptions_destroy)>;

class RdKafkaGroupDescriber final : public GroupDescriber {
 public:
  explicit RdKafkaGroupDescriber(HandlePtr handle) : rk_(std::move(handle)) {}

  Result<std::vector<GroupMember>> Members(const std::string& group, std::chrono::milliseconds timeout) override {
    QueuePtr queue(rd_kafka_queue_new(rk_.get()), &rd_kafka_queue_destroy);
    OptionsPtr options(rd_kafka_AdminOptions_new(rk_.get(), RD_KAFKA_ADMIN_OP_DESCRIBECONSUMERGROUPS),
                       &rd_kafka_AdminOptions_destroy);
    char err[256];
    rd_kafka_AdminOptions_set_request_timeout(options.get(), static_cast<int>(timeout.count()), err, sizeof err);
    const char* groups[] = {group.c_str()};
    rd_kafka_DescribeConsumerGroups(rk_.get(), groups, 1, options.get(), queue.get());
    EventPtr ev(rd_kafka_queue_poll(queue.get(), static_cast<int>(timeout.count()) + 5000), &rd_kafka_event_destroy);
    if (!ev) return Status::TimedOut("describe consumer group " + group);
    if (rd_kafka_event_error(ev.get()) != RD_KAFKA_RESP_ERR_NO_ERROR) {
      return FromErrorCode(
          static_cast<RdKafka::ErrorCode>(rd_kafka_event_error(ev.get())),
          std::string("describe consumer group ") + group + ": " + rd_kafka_event_error_string(ev.get()));
    }
    const rd_kafka_DescribeConsumerGroups_result_t* result = rd_kafka_event_DescribeConsumerGroups_result(ev.get());
    if (result == nullptr) return Status::Internal("describe consumer group " + group + ": unexpected event");
    size_t n = 0;
    const rd_kafka_ConsumerGroupDescription_t** descs = rd_kafka_DescribeConsumerGroups_result_groups(result, &n);
    std::vector<GroupMember> out;
    for (size_t i = 0; i < n; ++i) {
      if (const rd_kafka_error_t* e = rd_kafka_ConsumerGroupDescription_error(descs[i])) {
        return Status::Internal("describe consumer group " + group + ": " + rd_kafka_error_string(e));
      }
      const size_t members = rd_kafka_ConsumerGroupDescription_member_count(descs[i]);
      for (size_t m = 0; m < members; ++m) {
        const rd_kafka_MemberDescription_t* md = rd_kafka_ConsumerGroupDescription_member(descs[i], m);
        GroupMember member;
        member.client_id = rd_kafka_MemberDescription_client_id(md);
        member.host = rd_kafka_MemberDescription_host(md);
        const rd_kafka_MemberAssignment_t* a = rd_kafka_MemberDescription_assignment(md);
        const rd_kafka_topic_partition_list_t* parts = a ? rd_kafka_MemberAssignment_partitions(a) : nullptr;
        for (int p = 0; parts != nullptr && p < parts->cnt; ++p) {
          member.assignment.push_back({parts->elems[p].topic, PartitionId(parts->elems[p].partition)});
        }
        out.push_back(std::move(member));
      }
    }
    return out;
  }

 private:
  HandlePtr rk_;
};

}  // namespace

Result<std::unique_ptr<GroupDescriber>> MakeGroupDescriber(const Config& config) {
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
  return std::unique_ptr<GroupDescriber>(new RdKafkaGroupDescriber(HandlePtr(rk, &rd_kafka_destroy)));
}

}  // namespace streamapp::kafka
