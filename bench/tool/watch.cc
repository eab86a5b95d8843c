// watch: measures a running stream processor from outside. It polls the group's committed offsets and the input
// topic's end offsets and the process's CPU time, and reports the steady-state rate between the first commit and
// the commit that reaches the end of the input.
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <thread>
#include <vector>

#include "common.h"
#include "subcommands.h"

namespace bench {
namespace {

// utime + stime of the process in seconds, or -1 when it is gone.
double ProcessCpuSeconds(int pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  if (!std::getline(in, line)) return -1;
  size_t paren = line.rfind(')');
  if (paren == std::string::npos) return -1;
  std::istringstream fields(line.substr(paren + 2));
  std::string f;
  // Fields after the command: state(3) ... utime(14) stime(15).
  long long utime = 0;
  long long stime = 0;
  for (int idx = 3; idx <= 15 && (fields >> f); ++idx) {
    if (idx == 3 && f == "Z") return -1;
    if (idx == 14) utime = std::stoll(f);
    if (idx == 15) stime = std::stoll(f);
  }
  return static_cast<double>(utime + stime) / static_cast<double>(sysconf(_SC_CLK_TCK));
}

// VmHWM of the process in kB, or -1.
long long PeakRssKb(int pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("VmHWM:", 0) == 0) return std::stoll(line.substr(6));
  }
  return -1;
}

[[noreturn]] void Fail(const std::string& why) {
  std::printf("{\"error\":\"%s\"}\n", why.c_str());
  std::fflush(stdout);
  std::exit(1);
}

}  // namespace

int RunWatch(const Args& args) {
  std::string group = args.Str("group");
  std::string topic = args.Str("topic");
  int pid = static_cast<int>(args.Int("pid"));
  double timeout = static_cast<double>(args.Int("timeout-s", 900));
  auto interval = std::chrono::milliseconds(args.Int("interval-ms", 100));
  double t0 = MonoSeconds();
  // A consumer in the group that never subscribes: it only reads the group's committed offsets.
  rd_kafka_t* rk = NewClient(RD_KAFKA_CONSUMER, args.Str("bootstrap"),
                             {{"group.id", group}, {"enable.auto.commit", "false"}, {"log.connection.close", "false"}});
  int partitions = 0;
  while ((partitions = PartitionCount(rk, topic)) == 0) {
    if (MonoSeconds() - t0 > timeout) Fail("topic " + topic + " not found before the timeout");
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
  }
  rd_kafka_topic_partition_list_t* list = rd_kafka_topic_partition_list_new(partitions);
  for (int p = 0; p < partitions; ++p) rd_kafka_topic_partition_list_add(list, topic.c_str(), p);

  std::vector<std::pair<int64_t, int64_t>> marks;
  bool started = false;
  bool steady = true;  // false: measured from the watch's start, not between commits
  double t1 = 0;
  double cpu1 = 0;
  int64_t c1 = 0;
  for (;;) {
    double now = MonoSeconds();
    if (now - t0 > timeout) Fail("timeout after " + std::to_string(static_cast<int>(timeout)) + " s");
    double cpu = ProcessCpuSeconds(pid);
    if (cpu < 0) Fail("process " + std::to_string(pid) + " is gone");
    for (int p = 0; p < partitions; ++p) list->elems[p].offset = RD_KAFKA_OFFSET_INVALID;
    rd_kafka_resp_err_t e = rd_kafka_committed(rk, list, 10'000);
    if (e != RD_KAFKA_RESP_ERR_NO_ERROR) {
      std::fprintf(stderr, "bench-tool: committed: %s\n", rd_kafka_err2str(e));
      std::this_thread::sleep_for(interval);
      continue;
    }
    int64_t committed = 0;
    for (int p = 0; p < partitions; ++p) committed += list->elems[p].offset > 0 ? list->elems[p].offset : 0;
    if (!TryWatermarks(rk, topic, partitions, &marks)) {  // transient: try again at the next poll
      std::this_thread::sleep_for(interval);
      continue;
    }
    int64_t end = 0;
    for (const auto& [low, high] : marks) end += high;
    double t = MonoSeconds();
    if (!started && committed > 0) {
      started = true;
      t1 = t;
      cpu1 = cpu;
      c1 = committed;
      if (end > 0 && committed >= end) {
        // Done before the first commit was seen (a small input): the whole
        // run since the watch started is the only window there is.
        steady = false;
        t1 = t0;
        cpu1 = 0;
        c1 = 0;
      }
    }
    if (started && end > 0 && committed >= end) {
      double cpu2 = ProcessCpuSeconds(pid);
      long long hwm = PeakRssKb(pid);
      if (cpu2 < 0) Fail("process " + std::to_string(pid) + " is gone");
      double steady_s = t - t1;
      double steady_records = static_cast<double>(end - c1);
      std::printf(
          "{\"records\":%lld,\"steady_records\":%lld,\"steady_seconds\":%s,\"records_per_s\":%s,\"cpu_s_total\":%s,"
          "\"cpu_s_steady\":%s,\"cpu_s_per_million\":%s,\"peak_rss_mb\":%s,\"seconds_from_start\":%s,\"steady\":%s}\n",
          static_cast<long long>(end), static_cast<long long>(end - c1), Num(steady_s).c_str(),
          Num(steady_s > 0 ? steady_records / steady_s : 0).c_str(), Num(cpu2).c_str(), Num(cpu2 - cpu1).c_str(),
          Num(steady_records > 0 ? (cpu2 - cpu1) / (steady_records / 1e6) : 0).c_str(),
          Num(static_cast<double>(hwm) / 1024.0).c_str(), Num(t - t0).c_str(), steady ? "true" : "false");
      rd_kafka_topic_partition_list_destroy(list);
      rd_kafka_destroy(rk);
      return 0;
    }
    std::this_thread::sleep_for(interval);
  }
}

}  // namespace bench
