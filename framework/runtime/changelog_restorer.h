// Restoration: reads a changelog partition from an offset to its end and
// applies it to a store's inner layer in large batches, logging progress.
#pragma once

#include <functional>
#include <optional>
#include <string>

#include "kafka/clients.h"
#include "state/stores.h"

namespace streamapp::runtime {

struct RestoreResult {
  Offset end;            // the next offset after what was applied
  uint64_t records = 0;  // records applied
  double seconds = 0;
};

class ChangelogRestorer {
 public:
  ChangelogRestorer(kafka::Consumer& consumer, kafka::Admin& admin) : consumer_(consumer), admin_(admin) {}

  // `from`: the checkpointed offset, or nullopt for the beginning.
  Result<RestoreResult> Restore(const kafka::TopicPartition& changelog, std::optional<Offset> from,
                                state::RestoreTarget& target, const std::string& store_name);

  // Called as batches are applied: records applied since the last call and
  // offsets remaining (0 at the end).
  using Progress =
      std::function<void(const std::string& store, int32_t partition, uint64_t applied, int64_t remaining)>;
  void SetProgress(Progress progress) { progress_ = std::move(progress); }

 private:
  Progress progress_;
  kafka::Consumer& consumer_;
  kafka::Admin& admin_;
};

}  // namespace streamapp::runtime
