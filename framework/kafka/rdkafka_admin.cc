// Admin operations through librdkafka's C admin API (the C++ API has none).
#include <librdkafka/rdkafka.h>

#include <map>
#include <memory>

#include "kafka/clients.h"
#include "kafka/errors.h"

namespace streamapp::kafka {
namespace {

using HandlePtr = std::unique_ptr<rd_kafka_t, decltype(&rd_kafka_destroy)>;
using QueuePtr = std::unique_ptr<rd_kafka_queue_t, decltype(&rd_kafka_queue_destroy)>;
using EventPtr = std::unique_ptr<rd_kafka_event_t, decltype(&rd_kafka_event_destroy)>;

Status FromC(rd_kafka_resp_err_t err, const std::string& what) {
  return FromErrorCode(static_cast<RdKafka::ErrorCode>(err), what);
}

class RdKafkaAdmin final : public Admin {
 public:
  explicit RdKafkaAdmin(HandlePtr handle) : rk_(std::move(handle)) {}

  Status CreateTopics(const std::vector<NewTopic>& topics, std::chrono::milliseconds timeout) override {
    if (topics.empty()) return Status::Ok();
    std::vector<rd_kafka_NewTopic_t*> specs;
    char err[512];
    Status status;
    for (const NewTopic& t : topics) {
      rd_kafka_NewTopic_t* nt =
          rd_kafka_NewTopic_new(t.name.c_str(), t.partitions, t.replication_factor, err, sizeof err);
      if (nt == nullptr) {
        status = Status::InvalidArgument("topic " + t.name + ": " + err);
        break;
      }
      specs.push_back(nt);
      for (const auto& [k, v] : t.configs) rd_kafka_NewTopic_set_config(nt, k.c_str(), v.c_str());
    }
    if (status.ok()) {
      QueuePtr queue(rd_kafka_queue_new(rk_.get()), &rd_kafka_queue_destroy);
      auto* options = rd_kafka_AdminOptions_new(rk_.get(), RD_KAFKA_ADMIN_OP_CREATETOPICS);
      rd_kafka_AdminOptions_set_operation_timeout(options, static_cast<int>(timeout.count()), err, sizeof err);
      rd_kafka_CreateTopics(rk_.get(), specs.data(), specs.size(), options, queue.get());
      EventPtr ev(rd_kafka_queue_poll(queue.get(), static_cast<int>(timeout.count()) + 5000), &rd_kafka_event_destroy);
      rd_kafka_AdminOptions_destroy(options);
      status = TopicResults(ev.get(), "create topic");
    }
    rd_kafka_NewTopic_destroy_array(specs.data(), specs.size());
    return status;
  }

  Status DeleteTopics(const std::vector<std::string>& topics, std::chrono::milliseconds timeout) override {
    if (topics.empty()) return Status::Ok();
    std::vector<rd_kafka_DeleteTopic_t*> specs;
    for (const auto& t : topics) specs.push_back(rd_kafka_DeleteTopic_new(t.c_str()));
    QueuePtr queue(rd_kafka_queue_new(rk_.get()), &rd_kafka_queue_destroy);
    char err[512];
    auto* options = rd_kafka_AdminOptions_new(rk_.get(), RD_KAFKA_ADMIN_OP_DELETETOPICS);
    rd_kafka_AdminOptions_set_operation_timeout(options, static_cast<int>(timeout.count()), err, sizeof err);
    rd_kafka_DeleteTopics(rk_.get(), specs.data(), specs.size(), options, queue.get());
    EventPtr ev(rd_kafka_queue_poll(queue.get(), static_cast<int>(timeout.count()) + 5000), &rd_kafka_event_destroy);
    rd_kafka_AdminOptions_destroy(options);
    rd_kafka_DeleteTopic_destroy_array(specs.data(), specs.size());
    return TopicResults(ev.get(), "delete topic");
  }

  Result<int> PartitionCount(const std::string& topic, std::chrono::milliseconds timeout) override {
    std::unique_ptr<rd_kafka_topic_t, decltype(&rd_kafka_topic_destroy)> rkt(
        rd_kafka_topic_new(rk_.get(), topic.c_str(), nullptr), &rd_kafka_topic_destroy);
    const rd_kafka_metadata_t* md = nullptr;
    rd_kafka_resp_err_t err = rd_kafka_metadata(rk_.get(), 0, rkt.get(), &md, static_cast<int>(timeout.count()));
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR) return FromC(err, "metadata for " + topic);
    std::unique_ptr<const rd_kafka_metadata_t, decltype(&rd_kafka_metadata_destroy)> guard(md,
                                                                                           &rd_kafka_metadata_destroy);
    if (md->topic_cnt != 1) return Status::NotFound("topic " + topic + " not in metadata");
    const auto& t = md->topics[0];
    if (t.err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      return t.err == RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART
                 ? Result<int>(Status::NotFound("topic " + topic + " does not exist"))
                 : Result<int>(FromC(t.err, "metadata for " + topic));
    }
    return t.partition_cnt;
  }

  Result<Watermarks> QueryWatermarks(const TopicPartition& tp, std::chrono::milliseconds timeout) override {
    int64_t low = 0, high = 0;
    rd_kafka_resp_err_t err = rd_kafka_query_watermark_offsets(rk_.get(), tp.topic.c_str(), tp.partition.value(), &low,
                                                               &high, static_cast<int>(timeout.count()));
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR) return FromC(err, "watermarks of " + tp.ToString());
    return Watermarks{Offset(low), Offset(high)};
  }

  Status DeleteRecords(const std::vector<PartitionOffset>& before, std::chrono::milliseconds timeout) override {
    if (before.empty()) return Status::Ok();
    rd_kafka_topic_partition_list_t* offsets = rd_kafka_topic_partition_list_new(static_cast<int>(before.size()));
    for (const auto& po : before) {
      rd_kafka_topic_partition_list_add(offsets, po.tp.topic.c_str(), po.tp.partition.value())->offset =
          po.offset.value();
    }
    rd_kafka_DeleteRecords_t* request = rd_kafka_DeleteRecords_new(offsets);
    rd_kafka_topic_partition_list_destroy(offsets);
    QueuePtr queue(rd_kafka_queue_new(rk_.get()), &rd_kafka_queue_destroy);
    char err[512];
    auto* options = rd_kafka_AdminOptions_new(rk_.get(), RD_KAFKA_ADMIN_OP_DELETERECORDS);
    rd_kafka_AdminOptions_set_operation_timeout(options, static_cast<int>(timeout.count()), err, sizeof err);
    rd_kafka_DeleteRecords(rk_.get(), &request, 1, options, queue.get());
    EventPtr ev(rd_kafka_queue_poll(queue.get(), static_cast<int>(timeout.count()) + 5000), &rd_kafka_event_destroy);
    rd_kafka_AdminOptions_destroy(options);
    rd_kafka_DeleteRecords_destroy(request);
    if (!ev) return Status::TimedOut("delete records: no answer");
    if (rd_kafka_event_error(ev.get()) != RD_KAFKA_RESP_ERR_NO_ERROR) {
      return FromC(rd_kafka_event_error(ev.get()),
                   std::string("delete records: ") + rd_kafka_event_error_string(ev.get()));
    }
    const rd_kafka_topic_partition_list_t* result =
        rd_kafka_DeleteRecords_result_offsets(rd_kafka_event_DeleteRecords_result(ev.get()));
    for (int i = 0; result && i < result->cnt; ++i) {
      if (result->elems[i].err != RD_KAFKA_RESP_ERR_NO_ERROR) {
        return FromC(result->elems[i].err, std::string("delete records of ") + result->elems[i].topic);
      }
    }
    return Status::Ok();
  }

  Result<std::map<std::string, std::string>> DescribeTopicConfig(const std::string& topic,
                                                                 std::chrono::milliseconds timeout) override {
    rd_kafka_ConfigResource_t* resource = rd_kafka_ConfigResource_new(RD_KAFKA_RESOURCE_TOPIC, topic.c_str());
    QueuePtr queue(rd_kafka_queue_new(rk_.get()), &rd_kafka_queue_destroy);
    char err[512];
    auto* options = rd_kafka_AdminOptions_new(rk_.get(), RD_KAFKA_ADMIN_OP_DESCRIBECONFIGS);
    rd_kafka_AdminOptions_set_request_timeout(options, static_cast<int>(timeout.count()), err, sizeof err);
    rd_kafka_DescribeConfigs(rk_.get(), &resource, 1, options, queue.get());
    EventPtr ev(rd_kafka_queue_poll(queue.get(), static_cast<int>(timeout.count()) + 5000), &rd_kafka_event_destroy);
    rd_kafka_AdminOptions_destroy(options);
    rd_kafka_ConfigResource_destroy(resource);
    if (!ev) return Status::TimedOut("describe configs: no answer");
    if (rd_kafka_event_error(ev.get()) != RD_KAFKA_RESP_ERR_NO_ERROR) {
      return FromC(rd_kafka_event_error(ev.get()), "describe configs of " + topic);
    }
    size_t n = 0;
    const rd_kafka_ConfigResource_t** resources =
        rd_kafka_DescribeConfigs_result_resources(rd_kafka_event_DescribeConfigs_result(ev.get()), &n);
    std::map<std::string, std::string> out;
    for (size_t i = 0; i < n; ++i) {
      if (rd_kafka_ConfigResource_error(resources[i]) != RD_KAFKA_RESP_ERR_NO_ERROR) {
        return FromC(rd_kafka_ConfigResource_error(resources[i]), "describe configs of " + topic);
      }
      size_t count = 0;
      const rd_kafka_ConfigEntry_t** entries = rd_kafka_ConfigResource_configs(resources[i], &count);
      for (size_t j = 0; j < count; ++j) {
        const char* value = rd_kafka_ConfigEntry_value(entries[j]);
        out[rd_kafka_ConfigEntry_name(entries[j])] = value ? value : "";
      }
    }
    return out;
  }

 private:
  static Status TopicResults(rd_kafka_event_t* ev, const std::string& what) {
    if (ev == nullptr) return Status::TimedOut(what + ": no answer");
    if (rd_kafka_event_error(ev) != RD_KAFKA_RESP_ERR_NO_ERROR) {
      return FromC(rd_kafka_event_error(ev), what + ": " + rd_kafka_event_error_string(ev));
    }
    const rd_kafka_topic_result_t** results = nullptr;
    size_t n = 0;
    if (rd_kafka_event_type(ev) == RD_KAFKA_EVENT_CREATETOPICS_RESULT) {
      results = rd_kafka_CreateTopics_result_topics(rd_kafka_event_CreateTopics_result(ev), &n);
    } else {
      results = rd_kafka_DeleteTopics_result_topics(rd_kafka_event_DeleteTopics_result(ev), &n);
    }
    for (size_t i = 0; i < n; ++i) {
      rd_kafka_resp_err_t err = rd_kafka_topic_result_error(results[i]);
      if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
        const char* msg = rd_kafka_topic_result_error_string(results[i]);
        return FromC(err,
                     what + " " + rd_kafka_topic_result_name(results[i]) + (msg ? std::string(" (") + msg + ")" : ""));
      }
    }
    return Status::Ok();
  }

  HandlePtr rk_;
};

}  // namespace

Result<std::unique_ptr<Admin>> MakeAdmin(const Config& config) {
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
  return std::unique_ptr<Admin>(new RdKafkaAdmin(HandlePtr(rk, &rd_kafka_destroy)));
}

}  // namespace streamapp::kafka
