// The benchmark data of bench/README.md (deterministic from the event index) and the workloads' expectations.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <utility>

namespace bench {

enum class Workload { kStateless, kCount, kJoin, kCopy };

Workload ParseWorkload(const std::string& name);  // dies on an unknown name
const char* WorkloadName(Workload w);

// Number of users U of the workload (100 000 for join, else 10 000).
int64_t UsersOf(Workload w);

constexpr int64_t kBaseTimestampMs = 1'700'000'000'000;
constexpr int64_t kUsersTimestampMs = 1'699'999'999'000;
constexpr int64_t kWindowMs = 60'000;

int64_t UserIndex(int64_t i, int64_t users);
std::string UserKey(int64_t u);                    // u%06d
std::string EventValue(int64_t i, int64_t users);  // the ~200 byte JSON event
std::string UserRowValue(int64_t u);
inline int64_t EventTimestamp(int64_t i) {
  return kBaseTimestampMs + i;
}

// Whether event i appears in the output of the workload (not meaningful for count).
bool Expected(Workload w, int64_t i);

// count: for events [0, n) the number of events per (user key, window_start).
std::map<std::pair<std::string, int64_t>, int64_t> ExpectedCounts(int64_t n);

// Checks the generator and expectations on hand-computed values; returns the number of failures.
int SelfTest();

}  // namespace bench
