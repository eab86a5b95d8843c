#include "kafka/rdkafka_consumer.h"

#include <librdkafka/rdkafka.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>

#include "kafka/errors.h"
#include "kafka/rdkafka_config.h"

namespace streamapp::kafka {
namespace {

std::vector<TopicPartition> ToTopicPartitions(const std::vector<RdKafka::TopicPartition*>& list) {
  std::vector<TopicPartition> out;
  out.reserve(list.size());
  for (const auto* tp : list) out.push_back({tp->topic(), PartitionId(tp->partition())});
  return out;
}

struct PartitionList {
  std::vector<RdKafka::TopicPartition*> items;
  explicit PartitionList(const std::vector<TopicPartition>& tps) {
    for (const auto& tp : tps) items.push_back(RdKafka::TopicPartition::create(tp.topic, tp.partition.value()));
  }
  ~PartitionList() { RdKafka::TopicPartition::destroy(items); }
  PartitionList(const PartitionList&) = delete;
  PartitionList& operator=(const PartitionList&) = delete;
};

// The C list type: the C++ API of librdkafka 2.0 cannot carry commit metadata.
struct CPartitionList {
  rd_kafka_topic_partition_list_t* list;
  CPartitionList() : list(rd_kafka_topic_partition_list_new(4)) {}
  ~CPartitionList() { rd_kafka_topic_partition_list_destroy(list); }
  CPartitionList(const CPartitionList&) = delete;
  CPartitionList& operator=(const CPartitionList&) = delete;
  rd_kafka_topic_partition_t* Add(const TopicPartition& tp) {
    return rd_kafka_topic_partition_list_add(list, tp.topic.c_str(), tp.partition.value());
  }
};

// Eager protocol: the whole assignment is revoked and reassigned each time.
// The listener runs before unassign() on revoke (so it can commit) and before
// assign() on assignment (so tasks exist when records arrive).
class RebalanceAdapter : public RdKafka::RebalanceCb {
 public:
  explicit RebalanceAdapter(RebalanceListener* listener) : listener_(listener) {}

  void rebalance_cb(RdKafka::KafkaConsumer* consumer, RdKafka::ErrorCode err,
                    std::vector<RdKafka::TopicPartition*>& partitions) override {
    if (err == RdKafka::ERR__ASSIGN_PARTITIONS) {
      if (listener_) listener_->OnPartitionsAssigned(ToTopicPartitions(partitions));
      RdKafka::ErrorCode e = consumer->assign(partitions);
      if (e != RdKafka::ERR_NO_ERROR) spdlog::error("kafka: assign failed: {}", RdKafka::err2str(e));
    } else {
      if (listener_) listener_->OnPartitionsRevoked(ToTopicPartitions(partitions));
      RdKafka::ErrorCode e = consumer->unassign();
      if (e != RdKafka::ERR_NO_ERROR) spdlog::error("kafka: unassign failed: {}", RdKafka::err2str(e));
    }
  }

 private:
  RebalanceListener* listener_;
};

class RdKafkaConsumer final : public Consumer {
 public:
  RdKafkaConsumer(std::unique_ptr<RebalanceAdapter> adapter, std::unique_ptr<RdKafka::KafkaConsumer> consumer)
      : adapter_(std::move(adapter)), consumer_(std::move(consumer)) {}

  ~RdKafkaConsumer() override {
    if (!closed_) (void)Close();
  }

  RdKafka::KafkaConsumer* handle() { return consumer_.get(); }

  Status Subscribe(const std::vector<std::string>& topics) override {
    return FromErrorCode(consumer_->subscribe(topics), "subscribe");
  }

  Result<std::optional<Message>> Poll(std::chrono::milliseconds timeout) override {
    std::unique_ptr<RdKafka::Message> m(consumer_->consume(static_cast<int>(timeout.count())));
    switch (m->err()) {
      case RdKafka::ERR_NO_ERROR: break;
      case RdKafka::ERR__TIMED_OUT: return std::optional<Message>();
      case RdKafka::ERR__PARTITION_EOF: {
        Message eof;
        eof.topic = m->topic_name();
        eof.partition = PartitionId(m->partition());
        eof.offset = Offset(m->offset());
        eof.partition_eof = true;
        return std::optional<Message>(std::move(eof));
      }
      default: {
        Status st = FromErrorCode(m->err(), "consume");
        if (st.code() == StatusCode::kFatal || st.code() == StatusCode::kFenced) return st;
        // Consumer errors are informational in librdkafka: it retries itself.
        spdlog::warn("kafka: consumer error: {}", m->errstr());
        return std::optional<Message>();
      }
    }
    Message out;
    out.topic = m->topic_name();
    out.partition = PartitionId(m->partition());
    out.offset = Offset(m->offset());
    out.timestamp = Timestamp(m->timestamp().timestamp);
    if (m->key_pointer() != nullptr) out.key.emplace(static_cast<const char*>(m->key_pointer()), m->key_len());
    if (m->payload() != nullptr) out.value.emplace(static_cast<const char*>(m->payload()), m->len());
    if (RdKafka::Headers* headers = m->headers()) {
      for (const auto& h : headers->get_all()) {
        out.headers.push_back(
            {h.key(), h.value() ? std::string(static_cast<const char*>(h.value()), h.value_size()) : std::string()});
      }
    }
    return std::optional<Message>(std::move(out));
  }

  Status Commit(const std::vector<PartitionOffset>& offsets) override {
    if (offsets.empty()) return Status::Ok();
    CPartitionList c;
    for (const PartitionOffset& po : offsets) {
      rd_kafka_topic_partition_t* tp = c.Add(po.tp);
      tp->offset = po.offset.value();
      if (!po.metadata.empty()) {
        // librdkafka frees metadata with free(): allocate it with malloc().
        tp->metadata = std::malloc(po.metadata.size());
        std::memcpy(tp->metadata, po.metadata.data(), po.metadata.size());
        tp->metadata_size = po.metadata.size();
      }
    }
    rd_kafka_resp_err_t err = rd_kafka_commit(consumer_->c_ptr(), c.list, 0 /* sync */);
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR) return FromErrorCode(static_cast<RdKafka::ErrorCode>(err), "commit");
    for (int i = 0; i < c.list->cnt; ++i) {
      const rd_kafka_topic_partition_t& tp = c.list->elems[i];
      if (tp.err != RD_KAFKA_RESP_ERR_NO_ERROR) {
        return FromErrorCode(static_cast<RdKafka::ErrorCode>(tp.err),
                             std::string("commit ") + tp.topic + "[" + std::to_string(tp.partition) + "]");
      }
    }
    return Status::Ok();
  }

  Result<std::vector<PartitionOffset>> Committed(const std::vector<TopicPartition>& partitions,
                                                 std::chrono::milliseconds timeout) override {
    CPartitionList c;
    for (const TopicPartition& tp : partitions) c.Add(tp);
    rd_kafka_resp_err_t err = rd_kafka_committed(consumer_->c_ptr(), c.list, static_cast<int>(timeout.count()));
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR) return FromErrorCode(static_cast<RdKafka::ErrorCode>(err), "committed");
    std::vector<PartitionOffset> out;
    for (int i = 0; i < c.list->cnt; ++i) {
      const rd_kafka_topic_partition_t& tp = c.list->elems[i];
      if (tp.err != RD_KAFKA_RESP_ERR_NO_ERROR) {
        // e.g. UNSTABLE_OFFSET_COMMIT: a transaction still holds offsets of it.
        Status st =
            FromErrorCode(static_cast<RdKafka::ErrorCode>(tp.err),
                          std::string("committed offset of ") + tp.topic + "[" + std::to_string(tp.partition) + "]");
        return st.code() == StatusCode::kIoError ? Status::Retriable(st.message()) : st;
      }
      std::string metadata;
      if (tp.metadata != nullptr) metadata.assign(static_cast<const char*>(tp.metadata), tp.metadata_size);
      out.push_back({{tp.topic, PartitionId(tp.partition)}, Offset(tp.offset), std::move(metadata)});
    }
    return out;
  }

  Status Seek(const PartitionOffset& position, std::chrono::milliseconds timeout) override {
    std::unique_ptr<RdKafka::TopicPartition> tp(
        RdKafka::TopicPartition::create(position.tp.topic, position.tp.partition.value(), position.offset.value()));
    return FromErrorCode(consumer_->seek(*tp, static_cast<int>(timeout.count())), "seek " + position.tp.ToString());
  }

  Status Pause(const std::vector<TopicPartition>& partitions) override {
    PartitionList list(partitions);
    return FromErrorCode(consumer_->pause(list.items), "pause");
  }
  Status Resume(const std::vector<TopicPartition>& partitions) override {
    PartitionList list(partitions);
    return FromErrorCode(consumer_->resume(list.items), "resume");
  }

  std::vector<TopicPartition> Assignment() override {
    std::vector<RdKafka::TopicPartition*> list;
    consumer_->assignment(list);
    auto out = ToTopicPartitions(list);
    RdKafka::TopicPartition::destroy(list);
    return out;
  }

  Status Assign(const std::vector<PartitionOffset>& partitions) override {
    std::vector<RdKafka::TopicPartition*> list;
    for (const auto& po : partitions) {
      list.push_back(RdKafka::TopicPartition::create(po.tp.topic, po.tp.partition.value(), po.offset.value()));
    }
    Status st = partitions.empty() ? FromErrorCode(consumer_->unassign(), "unassign")
                                   : FromErrorCode(consumer_->assign(list), "assign");
    RdKafka::TopicPartition::destroy(list);
    return st;
  }

  Status Close() override {
    if (closed_) return Status::Ok();
    closed_ = true;
    return FromErrorCode(consumer_->close(), "close consumer");
  }

  std::optional<int64_t> CachedLag(const TopicPartition& tp) override {
    int64_t low = 0, high = 0;
    if (consumer_->get_watermark_offsets(tp.topic, tp.partition.value(), &low, &high) != RdKafka::ERR_NO_ERROR ||
        high < 0) {
      return std::nullopt;
    }
    std::unique_ptr<RdKafka::TopicPartition> p(RdKafka::TopicPartition::create(tp.topic, tp.partition.value()));
    std::vector<RdKafka::TopicPartition*> list{p.get()};
    if (consumer_->position(list) != RdKafka::ERR_NO_ERROR || p->offset() < 0) return std::nullopt;
    return std::max<int64_t>(0, high - p->offset());
  }

 private:
  std::unique_ptr<RebalanceAdapter> adapter_;  // outlives consumer_
  std::unique_ptr<RdKafka::KafkaConsumer> consumer_;
  bool closed_ = false;
};

}  // namespace

RdKafka::KafkaConsumer* UnderlyingConsumer(Consumer& consumer) {
  auto* rd = dynamic_cast<RdKafkaConsumer*>(&consumer);
  return rd ? rd->handle() : nullptr;
}

Result<std::unique_ptr<Consumer>> MakeConsumer(const Config& config, RebalanceListener* listener) {
  // Offsets are committed by the engine only, after the output is flushed.
  // queued.min.messages: librdkafka 2.0.2 stops fetching once its queue holds
  // this many messages and looks again only about a second later; at the
  // default (100 000) a thread that drains faster than that starves for the
  // rest of the second (stateless benchmark: 128k -> ~400k rec/s).
  // queued.max.messages.kbytes (64 MiB by default) still caps the memory.
  const Config defaults = {{"enable.auto.commit", "false"},   {"enable.auto.offset.store", "false"},
                           {"auto.offset.reset", "earliest"}, {"partition.assignment.strategy", "range"},
                           {"socket.nagle.disable", "true"},  {"enable.partition.eof", "false"},
                           {"queued.min.messages", "1000000"}};
  if (config.find("group.id") == config.end()) return Status::InvalidArgument("consumer needs group.id");
  ASSIGN_OR_RETURN(std::unique_ptr<RdKafka::Conf> conf, BuildConf(defaults, config));
  auto adapter = std::make_unique<RebalanceAdapter>(listener);
  std::string err;
  if (conf->set("rebalance_cb", static_cast<RdKafka::RebalanceCb*>(adapter.get()), err) != RdKafka::Conf::CONF_OK) {
    return Status::Internal("cannot set rebalance_cb: " + err);
  }
  std::unique_ptr<RdKafka::KafkaConsumer> consumer(RdKafka::KafkaConsumer::create(conf.get(), err));
  if (!consumer) return Status::InvalidArgument("cannot create consumer: " + err);
  return std::unique_ptr<Consumer>(new RdKafkaConsumer(std::move(adapter), std::move(consumer)));
}

}  // namespace streamapp::kafka
