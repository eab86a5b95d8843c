// load: creates the topics and produces the benchmark events (and, for join, the users table) as fast as possible.
#include <atomic>
#include <cstdio>

#include "common.h"
#include "data.h"
#include "subcommands.h"

namespace bench {
namespace {

std::atomic<int64_t> g_failed{0};
std::atomic<int64_t> g_delivered{0};

void OnDelivery(rd_kafka_t*, const rd_kafka_message_t* m, void*) {
  if (m->err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    if (g_failed.fetch_add(1) == 0) std::fprintf(stderr, "bench-tool: delivery failed: %s\n", rd_kafka_err2str(m->err));
  } else {
    g_delivered.fetch_add(1);
  }
}

void Produce(rd_kafka_t* rk, const std::string& topic, int partition, const std::string& key, const std::string& value,
             int64_t ts) {
  for (;;) {
    rd_kafka_resp_err_t e = rd_kafka_producev(
        rk, RD_KAFKA_V_TOPIC(topic.c_str()), RD_KAFKA_V_PARTITION(partition), RD_KAFKA_V_KEY(key.data(), key.size()),
        RD_KAFKA_V_VALUE(const_cast<char*>(value.data()), value.size()), RD_KAFKA_V_TIMESTAMP(ts),
        RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_END);
    if (e == RD_KAFKA_RESP_ERR_NO_ERROR) return;
    if (e != RD_KAFKA_RESP_ERR__QUEUE_FULL) Die("produce to " + topic + ": " + rd_kafka_err2str(e));
    rd_kafka_poll(rk, 10);
  }
}

void FlushAndCheck(rd_kafka_t* rk) {
  rd_kafka_resp_err_t e = rd_kafka_flush(rk, 300'000);
  if (e != RD_KAFKA_RESP_ERR_NO_ERROR) Die(std::string("flush: ") + rd_kafka_err2str(e));
  if (g_failed.load() > 0) Die(std::to_string(g_failed.load()) + " deliveries failed");
}

}  // namespace

int RunLoad(const Args& args) {
  Workload w = ParseWorkload(args.Str("workload"));
  std::string topic = args.Str("topic");
  int64_t n = args.Int("records");
  int partitions = static_cast<int>(args.Int("partitions", 6));
  int64_t first = args.Int("first-index", 0);
  if (n < 0 || partitions <= 0 || first < 0) Die("--records, --first-index >= 0 and --partitions > 0 wanted");
  if (w == Workload::kJoin && !args.Has("table-topic")) Die("--workload join needs --table-topic");
  rd_kafka_t* rk = NewClient(RD_KAFKA_PRODUCER, args.Str("bootstrap"),
                             {{"acks", "all"},
                              {"linger.ms", "20"},
                              {"batch.size", "1000000"},
                              {"queue.buffering.max.messages", "2000000"},
                              {"queue.buffering.max.kbytes", "1048576"}},
                             OnDelivery);
  EnsureTopic(rk, topic, partitions, false);
  int64_t users = UsersOf(w);
  if (w == Workload::kJoin) {
    std::string table = args.Str("table-topic");
    EnsureTopic(rk, table, partitions, true);
    for (int64_t u = 0; u < users; ++u) {
      Produce(rk, table, static_cast<int>(u % partitions), UserKey(u), UserRowValue(u), kUsersTimestampMs);
    }
    FlushAndCheck(rk);
  }
  g_delivered = 0;
  double start = MonoSeconds();
  for (int64_t i = first; i < first + n; ++i) {
    int64_t u = UserIndex(i, users);
    Produce(rk, topic, static_cast<int>(u % partitions), UserKey(u), EventValue(i, users), EventTimestamp(i));
    if ((i & 1023) == 0) rd_kafka_poll(rk, 0);
  }
  FlushAndCheck(rk);
  double secs = MonoSeconds() - start;
  if (g_delivered.load() != n) Die("delivered " + std::to_string(g_delivered.load()) + " of " + std::to_string(n));
  rd_kafka_destroy(rk);
  std::printf("{\"records\":%lld,\"seconds\":%s,\"records_per_s\":%s}\n", static_cast<long long>(n), Num(secs).c_str(),
              Num(secs > 0 ? static_cast<double>(n) / secs : 0).c_str());
  return 0;
}

}  // namespace bench
