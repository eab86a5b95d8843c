// engine-bench: the benchmark topologies (bench/topologies) run in-process
// through the TopologyTestDriver, without Kafka. It measures the engine's
// own per-record CPU (decode, operators, stores, encode) on one thread, so
// a change to the record path can be compared without the broker's noise.
// Usage: engine-bench [--records N] [--workloads stateless,count,join]
//                     [--topologies DIR]
// Prints one JSON line per workload.
#include <sys/resource.h>

#include <cstdio>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "common.h"
#include "data.h"
#include "streamapp/test_driver.h"
#include "streamapp/topology_file.h"

namespace {

double CpuSeconds() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  auto seconds = [](const timeval& tv) { return static_cast<double>(tv.tv_sec) + tv.tv_usec / 1e6; };
  return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

using bench::Die;

void Check(const streamapp::Status& status, const char* what) {
  if (!status.ok()) Die(std::string(what) + ": " + status.ToString());
}

// Commits as the stream thread would every commit.interval.ms; at about
// 100 000 records/s and 100 ms that is every 10 000 records.
constexpr int64_t kRecordsPerCommit = 10'000;

void RunWorkload(const std::string& topologies, const std::string& name, int64_t records) {
  const bench::Workload workload = bench::ParseWorkload(name);
  streamapp::LoadResult loaded = streamapp::LoadTopologyFile(topologies + "/" + name + ".yaml");
  if (!loaded.loaded) Die("cannot load " + name + ".yaml: " + loaded.errors.front().message);
  streamapp::TestDriverOptions options;
  options.application_id = "engine-bench-" + name;
  options.cache_max_bytes = 10 << 20;  // the engine's default cache.max.bytes
  auto driver = streamapp::TopologyTestDriver::Create(loaded.loaded->topology, options);
  if (!driver.ok()) Die("cannot start " + name + ": " + driver.status().ToString());
  streamapp::TopologyTestDriver& d = **driver;

  const int64_t users = bench::UsersOf(workload);
  if (workload == bench::Workload::kJoin) {
    for (int64_t u = 0; u < users; ++u) {
      Check(d.Pipe("bench-users", bench::UserKey(u), bench::UserRowValue(u), bench::kUsersTimestampMs),
            "piping a users row");
    }
    Check(d.Commit(), "commit");
    d.ReadOutput("bench-out");
  }

  // Generated before the clock starts, so only the engine is measured.
  std::vector<std::pair<std::string, std::string>> events;
  events.reserve(static_cast<size_t>(records));
  for (int64_t i = 0; i < records; ++i) {
    events.emplace_back(bench::UserKey(bench::UserIndex(i, users)), bench::EventValue(i, users));
  }

  size_t outputs = 0;
  const double cpu_start = CpuSeconds();
  const double wall_start = bench::MonoSeconds();
  for (int64_t i = 0; i < records; ++i) {
    auto& [key, value] = events[static_cast<size_t>(i)];
    Check(d.Pipe("bench-events", std::move(key), std::move(value), bench::EventTimestamp(i)), "piping an event");
    if ((i + 1) % kRecordsPerCommit == 0) {
      Check(d.Commit(), "commit");
      outputs += d.ReadOutput("bench-out").size();
    }
  }
  Check(d.Commit(), "commit");
  outputs += d.ReadOutput("bench-out").size();
  const double cpu = CpuSeconds() - cpu_start;
  const double wall = bench::MonoSeconds() - wall_start;
  // A wrong count means the figures measure the wrong work. (Count's output
  // depends on how updates fold between commits; bench-tool verify checks
  // its values in the Kafka benchmark.)
  if (workload != bench::Workload::kCount) {
    size_t expected = 0;
    for (int64_t i = 0; i < records; ++i) expected += bench::Expected(workload, i) ? 1 : 0;
    if (outputs != expected) {
      Die(name + ": " + std::to_string(outputs) + " outputs, expected " + std::to_string(expected));
    }
  } else if (outputs == 0) {
    Die("count: no outputs");
  }
  // Included: the test driver's own work (routing, keeping the outputs and
  // changelog records in memory), the same for every build compared.
  std::printf(
      "{\"workload\":\"%s\",\"records\":%lld,\"outputs\":%zu,\"seconds\":%.3f,\"records_per_s\":%.0f,"
      "\"cpu_us_per_record\":%.3f}\n",
      name.c_str(), static_cast<long long>(records), outputs, wall, records / wall, cpu * 1e6 / records);
  std::fflush(stdout);
}

}  // namespace

int main(int argc, char** argv) {
  const bench::Args args(argc, argv, 1);
  const int64_t records = args.Int("records", 1'000'000);
  if (records <= 0) Die("--records must be positive");
  const std::string topologies = args.Str("topologies", STREAMAPP_BENCH_TOPOLOGIES);
  std::stringstream list(args.Str("workloads", "stateless,count,join"));
  for (std::string name; std::getline(list, name, ',');) RunWorkload(topologies, name, records);
  return 0;
}
