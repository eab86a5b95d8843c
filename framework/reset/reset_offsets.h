// The pure parts of `stream-app reset`: parsing of the target options and
// the computation of each partition's new committed offset.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "kafka/clients.h"
#include "streamapp/status.h"

namespace streamapp::reset {

// An ISO 8601 duration of days, hours, minutes and seconds: "PnDTnHnMnS"
// (Java's Duration format without sign), e.g. "P1D", "PT1H30M", "PT0.5S",
// "P2DT3H". Letters are case-insensitive; at least one component.
Result<std::chrono::milliseconds> ParseIsoDuration(std::string_view text);

// An ISO 8601 date-time, to epoch milliseconds:
// "YYYY-MM-DDTHH:MM[:SS[.fff]][Z|+HH:MM|-HH:MM|+HHMM]". Without a zone the
// time is UTC. A space may stand for the 'T'.
Result<int64_t> ParseIsoDateTime(std::string_view text);

enum class TargetKind { kEarliest, kLatest, kOffset, kTime, kShiftBy };

struct ResetTarget {
  TargetKind kind = TargetKind::kEarliest;
  int64_t value = 0;  // kOffset: the offset; kTime: epoch ms; kShiftBy: the shift
  std::string ToString() const;
};

// `--input-topic T` (every partition) or `T:P[,P...]` (those partitions;
// a range `A-B` stands for A..B inclusive).
struct TopicSelection {
  std::string topic;
  std::vector<int> partitions;  // empty: all
};
Result<TopicSelection> ParseTopicSelection(std::string_view text);

// The new committed offset of one partition, clamped to [low, high].
// `committed`: the group's current offset (none: never committed; shift-by
// then starts from the low watermark, as auto.offset.reset=earliest would).
// `time_offset`: for kTime, the first offset at or after the time (-1 or
// none: no such record, so the end).
Offset ComputeTarget(const ResetTarget& target, std::optional<Offset> committed, const kafka::Watermarks& watermarks,
                     std::optional<Offset> time_offset);

}  // namespace streamapp::reset
