// The worker's metric families, from the snapshots its stream threads
// publish (summed over threads unless labelled otherwise).
#include <string>

#include "runtime/worker_view.h"
#include "state/stores.h"

namespace streamapp::runtime {
namespace {

using namespace std::chrono_literals;
using observe::Labels;
using observe::MetricFamily;
using observe::MetricType;

constexpr auto kSnapshotTimeout = 500ms;

MetricFamily Family(std::string name, MetricType type, std::string help) {
  return MetricFamily{std::move(name), std::move(help), type, {}};
}

template <typename Map>
void AddMap(std::map<std::string, uint64_t, std::less<>>& into, const Map& from) {
  for (const auto& [k, v] : from) into[k] += v;
}

}  // namespace

std::vector<MetricFamily> RuntimeView::CollectMetrics() {
  TaskMetrics total;
  std::vector<std::pair<std::string, ThreadSnapshot>> snapshots;
  std::map<std::pair<std::string, int32_t>, RestoreProgress> restoration;
  size_t running_tasks = 0, other_tasks = 0, ready_threads = 0;
  for (const auto& t : env_.threads) {
    (void)t->RefreshSnapshot(kSnapshotTimeout);  // else: the last one published
    ThreadSnapshot snap = t->Snapshot();
    const TaskMetrics& m = snap.metrics;
    total.consumed += m.consumed;
    total.processed += m.processed;
    total.produced += m.produced;
    total.skipped += m.skipped;
    total.dead_lettered += m.dead_lettered;
    total.late_dropped += m.late_dropped;
    total.transactions_committed += m.transactions_committed;
    total.transactions_aborted += m.transactions_aborted;
    total.recoveries += m.recoveries;
    total.rebalances += m.rebalances;
    AddMap(total.consumed_by_topic, m.consumed_by_topic);
    AddMap(total.produced_by_topic, m.produced_by_topic);
    for (const auto& [name, op] : m.operators) {
      OperatorMetrics& o = total.operators[name];
      o.records += op.records;
      o.process_seconds.Add(op.process_seconds);
    }
    total.e2e_latency.Add(m.e2e_latency);
    total.commit_latency.Add(m.commit_latency);
    for (const auto& [key, p] : t->Restoration()) {
      restoration[key].restored += p.restored;
      restoration[key].remaining = p.remaining;
    }
    for (const auto& [id, running] : t->Tasks()) ++(running ? running_tasks : other_tasks);
    if (t->Ready(nullptr)) ++ready_threads;
    snapshots.emplace_back(t->name(), std::move(snap));
  }

  std::vector<MetricFamily> out;
  auto by_topic = [&](const char* name, const char* help, const std::map<std::string, uint64_t, std::less<>>& m) {
    MetricFamily f = Family(name, MetricType::kCounter, help);
    for (const auto& [topic, n] : m) f.Add({{"topic", topic}}, static_cast<double>(n));
    out.push_back(std::move(f));
  };
  auto counter = [&](const char* name, const char* help, uint64_t v) {
    out.push_back(Family(name, MetricType::kCounter, help).Add({}, static_cast<double>(v)));
  };
  by_topic("records_consumed_total", "Records polled from Kafka, per topic.", total.consumed_by_topic);
  by_topic("records_produced_total",
           "Records the producer accepted, per topic (sinks, repartition and changelog topics, the DLQ).",
           total.produced_by_topic);
  counter("records_processed_total", "Input records that went through the topology.", total.processed);
  counter("records_skipped_total", "Records dropped by an on_error: skip handler.", total.skipped);
  counter("dlq_records_total", "Records written to the dead-letter topic.", total.dead_lettered);
  counter("late_records_dropped_total", "Records dropped because they arrived after a window's grace period.",
          total.late_dropped);
  counter("transactions_committed_total", "Transactions committed (exactly_once_v2).", total.transactions_committed);
  counter("transactions_aborted_total", "Transactions aborted (exactly_once_v2).", total.transactions_aborted);
  counter("rebalances_total", "Partition assignments received by the stream threads.", total.rebalances);
  counter("recoveries_total", "Task rewinds or group rejoins after a Kafka error.", total.recoveries);

  MetricFamily op_records = Family("operator_records_total", MetricType::kCounter, "Records each node received.");
  MetricFamily op_time = Family("operator_process_seconds", MetricType::kHistogram,
                                "Processing time per record of each operator, downstream work included (one record "
                                "in 16 is timed).");
  for (const auto& [name, op] : total.operators) {
    op_records.Add({{"operator", name}}, static_cast<double>(op.records));
    if (op.process_seconds.count > 0) op_time.AddHistogram({{"operator", name}}, op.process_seconds);
  }
  out.push_back(std::move(op_records));
  out.push_back(std::move(op_time));
  out.push_back(Family("record_e2e_latency_seconds", MetricType::kHistogram,
                       "Wall-clock time at a sink minus the record's timestamp.")
                    .AddHistogram({}, total.e2e_latency));
  out.push_back(Family("commit_latency_seconds", MetricType::kHistogram,
                       "Duration of a commit: cache flush, producer flush, offsets or transaction commit.")
                    .AddHistogram({}, total.commit_latency));

  MetricFamily lag = Family("consumer_lag_records", MetricType::kGauge,
                            "High watermark minus the consumer's position, per assigned partition.");
  MetricFamily keys = Family("store_estimated_keys", MetricType::kGauge, "Estimated keys per store partition.");
  MetricFamily disk = Family("store_disk_bytes", MetricType::kGauge, "Bytes on disk per store partition.");
  MetricFamily memtables =
      Family("rocksdb_memtable_bytes", MetricType::kGauge, "Bytes in the memtables of each RocksDB store partition.");
  MetricFamily live = Family("rocksdb_live_data_bytes", MetricType::kGauge,
                             "Estimated live data in the SST files of each RocksDB store partition.");
  for (const auto& [thread, snap] : snapshots) {
    for (const PartitionLag& l : snap.lag) {
      lag.Add({{"topic", l.topic}, {"partition", std::to_string(l.partition)}}, static_cast<double>(l.lag));
    }
    for (const StoreSize& s : snap.stores) {
      const Labels labels{{"store", s.store}, {"partition", std::to_string(s.partition)}};
      keys.Add(labels, static_cast<double>(s.keys));
      disk.Add(labels, static_cast<double>(s.disk_bytes));
      if (s.memtable_bytes) memtables.Add(labels, static_cast<double>(*s.memtable_bytes));
      if (s.live_data_bytes) live.Add(labels, static_cast<double>(*s.live_data_bytes));
    }
  }
  out.push_back(std::move(lag));

  MetricFamily restored = Family("restore_records_total", MetricType::kCounter,
                                 "Changelog records applied while restoring, per store partition.");
  MetricFamily remaining = Family("restore_remaining_records", MetricType::kGauge,
                                  "Changelog offsets left to restore, per store partition (0: restored).");
  for (const auto& [key, p] : restoration) {
    const Labels labels{{"store", key.first}, {"partition", std::to_string(key.second)}};
    restored.Add(labels, static_cast<double>(p.restored));
    remaining.Add(labels, static_cast<double>(p.remaining));
  }
  out.push_back(std::move(restored));
  out.push_back(std::move(remaining));
  out.push_back(std::move(keys));
  out.push_back(std::move(disk));
  out.push_back(std::move(memtables));
  out.push_back(std::move(live));
  if (env_.resources) {
    out.push_back(Family("rocksdb_memory_usage_bytes", MetricType::kGauge,
                         "Bytes in the worker's shared RocksDB block cache (memtables are charged to it).")
                      .Add({}, static_cast<double>(env_.resources->MemoryUsage())));
    out.push_back(Family("rocksdb_memory_budget_bytes", MetricType::kGauge,
                         "The RocksDB memory budget of the worker (state.memory.bytes).")
                      .Add({}, static_cast<double>(env_.resources->budget())));
  }
  out.push_back(Family("tasks", MetricType::kGauge, "Tasks of this worker by state.")
                    .Add({{"state", "running"}}, static_cast<double>(running_tasks))
                    .Add({{"state", "not_running"}}, static_cast<double>(other_tasks)));
  out.push_back(
      Family("stream_threads_ready", MetricType::kGauge, "Stream threads that are running with every task restored.")
          .Add({}, static_cast<double>(ready_threads)));
  return out;
}

}  // namespace streamapp::runtime
