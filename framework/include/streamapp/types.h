// Strong types for the quantities the engine must never mix up.
#pragma once

#include <compare>
#include <cstdint>
#include <functional>
#include <ostream>
#include <string>

namespace streamapp {

// A value wrapper that only compares with its own kind.
template <typename Tag, typename Rep>
class StrongValue {
 public:
  constexpr StrongValue() = default;
  constexpr explicit StrongValue(Rep v) : v_(v) {}
  constexpr Rep value() const { return v_; }
  constexpr auto operator<=>(const StrongValue&) const = default;

 private:
  Rep v_{};
};

// An offset within a partition. kInvalid means "none known".
struct OffsetTag {};
class Offset : public StrongValue<OffsetTag, int64_t> {
 public:
  using StrongValue::StrongValue;
  static constexpr int64_t kInvalid = -1001;  // librdkafka's RD_KAFKA_OFFSET_INVALID
  constexpr bool valid() const { return value() >= 0; }
  constexpr Offset Next() const { return Offset(value() + 1); }
};

struct PartitionTag {};
using PartitionId = StrongValue<PartitionTag, int32_t>;

// Milliseconds since the epoch, as Kafka timestamps are.
struct TimestampTag {};
class Timestamp : public StrongValue<TimestampTag, int64_t> {
 public:
  using StrongValue::StrongValue;
  static constexpr int64_t kUnknown = -1;
};

// A task is one subtopology working on one partition: "<subtopology>_<partition>".
struct TaskId {
  int32_t subtopology = 0;
  PartitionId partition;

  std::string ToString() const { return std::to_string(subtopology) + "_" + std::to_string(partition.value()); }
  auto operator<=>(const TaskId&) const = default;
};

inline std::ostream& operator<<(std::ostream& os, const TaskId& id) {
  return os << id.ToString();
}

}  // namespace streamapp

template <>
struct std::hash<streamapp::TaskId> {
  size_t operator()(const streamapp::TaskId& t) const noexcept {
    return std::hash<int64_t>{}((int64_t{t.subtopology} << 32) ^ t.partition.value());
  }
};
