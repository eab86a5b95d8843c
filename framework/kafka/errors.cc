#include "kafka/errors.h"

#include <memory>
#include <string>

namespace streamapp::kafka {
namespace {

bool IsFencing(RdKafka::ErrorCode code) {
  return code == RdKafka::ERR__FENCED || code == RdKafka::ERR_PRODUCER_FENCED ||
         code == RdKafka::ERR_INVALID_PRODUCER_EPOCH || code == RdKafka::ERR_FENCED_INSTANCE_ID;
}

}  // namespace

Status FromErrorCode(RdKafka::ErrorCode code, std::string_view what) {
  if (code == RdKafka::ERR_NO_ERROR) return Status::Ok();
  std::string msg = std::string(what) + ": " + RdKafka::err2str(code);
  if (IsFencing(code)) return Status::Fenced(std::move(msg));
  switch (code) {
    case RdKafka::ERR__TIMED_OUT:
    case RdKafka::ERR_REQUEST_TIMED_OUT: return Status::TimedOut(std::move(msg));
    case RdKafka::ERR__UNKNOWN_TOPIC:
    case RdKafka::ERR_UNKNOWN_TOPIC_OR_PART: return Status::NotFound(std::move(msg));
    case RdKafka::ERR_TOPIC_ALREADY_EXISTS: return Status::AlreadyExists(std::move(msg));
    case RdKafka::ERR__INVALID_ARG:
    case RdKafka::ERR_INVALID_CONFIG:
    case RdKafka::ERR_INVALID_PARTITIONS:
    case RdKafka::ERR_INVALID_REPLICATION_FACTOR: return Status::InvalidArgument(std::move(msg));
    case RdKafka::ERR__FATAL: return Status::Fatal(std::move(msg));
    // A produce() refused by a transactional producer in an error state: the
    // transaction must be aborted (fatal states report ERR__FATAL instead).
    case RdKafka::ERR__STATE: return Status::Abortable(std::move(msg));
    // The group moved on (a rebalance, a broker restart): an offset commit
    // can be tried again once the member rejoined; its records are processed
    // again by whoever owns them (at-least-once).
    case RdKafka::ERR_UNKNOWN_MEMBER_ID:
    case RdKafka::ERR_ILLEGAL_GENERATION:
    case RdKafka::ERR__WAIT_COORD:
    case RdKafka::ERR__TRANSPORT:
    case RdKafka::ERR__ALL_BROKERS_DOWN:
    case RdKafka::ERR_NOT_COORDINATOR:
    case RdKafka::ERR_COORDINATOR_NOT_AVAILABLE:
    case RdKafka::ERR_COORDINATOR_LOAD_IN_PROGRESS:
    case RdKafka::ERR_REBALANCE_IN_PROGRESS:
    case RdKafka::ERR_LEADER_NOT_AVAILABLE:
    case RdKafka::ERR_NOT_LEADER_FOR_PARTITION: return Status::Retriable(std::move(msg));
    default: return Status::IoError(std::move(msg));
  }
}

Status FromError(RdKafka::Error* raw, std::string_view what) {
  if (raw == nullptr) return Status::Ok();
  std::unique_ptr<RdKafka::Error> error(raw);
  std::string msg = std::string(what) + ": " + error->str();
  if (IsFencing(error->code())) return Status::Fenced(std::move(msg));
  if (error->is_fatal()) return Status::Fatal(std::move(msg));
  if (error->txn_requires_abort()) return Status::Abortable(std::move(msg));
  if (error->is_retriable()) return Status::Retriable(std::move(msg));
  return FromErrorCode(error->code(), what);
}

Status FromCError(rd_kafka_error_t* error, std::string_view what) {
  if (error == nullptr) return Status::Ok();
  const auto code = static_cast<RdKafka::ErrorCode>(rd_kafka_error_code(error));
  std::string msg = std::string(what) + ": " + rd_kafka_error_string(error);
  const bool fatal = rd_kafka_error_is_fatal(error);
  const bool abortable = rd_kafka_error_txn_requires_abort(error);
  const bool retriable = rd_kafka_error_is_retriable(error);
  rd_kafka_error_destroy(error);
  if (IsFencing(code)) return Status::Fenced(std::move(msg));
  if (fatal) return Status::Fatal(std::move(msg));
  if (abortable) return Status::Abortable(std::move(msg));
  if (retriable) return Status::Retriable(std::move(msg));
  return FromErrorCode(code, what);
}

}  // namespace streamapp::kafka
