#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafkacpp.h>

#include <cstdlib>
#include <cstring>
#include <mutex>

#include "kafka/clients.h"
#include "kafka/errors.h"
#include "kafka/rdkafka_config.h"
#include "kafka/rdkafka_consumer.h"

namespace streamapp::kafka {
namespace {

// Remembers the first delivery failure until Flush() reports it.
class DeliveryTracker : public RdKafka::DeliveryReportCb {
 public:
  void dr_cb(RdKafka::Message& message) override {
    if (message.err() == RdKafka::ERR_NO_ERROR) return;
    std::lock_guard lock(mu_);
    if (first_error_.ok()) {
      first_error_ = FromErrorCode(message.err(), "delivery to " + message.topic_name() + "[" +
                                                      std::to_string(message.partition()) + "] failed");
    }
  }
  Status Take() {
    std::lock_guard lock(mu_);
    return std::exchange(first_error_, Status::Ok());
  }

 private:
  std::mutex mu_;
  Status first_error_;
};

class RdKafkaProducer final : public Producer {
 public:
  RdKafkaProducer(std::unique_ptr<DeliveryTracker> tracker, std::unique_ptr<RdKafka::Producer> producer)
      : tracker_(std::move(tracker)), producer_(std::move(producer)) {}

  Status Send(const OutboundMessage& m) override {
    RdKafka::Headers* headers = nullptr;
    if (m.headers != nullptr && !m.headers->empty()) {
      headers = RdKafka::Headers::create();
      for (const Header& h : *m.headers) headers->add(h.key, h.value.data(), h.value.size());
    }
    const int32_t partition = m.partition ? m.partition->value() : RdKafka::Topic::PARTITION_UA;
    for (;;) {
      RdKafka::ErrorCode err =
          producer_->produce(std::string(m.topic), partition, RdKafka::Producer::RK_MSG_COPY,
                             m.value ? const_cast<char*>(m.value->data()) : nullptr, m.value ? m.value->size() : 0,
                             m.key ? m.key->data() : nullptr, m.key ? m.key->size() : 0,
                             m.timestamp.value() >= 0 ? m.timestamp.value() : 0, headers, nullptr);
      if (err == RdKafka::ERR__QUEUE_FULL) {
        // Back-pressure: serve delivery reports until there is room.
        producer_->poll(10);
        continue;
      }
      if (err != RdKafka::ERR_NO_ERROR) {
        delete headers;  // librdkafka owns headers only on success
        return FromErrorCode(err, "produce to " + std::string(m.topic));
      }
      return Status::Ok();
    }
  }

  Status Flush(std::chrono::milliseconds timeout) override {
    RdKafka::ErrorCode err = producer_->flush(static_cast<int>(timeout.count()));
    Status delivery = tracker_->Take();
    if (!delivery.ok()) return delivery;
    return FromErrorCode(err, "flush");
  }

  void Poll() override { producer_->poll(0); }

  Status InitTransactions(std::chrono::milliseconds timeout) override {
    return FromError(producer_->init_transactions(static_cast<int>(timeout.count())), "init_transactions");
  }
  Status BeginTransaction() override { return FromError(producer_->begin_transaction(), "begin_transaction"); }

  Status SendOffsetsToTransaction(const std::vector<PartitionOffset>& offsets, Consumer& consumer,
                                  std::chrono::milliseconds timeout) override {
    RdKafka::KafkaConsumer* handle = UnderlyingConsumer(consumer);
    if (handle == nullptr) return Status::Internal("send_offsets_to_transaction needs a librdkafka consumer");
    // The C API: the C++ one of librdkafka 2.0 drops offset metadata.
    rd_kafka_topic_partition_list_t* list = rd_kafka_topic_partition_list_new(static_cast<int>(offsets.size()));
    for (const PartitionOffset& po : offsets) {
      rd_kafka_topic_partition_t* tp =
          rd_kafka_topic_partition_list_add(list, po.tp.topic.c_str(), po.tp.partition.value());
      tp->offset = po.offset.value();
      if (!po.metadata.empty()) {
        tp->metadata = std::malloc(po.metadata.size());  // freed by librdkafka with free()
        std::memcpy(tp->metadata, po.metadata.data(), po.metadata.size());
        tp->metadata_size = po.metadata.size();
      }
    }
    rd_kafka_consumer_group_metadata_t* meta = rd_kafka_consumer_group_metadata(handle->c_ptr());
    rd_kafka_error_t* error =
        rd_kafka_send_offsets_to_transaction(producer_->c_ptr(), list, meta, static_cast<int>(timeout.count()));
    rd_kafka_consumer_group_metadata_destroy(meta);
    rd_kafka_topic_partition_list_destroy(list);
    return FromCError(error, "send_offsets_to_transaction");
  }

  Status CommitTransaction(std::chrono::milliseconds timeout) override {
    return FromError(producer_->commit_transaction(static_cast<int>(timeout.count())), "commit_transaction");
  }
  Status AbortTransaction(std::chrono::milliseconds timeout) override {
    return FromError(producer_->abort_transaction(static_cast<int>(timeout.count())), "abort_transaction");
  }

 private:
  std::unique_ptr<DeliveryTracker> tracker_;  // outlives producer_ (declared first)
  std::unique_ptr<RdKafka::Producer> producer_;
};

}  // namespace

Result<std::unique_ptr<Producer>> MakeProducer(const Config& config) {
  // murmur2_random matches the Java client's partitioner, so records keyed
  // the same land in the same partition whoever produced them.
  const Config defaults = {{"partitioner", "murmur2_random"},
                           {"socket.nagle.disable", "true"},
                           {"linger.ms", "5"},
                           {"enable.idempotence", "true"}};
  ASSIGN_OR_RETURN(std::unique_ptr<RdKafka::Conf> conf, BuildConf(defaults, config));
  auto tracker = std::make_unique<DeliveryTracker>();
  std::string err;
  if (conf->set("dr_cb", static_cast<RdKafka::DeliveryReportCb*>(tracker.get()), err) != RdKafka::Conf::CONF_OK) {
    return Status::Internal("cannot set dr_cb: " + err);
  }
  std::unique_ptr<RdKafka::Producer> producer(RdKafka::Producer::create(conf.get(), err));
  if (!producer) return Status::InvalidArgument("cannot create producer: " + err);
  return std::unique_ptr<Producer>(new RdKafkaProducer(std::move(tracker), std::move(producer)));
}

std::string LibraryVersion() {
  return RdKafka::version_str();
}

}  // namespace streamapp::kafka
