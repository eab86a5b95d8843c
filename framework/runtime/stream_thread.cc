#include "runtime/stream_thread.h"

#include <spdlog/spdlog.h>

#include <filesystem>
#include <thread>

namespace streamapp::runtime {
namespace {

using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

constexpr size_t kMaxPollsPerIteration = 500;
constexpr size_t kMaxRecordsPerIteration = 2000;

int64_t WallClockMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// Purging repartition records is an admin round trip: not on every commit.
constexpr auto kPurgeInterval = 5s;
// More recoveries than this within the window end the thread.
constexpr size_t kMaxRecoveries = 10;
constexpr auto kRecoveryWindow = 5min;
constexpr auto kFetchCommittedTimeout = 120s;
constexpr int64_t kOffsetBeginning = -2;  // librdkafka's RD_KAFKA_OFFSET_BEGINNING

}  // namespace

StreamThread::StreamThread(int index, std::shared_ptr<const dsl::TopologyData> topology, const StreamsConfig& config,
                           std::string client_id_prefix, const std::atomic<bool>& stop,
                           state::StateResources* resources, const std::map<std::string, KeyValueStore*>* global_stores,
                           kafka::ClientFactory* clients, std::shared_ptr<ThreadStatus> status)
    : index_(index),
      topology_(std::move(topology)),
      config_(config),
      client_id_(client_id_prefix + "-StreamThread-" + std::to_string(index)),
      // <application-id>-<process-id>-<thread>: unique per thread of a worker
      // run, so workers never fence each other; zombies are fenced by the
      // group generation that travels with the offsets (KIP-447).
      transactional_id_(config.guarantee == ProcessingGuarantee::kExactlyOnceV2
                            ? client_id_prefix + "-" + std::to_string(index)
                            : std::string()),
      stop_(stop),
      resources_(resources),
      global_stores_(global_stores),
      clients_(*clients),
      status_(std::move(status)) {}

Status StreamThread::CreateClients() {
  kafka::Config common = config_.kafka;
  common["bootstrap.servers"] = config_.bootstrap_servers;
  common["client.id"] = client_id_;

  producer_ = std::make_unique<StreamsProducer>(common, transactional_id_, &metrics_, clients_);
  RETURN_IF_ERROR(producer_->Init());
  RETURN_IF_ERROR(CreateConsumer());

  // Restoration reads changelogs by assignment, outside the group, up to
  // the end the consumer reports (past transaction markers).
  kafka::Config restore_config = common;
  restore_config["client.id"] = client_id_ + "-restore";
  restore_config["group.id"] = config_.application_id + "-restore";
  restore_config["fetch.max.bytes"] = "67108864";
  restore_config["max.partition.fetch.bytes"] = "16777216";
  restore_config["enable.partition.eof"] = "true";
  if (config_.guarantee == ProcessingGuarantee::kExactlyOnceV2) restore_config["isolation.level"] = "read_committed";
  ASSIGN_OR_RETURN(restore_consumer_, clients_.NewConsumer(restore_config, nullptr));
  ASSIGN_OR_RETURN(admin_, clients_.NewAdmin(common));
  restorer_ = std::make_unique<ChangelogRestorer>(*restore_consumer_, *admin_);
  restorer_->SetProgress(
      [status = status_.get()](const std::string& store, int32_t partition, uint64_t applied, int64_t remaining) {
        status->SetRestoreProgress(store, partition, applied, remaining);
      });
  cache_ = std::make_unique<state::ThreadCache>(config_.cache_max_bytes);

  TaskEnv env;
  env.collector = producer_.get();
  env.dlq_topic = config_.EffectiveDlqTopic();
  env.metrics = &metrics_;
  env.state.application_id = config_.application_id;
  env.state.app_state_dir = config_.state_dir + "/" + config_.application_id;
  env.state.resources = resources_;
  env.state.cache = cache_.get();
  env.state.restorer = restorer_.get();
  env.state.admin = admin_.get();
  env.state.write_checkpoints = config_.guarantee == ProcessingGuarantee::kAtLeastOnce;
  env.state.global_stores = global_stores_;
  env.max_task_idle = config_.max_task_idle;
  tasks_ = std::make_unique<TaskManager>(topology_, env);
  return Status::Ok();
}

Status StreamThread::CreateConsumer() {
  kafka::Config consumer_config = config_.kafka;
  consumer_config["bootstrap.servers"] = config_.bootstrap_servers;
  consumer_config["client.id"] = client_id_;
  consumer_config["group.id"] = config_.application_id;
  // Tasks learn from end-of-partition events that an empty partition has
  // nothing older to deliver (StreamTask::NextQueue).
  consumer_config["enable.partition.eof"] = "true";
  if (config_.guarantee == ProcessingGuarantee::kExactlyOnceV2) consumer_config["isolation.level"] = "read_committed";
  ASSIGN_OR_RETURN(consumer_, clients_.NewConsumer(consumer_config, this));
  std::vector<std::string> topics;
  for (const auto& [topic, node] : topology_->source_node_of_topic) topics.push_back(topic);
  RETURN_IF_ERROR(consumer_->Subscribe(topics));
  spdlog::info("{}: consuming {}", client_id_, fmt::join(topics, ", "));
  return Status::Ok();
}

Status StreamThread::Run() {
  state_ = State::kStarting;
  if (Status st = CreateClients(); !st.ok()) {
    status_->Close();
    Shutdown(false);
    state_ = State::kDead;
    return st;
  }
  if (producer_->exactly_once()) spdlog::info("{}: exactly-once, transactional.id {}", client_id_, transactional_id_);
  state_ = State::kRunning;
  status_->SetRunning(true);
  last_commit_ = last_log_ = Clock::now();

  Status failure;
  while (!stop_.load(std::memory_order_relaxed)) {
    // Buffered records that could not be processed last time wait for
    // another partition (max.task.idle.ms): poll briefly rather than spin.
    const bool busy = tasks_->buffered() > 0;
    failure = PollOnce(!busy ? 100ms : processed_last_batch_ ? 0ms : 10ms);
    if (failure.ok()) failure = std::exchange(callback_error_, Status::Ok());
    if (failure.ok()) failure = ProcessBatch();
    if (failure.ok()) {
      UpdatePauses();
      if (Clock::now() - last_commit_ >= config_.CommitInterval()) failure = Commit();
    }
    if (failure.ok()) {
      producer_->Poll();
      const int64_t now_ms = WallClockMs();
      for (const auto& [id, task] : tasks_->tasks()) {
        failure = task->PunctuateWallClock(now_ms);
        if (!failure.ok()) break;
      }
    }
    if (!failure.ok()) {
      if (!Recover(failure)) break;
      failure = Status::Ok();
    }
    LogThroughput(false);
    ServeEndpoint();
  }
  state_ = State::kPendingShutdown;
  status_->Close();  // from now on the endpoint hears "not running"; tasks close below
  if (!failure.ok()) {
    spdlog::error("{}: {}", client_id_, failure.ToString());
    Shutdown(false);
    return failure;
  }
  Shutdown(true);
  return callback_error_;
}

bool StreamThread::Recover(const Status& error) {
  const StatusCode code = error.code();
  if (code != StatusCode::kAbortable && code != StatusCode::kFenced && code != StatusCode::kFatal) return false;
  // A Kafka error that keeps coming back is not transient: give up then.
  const auto now = Clock::now();
  std::erase_if(recoveries_, [&](auto t) { return now - t > kRecoveryWindow; });
  if (recoveries_.size() >= kMaxRecoveries) {
    spdlog::error("{}: {} recoveries within {} s; giving up", client_id_, recoveries_.size(),
                  std::chrono::duration_cast<std::chrono::seconds>(kRecoveryWindow).count());
    return false;
  }
  recoveries_.push_back(now);
  ++metrics_.recoveries;
  Status st = error;
  if (code == StatusCode::kAbortable && producer_->exactly_once()) {
    spdlog::warn("{}: aborting the transaction and rewinding every task to its committed offsets: {}", client_id_,
                 error.message());
    st = producer_->Abort();
    if (st.ok()) st = RewindTasks();
    if (st.ok()) return true;
    spdlog::warn("{}: rewinding failed ({}); rejoining instead", client_id_, st.ToString());
  } else {
    spdlog::warn("{}: {}; closing the tasks dirty, replacing the producer and rejoining the group", client_id_,
                 error.message());
  }
  st = Rejoin();
  if (!st.ok()) {
    spdlog::error("{}: rejoining failed: {}", client_id_, st.ToString());
    return false;
  }
  return true;
}

Status StreamThread::RewindTasks() {
  status_->BeginRebalance();
  std::vector<kafka::TopicPartition> assignment = consumer_->Assignment();
  tasks_->CloseAll(false);  // drops caches; exactly-once state is rebuilt from the changelogs
  for (const auto& tp : paused_) (void)consumer_->Resume({tp});
  paused_.clear();
  if (assignment.empty()) return Status::Ok();
  ASSIGN_OR_RETURN(std::vector<kafka::PartitionOffset> committed, FetchCommitted(assignment));
  for (const kafka::PartitionOffset& po : committed) {
    // No committed offset: auto.offset.reset (earliest) applies.
    const Offset to = po.offset.valid() ? po.offset : Offset(kOffsetBeginning);
    RETURN_IF_ERROR(consumer_->Seek({po.tp, to, ""}, 30s));
  }
  RETURN_IF_ERROR(tasks_->CreateTasks(assignment));
  tasks_->RestoreStreamTimes(committed);
  PublishTasks();
  spdlog::info("{}: tasks rewound to their committed offsets: {}", client_id_, tasks_->TaskIdList());
  return Status::Ok();
}

Status StreamThread::Rejoin() {
  // Closing leaves the group; its revocation closes the tasks dirty.
  status_->BeginRebalance();
  commit_on_revoke_ = false;
  if (consumer_) (void)consumer_->Close();
  tasks_->CloseAll(false);
  paused_.clear();
  consumer_.reset();
  commit_on_revoke_ = true;
  RETURN_IF_ERROR(producer_->Reset());
  return CreateConsumer();
}

Result<std::vector<kafka::PartitionOffset>> StreamThread::FetchCommitted(
    const std::vector<kafka::TopicPartition>& partitions) {
  // Under read_committed the broker answers only once no open transaction
  // holds offsets of these partitions (a crashed owner's, until it times out).
  const auto deadline = Clock::now() + kFetchCommittedTimeout;
  for (;;) {
    auto committed = consumer_->Committed(partitions, 30s);
    if (committed.ok() || Clock::now() >= deadline) return committed;
    spdlog::info("{}: committed offsets not available yet ({}); retrying", client_id_, committed.status().message());
    std::this_thread::sleep_for(500ms);
  }
}

Status StreamThread::PollOnce(std::chrono::milliseconds timeout) {
  for (size_t i = 0; i < kMaxPollsPerIteration; ++i) {
    ASSIGN_OR_RETURN(std::optional<kafka::Message> message, consumer_->Poll(i == 0 ? timeout : 0ms));
    if (!message) return Status::Ok();
    if (message->partition_eof) {
      if (StreamTask* task = tasks_->TaskFor({message->topic, message->partition})) task->MarkEndOfPartition(*message);
      continue;
    }
    ++metrics_.consumed;
    TaskMetrics::Count(metrics_.consumed_by_topic, message->topic);
    StreamTask* task = tasks_->TaskFor({message->topic, message->partition});
    if (task == nullptr) continue;  // from a partition revoked in the meantime
    PartitionQueue* queue = task->Enqueue(std::move(*message));
    if (queue != nullptr && queue->records.size() >= config_.max_buffered_per_partition && !paused_.count(queue->tp)) {
      RETURN_IF_ERROR(consumer_->Pause({queue->tp}));
      paused_.insert(queue->tp);
    }
  }
  return Status::Ok();
}

Status StreamThread::ProcessBatch() {
  // Round-robin over tasks, a bounded amount per iteration so that polling
  // (and with it group membership) never starves.
  size_t done = 0;
  bool progress = true;
  while (progress && done < kMaxRecordsPerIteration) {
    progress = false;
    for (const auto& [id, task] : tasks_->tasks()) {
      task->SetWallClock(WallClockMs());
      for (int i = 0; i < 100; ++i) {
        ASSIGN_OR_RETURN(bool processed, task->ProcessOne());
        if (!processed) break;
        progress = true;
        ++done;
      }
    }
  }
  processed_last_batch_ = done > 0;
  return Status::Ok();
}

void StreamThread::UpdatePauses() {
  // Only partitions we paused are resumed (librdkafka 2.0.2 refetches stale
  // data when an unpaused partition is resumed).
  for (auto it = paused_.begin(); it != paused_.end();) {
    StreamTask* task = tasks_->TaskFor(*it);
    PartitionQueue* q = task ? task->queues().Find(*it) : nullptr;
    if (q == nullptr || q->records.size() <= config_.max_buffered_per_partition / 2) {
      if (q != nullptr) {
        if (Status st = consumer_->Resume({*it}); !st.ok()) spdlog::warn("{}: {}", client_id_, st.ToString());
      }
      it = paused_.erase(it);
    } else {
      ++it;
    }
  }
}

Status StreamThread::Commit() {
  const auto start = Clock::now();
  Status st = CommitOnce();
  metrics_.commit_latency.Observe(std::chrono::duration<double>(Clock::now() - start).count());
  return st;
}

Status StreamThread::CommitOnce() {
  last_commit_ = Clock::now();
  // Caches first (they forward what they folded), then the output: no
  // offset is committed past a record whose output is not acknowledged.
  for (const auto& [id, task] : tasks_->tasks()) RETURN_IF_ERROR(task->FlushState());
  std::vector<kafka::PartitionOffset> offsets = tasks_->CommittableOffsets();
  Status st = producer_->Commit(offsets, *consumer_);
  if (st.ok()) {
    tasks_->MarkCommitted();
    for (const auto& [id, task] : tasks_->tasks()) {
      if (Status cp = task->Checkpoint(); !cp.ok()) {
        spdlog::warn("{}: checkpoint of task {} failed: {}", client_id_, id.ToString(), cp.ToString());
      }
    }
    for (const auto& po : offsets) {
      if (topology_->repartition_topics.count(po.tp.topic)) purge_offsets_[po.tp] = po.offset;
    }
    if (Clock::now() - last_purge_ >= kPurgeInterval) {
      last_purge_ = Clock::now();
      std::vector<kafka::PartitionOffset> purge;
      for (const auto& [tp, offset] : purge_offsets_) purge.push_back({tp, offset, ""});
      purge_offsets_.clear();
      PurgeRepartitionTopics(purge);
    }
    return st;
  }
  if (producer_->exactly_once()) {
    // Whatever failed, this transaction cannot commit any more: abort it
    // (fencing and fatal errors replace the producer instead).
    if (st.code() == StatusCode::kFenced || st.code() == StatusCode::kFatal) return st;
    return Status::Abortable(st.message());
  }
  if (st.code() == StatusCode::kRetriable || st.code() == StatusCode::kTimedOut) {
    // The offsets stay dirty and go with the next commit.
    spdlog::warn("{}: commit failed, will retry: {}", client_id_, st.ToString());
    return Status::Ok();
  }
  return st;
}

void StreamThread::PurgeRepartitionTopics(const std::vector<kafka::PartitionOffset>& committed) {
  std::vector<kafka::PartitionOffset> purge;
  for (const auto& po : committed) {
    if (topology_->repartition_topics.count(po.tp.topic)) purge.push_back({po.tp, po.offset, ""});
  }
  if (purge.empty()) return;
  // Consumed repartition records are never read again: free the broker's disk.
  if (Status st = admin_->DeleteRecords(purge, 30s); !st.ok()) {
    spdlog::warn("{}: purging repartition topics failed: {}", client_id_, st.ToString());
  }
}

void StreamThread::OnPartitionsRevoked(const std::vector<kafka::TopicPartition>& partitions) {
  status_->BeginRebalance();
  bool committed = false;
  if (commit_on_revoke_ && !tasks_->tasks().empty()) {
    Status st = Commit();
    committed = st.ok();
    const StatusCode code = st.code();
    if (code == StatusCode::kAbortable || code == StatusCode::kFenced || code == StatusCode::kFatal ||
        code == StatusCode::kRetriable || code == StatusCode::kTimedOut) {
      // The tasks go anyway: their uncommitted work is dropped (at-least-once:
      // the next owner processes it again).
      spdlog::warn("{}: commit on revocation failed; closing the tasks dirty: {}", client_id_, st.ToString());
      Status aborted = code == StatusCode::kAbortable ? producer_->Abort() : st;
      if (!aborted.ok() && producer_->exactly_once() && callback_error_.ok()) {
        callback_error_ = Status::Fatal("the producer cannot go on after '" + st.message() + "'");
      }
    } else if (!st.ok()) {
      spdlog::error("{}: commit on revocation failed: {}", client_id_, st.ToString());
      if (callback_error_.ok()) callback_error_ = st;
    }
  }
  tasks_->CloseAll(committed);
  paused_.clear();  // unassign() forgets pauses
  spdlog::info("{}: partitions revoked; tasks closed", client_id_);
}

void StreamThread::OnPartitionsAssigned(const std::vector<kafka::TopicPartition>& partitions) {
  ++metrics_.rebalances;
  status_->BeginRebalance();
  // Before restoring: under exactly-once this waits out a crashed owner's
  // open transaction, whose changelog writes must not be restored.
  auto committed = FetchCommitted(partitions);
  Status st = committed.status();
  if (st.ok()) st = tasks_->CreateTasks(partitions);
  if (!st.ok()) {
    spdlog::error("{}: creating tasks failed: {}", client_id_, st.ToString());
    if (callback_error_.ok()) callback_error_ = st;
    PublishTasks();
    return;
  }
  tasks_->RestoreStreamTimes(*committed);
  PublishTasks();
  spdlog::info("{}: assigned {} partition(s); tasks: {}", client_id_, partitions.size(), tasks_->TaskIdList());
}

void StreamThread::LogThroughput(bool force) {
  const auto now = Clock::now();
  const auto elapsed = now - last_log_;
  if (!force && elapsed < config_.throughput_log_interval) return;
  const double secs = std::chrono::duration<double>(elapsed).count();
  if (secs <= 0) return;
  spdlog::info(
      "{}: {:.0f} rec/s in, {:.0f} rec/s out; totals: consumed {}, processed {}, produced {}, dead-lettered {}, "
      "skipped {}, late-dropped {}; transactions: committed {}, aborted {}; recoveries {}; tasks: {}",
      client_id_, (metrics_.consumed - last_logged_.consumed) / secs,
      (metrics_.produced - last_logged_.produced) / secs, metrics_.consumed, metrics_.processed, metrics_.produced,
      metrics_.dead_lettered, metrics_.skipped, metrics_.late_dropped, metrics_.transactions_committed,
      metrics_.transactions_aborted, metrics_.recoveries, tasks_ ? tasks_->TaskIdList() : "(none)");
  last_logged_ = metrics_;
  last_log_ = now;
}

void StreamThread::Shutdown(bool clean) {
  if (consumer_) {
    if (clean) {
      if (Status st = Commit(); !st.ok()) {
        spdlog::error("{}: final commit failed: {}", client_id_, st.ToString());
        clean = false;
      }
      std::vector<kafka::PartitionOffset> purge;
      for (const auto& [tp, offset] : purge_offsets_) purge.push_back({tp, offset, ""});
      purge_offsets_.clear();
      PurgeRepartitionTopics(purge);
    }
    // Closing leaves the group; its revocation must not commit after a failure.
    commit_on_revoke_ = clean;
    if (Status st = consumer_->Close(); !st.ok()) spdlog::warn("{}: {}", client_id_, st.ToString());
  }
  if (tasks_) tasks_->CloseAll();
  // An open transaction would hold back read_committed readers until it times out.
  if (producer_ && !clean) (void)producer_->Abort();
  LogThroughput(true);
  state_ = State::kDead;
}

void StreamThread::PublishTasks() {
  std::map<TaskId, bool> running;
  for (const auto& [id, task] : tasks_->tasks()) running[id] = task->state() == StreamTask::State::kRunning;
  status_->SetTasks(std::move(running));
}

void StreamThread::ServeEndpoint() {
  if (status_->snapshot_requested()) status_->SetSnapshot(TakeSnapshot());
  status_->RunQueries(tasks_.get());
}

ThreadSnapshot StreamThread::TakeSnapshot() {
  ThreadSnapshot snap;
  snap.metrics = metrics_;
  if (consumer_) {
    for (const kafka::TopicPartition& tp : consumer_->Assignment()) {
      if (std::optional<int64_t> lag = consumer_->CachedLag(tp))
        snap.lag.push_back({tp.topic, tp.partition.value(), *lag});
    }
  }
  for (const auto& [id, task] : tasks_->tasks()) {
    const TaskState* ts = task->task_state();
    if (ts == nullptr) continue;
    for (const auto& [name, opened] : ts->stores()) {
      StoreSize size{name, id.partition.value(), 0, 0, std::nullopt, std::nullopt};
      if (opened.restore != nullptr) {
        size.memtable_bytes = opened.restore->IntProperty("rocksdb.cur-size-all-mem-tables");
        size.live_data_bytes = opened.restore->IntProperty("rocksdb.estimate-live-data-size");
      }
      if (auto* kv = dynamic_cast<KeyValueStore*>(opened.store.get())) {
        if (auto n = kv->ApproximateCount(); n.ok()) size.keys = *n;
      }
      std::error_code ec;
      for (std::filesystem::recursive_directory_iterator it(ts->task_dir() + "/" + name, ec), end; !ec && it != end;
           it.increment(ec)) {
        if (it->is_regular_file(ec)) size.disk_bytes += it->file_size(ec);
      }
      snap.stores.push_back(std::move(size));
    }
  }
  return snap;
}

}  // namespace streamapp::runtime
