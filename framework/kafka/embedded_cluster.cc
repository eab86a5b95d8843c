#include "kafka/embedded_cluster.h"

#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

#include <map>
#include <mutex>

namespace streamapp::kafka {

// The topics created on the cluster, with the configs they were created
// with (the mock keeps none). Shared with the admins it hands out.
struct TopicRecord {
  std::mutex mu;
  std::map<std::string, NewTopic> topics;
};

struct EmbeddedCluster::Impl {
  rd_kafka_t* handle = nullptr;
  rd_kafka_mock_cluster_t* mock = nullptr;
  std::shared_ptr<TopicRecord> record = std::make_shared<TopicRecord>();
};

namespace {

Status Create(rd_kafka_mock_cluster_t* mock, TopicRecord& record, const NewTopic& topic) {
  std::lock_guard<std::mutex> lock(record.mu);
  if (record.topics.count(topic.name)) return Status::AlreadyExists("topic " + topic.name + " already exists");
  if (topic.partitions < 1) return Status::InvalidArgument("topic " + topic.name + ": partitions must be at least 1");
  rd_kafka_resp_err_t err = rd_kafka_mock_topic_create(mock, topic.name.c_str(), topic.partitions, 1);
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return Status::InvalidArgument("creating topic " + topic.name + ": " + rd_kafka_err2str(err));
  }
  record.topics[topic.name] = topic;
  return Status::Ok();
}

// Topic creation, partition counts and topic configs from the record (a
// metadata request for an unknown topic would auto-create it on the mock);
// watermarks through a librdkafka admin; DeleteRecords a no-op.
class EmbeddedAdmin final : public Admin {
 public:
  EmbeddedAdmin(rd_kafka_mock_cluster_t* mock, std::shared_ptr<TopicRecord> record, std::unique_ptr<Admin> inner)
      : mock_(mock), record_(std::move(record)), inner_(std::move(inner)) {}

  Status CreateTopics(const std::vector<NewTopic>& topics, std::chrono::milliseconds) override {
    for (const NewTopic& t : topics) RETURN_IF_ERROR(Create(mock_, *record_, t));
    return Status::Ok();
  }
  Status DeleteTopics(const std::vector<std::string>&, std::chrono::milliseconds) override {
    return Status::InvalidArgument("the embedded cluster cannot delete topics");
  }
  Result<int> PartitionCount(const std::string& topic, std::chrono::milliseconds) override {
    std::lock_guard<std::mutex> lock(record_->mu);
    auto it = record_->topics.find(topic);
    if (it == record_->topics.end()) return Status::NotFound("topic " + topic + " does not exist");
    return it->second.partitions;
  }
  Result<Watermarks> QueryWatermarks(const TopicPartition& tp, std::chrono::milliseconds timeout) override {
    return inner_->QueryWatermarks(tp, timeout);
  }
  Status DeleteRecords(const std::vector<PartitionOffset>&, std::chrono::milliseconds) override {
    return Status::Ok();  // the mock serves no DeleteRecords; its data lives only as long as the process
  }
  Result<std::map<std::string, std::string>> DescribeTopicConfig(const std::string& topic,
                                                                 std::chrono::milliseconds) override {
    std::lock_guard<std::mutex> lock(record_->mu);
    auto it = record_->topics.find(topic);
    if (it == record_->topics.end()) return Status::NotFound("topic " + topic + " does not exist");
    std::map<std::string, std::string> configs = it->second.configs;
    configs.emplace("cleanup.policy", "delete");
    return configs;
  }

 private:
  rd_kafka_mock_cluster_t* mock_;
  std::shared_ptr<TopicRecord> record_;
  std::unique_ptr<Admin> inner_;
};

class EmbeddedClients final : public ClientFactory {
 public:
  explicit EmbeddedClients(EmbeddedCluster* cluster) : cluster_(cluster) {}
  Result<std::unique_ptr<Admin>> NewAdmin(const Config& config) override { return cluster_->NewAdmin(config); }

 private:
  EmbeddedCluster* cluster_;
};

}  // namespace

Result<std::unique_ptr<EmbeddedCluster>> EmbeddedCluster::Start(int brokers) {
  auto impl = std::make_unique<Impl>();
  // A dedicated handle owns the cluster; it never connects anywhere.
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  char err[512];
  rd_kafka_conf_set(conf, "log_level", "3", err, sizeof err);
  impl->handle = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof err);
  if (impl->handle == nullptr) {
    rd_kafka_conf_destroy(conf);
    return Status::Internal(std::string("embedded cluster: ") + err);
  }
  impl->mock = rd_kafka_mock_cluster_new(impl->handle, brokers);
  if (impl->mock == nullptr) {
    rd_kafka_destroy(impl->handle);
    return Status::Internal("embedded cluster: could not start the mock cluster");
  }
  return std::unique_ptr<EmbeddedCluster>(new EmbeddedCluster(std::move(impl)));
}

EmbeddedCluster::EmbeddedCluster(std::unique_ptr<Impl> impl)
    : impl_(std::move(impl)), bootstrap_servers_(rd_kafka_mock_cluster_bootstraps(impl_->mock)) {}

EmbeddedCluster::~EmbeddedCluster() {
  // The cluster first, then the handle it runs on.
  rd_kafka_mock_cluster_destroy(impl_->mock);
  rd_kafka_destroy(impl_->handle);
}

Status EmbeddedCluster::CreateTopic(const NewTopic& topic) {
  return Create(impl_->mock, *impl_->record, topic);
}

std::shared_ptr<ClientFactory> EmbeddedCluster::Clients() {
  return std::make_shared<EmbeddedClients>(this);
}

Result<std::unique_ptr<Admin>> EmbeddedCluster::NewAdmin(const Config& config) {
  Config c = config;
  c["bootstrap.servers"] = bootstrap_servers_;
  ASSIGN_OR_RETURN(std::unique_ptr<Admin> inner, MakeAdmin(c));
  return std::unique_ptr<Admin>(std::make_unique<EmbeddedAdmin>(impl_->mock, impl_->record, std::move(inner)));
}

}  // namespace streamapp::kafka
