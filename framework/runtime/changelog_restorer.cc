#include "runtime/changelog_restorer.h"

#include <spdlog/spdlog.h>

#include <chrono>
#include <vector>

namespace streamapp::runtime {
namespace {

using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

constexpr size_t kBatchRecords = 20000;
constexpr size_t kBatchBytes = 16 << 20;
constexpr int64_t kOffsetBeginning = -2;  // librdkafka's RD_KAFKA_OFFSET_BEGINNING
// The broker may be restarting; beyond this, restoration gives up.
constexpr auto kStallTimeout = 120s;

double Seconds(Clock::duration d) {
  return std::chrono::duration<double>(d).count();
}

}  // namespace

Result<RestoreResult> ChangelogRestorer::Restore(const kafka::TopicPartition& changelog, std::optional<Offset> from,
                                                 state::RestoreTarget& target, const std::string& store_name) {
  const auto start = Clock::now();
  ASSIGN_OR_RETURN(kafka::Watermarks marks, admin_.QueryWatermarks(changelog, 30s));
  RestoreResult result{marks.high, 0, 0};
  int64_t position = from ? from->value() : marks.low.value();
  if (position >= marks.high.value()) {  // nothing to restore
    if (progress_) progress_(store_name, changelog.partition.value(), 0, 0);
    return result;
  }
  const int64_t total = marks.high.value() - position;
  spdlog::info("restoring store {} from {} offsets {}..{} ({} records at most)", store_name, changelog.ToString(),
               position, marks.high.value(), total);

  if (progress_) progress_(store_name, changelog.partition.value(), 0, total);
  RETURN_IF_ERROR(consumer_.Assign({{changelog, Offset(from ? from->value() : kOffsetBeginning), ""}}));
  std::vector<std::pair<std::string, std::optional<std::string>>> batch;
  size_t batch_bytes = 0;
  auto apply = [&]() -> Status {
    if (batch.empty()) return Status::Ok();
    RETURN_IF_ERROR(target.ApplyBatch(batch));
    result.records += batch.size();
    if (progress_) progress_(store_name, changelog.partition.value(), batch.size(), marks.high.value() - position);
    batch.clear();
    batch_bytes = 0;
    return Status::Ok();
  };
  auto last_log = Clock::now();
  auto last_data = Clock::now();
  Status status;
  while (position < marks.high.value()) {
    auto polled = consumer_.Poll(100ms);
    if (!polled.ok()) {
      status = polled.status();
      break;
    }
    if (!polled->has_value()) {
      if (Clock::now() - last_data > kStallTimeout) {
        status = Status::TimedOut("no progress for " + std::to_string(kStallTimeout.count()) + " s at offset " +
                                  std::to_string(position) + " of " + std::to_string(marks.high.value()));
        break;
      }
      continue;
    }
    kafka::Message& m = **polled;
    last_data = Clock::now();
    if (m.topic != changelog.topic || m.partition != changelog.partition) continue;  // from an earlier assignment
    if (m.partition_eof) {
      // The end as the consumer sees it: past transaction markers and
      // aborted records, which never arrive as messages.
      position = std::max(position, m.offset.value());
      break;
    }
    position = m.offset.value() + 1;
    if (!m.key) continue;  // a keyless record cannot be state
    batch_bytes += m.key->size() + (m.value ? m.value->size() : 0);
    batch.emplace_back(std::move(*m.key), std::move(m.value));
    if (batch.size() >= kBatchRecords || batch_bytes >= kBatchBytes) {
      status = apply();
      if (!status.ok()) break;
    }
    if (Clock::now() - last_log > 2s) {
      last_log = Clock::now();
      const double secs = Seconds(Clock::now() - start);
      const double rate = (result.records + batch.size()) / std::max(secs, 1e-9);
      spdlog::info("restoring store {}: {} records in {:.1f} s ({:.0f} records/s), {} offsets remaining, ETA {:.1f} s",
                   store_name, result.records + batch.size(), secs, rate, marks.high.value() - position,
                   (marks.high.value() - position) / std::max(rate, 1.0));
    }
  }
  if (status.ok()) status = apply();
  Status unassigned = consumer_.Assign({});
  RETURN_IF_ERROR(status.WithContext("restoring " + store_name));
  RETURN_IF_ERROR(unassigned);
  result.end = Offset(position);
  if (progress_) progress_(store_name, changelog.partition.value(), 0, 0);
  result.seconds = Seconds(Clock::now() - start);
  spdlog::info("restored store {} from {}: {} records in {:.2f} s ({:.0f} records/s)", store_name, changelog.ToString(),
               result.records, result.seconds, result.records / std::max(result.seconds, 1e-9));
  return result;
}

}  // namespace streamapp::runtime
