#include "runtime/worker_view.h"

#include <algorithm>
#include <condition_variable>
#include <limits>
#include <mutex>

#include "runtime/task_manager.h"
#include "state/stores.h"

namespace streamapp::runtime {
namespace {

using namespace std::chrono_literals;
using observe::StoreAnswer;
using observe::StoreEntry;
using observe::StoreQuery;

constexpr auto kQueryTimeout = 5s;
constexpr size_t kMaxRangeEntries = 1000;

// An answer a stream thread fills in for a waiting HTTP request. Shared:
// the request may give up before the thread gets to it.
struct PendingAnswer {
  std::mutex mu;
  std::condition_variable cv;
  size_t outstanding = 0;
  StoreAnswer answer;

  void Done() {
    {
      std::lock_guard lock(mu);
      --outstanding;
    }
    cv.notify_all();
  }
};

Result<int64_t> ParseTime(const std::optional<std::string>& s, int64_t fallback, const char* what) {
  if (!s || s->empty()) return fallback;
  try {
    size_t used = 0;
    const int64_t v = std::stoll(*s, &used);
    if (used == s->size()) return v;
  } catch (const std::exception&) {
  }
  return Status::InvalidArgument(std::string(what) + ": expected a timestamp in milliseconds, got '" + *s + "'");
}

// Runs on the stream thread: reads `query` from the task's store.
Status ReadStore(const StreamTask& task, const StoreQuery& query, std::vector<StoreEntry>& out) {
  StateStore* store = task.store(query.store);
  if (store == nullptr) return Status::NotFound("task " + task.id().ToString() + " has no store " + query.store);
  if (auto* window = dynamic_cast<WindowStore*>(store)) {
    if (!query.key) return Status::InvalidArgument("a window store is queried by key: /stores/<store>/<key>?from=&to=");
    ASSIGN_OR_RETURN(int64_t from, ParseTime(query.from, 0, "from"));
    ASSIGN_OR_RETURN(int64_t to, ParseTime(query.to, std::numeric_limits<int64_t>::max(), "to"));
    return window->Fetch(*query.key, from, to, [&](std::string_view key, int64_t start, std::string_view value) {
      out.push_back({std::string(key), std::string(value), start});
      return out.size() < kMaxRangeEntries;
    });
  }
  auto* kv = dynamic_cast<KeyValueStore*>(store);
  if (kv == nullptr) return Status::InvalidArgument("store " + query.store + " cannot be queried (session store)");
  if (query.key) {
    ASSIGN_OR_RETURN(std::optional<std::string> value, kv->Get(*query.key));
    if (value) out.push_back({*query.key, std::move(*value), std::nullopt});
    return Status::Ok();
  }
  // `to` is inclusive: the exclusive bound just after it.
  std::string to = query.to ? *query.to + std::string(1, '\0') : std::string();
  return kv->Range(query.from.value_or(""), to, [&](std::string_view key, std::string_view value) {
    out.push_back({std::string(key), std::string(value), std::nullopt});
    return out.size() < kMaxRangeEntries;
  });
}

}  // namespace

int32_t PartitionForKey(std::string_view key, int32_t partitions) {
  constexpr uint32_t kSeed = 0x9747b28c, kM = 0x5bd1e995;
  constexpr int kR = 24;
  const auto* data = reinterpret_cast<const unsigned char*>(key.data());
  const size_t length = key.size();
  uint32_t h = kSeed ^ static_cast<uint32_t>(length);
  const size_t blocks = length / 4;
  for (size_t i = 0; i < blocks; ++i) {
    const size_t i4 = i * 4;
    uint32_t k = uint32_t{data[i4]} | (uint32_t{data[i4 + 1]} << 8) | (uint32_t{data[i4 + 2]} << 16) |
                 (uint32_t{data[i4 + 3]} << 24);
    k *= kM;
    k ^= k >> kR;
    k *= kM;
    h *= kM;
    h ^= k;
  }
  const size_t tail = length & ~size_t{3};
  switch (length % 4) {
    case 3: h ^= uint32_t{data[tail + 2]} << 16; [[fallthrough]];
    case 2: h ^= uint32_t{data[tail + 1]} << 8; [[fallthrough]];
    case 1: h ^= uint32_t{data[tail]}; h *= kM;
  }
  h ^= h >> 13;
  h *= kM;
  h ^= h >> 15;
  return static_cast<int32_t>((h & 0x7fffffff) % static_cast<uint32_t>(std::max(partitions, 1)));
}

RuntimeView::RuntimeView(RuntimeViewEnv env) : env_(std::move(env)) {
  for (const dsl::Subtopology& sub : env_.topology->subtopologies) {
    for (int n : sub.nodes) {
      const dsl::GraphNode& node = env_.topology->nodes[static_cast<size_t>(n)];
      if (!node.op) continue;
      for (const StoreSpec& spec : node.op->stores()) store_subtopology_.emplace(spec.name, sub.id);
    }
  }
}

observe::Readiness RuntimeView::Ready() {
  observe::Readiness r;
  size_t tasks = 0;
  for (const auto& t : env_.threads) {
    if (!t->Ready(&r.reason)) return r;
    tasks += t->Tasks().size();
  }
  r.ready = true;
  r.reason = std::to_string(env_.threads.size()) + " stream thread(s), " + std::to_string(tasks) + " task(s) running";
  return r;
}

StoreAnswer RuntimeView::QueryStore(const StoreQuery& query) {
  auto it = store_subtopology_.find(query.store);
  if (it == store_subtopology_.end()) {
    std::string names;
    for (const auto& [name, sub] : store_subtopology_) names += (names.empty() ? "" : ", ") + name;
    return {Status::NotFound("no store named '" + query.store + "'" +
                             (names.empty() ? std::string("; the topology has no stores") : "; stores: " + names)),
            {},
            std::nullopt,
            {}};
  }
  return query.key ? QueryKey(query, it->second) : QueryRange(query, it->second);
}

StoreAnswer RuntimeView::QueryKey(const StoreQuery& query, int subtopology) {
  auto count = env_.partitions.find(subtopology);
  const int32_t partitions = count == env_.partitions.end() ? 1 : count->second;
  const TaskId id{subtopology, PartitionId(PartitionForKey(*query.key, partitions))};
  StoreAnswer answer;
  answer.partition = id.partition.value();
  ThreadStatus* owner = nullptr;
  bool here_not_ready = false;
  for (const auto& t : env_.threads) {
    if (t->HostsTask(id)) owner = t.get();
    if (t->HasTask(id)) here_not_ready = true;
  }
  if (owner == nullptr && here_not_ready) {
    // Hosted here but restoring or rebalancing: not another worker's business.
    answer.status = Status::Cancelled("task " + id.ToString() + " of store '" + query.store +
                                      "' is restoring or rebalancing on this worker; retry");
    return answer;
  }
  if (owner == nullptr) {
    answer.owner = OwnerOf(id);
    answer.status = Status::NotFound(
        "partition " + std::to_string(id.partition.value()) + " of store '" + query.store + "' (task " + id.ToString() +
        ") is not hosted by this worker; " +
        (answer.owner.empty() ? std::string("ask the worker that owns it") : "it is hosted by " + answer.owner));
    return answer;
  }
  auto pending = std::make_shared<PendingAnswer>();
  pending->outstanding = 1;
  pending->answer.partition = answer.partition;
  owner->Post([pending, query, id](const TaskManager* tasks) {
    StoreAnswer& a = pending->answer;  // only this closure writes it until Done()
    if (tasks == nullptr) {
      a.status = Status::Cancelled("the stream thread is stopping");
    } else if (auto it = tasks->tasks().find(id);
               it == tasks->tasks().end() || !it->second || it->second->state() != StreamTask::State::kRunning) {
      a.status = Status::Cancelled("task " + id.ToString() + " moved or is not running; retry");
    } else {
      a.status = ReadStore(*it->second, query, a.entries);
    }
    pending->Done();
  });
  std::unique_lock lock(pending->mu);
  if (!pending->cv.wait_for(lock, kQueryTimeout, [&] { return pending->outstanding == 0; })) {
    answer.status = Status::TimedOut("the stream thread did not answer in time (restoring or rebalancing?)");
    return answer;
  }
  return pending->answer;
}

std::string RuntimeView::OwnerOf(const TaskId& id) {
  if (!env_.groups) return "";
  std::string topic;
  for (const dsl::Subtopology& sub : env_.topology->subtopologies) {
    if (sub.id == id.subtopology && !sub.source_topics.empty()) topic = sub.source_topics.front();
  }
  auto group = env_.groups->DescribeGroup(env_.group, 5s);
  if (!group.ok()) return "";
  for (const kafka::GroupMember& m : group->members) {
    for (const kafka::TopicPartition& tp : m.assignment) {
      if (tp.topic == topic && tp.partition == id.partition) return m.client_id + " (" + m.host + ")";
    }
  }
  return "";
}

StoreAnswer RuntimeView::QueryRange(const StoreQuery& query, int subtopology) {
  struct Shared {
    std::mutex mu;
    std::condition_variable cv;
    size_t outstanding = 0;
    std::vector<StoreEntry> entries;
    Status status;
  };
  auto shared = std::make_shared<Shared>();
  shared->outstanding = env_.threads.size();
  for (const auto& t : env_.threads) {
    t->Post([shared, query, subtopology](const TaskManager* tasks) {
      std::vector<StoreEntry> found;
      Status st;
      if (tasks != nullptr) {
        for (const auto& [id, task] : tasks->tasks()) {
          if (id.subtopology != subtopology || task->state() != StreamTask::State::kRunning) continue;
          st = ReadStore(*task, query, found);
          if (!st.ok()) break;
        }
      }
      {
        std::lock_guard lock(shared->mu);
        for (auto& e : found) shared->entries.push_back(std::move(e));
        if (!st.ok() && shared->status.ok()) shared->status = st;
        --shared->outstanding;
      }
      shared->cv.notify_all();
    });
  }
  StoreAnswer answer;
  std::unique_lock lock(shared->mu);
  if (!shared->cv.wait_for(lock, kQueryTimeout, [&] { return shared->outstanding == 0; })) {
    answer.status = Status::TimedOut("a stream thread did not answer in time (restoring or rebalancing?)");
    return answer;
  }
  answer.status = shared->status;
  answer.entries = std::move(shared->entries);
  std::sort(answer.entries.begin(), answer.entries.end(),
            [](const StoreEntry& a, const StoreEntry& b) { return a.key < b.key; });
  if (answer.entries.size() > kMaxRangeEntries) answer.entries.resize(kMaxRangeEntries);
  return answer;
}

}  // namespace streamapp::runtime
