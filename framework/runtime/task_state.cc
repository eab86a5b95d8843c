#include "runtime/task_state.h"

#include <fcntl.h>
#include <spdlog/spdlog.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

namespace streamapp::runtime {
namespace {

using namespace std::chrono_literals;
constexpr const char* kCheckpointFile = ".checkpoint";
// A checkpoint only shortens restoration, so it need not follow every commit.
constexpr auto kCheckpointInterval = 10s;

}  // namespace

std::string ChangelogTopic(const std::string& application_id, const std::string& store) {
  return application_id + "-" + store + "-changelog";
}

TaskState::TaskState(TaskId task, StateEnv env, RecordCollector* collector)
    : task_(task), env_(std::move(env)), collector_(collector) {
  task_dir_ = env_.app_state_dir + "/" + task_.ToString();
}

TaskState::~TaskState() {
  Close();
}

Status TaskState::OpenAndRestore(const std::vector<StoreSpec>& specs, std::function<int64_t()> current_timestamp) {
  if (specs.empty()) return Status::Ok();
  if (env_.app_state_dir.empty()) return Status::InvalidArgument("stateful task without a state directory");
  RETURN_IF_ERROR(Lock());
  const std::string checkpoint_path = task_dir_ + "/" + kCheckpointFile;
  state::CheckpointOffsets checkpoint;
  auto read = state::ReadCheckpoint(checkpoint_path);
  if (read.ok()) {
    checkpoint = std::move(read).value();
    if (!env_.write_checkpoints) {
      // Exactly-once: from now on the stores take writes of transactions
      // that may abort, so a crash must find no checkpoint (and restore
      // from the changelog). A clean close writes a new one.
      std::error_code ec;
      std::filesystem::remove(checkpoint_path, ec);
      if (ec) return Status::IoError("cannot remove " + checkpoint_path + ": " + ec.message());
    }
  } else if (read.status().code() == StatusCode::kNotFound) {
    // No checkpoint: whatever is on disk may be ahead of or behind the
    // changelog. Start clean and restore everything.
    RETURN_IF_ERROR(state::WipeDirectory(task_dir_));
  } else {
    spdlog::warn("task {}: unreadable checkpoint ({}); wiping local state", task_.ToString(), read.status().ToString());
    RETURN_IF_ERROR(state::WipeDirectory(task_dir_));
  }
  std::error_code ec;
  std::filesystem::create_directories(task_dir_, ec);
  if (ec) return Status::IoError("cannot create " + task_dir_ + ": " + ec.message());

  for (const StoreSpec& spec : specs) {
    state::StoreContext ctx;
    ctx.task_dir = task_dir_;
    ctx.resources = env_.resources;
    ctx.cache = env_.cache;
    ctx.changelog = spec.logged ? this : nullptr;
    ctx.changelog_topic = ChangelogTopic(env_.application_id, spec.name);
    ctx.partition = task_.partition;
    ctx.current_timestamp = current_timestamp;
    ASSIGN_OR_RETURN(state::OpenedStore opened, state::OpenStore(spec, ctx));
    if (spec.logged && env_.restorer != nullptr) {
      kafka::TopicPartition tp{ctx.changelog_topic, task_.partition};
      std::optional<Offset> from;
      if (auto it = checkpoint.find({tp.topic, tp.partition.value()}); it != checkpoint.end())
        from = Offset(it->second);
      ASSIGN_OR_RETURN(RestoreResult restored, env_.restorer->Restore(tp, from, *opened.restore, spec.name));
      (void)restored;
    }
    stores_.emplace(spec.name, std::move(opened));
  }
  return Status::Ok();
}

StateStore* TaskState::Get(const std::string& name) const {
  auto it = stores_.find(name);
  return it == stores_.end() ? nullptr : it->second.store.get();
}

Status TaskState::Flush() {
  for (auto& [name, opened] : stores_) RETURN_IF_ERROR(opened.store->Flush().WithContext("flushing store " + name));
  return Status::Ok();
}

Status TaskState::Checkpoint(bool force) {
  if (stores_.empty() || env_.admin == nullptr) return Status::Ok();
  if (!env_.write_checkpoints && !force) return Status::Ok();  // exactly-once: only on a clean close
  const auto now = std::chrono::steady_clock::now();
  if (!force && now - last_checkpoint_ < kCheckpointInterval) return Status::Ok();
  last_checkpoint_ = now;
  state::CheckpointOffsets offsets;
  for (auto& [name, opened] : stores_) {
    RETURN_IF_ERROR(opened.restore->Persist().WithContext("persisting store " + name));
    // An in-memory store starts empty on every open: it must be restored
    // from the changelog's beginning, so it gets no checkpoint offset.
    if (!opened.store->spec().logged || opened.store->spec().in_memory) continue;
    // Only this task writes its changelog partition, so after the producer
    // flush its end offset is exactly what the local store reflects.
    const std::string topic = ChangelogTopic(env_.application_id, name);
    ASSIGN_OR_RETURN(kafka::Watermarks marks, env_.admin->QueryWatermarks({topic, task_.partition}, 30s));
    offsets[{topic, task_.partition.value()}] = marks.high.value();
  }
  return state::WriteCheckpoint(task_dir_ + "/" + kCheckpointFile, offsets);
}

Status TaskState::Lock() {
  // Next to the task directory, not in it: a wipe must not remove the lock.
  std::error_code ec;
  std::filesystem::create_directories(env_.app_state_dir, ec);
  if (ec) return Status::IoError("cannot create " + env_.app_state_dir + ": " + ec.message());
  const std::string path = task_dir_ + ".lock";
  lock_fd_ = ::open(path.c_str(), O_CREAT | O_RDWR | O_CLOEXEC, 0644);
  if (lock_fd_ < 0) return Status::IoError("cannot open " + path + ": " + std::strerror(errno));
  if (::flock(lock_fd_, LOCK_EX | LOCK_NB) != 0) {
    ::close(lock_fd_);
    lock_fd_ = -1;
    return Status::InvalidArgument("the state of task " + task_.ToString() + " in " + task_dir_ +
                                   " is locked by another worker; give every worker its own --state-dir");
  }
  return Status::Ok();
}

void TaskState::Close() {
  for (auto& [name, opened] : stores_) opened.store->Close();
  stores_.clear();
  if (lock_fd_ >= 0) {
    ::close(lock_fd_);  // releases the lock
    lock_fd_ = -1;
  }
}

Status TaskState::Send(const std::string& topic, PartitionId partition, std::string_view key,
                       std::optional<std::string_view> value, int64_t timestamp) {
  kafka::OutboundMessage m;
  m.topic = topic;
  m.partition = partition;
  m.key = key;
  m.value = value;
  m.timestamp = Timestamp(timestamp);
  return collector_->Send(m);
}

}  // namespace streamapp::runtime
