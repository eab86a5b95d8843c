// latency: produces events at a steady rate with timestamp = now and measures, for every output record received
// after the warm-up, now - the output record's timestamp.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <thread>
#include <vector>

#include "common.h"
#include "data.h"
#include "subcommands.h"

namespace bench {
namespace {

std::atomic<int64_t> g_failed{0};

void OnDelivery(rd_kafka_t*, const rd_kafka_message_t* m, void*) {
  if (m->err != RD_KAFKA_RESP_ERR_NO_ERROR && g_failed.fetch_add(1) == 0) {
    std::fprintf(stderr, "bench-tool: latency delivery failed: %s\n", rd_kafka_err2str(m->err));
  }
}

}  // namespace

int RunLatency(const Args& args) {
  Workload w = ParseWorkload(args.Str("workload"));
  std::string input = args.Str("input");
  std::string output = args.Str("output");
  int64_t rate = args.Int("rate");
  int64_t seconds = args.Int("seconds");
  double warmup = static_cast<double>(args.Int("warmup-s", 3));
  int64_t first = args.Int("first-index", 1'000'000'000);
  std::string bootstrap = args.Str("bootstrap");
  if (rate <= 0 || seconds <= 0) Die("--rate and --seconds must be > 0");

  rd_kafka_t* consumer = NewClient(RD_KAFKA_CONSUMER, bootstrap,
                                   {{"group.id", "bench-tool-latency"},
                                    {"enable.auto.commit", "false"},
                                    {"isolation.level", "read_committed"},
                                    {"fetch.wait.max.ms", "10"}});
  rd_kafka_t* producer = NewClient(RD_KAFKA_PRODUCER, bootstrap, {{"acks", "all"}, {"linger.ms", "1"}}, OnDelivery);
  int in_parts = AwaitPartitionCount(producer, input);
  int out_parts = AwaitPartitionCount(consumer, output);
  if (in_parts == 0) Die("input topic " + input + " not found");
  if (out_parts == 0) Die("output topic " + output + " not found");

  // Start at the current end (last stable offset under read_committed) of every output partition.
  auto marks = Watermarks(consumer, output, out_parts);
  rd_kafka_topic_partition_list_t* assignment = rd_kafka_topic_partition_list_new(out_parts);
  for (int p = 0; p < out_parts; ++p) {
    rd_kafka_topic_partition_list_add(assignment, output.c_str(), p)->offset = marks[p].second;
  }
  rd_kafka_resp_err_t e = rd_kafka_assign(consumer, assignment);
  rd_kafka_topic_partition_list_destroy(assignment);
  if (e != RD_KAFKA_RESP_ERR_NO_ERROR) Die(std::string("assign: ") + rd_kafka_err2str(e));

  int64_t total = rate * seconds;
  int64_t users = UsersOf(w);
  int64_t expected = -1;  // unknown for count (updates are folded)
  if (w != Workload::kCount) {
    expected = 0;
    for (int64_t i = first; i < first + total; ++i) expected += Expected(w, i) ? 1 : 0;
  }

  double start = MonoSeconds();
  std::atomic<bool> producer_done{false};
  std::atomic<double> producer_end{0.0};
  std::thread producer_thread([&] {
    int64_t sent = 0;
    while (sent < total) {
      double elapsed = MonoSeconds() - start;
      int64_t due = std::min(total, static_cast<int64_t>(elapsed * static_cast<double>(rate)) + 1);
      for (; sent < due; ++sent) {
        int64_t i = first + sent;
        int64_t u = UserIndex(i, users);
        std::string key = UserKey(u);
        std::string value = EventValue(i, users);
        for (;;) {
          rd_kafka_resp_err_t pe = rd_kafka_producev(
              producer, RD_KAFKA_V_TOPIC(input.c_str()), RD_KAFKA_V_PARTITION(static_cast<int32_t>(u % in_parts)),
              RD_KAFKA_V_KEY(key.data(), key.size()), RD_KAFKA_V_VALUE(value.data(), value.size()),
              RD_KAFKA_V_TIMESTAMP(WallMs()), RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_END);
          if (pe == RD_KAFKA_RESP_ERR_NO_ERROR) break;
          if (pe != RD_KAFKA_RESP_ERR__QUEUE_FULL) Die(std::string("produce: ") + rd_kafka_err2str(pe));
          rd_kafka_poll(producer, 1);
        }
      }
      rd_kafka_poll(producer, 0);
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    rd_kafka_flush(producer, 30'000);
    producer_end = MonoSeconds();
    producer_done = true;
  });

  std::vector<double> samples;
  samples.reserve(static_cast<size_t>(total));
  int64_t received = 0;
  for (;;) {
    if (producer_done.load() && MonoSeconds() > producer_end.load() + 3.0) break;
    if (expected >= 0 && received >= expected && producer_done.load()) break;
    rd_kafka_message_t* m = rd_kafka_consumer_poll(consumer, 50);
    if (m == nullptr) continue;
    if (m->err == RD_KAFKA_RESP_ERR_NO_ERROR) {
      int64_t now = WallMs();
      rd_kafka_timestamp_type_t tstype;
      int64_t ts = rd_kafka_message_timestamp(m, &tstype);
      ++received;
      if (MonoSeconds() > start + warmup) samples.push_back(static_cast<double>(now - ts));
    } else if (m->err != RD_KAFKA_RESP_ERR__PARTITION_EOF) {
      std::fprintf(stderr, "bench-tool: consume: %s\n", rd_kafka_message_errstr(m));
    }
    rd_kafka_message_destroy(m);
  }
  producer_thread.join();
  if (g_failed.load() > 0) Die(std::to_string(g_failed.load()) + " deliveries failed");
  rd_kafka_consumer_close(consumer);
  rd_kafka_destroy(consumer);
  rd_kafka_destroy(producer);

  std::sort(samples.begin(), samples.end());
  auto pct = [&](double q) {
    if (samples.empty()) return 0.0;
    size_t idx = std::min(samples.size() - 1, static_cast<size_t>(q * static_cast<double>(samples.size())));
    return samples[idx];
  };
  std::printf("{\"rate\":%lld,\"samples\":%zu,\"received\":%lld,\"p50_ms\":%s,\"p99_ms\":%s,\"max_ms\":%s}\n",
              static_cast<long long>(rate), samples.size(), static_cast<long long>(received), Num(pct(0.5)).c_str(),
              Num(pct(0.99)).c_str(), Num(samples.empty() ? 0.0 : samples.back()).c_str());
  return 0;
}

}  // namespace bench
