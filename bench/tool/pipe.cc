// pipe: the raw librdkafka baseline. One thread consumes the input topic and produces every record unchanged (key,
// value, timestamp, partition number) to the output topic; at-least-once (flush, then commit offsets) or
// exactly-once (one transaction per commit interval, offsets sent to the transaction).
#include <atomic>
#include <csignal>
#include <cstdio>
#include <map>

#include "common.h"
#include "subcommands.h"

namespace bench {
namespace {

std::atomic<bool> g_stop{false};
std::atomic<int64_t> g_failed{0};

void OnSignal(int) {
  g_stop = true;
}

void OnDelivery(rd_kafka_t*, const rd_kafka_message_t* m, void*) {
  if (m->err != RD_KAFKA_RESP_ERR_NO_ERROR && g_failed.fetch_add(1) == 0) {
    std::fprintf(stderr, "bench-tool: pipe delivery failed: %s\n", rd_kafka_err2str(m->err));
  }
}

struct Pipe {
  rd_kafka_t* consumer = nullptr;
  rd_kafka_t* producer = nullptr;
  std::string input;
  std::string output;
  bool eos = false;
  std::map<int32_t, int64_t> next;  // partition -> offset after the last record consumed (not yet committed)
  bool dirty = false;
  int64_t consumed = 0;
  int64_t commits = 0;

  // Retries a transactional call while its error is retriable; aborts and exits on an abortable one.
  template <typename F>
  void Txn(const char* what, F call) {
    for (int attempt = 0;; ++attempt) {
      rd_kafka_error_t* err = call();
      if (err == nullptr) return;
      std::string msg = std::string(what) + ": " + rd_kafka_error_string(err);
      if (rd_kafka_error_is_retriable(err) && attempt < 10) {
        std::fprintf(stderr, "bench-tool: %s (retrying)\n", msg.c_str());
        rd_kafka_error_destroy(err);
        continue;
      }
      if (rd_kafka_error_txn_requires_abort(err)) {
        rd_kafka_error_destroy(err);
        rd_kafka_error_t* aerr = rd_kafka_abort_transaction(producer, 30'000);
        if (aerr != nullptr) rd_kafka_error_destroy(aerr);
        Die(msg + " (transaction aborted; offsets not committed, rerun to resume from the committed offsets)");
      }
      rd_kafka_error_destroy(err);
      Die(msg);
    }
  }

  rd_kafka_topic_partition_list_t* Offsets() const {
    rd_kafka_topic_partition_list_t* list = rd_kafka_topic_partition_list_new(static_cast<int>(next.size()));
    for (const auto& [p, off] : next) rd_kafka_topic_partition_list_add(list, input.c_str(), p)->offset = off;
    return list;
  }

  // Makes what was consumed since the last commit durable; under EOS begins the next transaction if begin_next.
  void Commit(bool begin_next) {
    if (!dirty) return;
    rd_kafka_topic_partition_list_t* list = Offsets();
    if (eos) {
      rd_kafka_consumer_group_metadata_t* md = rd_kafka_consumer_group_metadata(consumer);
      Txn("send_offsets_to_transaction",
          [&] { return rd_kafka_send_offsets_to_transaction(producer, list, md, 30'000); });
      rd_kafka_consumer_group_metadata_destroy(md);
      Txn("commit_transaction", [&] { return rd_kafka_commit_transaction(producer, 60'000); });
      if (begin_next) Txn("begin_transaction", [&] { return rd_kafka_begin_transaction(producer); });
    } else {
      rd_kafka_resp_err_t e = rd_kafka_flush(producer, 60'000);
      if (e != RD_KAFKA_RESP_ERR_NO_ERROR) Die(std::string("flush: ") + rd_kafka_err2str(e));
      if (g_failed.load() > 0) Die(std::to_string(g_failed.load()) + " deliveries failed; offsets not committed");
      e = rd_kafka_commit(consumer, list, 0);
      // A commit refused because of a rebalance only means redelivery (at-least-once).
      if (e != RD_KAFKA_RESP_ERR_NO_ERROR) std::fprintf(stderr, "bench-tool: commit: %s\n", rd_kafka_err2str(e));
    }
    rd_kafka_topic_partition_list_destroy(list);
    dirty = false;
    ++commits;
  }
};

void OnRebalance(rd_kafka_t* rk, rd_kafka_resp_err_t err, rd_kafka_topic_partition_list_t* parts, void* opaque) {
  auto* pipe = static_cast<Pipe*>(opaque);
  if (err == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS) {
    for (int i = 0; i < parts->cnt; ++i) pipe->next.erase(parts->elems[i].partition);
    rd_kafka_assign(rk, parts);
  } else {
    if (err == RD_KAFKA_RESP_ERR__REVOKE_PARTITIONS) pipe->Commit(true);
    pipe->next.clear();
    pipe->dirty = false;
    rd_kafka_assign(rk, nullptr);
  }
}

}  // namespace

int RunPipe(const Args& args) {
  Pipe pipe;
  pipe.input = args.Str("input");
  pipe.output = args.Str("output");
  std::string group = args.Str("group");
  std::string guarantee = args.Str("guarantee");
  if (guarantee != "alos" && guarantee != "eos") Die("--guarantee alos|eos");
  pipe.eos = guarantee == "eos";
  double interval = static_cast<double>(args.Int("commit-interval-ms", 100)) / 1000.0;
  std::string bootstrap = args.Str("bootstrap");

  Conf pconf = {{"acks", "all"}, {"enable.idempotence", "true"}, {"linger.ms", "5"}};
  if (pipe.eos) pconf.emplace_back("transactional.id", args.Str("transactional-id", group + "-pipe"));
  pipe.producer = NewClient(RD_KAFKA_PRODUCER, bootstrap, pconf, OnDelivery);
  pipe.consumer = NewClient(RD_KAFKA_CONSUMER, bootstrap,
                            {{"group.id", group},
                             {"auto.offset.reset", "earliest"},
                             {"enable.auto.commit", "false"},
                             {"isolation.level", "read_committed"},
                             // As streamapp's consumers: at librdkafka 2.0.2's default (100 000)
                             // the fetcher idles for up to a second whenever the queue fills.
                             {"queued.min.messages", "1000000"}},
                            nullptr, OnRebalance, &pipe);
  rd_kafka_poll_set_consumer(pipe.consumer);
  // The output gets the input's partition count when it does not exist yet (records keep their partition number).
  int in_parts = AwaitPartitionCount(pipe.producer, pipe.input);
  if (in_parts == 0) Die("input topic " + pipe.input + " not found");
  EnsureTopic(pipe.producer, pipe.output, in_parts, false);
  std::signal(SIGTERM, OnSignal);
  std::signal(SIGINT, OnSignal);

  if (pipe.eos) {
    pipe.Txn("init_transactions", [&] { return rd_kafka_init_transactions(pipe.producer, 60'000); });
    pipe.Txn("begin_transaction", [&] { return rd_kafka_begin_transaction(pipe.producer); });
  }
  rd_kafka_topic_partition_list_t* topics = rd_kafka_topic_partition_list_new(1);
  rd_kafka_topic_partition_list_add(topics, pipe.input.c_str(), RD_KAFKA_PARTITION_UA);
  rd_kafka_resp_err_t e = rd_kafka_subscribe(pipe.consumer, topics);
  rd_kafka_topic_partition_list_destroy(topics);
  if (e != RD_KAFKA_RESP_ERR_NO_ERROR) Die(std::string("subscribe: ") + rd_kafka_err2str(e));

  double start = MonoSeconds();
  double last_commit = start;
  while (!g_stop.load()) {
    rd_kafka_message_t* m = rd_kafka_consumer_poll(pipe.consumer, 20);
    if (m != nullptr) {
      if (m->err == RD_KAFKA_RESP_ERR_NO_ERROR) {
        rd_kafka_timestamp_type_t tstype;
        int64_t ts = rd_kafka_message_timestamp(m, &tstype);
        for (;;) {
          e = rd_kafka_producev(pipe.producer, RD_KAFKA_V_TOPIC(pipe.output.c_str()),
                                RD_KAFKA_V_PARTITION(m->partition), RD_KAFKA_V_KEY(m->key, m->key_len),
                                RD_KAFKA_V_VALUE(m->payload, m->len), RD_KAFKA_V_TIMESTAMP(ts),
                                RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_END);
          if (e != RD_KAFKA_RESP_ERR__QUEUE_FULL) break;
          rd_kafka_poll(pipe.producer, 5);
        }
        if (e != RD_KAFKA_RESP_ERR_NO_ERROR) Die(std::string("produce: ") + rd_kafka_err2str(e));
        pipe.next[m->partition] = m->offset + 1;
        pipe.dirty = true;
        ++pipe.consumed;
      } else if (m->err != RD_KAFKA_RESP_ERR__PARTITION_EOF) {
        std::fprintf(stderr, "bench-tool: consume: %s\n", rd_kafka_message_errstr(m));
        char fatal[256];
        if (rd_kafka_fatal_error(pipe.consumer, fatal, sizeof(fatal)) != RD_KAFKA_RESP_ERR_NO_ERROR) {
          Die(std::string("consumer fatal error: ") + fatal);
        }
      }
      rd_kafka_message_destroy(m);
    }
    rd_kafka_poll(pipe.producer, 0);
    double now = MonoSeconds();
    if (now - last_commit >= interval) {
      pipe.Commit(true);
      last_commit = now;
    }
  }
  pipe.Commit(false);
  pipe.dirty = false;
  // Revocation on close finds nothing left to commit.
  rd_kafka_consumer_close(pipe.consumer);
  if (pipe.eos) {
    // The transaction begun after the last commit is empty.
    rd_kafka_error_t* aerr = rd_kafka_abort_transaction(pipe.producer, 30'000);
    if (aerr != nullptr) rd_kafka_error_destroy(aerr);
  }
  rd_kafka_flush(pipe.producer, 30'000);
  rd_kafka_destroy(pipe.consumer);
  rd_kafka_destroy(pipe.producer);
  double secs = MonoSeconds() - start;
  std::printf("{\"consumed\":%lld,\"commits\":%lld,\"seconds\":%s}\n", static_cast<long long>(pipe.consumed),
              static_cast<long long>(pipe.commits), Num(secs).c_str());
  return 0;
}

}  // namespace bench
