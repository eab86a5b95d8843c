// Join operators; semantics in join_ops.h.
#include "dsl/join_ops.h"

#include <algorithm>
#include <cstring>
#include <limits>
#include <map>
#include <mutex>
#include <utility>
#include <vector>

#include "dsl/agg_common.h"

namespace streamapp::dsl {
namespace {

constexpr int64_t kMinTime = std::numeric_limits<int64_t>::min();
constexpr int64_t kMaxTime = std::numeric_limits<int64_t>::max();

// ---- binary value encoding ----

enum Tag : uint8_t { kNull, kFalse, kTrue, kInt, kDouble, kString, kBytes, kArray, kObject };

void AppendU32(std::string* out, uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8) out->push_back(static_cast<char>((v >> shift) & 0xff));
}
void AppendU64(std::string* out, uint64_t v) {
  for (int shift = 56; shift >= 0; shift -= 8) out->push_back(static_cast<char>((v >> shift) & 0xff));
}

class Reader {
 public:
  explicit Reader(std::string_view in) : in_(in) {}
  bool U8(uint8_t* v) {
    if (in_.empty()) return false;
    *v = static_cast<uint8_t>(in_[0]);
    in_.remove_prefix(1);
    return true;
  }
  bool U32(uint32_t* v) {
    uint64_t w = 0;
    if (!Big(4, &w)) return false;
    *v = static_cast<uint32_t>(w);
    return true;
  }
  bool U64(uint64_t* v) { return Big(8, v); }
  bool Bytes(size_t n, std::string_view* v) {
    if (in_.size() < n) return false;
    *v = in_.substr(0, n);
    in_.remove_prefix(n);
    return true;
  }
  bool LengthPrefixed(std::string_view* v) {
    uint32_t n = 0;
    return U32(&n) && Bytes(n, v);
  }
  bool empty() const { return in_.empty(); }

 private:
  bool Big(size_t n, uint64_t* v) {
    if (in_.size() < n) return false;
    uint64_t w = 0;
    for (size_t i = 0; i < n; ++i) w = (w << 8) | static_cast<uint8_t>(in_[i]);
    in_.remove_prefix(n);
    *v = w;
    return true;
  }
  std::string_view in_;
};

bool ReadValue(Reader& r, Value* out, int depth) {
  if (depth > 200) return false;
  uint8_t tag = 0;
  if (!r.U8(&tag)) return false;
  switch (tag) {
    case kNull: *out = Value(); return true;
    case kFalse: *out = Value(false); return true;
    case kTrue: *out = Value(true); return true;
    case kInt: {
      uint64_t v = 0;
      if (!r.U64(&v)) return false;
      *out = Value(static_cast<int64_t>(v));
      return true;
    }
    case kDouble: {
      uint64_t bits = 0;
      if (!r.U64(&bits)) return false;
      double d = 0;
      std::memcpy(&d, &bits, sizeof d);
      *out = Value(d);
      return true;
    }
    case kString:
    case kBytes: {
      std::string_view s;
      if (!r.LengthPrefixed(&s)) return false;
      *out = tag == kString ? Value(std::string(s)) : Value(Value::Bytes{std::string(s)});
      return true;
    }
    case kArray: {
      uint32_t n = 0;
      if (!r.U32(&n)) return false;
      Value::Array items;
      for (uint32_t i = 0; i < n; ++i) {
        Value item;
        if (!ReadValue(r, &item, depth + 1)) return false;
        items.push_back(std::move(item));
      }
      *out = Value(std::move(items));
      return true;
    }
    case kObject: {
      uint32_t n = 0;
      if (!r.U32(&n)) return false;
      Value::Object fields;
      for (uint32_t i = 0; i < n; ++i) {
        std::string_view name;
        Value v;
        if (!r.LengthPrefixed(&name) || !ReadValue(r, &v, depth + 1)) return false;
        fields.push_back(Field{std::string(name), std::move(v)});
      }
      *out = Value(std::move(fields));
      return true;
    }
    default: return false;
  }
}

// ---- shared helpers ----

bool Holds(JoinType type, bool left_present, bool right_present) {
  switch (type) {
    case JoinType::kInner: return left_present && right_present;
    case JoinType::kLeft: return left_present;
    case JoinType::kOuter: return left_present || right_present;
  }
  return false;
}

template <typename StoreT>
Result<StoreT*> StoreOf(ProcessorContext& ctx, const std::string& name, StoreKind kind, std::string_view op) {
  StateStore* store = ctx.GetStateStore(name);
  if (!store) return Status::Internal(std::string(op) + ": store '" + name + "' is not available to this task");
  if (store->spec().kind != kind) {
    return Status::Internal(std::string(op) + ": store '" + name + "' is a " +
                            std::string(StoreKindName(store->spec().kind)) + " store, expected a " +
                            std::string(StoreKindName(kind)) + " store");
  }
  return static_cast<StoreT*>(store);
}

Result<Value> CallJoiner(const ValueJoiner& joiner, const Record& left, const Value& right, std::string_view op) {
  Result<Value> joined = joiner(left, right);
  if (!joined.ok()) return joined.status().WithContext(std::string(op) + ": joiner");
  return joined;
}

// ---- stream-table ----

struct StreamTableConfig {
  TableStoreRef table;
  JoinType type = JoinType::kInner;
  ValueJoiner joiner;
};

class StreamTableProcessor final : public Processor {
 public:
  explicit StreamTableProcessor(std::shared_ptr<const StreamTableConfig> config) : c_(std::move(config)) {}

  Status Init(ProcessorContext& ctx) override {
    RETURN_IF_ERROR(Processor::Init(ctx));
    ASSIGN_OR_RETURN(table_, StoreOf<KeyValueStore>(ctx, c_->table.store, StoreKind::kKeyValue, "join-table"));
    return Status::Ok();
  }

  Status Process(Record record) override {
    Value right;
    if (record.key.is_null()) {
      if (c_->type == JoinType::kInner) {
        context().AddToMetric("join-null-key-dropped", 1);
        return Status::Ok();
      }
    } else {
      ASSIGN_OR_RETURN(std::string key, agg::EncodeKey(*c_->table.key_serde, record.key, "join-table"));
      ASSIGN_OR_RETURN(std::optional<std::string> bytes, table_->Get(key));
      if (bytes) {
        ASSIGN_OR_RETURN(right, agg::DecodeBytes(*c_->table.value_serde, *bytes, "a table value"));
      }
      if (right.is_null() && c_->type == JoinType::kInner) return Status::Ok();
    }
    ASSIGN_OR_RETURN(Value joined, CallJoiner(c_->joiner, record, right, "join-table"));
    record.value = std::move(joined);
    return context().Forward(std::move(record));
  }

 private:
  std::shared_ptr<const StreamTableConfig> c_;
  KeyValueStore* table_ = nullptr;
};

class StreamTableDef final : public OperatorDef {
 public:
  explicit StreamTableDef(std::shared_ptr<const StreamTableConfig> config) : c_(std::move(config)) {}
  std::unique_ptr<Processor> CreateProcessor() const override { return std::make_unique<StreamTableProcessor>(c_); }
  std::string_view kind() const override { return "join-table"; }
  std::string detail() const override {
    return std::string(JoinTypeName(c_->type)) + " join with store " + c_->table.store;
  }
  std::vector<std::string> connected_stores() const override { return {c_->table.store}; }
  // Reads a store, so it needs records partitioned by key like the table.
  bool requires_copartitioning() const override { return true; }

 private:
  std::shared_ptr<const StreamTableConfig> c_;
};

// ---- stream-stream ----

// What a window store holds per (key, timestamp): every record of that key
// and timestamp, in arrival order.
//   [u32 count] then per record: [u8 flags (1: done)][binary value]
struct StoredEntry {
  bool done = false;  // matched, or emitted unmatched
  Value value;
};

std::string EncodeEntries(const std::vector<StoredEntry>& entries) {
  std::string out;
  AppendU32(&out, static_cast<uint32_t>(entries.size()));
  for (const StoredEntry& e : entries) {
    out.push_back(static_cast<char>(e.done ? 1 : 0));
    AppendBinaryValue(&out, e.value);
  }
  return out;
}

Result<std::vector<StoredEntry>> DecodeEntries(std::string_view bytes, const std::string& store) {
  Reader r(bytes);
  uint32_t n = 0;
  std::vector<StoredEntry> out;
  bool ok = r.U32(&n);
  for (uint32_t i = 0; ok && i < n; ++i) {
    StoredEntry e;
    uint8_t flags = 0;
    ok = r.U8(&flags) && ReadValue(r, &e.value, 0);
    e.done = (flags & 1) != 0;
    out.push_back(std::move(e));
  }
  if (!ok || !r.empty()) return Status::Internal("join: malformed value in store " + store);
  return out;
}

// Per task, shared by the two sides' processors: a lower bound of the
// timestamps of each side's unmatched, not yet emitted records (kMinTime:
// unknown, scan; kMaxTime: none).
struct TaskJoinState {
  int64_t pending_min[2] = {kMinTime, kMinTime};
};

class TaskJoinStates {
 public:
  std::shared_ptr<TaskJoinState> Get(TaskId task) {
    std::lock_guard<std::mutex> lock(mu_);
    std::weak_ptr<TaskJoinState>& slot = states_[task];
    std::shared_ptr<TaskJoinState> state = slot.lock();
    if (!state) {
      state = std::make_shared<TaskJoinState>();
      slot = state;
    }
    return state;
  }

 private:
  std::mutex mu_;
  std::map<TaskId, std::weak_ptr<TaskJoinState>> states_;
};

struct StreamStreamConfig {
  std::string stores[2];  // 0: this side, 1: other side
  int64_t before = 0;
  int64_t after = 0;
  int64_t grace = 0;
  JoinType type = JoinType::kInner;
  ValueJoiner joiner;
  mutable TaskJoinStates states;

  int64_t retention() const { return before + after + grace + 1; }
  int64_t expiry_step() const { return std::max<int64_t>(1, retention() / 2); }
  // A side's record at t is closed once stream time > t + close_offset(side).
  int64_t close_offset(int side) const { return (side == 0 ? after : before) + grace; }
  // The other side's timestamps a record at t of `side` matches: [t - lo, t + hi].
  int64_t match_lo(int side) const { return side == 0 ? before : after; }
  int64_t match_hi(int side) const { return side == 0 ? after : before; }
  bool emits_unmatched(int side) const { return type == JoinType::kOuter || (type == JoinType::kLeft && side == 0); }
};

std::string SideName(int side) {
  return side == 0 ? "join-stream-this" : "join-stream-other";
}

class StreamStreamProcessor final : public Processor {
 public:
  StreamStreamProcessor(std::shared_ptr<const StreamStreamConfig> config, int side)
      : c_(std::move(config)), side_(side), op_(SideName(side)) {}

  Status Init(ProcessorContext& ctx) override {
    RETURN_IF_ERROR(Processor::Init(ctx));
    for (int s = 0; s < 2; ++s) {
      ASSIGN_OR_RETURN(stores_[s], StoreOf<WindowStore>(ctx, c_->stores[s], StoreKind::kWindow, op_));
    }
    shared_ = c_->states.Get(ctx.task_id());
    return Status::Ok();
  }

  void Close() override { shared_.reset(); }

  Status Process(Record record) override {
    const int other = 1 - side_;
    const int64_t t = record.timestamp.value();
    if (record.key.is_null()) return NullKey(std::move(record));
    const int64_t st = std::max(context().stream_time().value(), t);
    if (t + c_->close_offset(side_) < st) {
      context().AddToMetric("late-records-dropped", 1);
      return Status::Ok();
    }
    RETURN_IF_ERROR(EmitClosedUnmatched(st));

    std::string key;
    AppendBinaryValue(&key, record.key);
    // Matches among the other side's records.
    struct Found {
      int64_t ts;
      std::vector<StoredEntry> entries;
    };
    std::vector<Found> found;
    Status decode;
    RETURN_IF_ERROR(stores_[other]->Fetch(key, t - c_->match_lo(side_), t + c_->match_hi(side_),
                                          [&](std::string_view, int64_t ts, std::string_view bytes) {
                                            auto entries = DecodeEntries(bytes, c_->stores[other]);
                                            if (!entries.ok()) {
                                              decode = entries.status();
                                              return false;
                                            }
                                            found.push_back({ts, std::move(*entries)});
                                            return true;
                                          }));
    RETURN_IF_ERROR(decode);
    bool matched = false;
    for (Found& f : found) {
      bool changed = false;
      for (StoredEntry& e : f.entries) {
        matched = true;
        Record out;
        out.key = record.key;
        out.timestamp = Timestamp(std::max(t, f.ts));
        out.headers = record.headers;
        if (side_ == 0) {
          ASSIGN_OR_RETURN(out.value, CallJoiner(c_->joiner, record, e.value, op_));
        } else {
          Record left{record.key, e.value, out.timestamp, {}, {}};
          ASSIGN_OR_RETURN(out.value, CallJoiner(c_->joiner, left, record.value, op_));
        }
        if (!e.done && c_->emits_unmatched(other)) {
          e.done = true;
          changed = true;
        }
        RETURN_IF_ERROR(context().Forward(std::move(out)));
      }
      if (changed) RETURN_IF_ERROR(stores_[other]->Put(key, f.ts, EncodeEntries(f.entries)));
    }

    // Keep the record for the other side's later arrivals.
    ASSIGN_OR_RETURN(std::optional<std::string> current, stores_[side_]->Get(key, t));
    std::vector<StoredEntry> entries;
    if (current) {
      ASSIGN_OR_RETURN(entries, DecodeEntries(*current, c_->stores[side_]));
    }
    const bool done = matched || !c_->emits_unmatched(side_);
    entries.push_back({done, std::move(record.value)});
    RETURN_IF_ERROR(stores_[side_]->Put(key, t, EncodeEntries(entries)));
    if (!done) shared_->pending_min[side_] = std::min(shared_->pending_min[side_], t);

    return Expire(st);
  }

 private:
  Status NullKey(Record record) {
    // KIP-962: left/outer joins emit null-key records of their outer sides
    // at once (they can never match).
    if (!c_->emits_unmatched(side_)) {
      context().AddToMetric("join-null-key-dropped", 1);
      return Status::Ok();
    }
    Record out;
    out.timestamp = record.timestamp;
    out.headers = record.headers;
    if (side_ == 0) {
      ASSIGN_OR_RETURN(out.value, CallJoiner(c_->joiner, record, Value(), op_));
    } else {
      Record left{Value(), Value(), record.timestamp, {}, {}};
      ASSIGN_OR_RETURN(out.value, CallJoiner(c_->joiner, left, record.value, op_));
    }
    return context().Forward(std::move(out));
  }

  // Emits, once, the records of either side that matched nothing and whose
  // window has closed by stream time `st`.
  Status EmitClosedUnmatched(int64_t st) {
    struct Unmatched {
      int64_t ts;
      int side;
      Value key;
      Value value;
    };
    std::vector<Unmatched> due;
    for (int s = 0; s < 2; ++s) {
      if (!c_->emits_unmatched(s)) continue;
      int64_t& pending = shared_->pending_min[s];
      const int64_t close = c_->close_offset(s);
      if (pending == kMaxTime || (pending != kMinTime && pending + close >= st)) continue;
      int64_t next_pending = kMaxTime;
      std::vector<std::pair<std::string, int64_t>> keys;
      std::vector<std::vector<StoredEntry>> rewritten;
      Status failed;
      RETURN_IF_ERROR(
          stores_[s]->FetchAll(kMinTime, kMaxTime, [&](std::string_view key, int64_t ts, std::string_view bytes) {
            auto entries = DecodeEntries(bytes, c_->stores[s]);
            if (!entries.ok()) {
              failed = entries.status();
              return false;
            }
            bool any = false;
            for (const StoredEntry& e : *entries) any = any || !e.done;
            if (!any) return true;
            if (ts + close >= st) {
              next_pending = std::min(next_pending, ts);
              return true;
            }
            auto k = ParseBinaryValue(key);
            if (!k.ok()) {
              failed = k.status();
              return false;
            }
            for (StoredEntry& e : *entries) {
              if (e.done) continue;
              e.done = true;
              due.push_back({ts, s, *k, e.value});
            }
            keys.emplace_back(std::string(key), ts);
            rewritten.push_back(std::move(*entries));
            return true;
          }));
      RETURN_IF_ERROR(failed);
      for (size_t i = 0; i < keys.size(); ++i) {
        RETURN_IF_ERROR(stores_[s]->Put(keys[i].first, keys[i].second, EncodeEntries(rewritten[i])));
      }
      pending = next_pending;
    }
    std::stable_sort(due.begin(), due.end(), [](const Unmatched& a, const Unmatched& b) {
      return a.ts != b.ts ? a.ts < b.ts : a.side < b.side;
    });
    for (Unmatched& u : due) {
      Record out;
      out.key = u.key;
      out.timestamp = Timestamp(u.ts);
      if (u.side == 0) {
        Record left{u.key, std::move(u.value), out.timestamp, {}, {}};
        ASSIGN_OR_RETURN(out.value, CallJoiner(c_->joiner, left, Value(), op_));
      } else {
        Record left{u.key, Value(), out.timestamp, {}, {}};
        ASSIGN_OR_RETURN(out.value, CallJoiner(c_->joiner, left, u.value, op_));
      }
      RETURN_IF_ERROR(context().Forward(std::move(out)));
    }
    return Status::Ok();
  }

  // Drops this side's records no record can match any more (both sides'
  // unmatched records are emitted before they get this old).
  Status Expire(int64_t st) {
    if (last_expiry_ != kMinTime && st - last_expiry_ < c_->expiry_step()) return Status::Ok();
    last_expiry_ = st;
    const int64_t before = st - (c_->retention() - 1);
    if (before <= 0) return Status::Ok();
    return stores_[side_]->DeleteBefore(before);
  }

  std::shared_ptr<const StreamStreamConfig> c_;
  const int side_;
  const std::string op_;
  WindowStore* stores_[2] = {nullptr, nullptr};
  std::shared_ptr<TaskJoinState> shared_;
  int64_t last_expiry_ = kMinTime;
};

class StreamStreamDef final : public OperatorDef {
 public:
  StreamStreamDef(std::shared_ptr<const StreamStreamConfig> config, int side) : c_(std::move(config)), side_(side) {}
  std::unique_ptr<Processor> CreateProcessor() const override {
    return std::make_unique<StreamStreamProcessor>(c_, side_);
  }
  std::string_view kind() const override { return side_ == 0 ? "join-stream-this" : "join-stream-other"; }
  std::string detail() const override {
    return std::string(JoinTypeName(c_->type)) + " join, store " + c_->stores[side_] + " with " +
           c_->stores[1 - side_] + ", window -" + std::to_string(c_->before) + "ms/+" + std::to_string(c_->after) +
           "ms, grace " + std::to_string(c_->grace) + "ms";
  }
  std::vector<StoreSpec> stores() const override {
    StoreSpec s;
    s.name = c_->stores[side_];
    s.kind = StoreKind::kWindow;
    s.logged = true;
    s.cached = false;
    s.retention = std::chrono::milliseconds(c_->retention());
    return {s};
  }
  std::vector<std::string> connected_stores() const override { return {c_->stores[1 - side_]}; }

 private:
  std::shared_ptr<const StreamStreamConfig> c_;
  const int side_;
};

// ---- table-table ----

struct TableTableConfig {
  TableStoreRef tables[2];  // 0: left, 1: right
  JoinType type = JoinType::kInner;
  ValueJoiner joiner;
};

class TableTableProcessor final : public Processor {
 public:
  TableTableProcessor(std::shared_ptr<const TableTableConfig> config, int side)
      : c_(std::move(config)), side_(side), op_(side == 0 ? "join-tables-left" : "join-tables-right") {}

  Status Init(ProcessorContext& ctx) override {
    RETURN_IF_ERROR(Processor::Init(ctx));
    ASSIGN_OR_RETURN(other_, StoreOf<KeyValueStore>(ctx, c_->tables[1 - side_].store, StoreKind::kKeyValue, op_));
    return Status::Ok();
  }

  Status Process(Record record) override {
    const TableStoreRef& other = c_->tables[1 - side_];
    ASSIGN_OR_RETURN(std::string key, agg::EncodeKey(*other.key_serde, record.key, op_));
    ASSIGN_OR_RETURN(std::optional<std::string> bytes, other_->Get(key));
    Value other_value;
    if (bytes) {
      ASSIGN_OR_RETURN(other_value, agg::DecodeBytes(*other.value_serde, *bytes, "a table value"));
    }
    const bool this_present = !record.value.is_null();
    const bool other_present = !other_value.is_null();
    const bool left_present = side_ == 0 ? this_present : other_present;
    const bool right_present = side_ == 0 ? other_present : this_present;
    if (Holds(c_->type, left_present, right_present)) {
      Value this_value = std::move(record.value);
      Record left{record.key, side_ == 0 ? std::move(this_value) : std::move(other_value), record.timestamp,
                  record.headers, record.source};
      const Value& right = side_ == 0 ? other_value : this_value;
      ASSIGN_OR_RETURN(record.value, CallJoiner(c_->joiner, left, right, op_));
      return context().Forward(std::move(record));
    }
    // Could the join have held before this update (with this side present)?
    const bool could_have_held =
        side_ == 0 ? Holds(c_->type, true, other_present) : Holds(c_->type, other_present, true);
    if (!could_have_held) return Status::Ok();
    record.value = Value();
    return context().Forward(std::move(record));
  }

 private:
  std::shared_ptr<const TableTableConfig> c_;
  const int side_;
  const std::string op_;
  KeyValueStore* other_ = nullptr;
};

class TableTableDef final : public OperatorDef {
 public:
  TableTableDef(std::shared_ptr<const TableTableConfig> config, int side) : c_(std::move(config)), side_(side) {}
  std::unique_ptr<Processor> CreateProcessor() const override {
    return std::make_unique<TableTableProcessor>(c_, side_);
  }
  std::string_view kind() const override { return side_ == 0 ? "join-tables-left" : "join-tables-right"; }
  std::string detail() const override {
    return std::string(JoinTypeName(c_->type)) + " join with store " + c_->tables[1 - side_].store;
  }
  std::vector<std::string> connected_stores() const override { return {c_->tables[1 - side_].store}; }
  bool requires_copartitioning() const override { return true; }

 private:
  std::shared_ptr<const TableTableConfig> c_;
  const int side_;
};

TableStoreRef WithDefaults(TableStoreRef ref) {
  ref.key_serde = agg::SerdeOrJson(std::move(ref.key_serde));
  ref.value_serde = agg::SerdeOrJson(std::move(ref.value_serde));
  return ref;
}

}  // namespace

void AppendBinaryValue(std::string* out, const Value& value) {
  switch (value.type()) {
    case Value::Type::kNull: out->push_back(static_cast<char>(kNull)); return;
    case Value::Type::kBool: out->push_back(static_cast<char>(value.as_bool() ? kTrue : kFalse)); return;
    case Value::Type::kInt:
      out->push_back(static_cast<char>(kInt));
      AppendU64(out, static_cast<uint64_t>(value.as_int()));
      return;
    case Value::Type::kDouble: {
      out->push_back(static_cast<char>(kDouble));
      uint64_t bits = 0;
      const double d = value.as_double();
      std::memcpy(&bits, &d, sizeof bits);
      AppendU64(out, bits);
      return;
    }
    case Value::Type::kString:
      out->push_back(static_cast<char>(kString));
      AppendU32(out, static_cast<uint32_t>(value.as_string().size()));
      out->append(value.as_string());
      return;
    case Value::Type::kBytes:
      out->push_back(static_cast<char>(kBytes));
      AppendU32(out, static_cast<uint32_t>(value.as_bytes().data.size()));
      out->append(value.as_bytes().data);
      return;
    case Value::Type::kArray:
      out->push_back(static_cast<char>(kArray));
      AppendU32(out, static_cast<uint32_t>(value.as_array().size()));
      for (const Value& item : value.as_array()) AppendBinaryValue(out, item);
      return;
    case Value::Type::kObject:
      out->push_back(static_cast<char>(kObject));
      AppendU32(out, static_cast<uint32_t>(value.as_object().size()));
      for (const Field& f : value.as_object()) {
        AppendU32(out, static_cast<uint32_t>(f.name.size()));
        out->append(f.name);
        AppendBinaryValue(out, f.value);
      }
      return;
  }
}

Result<Value> ParseBinaryValue(std::string_view bytes) {
  Reader r(bytes);
  Value out;
  if (!ReadValue(r, &out, 0) || !r.empty()) return Status::Internal("join: malformed binary value");
  return out;
}

std::string_view JoinTypeName(JoinType type) {
  switch (type) {
    case JoinType::kInner: return "inner";
    case JoinType::kLeft: return "left";
    case JoinType::kOuter: return "outer";
  }
  return "?";
}

std::shared_ptr<const OperatorDef> MakeStreamTableJoin(TableStoreRef table, JoinType type, ValueJoiner joiner) {
  auto config = std::make_shared<StreamTableConfig>();
  config->table = WithDefaults(std::move(table));
  config->type = type;
  config->joiner = std::move(joiner);
  return std::make_shared<StreamTableDef>(std::move(config));
}

JoinPair MakeStreamStreamJoin(std::string this_store, std::string other_store, JoinWindows windows, JoinType type,
                              ValueJoiner joiner) {
  auto config = std::make_shared<StreamStreamConfig>();
  config->stores[0] = std::move(this_store);
  config->stores[1] = std::move(other_store);
  config->before = windows.before.count();
  config->after = windows.after.count();
  config->grace = windows.grace.count();
  config->type = type;
  config->joiner = std::move(joiner);
  return {std::make_shared<StreamStreamDef>(config, 0), std::make_shared<StreamStreamDef>(config, 1)};
}

JoinPair MakeTableTableJoin(TableStoreRef left, TableStoreRef right, JoinType type, ValueJoiner joiner) {
  auto config = std::make_shared<TableTableConfig>();
  config->tables[0] = WithDefaults(std::move(left));
  config->tables[1] = WithDefaults(std::move(right));
  config->type = type;
  config->joiner = std::move(joiner);
  return {std::make_shared<TableTableDef>(config, 0), std::make_shared<TableTableDef>(config, 1)};
}

}  // namespace streamapp::dsl
