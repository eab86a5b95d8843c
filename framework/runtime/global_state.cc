#include "runtime/global_state.h"

#include <spdlog/spdlog.h>

#include <filesystem>

namespace streamapp::runtime {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

constexpr const char* kCheckpointFile = ".checkpoint";
constexpr auto kCheckpointInterval = 10s;

}  // namespace

GlobalState::GlobalState(std::vector<dsl::GlobalTableSpec> tables, const StreamsConfig& config,
                         state::StateResources* resources)
    : specs_(std::move(tables)), config_(config), resources_(resources) {
  dir_ = config_.state_dir + "/" + config_.application_id + "/global";
}

GlobalState::~GlobalState() {
  (void)Stop();
}

Status GlobalState::Bootstrap() {
  kafka::Config common = config_.kafka;
  common["bootstrap.servers"] = config_.bootstrap_servers;
  common["client.id"] = config_.application_id + "-global";
  ASSIGN_OR_RETURN(admin_, kafka::MakeAdmin(common));
  kafka::Config consumer_config = common;
  consumer_config["group.id"] = config_.application_id + "-global";  // assignment only: never joins
  if (config_.guarantee == ProcessingGuarantee::kExactlyOnceV2) consumer_config["isolation.level"] = "read_committed";
  consumer_config["enable.partition.eof"] = "true";  // restoration ends at the partition's end
  ASSIGN_OR_RETURN(consumer_, kafka::MakeConsumer(consumer_config, nullptr));

  state::CheckpointOffsets checkpoint;
  auto read = state::ReadCheckpoint(dir_ + "/" + kCheckpointFile);
  if (read.ok()) {
    checkpoint = std::move(read).value();
  } else {
    RETURN_IF_ERROR(state::WipeDirectory(dir_));  // nothing vouches for what is on disk
  }
  std::error_code ec;
  std::filesystem::create_directories(dir_, ec);
  if (ec) return Status::IoError("cannot create " + dir_ + ": " + ec.message());

  ChangelogRestorer restorer(*consumer_, *admin_);
  for (const dsl::GlobalTableSpec& spec : specs_) {
    ASSIGN_OR_RETURN(int partitions, admin_->PartitionCount(spec.topic, 30s));
    StoreSpec store;
    store.name = spec.store;
    store.logged = false;  // the topic is the changelog
    store.cached = false;
    store.in_memory = false;  // RocksDB: read by stream threads while this one writes
    state::StoreContext ctx;
    ctx.task_dir = dir_;
    ctx.resources = resources_;
    ctx.current_timestamp = [] { return int64_t{0}; };
    ASSIGN_OR_RETURN(state::OpenedStore opened, state::OpenStore(store, ctx));
    auto* inner = dynamic_cast<KeyValueStore*>(opened.restore);
    if (inner == nullptr) return Status::Internal("global store " + spec.store + " has no key-value inner store");
    for (int p = 0; p < partitions; ++p) {
      kafka::TopicPartition tp{spec.topic, PartitionId(p)};
      std::optional<Offset> from;
      if (auto it = checkpoint.find({spec.topic, p}); it != checkpoint.end()) from = Offset(it->second);
      ASSIGN_OR_RETURN(RestoreResult restored, restorer.Restore(tp, from, *opened.restore, spec.store));
      positions_[tp] = restored.end;
    }
    stores_[spec.store] = inner;
    tables_.emplace(spec.topic, Table{spec, std::move(opened)});
    spdlog::info("global table {} loaded from {} partition(s) of {}", spec.name, partitions, spec.topic);
  }
  return Checkpoint();
}

void GlobalState::Start(const std::atomic<bool>& stop) {
  if (tables_.empty()) return;
  thread_ = std::thread([this, &stop] { Run(stop); });
}

void GlobalState::Run(const std::atomic<bool>& stop) {
  std::vector<kafka::PartitionOffset> assignment;
  for (const auto& [tp, offset] : positions_) assignment.push_back({tp, offset, ""});
  if (Status st = consumer_->Assign(assignment); !st.ok()) {
    thread_status_ = st;
    return;
  }
  auto last_checkpoint = Clock::now();
  std::vector<std::pair<std::string, std::optional<std::string>>> one(1);
  while (!stop.load()) {
    auto polled = consumer_->Poll(100ms);
    if (!polled.ok()) {
      thread_status_ = polled.status();
      spdlog::error("global tables: {}", thread_status_.ToString());
      return;
    }
    if (polled->has_value() && !(*polled)->partition_eof) {
      kafka::Message& m = **polled;
      auto it = tables_.find(m.topic);
      if (it != tables_.end() && m.key) {
        one[0] = {std::move(*m.key), std::move(m.value)};
        if (Status st = it->second.opened.restore->ApplyBatch(one); !st.ok()) {
          thread_status_ = st;
          spdlog::error("global table {}: {}", it->second.spec.name, st.ToString());
          return;
        }
      }
      positions_[{m.topic, m.partition}] = m.offset.Next();
    }
    if (Clock::now() - last_checkpoint >= kCheckpointInterval) {
      last_checkpoint = Clock::now();
      if (Status st = Checkpoint(); !st.ok()) spdlog::warn("global tables: checkpoint failed: {}", st.ToString());
    }
  }
}

Status GlobalState::Checkpoint() {
  state::CheckpointOffsets offsets;
  for (auto& [topic, table] : tables_) RETURN_IF_ERROR(table.opened.restore->Persist());
  for (const auto& [tp, offset] : positions_) offsets[{tp.topic, tp.partition.value()}] = offset.value();
  return state::WriteCheckpoint(dir_ + "/" + kCheckpointFile, offsets);
}

Status GlobalState::Stop() {
  if (thread_.joinable()) thread_.join();
  Status st = thread_status_;
  if (!tables_.empty() && st.ok()) st = Checkpoint();
  if (consumer_) (void)consumer_->Close();
  for (auto& [topic, table] : tables_) table.opened.store->Close();
  tables_.clear();
  stores_.clear();
  consumer_.reset();
  return st;
}

}  // namespace streamapp::runtime
