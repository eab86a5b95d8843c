#include "runtime/streams_producer.h"

#include <spdlog/spdlog.h>

namespace streamapp::runtime {
namespace {

using namespace std::chrono_literals;

// Below max.poll.interval.ms (300 s): a thread blocked here must not be
// taken for dead by the group.
constexpr auto kTransactionTimeout = 60s;
constexpr auto kFlushTimeout = 120s;
constexpr int kRetries = 5;

bool IsRetriable(const Status& st) {
  return st.code() == StatusCode::kRetriable || st.code() == StatusCode::kTimedOut;
}

// librdkafka allows retrying transactional calls that fail retriably.
template <typename Call>
Status WithRetries(Call call) {
  Status st;
  for (int attempt = 0; attempt < kRetries; ++attempt) {
    st = call();
    if (!IsRetriable(st)) return st;
    spdlog::warn("{}; retrying", st.message());
  }
  return st;
}

}  // namespace

StreamsProducer::StreamsProducer(kafka::Config config, std::string transactional_id, TaskMetrics* metrics,
                                 kafka::ClientFactory& clients)
    : config_(std::move(config)), transactional_id_(std::move(transactional_id)), metrics_(metrics), clients_(clients) {
  if (exactly_once()) {
    config_["transactional.id"] = transactional_id_;
    // Kafka Streams' choice: a crashed worker's open transaction blocks
    // read_committed readers of its partitions until it times out.
    config_.emplace("transaction.timeout.ms", "10000");
  }
}

StreamsProducer::~StreamsProducer() = default;

Status StreamsProducer::Init() {
  in_transaction_ = false;
  ASSIGN_OR_RETURN(producer_, clients_.NewProducer(config_));
  if (exactly_once()) {
    RETURN_IF_ERROR(WithRetries([&] {
                      return producer_->InitTransactions(kTransactionTimeout);
                    }).WithContext("transactional.id " + transactional_id_));
  }
  return Status::Ok();
}

Status StreamsProducer::Begin() {
  RETURN_IF_ERROR(producer_->BeginTransaction());
  in_transaction_ = true;
  return Status::Ok();
}

Status StreamsProducer::Send(const kafka::OutboundMessage& message) {
  if (exactly_once() && !in_transaction_) RETURN_IF_ERROR(Begin());
  Status st = producer_->Send(message);
  if (st.ok() && metrics_) TaskMetrics::Count(metrics_->produced_by_topic, message.topic);
  return st;
}

Status StreamsProducer::Commit(const std::vector<kafka::PartitionOffset>& offsets, kafka::Consumer& consumer) {
  if (!exactly_once()) {
    RETURN_IF_ERROR(producer_->Flush(kFlushTimeout).WithContext("flushing output before commit"));
    return offsets.empty() ? Status::Ok() : consumer.Commit(offsets);
  }
  if (!in_transaction_ && offsets.empty()) return Status::Ok();
  if (!in_transaction_) RETURN_IF_ERROR(Begin());
  if (!offsets.empty()) {
    RETURN_IF_ERROR(
        WithRetries([&] { return producer_->SendOffsetsToTransaction(offsets, consumer, kTransactionTimeout); }));
  }
  RETURN_IF_ERROR(WithRetries([&] { return producer_->CommitTransaction(kTransactionTimeout); }));
  in_transaction_ = false;
  if (metrics_) ++metrics_->transactions_committed;
  return Status::Ok();
}

Status StreamsProducer::Abort() {
  if (!exactly_once() || !in_transaction_) return Status::Ok();
  RETURN_IF_ERROR(WithRetries([&] { return producer_->AbortTransaction(kTransactionTimeout); }));
  in_transaction_ = false;
  if (metrics_) ++metrics_->transactions_aborted;
  return Status::Ok();
}

Status StreamsProducer::Reset() {
  if (in_transaction_ && metrics_) ++metrics_->transactions_aborted;
  producer_.reset();
  return Init();
}

void StreamsProducer::Poll() {
  if (producer_) producer_->Poll();
}

}  // namespace streamapp::runtime
