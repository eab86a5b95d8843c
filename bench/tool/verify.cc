// verify: reads a whole output topic (read_committed) and checks it against the workload's expectations for
// events 0..N-1 (bench/README.md).
#include <cstdio>
#include <map>
#include <string>
#include <vector>

#include "common.h"
#include "data.h"
#include "subcommands.h"

namespace bench {

int RunVerify(const Args& args) {
  Workload w = ParseWorkload(args.Str("workload"));
  std::string output = args.Str("output");
  int64_t n = args.Int("records");
  bool exactly_once = args.Has("exactly-once");
  if (n < 0) Die("--records must be >= 0");
  rd_kafka_t* rk = NewClient(RD_KAFKA_CONSUMER, args.Str("bootstrap"),
                             {{"group.id", "bench-tool-verify"},
                              {"enable.auto.commit", "false"},
                              {"isolation.level", "read_committed"},
                              {"enable.partition.eof", "false"}});
  int parts = AwaitPartitionCount(rk, output);
  if (parts == 0) Die("output topic " + output + " not found");
  auto marks = Watermarks(rk, output, parts);
  rd_kafka_topic_partition_list_t* list = rd_kafka_topic_partition_list_new(parts);
  for (int p = 0; p < parts; ++p) {
    rd_kafka_topic_partition_list_add(list, output.c_str(), p)->offset = RD_KAFKA_OFFSET_BEGINNING;
  }
  rd_kafka_resp_err_t e = rd_kafka_assign(rk, list);
  if (e != RD_KAFKA_RESP_ERR_NO_ERROR) Die(std::string("assign: ") + rd_kafka_err2str(e));

  std::vector<uint32_t> seen;  // ids: times seen
  if (w != Workload::kCount) seen.assign(static_cast<size_t>(n), 0);
  std::map<std::pair<std::string, int64_t>, int64_t> last;  // count: (user, window_start) -> last count
  int64_t got = 0;
  int64_t unexpected = 0;
  int64_t unparsable = 0;
  double last_progress = MonoSeconds();
  for (;;) {
    // Done when every partition's position reached the high watermark seen at start (control records included).
    bool done = true;
    for (int p = 0; p < parts; ++p) list->elems[p].offset = RD_KAFKA_OFFSET_INVALID;
    rd_kafka_position(rk, list);
    for (int p = 0; p < parts; ++p) {
      int64_t pos = list->elems[p].offset;
      int64_t high = marks[list->elems[p].partition].second;
      int64_t low = marks[list->elems[p].partition].first;
      if (high > low && (pos < 0 || pos < high)) done = false;
    }
    if (done) break;
    if (MonoSeconds() - last_progress > 60) Die("no progress reading " + output + " for 60 s");
    rd_kafka_message_t* m = rd_kafka_consumer_poll(rk, 100);
    if (m == nullptr) continue;
    if (m->err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      std::string err = rd_kafka_message_errstr(m);
      rd_kafka_message_destroy(m);
      Die("consume " + output + ": " + err);
    }
    last_progress = MonoSeconds();
    if (m->offset >= marks[m->partition].second) {  // written after the start: not part of this check
      rd_kafka_message_destroy(m);
      continue;
    }
    ++got;
    std::string_view value(static_cast<const char*>(m->payload), m->payload != nullptr ? m->len : 0);
    if (w == Workload::kCount) {
      auto user = JsonField(value, "user");
      auto window = JsonInt(value, "window_start");
      auto count = JsonInt(value, "count");
      if (!user || !window || !count) {
        ++unparsable;
      } else {
        last[{std::string(*user), *window}] = *count;
      }
    } else {
      auto id = JsonInt(value, "id");
      if (!id) {
        ++unparsable;
      } else if (*id < 0 || *id >= n || !Expected(w, *id)) {
        ++unexpected;
      } else {
        ++seen[static_cast<size_t>(*id)];
      }
    }
    rd_kafka_message_destroy(m);
  }
  rd_kafka_topic_partition_list_destroy(list);
  rd_kafka_destroy(rk);

  int64_t expected = 0;
  int64_t missing = 0;
  int64_t duplicates = 0;
  int64_t wrong_counts = 0;
  if (w == Workload::kCount) {
    auto want = ExpectedCounts(n);
    expected = static_cast<int64_t>(want.size());
    for (const auto& [k, c] : want) {
      auto it = last.find(k);
      if (it == last.end()) {
        ++missing;
      } else if (it->second != c) {
        if (wrong_counts < 5) {
          std::fprintf(stderr, "bench-tool: %s window %lld: count %lld, expected %lld\n", k.first.c_str(),
                       static_cast<long long>(k.second), static_cast<long long>(it->second), static_cast<long long>(c));
        }
        ++wrong_counts;
      }
    }
    for (const auto& [k, c] : last) unexpected += want.count(k) == 0 ? 1 : 0;
  } else {
    for (int64_t i = 0; i < n; ++i) {
      if (!Expected(w, i)) continue;
      ++expected;
      uint32_t s = seen[static_cast<size_t>(i)];
      if (s == 0) {
        if (missing < 5) std::fprintf(stderr, "bench-tool: missing id %lld\n", static_cast<long long>(i));
        ++missing;
      } else {
        duplicates += s - 1;
      }
    }
  }
  unexpected += unparsable;
  bool ok = missing == 0 && unexpected == 0 && wrong_counts == 0 && (!exactly_once || duplicates == 0);
  std::printf(
      "{\"ok\":%s,\"workload\":\"%s\",\"expected\":%lld,\"got\":%lld,\"missing\":%lld,\"unexpected\":%lld,"
      "\"duplicates\":%lld,\"wrong_counts\":%lld}\n",
      ok ? "true" : "false", WorkloadName(w), static_cast<long long>(expected), static_cast<long long>(got),
      static_cast<long long>(missing), static_cast<long long>(unexpected), static_cast<long long>(duplicates),
      static_cast<long long>(wrong_counts));
  return ok ? 0 : 1;
}

}  // namespace bench
