// Stateful operators (framework/dsl/aggregate_ops.h) driven through a fake
// ProcessorContext over in-memory fake stores (no framework/state stores;
// only its composite-key codec, which flush listeners of window and session
// stores receive).
#include "dsl/aggregate_ops.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <string>
#include <vector>

#include "state/stores.h"
#include "streamapp/serde.h"

namespace streamapp::dsl {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

// ---------------------------------------------------------------------------
// Fakes

// Bytes by key, optionally behind a write-back cache that calls the flush
// listener once per dirty key on Flush() (like the caching layer).
class FakeKv {
 public:
  FakeKv(bool caching, const int64_t* now) : caching_(caching), now_(now) {}

  bool SetListener(StateStore::FlushListener listener) {
    if (!caching_) return false;
    listener_ = std::move(listener);
    return true;
  }
  std::optional<std::string> Get(std::string_view key) const {
    auto d = dirty_.find(std::string(key));
    if (d != dirty_.end()) return d->second.first;
    auto it = data_.find(std::string(key));
    if (it == data_.end()) return std::nullopt;
    return it->second;
  }
  void Put(std::string_view key, std::optional<std::string_view> value) {
    std::optional<std::string> v;
    if (value) v = std::string(*value);
    if (caching_) {
      dirty_[std::string(key)] = {std::move(v), *now_};
    } else if (v) {
      data_[std::string(key)] = *v;
    } else {
      data_.erase(std::string(key));
    }
  }
  void Expire(std::string_view key) {
    data_.erase(std::string(key));
    dirty_.erase(std::string(key));
  }
  // The store as readers see it (cache over data), in key order.
  std::map<std::string, std::string> View() const {
    std::map<std::string, std::string> out = data_;
    for (const auto& [k, v] : dirty_) {
      if (v.first) {
        out[k] = *v.first;
      } else {
        out.erase(k);
      }
    }
    return out;
  }
  Status Flush() {
    auto dirty = std::move(dirty_);
    dirty_.clear();
    for (auto& [k, v] : dirty) {
      std::optional<std::string> old;
      if (auto it = data_.find(k); it != data_.end()) old = it->second;
      if (listener_) {
        std::optional<std::string_view> value;
        if (v.first) value = *v.first;
        std::optional<std::string_view> old_value;
        if (old) old_value = *old;
        RETURN_IF_ERROR(listener_(k, value, old_value, v.second));
      }
      if (v.first) {
        data_[k] = *v.first;
      } else {
        data_.erase(k);
      }
    }
    return Status::Ok();
  }

 private:
  bool caching_;
  const int64_t* now_;
  StateStore::FlushListener listener_;
  std::map<std::string, std::string> data_;
  std::map<std::string, std::pair<std::optional<std::string>, int64_t>> dirty_;
};

class FakeKeyValueStore final : public KeyValueStore {
 public:
  FakeKeyValueStore(StoreSpec spec, bool caching, const int64_t* now) : spec_(std::move(spec)), kv_(caching, now) {}
  const StoreSpec& spec() const override { return spec_; }
  bool SetFlushListener(FlushListener listener, OldValues) override { return kv_.SetListener(std::move(listener)); }
  Status Flush() override { return kv_.Flush(); }
  void Close() override {}
  Result<std::optional<std::string>> Get(std::string_view key) override { return kv_.Get(key); }
  Status Put(std::string_view key, std::string_view value) override {
    kv_.Put(key, value);
    return Status::Ok();
  }
  Status Delete(std::string_view key) override {
    kv_.Put(key, std::nullopt);
    return Status::Ok();
  }
  Status Range(std::string_view from, std::string_view to, const KeyValueVisitor& visit) override {
    for (const auto& [k, v] : kv_.View()) {
      if (!from.empty() && k < from) continue;
      if (!to.empty() && k >= to) break;
      if (!visit(k, v)) break;
    }
    return Status::Ok();
  }
  Result<uint64_t> ApproximateCount() override { return static_cast<uint64_t>(kv_.View().size()); }

 private:
  StoreSpec spec_;
  FakeKv kv_;
};

class FakeWindowStore final : public WindowStore {
 public:
  FakeWindowStore(StoreSpec spec, bool caching, const int64_t* now) : spec_(std::move(spec)), kv_(caching, now) {}
  const StoreSpec& spec() const override { return spec_; }
  bool SetFlushListener(FlushListener listener, OldValues) override { return kv_.SetListener(std::move(listener)); }
  Status Flush() override { return kv_.Flush(); }
  void Close() override {}
  Result<std::optional<std::string>> Get(std::string_view key, int64_t start) override {
    return kv_.Get(state::EncodeWindowKey(key, start));
  }
  Status Put(std::string_view key, int64_t start, std::string_view value) override {
    kv_.Put(state::EncodeWindowKey(key, start), value);
    return Status::Ok();
  }
  Status Delete(std::string_view key, int64_t start) override {
    kv_.Put(state::EncodeWindowKey(key, start), std::nullopt);
    return Status::Ok();
  }
  Status Fetch(std::string_view key, int64_t from, int64_t to, const Visitor& visit) override {
    for (const Entry& e : Entries()) {
      if (e.key == key && e.start >= from && e.start <= to && !visit(e.key, e.start, e.value)) break;
    }
    return Status::Ok();
  }
  Status FetchAll(int64_t from, int64_t to, const Visitor& visit) override {
    for (const Entry& e : Entries()) {
      if (e.start >= from && e.start <= to && !visit(e.key, e.start, e.value)) break;
    }
    return Status::Ok();
  }
  Status DeleteBefore(int64_t start) override {
    ++delete_before_calls;
    for (const Entry& e : Entries()) {
      if (e.start < start) kv_.Expire(state::EncodeWindowKey(e.key, e.start));
    }
    return Status::Ok();
  }

  struct Entry {
    std::string key;
    int64_t start;
    std::string value;
  };
  // In start order, then key order.
  std::vector<Entry> Entries() const {
    std::vector<Entry> out;
    for (const auto& [composite, value] : kv_.View()) {
      Entry e{{}, 0, value};
      EXPECT_TRUE(state::DecodeWindowKey(composite, &e.key, &e.start));
      out.push_back(std::move(e));
    }
    std::stable_sort(out.begin(), out.end(), [](const Entry& a, const Entry& b) { return a.start < b.start; });
    return out;
  }
  int delete_before_calls = 0;

 private:
  StoreSpec spec_;
  FakeKv kv_;
};

class FakeSessionStore final : public SessionStore {
 public:
  FakeSessionStore(StoreSpec spec, bool caching, const int64_t* now) : spec_(std::move(spec)), kv_(caching, now) {}
  const StoreSpec& spec() const override { return spec_; }
  bool SetFlushListener(FlushListener listener, OldValues) override { return kv_.SetListener(std::move(listener)); }
  Status Flush() override { return kv_.Flush(); }
  void Close() override {}
  Status Put(std::string_view key, int64_t start, int64_t end, std::string_view value) override {
    kv_.Put(state::EncodeSessionKey(key, start, end), value);
    return Status::Ok();
  }
  Status Remove(std::string_view key, int64_t start, int64_t end) override {
    kv_.Put(state::EncodeSessionKey(key, start, end), std::nullopt);
    return Status::Ok();
  }
  Status FindSessions(std::string_view key, int64_t earliest_end, int64_t latest_start, const Visitor& visit) override {
    for (const Entry& e : Entries()) {
      if (e.key == key && e.end >= earliest_end && e.start <= latest_start && !visit(e.key, e.start, e.end, e.value)) {
        break;
      }
    }
    return Status::Ok();
  }
  Status DeleteBefore(int64_t end) override {
    for (const Entry& e : Entries()) {
      if (e.end < end) kv_.Expire(state::EncodeSessionKey(e.key, e.start, e.end));
    }
    return Status::Ok();
  }

  struct Entry {
    std::string key;
    int64_t start;
    int64_t end;
    std::string value;
  };
  std::vector<Entry> Entries() const {
    std::vector<Entry> out;
    for (const auto& [composite, value] : kv_.View()) {
      Entry e{{}, 0, 0, value};
      EXPECT_TRUE(state::DecodeSessionKey(composite, &e.key, &e.start, &e.end));
      out.push_back(std::move(e));
    }
    return out;
  }

 private:
  StoreSpec spec_;
  FakeKv kv_;
};

class FakeContext final : public ProcessorContext {
 public:
  Status Forward(Record record) override {
    forwarded.push_back(std::move(record));
    return Status::Ok();
  }
  Status ForwardTo(size_t, Record record) override { return Forward(std::move(record)); }
  size_t child_count() const override { return 1; }
  TaskId task_id() const override { return TaskId{0, PartitionId(0)}; }
  Timestamp stream_time() const override { return Timestamp(st); }
  const std::string& node_name() const override { return name_; }
  StateStore* GetStateStore(const std::string& name) override {
    auto it = stores.find(name);
    return it == stores.end() ? nullptr : it->second;
  }
  Status Schedule(std::chrono::milliseconds, PunctuationType, Punctuator) override { return Status::Ok(); }
  void AddToMetric(std::string_view name, int64_t delta) override { metrics[std::string(name)] += delta; }

  std::vector<Record> forwarded;
  std::map<std::string, StateStore*> stores;
  std::map<std::string, int64_t> metrics;
  int64_t st = Timestamp::kUnknown;  // stream time
  int64_t now = 0;                   // timestamp of the record being processed

 private:
  std::string name_ = "agg";
};

// Runs one operator: its stores as fakes, records in, forwarded records out
// as "<key json>@<timestamp> <value json>".
class Harness {
 public:
  explicit Harness(std::shared_ptr<const OperatorDef> def, bool caching = false) : def_(std::move(def)) {
    for (const StoreSpec& spec : def_->stores()) {
      std::unique_ptr<StateStore> store;
      const bool cache = caching && spec.cached;
      switch (spec.kind) {
        case StoreKind::kKeyValue: store = std::make_unique<FakeKeyValueStore>(spec, cache, &ctx.now); break;
        case StoreKind::kWindow: store = std::make_unique<FakeWindowStore>(spec, cache, &ctx.now); break;
        case StoreKind::kSession: store = std::make_unique<FakeSessionStore>(spec, cache, &ctx.now); break;
      }
      ctx.stores[spec.name] = store.get();
      stores_.push_back(std::move(store));
    }
    Restart();
  }

  // A new processor over the same stores (a task restarting on local state).
  void Restart() {
    processor_ = def_->CreateProcessor();
    init_status = processor_->Init(ctx);
  }

  Status Send(Value key, Value value, int64_t ts) {
    ctx.now = ts;
    ctx.st = std::max(ctx.st, ts);
    Record r;
    r.key = std::move(key);
    r.value = std::move(value);
    r.timestamp = Timestamp(ts);
    return processor_->Process(std::move(r));
  }
  // Sends {"v": v} with key `key`, expecting success.
  void In(const std::string& key, int64_t ts, Value v = 1) {
    Value value = Value::MakeObject();
    value.Set("v", std::move(v));
    Status s = Send(Value(key), std::move(value), ts);
    EXPECT_TRUE(s.ok()) << s.ToString();
  }
  void Flush() {
    for (auto& s : stores_) {
      Status st = s->Flush();
      EXPECT_TRUE(st.ok()) << st.ToString();
    }
  }
  // Forwarded records since the last call.
  std::vector<std::string> Out() {
    std::vector<std::string> out;
    for (const Record& r : ctx.forwarded) {
      out.push_back(r.key.ToJson() + "@" + std::to_string(r.timestamp.value()) + " " + r.value.ToJson());
    }
    ctx.forwarded.clear();
    return out;
  }
  int64_t Late() { return ctx.metrics["late-records-dropped"]; }
  template <typename T>
  T* Store(const std::string& name) {
    return dynamic_cast<T*>(ctx.GetStateStore(name));
  }

  FakeContext ctx;
  Status init_status;

 private:
  std::shared_ptr<const OperatorDef> def_;
  std::vector<std::unique_ptr<StateStore>> stores_;
  std::unique_ptr<Processor> processor_;
};

std::string W(const std::string& key, int64_t ts, int64_t start, int64_t end, const std::string& value) {
  return "\"" + key + "\"@" + std::to_string(ts) + " {\"window_start\":" + std::to_string(start) +
         ",\"window_end\":" + std::to_string(end) + ",\"value\":" + value + "}";
}

std::string KV(const std::string& key, int64_t ts, const std::string& value) {
  return "\"" + key + "\"@" + std::to_string(ts) + " " + value;
}

std::optional<expr::Expression> Field(const std::string& text) {
  auto e = expr::Expression::Compile(text);
  EXPECT_TRUE(e.ok()) << e.status().ToString();
  return *e;
}

AggregateSpec Spec(const std::string& agg, std::optional<expr::Expression> field = std::nullopt) {
  AggregateSpec spec;
  spec.store = "s";
  auto fns = BuiltinAggregation(agg, std::move(field));
  EXPECT_TRUE(fns.ok()) << fns.status().ToString();
  spec.fns = *fns;
  spec.finish = BuiltinFinisher(agg);
  return spec;
}

AggregateSpec Count(bool cached = true) {
  AggregateSpec spec = Spec("count");
  spec.cached = cached;
  return spec;
}

WindowSpec Tumbling(int64_t size, int64_t grace) {
  WindowSpec w;
  w.type = WindowSpec::Type::kTumbling;
  w.size = std::chrono::milliseconds(size);
  w.grace = std::chrono::milliseconds(grace);
  return w;
}

WindowSpec Hopping(int64_t size, int64_t advance, int64_t grace) {
  WindowSpec w = Tumbling(size, grace);
  w.type = WindowSpec::Type::kHopping;
  w.advance = std::chrono::milliseconds(advance);
  return w;
}

WindowSpec Sliding(int64_t size, int64_t grace) {
  WindowSpec w = Tumbling(size, grace);
  w.type = WindowSpec::Type::kSliding;
  return w;
}

WindowSpec Session(int64_t gap, int64_t grace) {
  WindowSpec w;
  w.type = WindowSpec::Type::kSession;
  w.gap = std::chrono::milliseconds(gap);
  w.grace = std::chrono::milliseconds(grace);
  return w;
}

// ---------------------------------------------------------------------------
// Built-in aggregations

Record Rec(Value v) {
  Record r;
  r.key = "k";
  r.value = Value::MakeObject();
  r.value.Set("v", std::move(v));
  r.timestamp = Timestamp(1);
  return r;
}

// Folds {"v": each} into a fresh aggregate.
Result<Value> Fold(const AggregationFns& fns, const std::vector<Value>& values) {
  ASSIGN_OR_RETURN(Value agg, fns.init());
  for (const Value& v : values) {
    ASSIGN_OR_RETURN(agg, fns.add(Rec(v), std::move(agg)));
  }
  return agg;
}

AggregationFns Builtin(const std::string& name, bool with_field = true) {
  auto fns = BuiltinAggregation(name, with_field ? Field("v") : std::nullopt);
  EXPECT_TRUE(fns.ok()) << fns.status().ToString();
  return *fns;
}

std::string Finished(const std::string& name, const Result<Value>& agg) {
  if (!agg.ok()) return agg.status().ToString();
  return BuiltinFinisher(name)(*agg).ToJson();
}

std::string Merged(const std::string& name, const std::vector<Value>& left, const std::vector<Value>& right) {
  AggregationFns fns = Builtin(name);
  auto l = Fold(fns, left);
  auto r = Fold(fns, right);
  if (!l.ok()) return l.status().ToString();
  if (!r.ok()) return r.status().ToString();
  return Finished(name, fns.merge(*l, *r));
}

TEST(AggBuiltin, Count) {
  EXPECT_EQ(Finished("count", Fold(Builtin("count", false), {1, Value(), "x"})), "3");
  // With a field: records whose field is null do not count.
  EXPECT_EQ(Finished("count", Fold(Builtin("count"), {1, Value(), "x"})), "2");
  EXPECT_EQ(Merged("count", {1, 2}, {3}), "3");
}

TEST(AggBuiltin, SumKeepsIntsUntilADoubleArrives) {
  auto ints = Fold(Builtin("sum"), {1, 2, Value(), 4});
  ASSERT_TRUE(ints.ok());
  EXPECT_TRUE(ints->is_int());
  EXPECT_EQ(ints->as_int(), 7);
  auto mixed = Fold(Builtin("sum"), {1, 2.5});
  ASSERT_TRUE(mixed.ok());
  EXPECT_TRUE(mixed->is_double());
  EXPECT_DOUBLE_EQ(mixed->as_double(), 3.5);
  auto overflow = Fold(Builtin("sum"), {Value(INT64_MAX), 1});
  ASSERT_TRUE(overflow.ok());
  EXPECT_TRUE(overflow->is_double());
  EXPECT_EQ(Finished("sum", Fold(Builtin("sum"), {})), "0");
  auto bad = Fold(Builtin("sum"), {1, "2"});
  EXPECT_EQ(bad.status().code(), StatusCode::kDataError);
  EXPECT_THAT(bad.status().message(), HasSubstr("number"));
  EXPECT_EQ(Merged("sum", {1, 2}, {0.5}), "3.5");
}

TEST(AggBuiltin, MinMaxOfNumbersAndStrings) {
  EXPECT_EQ(Finished("min", Fold(Builtin("min"), {3, Value(), 1.5, 2})), "1.5");
  EXPECT_EQ(Finished("max", Fold(Builtin("max"), {3, Value(), 1.5, 7})), "7");
  EXPECT_EQ(Finished("min", Fold(Builtin("min"), {"pear", "apple", "fig"})), "\"apple\"");
  EXPECT_EQ(Finished("max", Fold(Builtin("max"), {"pear", "apple", "fig"})), "\"pear\"");
  EXPECT_EQ(Finished("max", Fold(Builtin("max"), {Value()})), "null");
  auto mixed = Fold(Builtin("min"), {1, "a"});
  EXPECT_EQ(mixed.status().code(), StatusCode::kDataError);
  EXPECT_THAT(mixed.status().message(), HasSubstr("cannot compare"));
  EXPECT_EQ(Fold(Builtin("max"), {true}).status().code(), StatusCode::kDataError);
  EXPECT_EQ(Merged("min", {5, 3}, {4}), "3");
  EXPECT_EQ(Merged("max", {5, 3}, {9}), "9");
  EXPECT_EQ(Merged("max", {}, {9}), "9");
}

TEST(AggBuiltin, AvgKeepsSumAndCount) {
  auto agg = Fold(Builtin("avg"), {1, 2, Value(), 4});
  ASSERT_TRUE(agg.ok());
  EXPECT_EQ(agg->ToJson(), "{\"sum\":7,\"count\":3}");
  Value avg = BuiltinFinisher("avg")(*agg);
  ASSERT_TRUE(avg.is_double());
  EXPECT_DOUBLE_EQ(avg.as_double(), 7.0 / 3.0);
  EXPECT_EQ(Finished("avg", Fold(Builtin("avg"), {})), "null");
  EXPECT_EQ(Merged("avg", {1, 2}, {6}), "3");
  EXPECT_EQ(Fold(Builtin("avg"), {"x"}).status().code(), StatusCode::kDataError);
}

TEST(AggBuiltin, FirstAndLastSkipNulls) {
  EXPECT_EQ(Finished("first", Fold(Builtin("first"), {Value(), "a", "b", Value()})), "\"a\"");
  EXPECT_EQ(Finished("last", Fold(Builtin("last"), {Value(), "a", "b", Value()})), "\"b\"");
  EXPECT_EQ(Finished("first", Fold(Builtin("first"), {Value()})), "null");
  EXPECT_EQ(Merged("first", {"a"}, {"b"}), "\"a\"");
  EXPECT_EQ(Merged("first", {Value()}, {"b"}), "\"b\"");
  EXPECT_EQ(Merged("last", {"a"}, {"b"}), "\"b\"");
  EXPECT_EQ(Merged("last", {"a"}, {Value()}), "\"a\"");
}

TEST(AggBuiltin, CountDistinctByCanonicalJson) {
  Value ab = Value::MakeObject();
  ab.Set("a", 1);
  ab.Set("b", 2);
  Value ba = Value::MakeObject();
  ba.Set("b", 2);
  ba.Set("a", 1);
  // 1 and 1.0 are one value; "1" is another; field order does not matter.
  EXPECT_EQ(Finished("count_distinct", Fold(Builtin("count_distinct"), {1, 1.0, "1", ab, ba, Value(), 1})), "3");
  EXPECT_EQ(Finished("count_distinct", Fold(Builtin("count_distinct"), {})), "0");
  EXPECT_EQ(Merged("count_distinct", {1, 2, 3}, {3, 4}), "4");
}

TEST(AggBuiltin, UnknownNameSuggestsTheNearest) {
  auto fns = BuiltinAggregation("summ", Field("v"));
  ASSERT_FALSE(fns.ok());
  EXPECT_EQ(fns.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(fns.status().message(),
            "unknown aggregation 'summ'; expected one of count, sum, min, max, avg, first, last, count_distinct; "
            "did you mean 'sum'?");
  auto far = BuiltinAggregation("median", Field("v"));
  ASSERT_FALSE(far.ok());
  EXPECT_EQ(far.status().message(),
            "unknown aggregation 'median'; expected one of count, sum, min, max, avg, first, last, count_distinct");
  auto count_distinct = BuiltinAggregation("count_distnct", Field("v"));
  EXPECT_THAT(count_distinct.status().message(), HasSubstr("did you mean 'count_distinct'?"));
}

TEST(AggBuiltin, FieldRequiredExceptForCount) {
  auto fns = BuiltinAggregation("sum", std::nullopt);
  ASSERT_FALSE(fns.ok());
  EXPECT_EQ(fns.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(fns.status().message(), HasSubstr("needs a field"));
  EXPECT_TRUE(BuiltinAggregation("count", std::nullopt).ok());
}

TEST(AggBuiltin, FinisherIsIdentityForPlainStates) {
  EXPECT_EQ(BuiltinFinisher("sum")(Value(5)).ToJson(), "5");
  EXPECT_EQ(BuiltinFinisher("last")(Value("x")).ToJson(), "\"x\"");
}

// ---------------------------------------------------------------------------
// MakeAggregate

TEST(AggAggregate, DeclaresALoggedKeyValueStore) {
  AggregateSpec spec = Count(false);
  spec.in_memory = true;
  auto def = MakeAggregate(spec);
  EXPECT_EQ(def->kind(), "aggregate");
  ASSERT_EQ(def->stores().size(), 1u);
  const StoreSpec s = def->stores()[0];
  EXPECT_EQ(s.name, "s");
  EXPECT_EQ(s.kind, StoreKind::kKeyValue);
  EXPECT_TRUE(s.in_memory);
  EXPECT_TRUE(s.logged);
  EXPECT_FALSE(s.cached);
  EXPECT_TRUE(def->requires_copartitioning());
}

TEST(AggAggregate, WithoutCacheForwardsEveryUpdate) {
  Harness h(MakeAggregate(Count(false)));
  ASSERT_TRUE(h.init_status.ok()) << h.init_status.ToString();
  h.In("a", 10);
  h.In("b", 11);
  h.In("a", 5);
  EXPECT_THAT(h.Out(), ElementsAre(KV("a", 10, "1"), KV("b", 11, "1"), KV("a", 5, "2")));
  // The store holds json aggregates under json keys.
  auto stored = h.Store<FakeKeyValueStore>("s")->Get("\"a\"");
  ASSERT_TRUE(stored.ok());
  EXPECT_EQ(stored->value_or("<none>"), "2");
}

TEST(AggAggregate, WithCacheForwardsOncePerKeyOnFlush) {
  Harness h(MakeAggregate(Count(true)), /*caching=*/true);
  ASSERT_TRUE(h.init_status.ok());
  h.In("a", 10);
  h.In("b", 11);
  h.In("a", 12);
  h.In("a", 13);
  EXPECT_THAT(h.Out(), IsEmpty());
  h.Flush();
  EXPECT_THAT(h.Out(), ElementsAre(KV("a", 13, "3"), KV("b", 11, "1")));
  h.Flush();
  EXPECT_THAT(h.Out(), IsEmpty());
  h.In("b", 20);
  h.Flush();
  EXPECT_THAT(h.Out(), ElementsAre(KV("b", 20, "2")));
}

TEST(AggAggregate, FinishesAggregates) {
  Harness h(MakeAggregate(Spec("avg", Field("v"))));
  h.In("a", 1, 1);
  h.In("a", 2, 2);
  EXPECT_THAT(h.Out(), ElementsAre(KV("a", 1, "1"), KV("a", 2, "1.5")));
}

TEST(AggAggregate, NullAggregateDeletesAndForwardsNull) {
  AggregateSpec spec = Spec("first", Field("v"));
  spec.cached = false;
  Harness h(MakeAggregate(spec));
  h.In("a", 1, Value());
  h.In("a", 2, "x");
  EXPECT_THAT(h.Out(), ElementsAre(KV("a", 1, "null"), KV("a", 2, "\"x\"")));
}

TEST(AggAggregate, NullKeyIsADataError) {
  Harness h(MakeAggregate(Count(false)));
  Status s = h.Send(Value(), Value(1), 1);
  EXPECT_EQ(s.code(), StatusCode::kDataError);
  EXPECT_THAT(s.message(), HasSubstr("null key"));
  EXPECT_THAT(h.Out(), IsEmpty());
}

TEST(AggAggregate, AggregatorErrorsPropagate) {
  Harness h(MakeAggregate(Spec("sum", Field("v"))));
  Status s = h.Send(
      Value("a"),
      [] {
        Value v = Value::MakeObject();
        v.Set("v", "not a number");
        return v;
      }(),
      1);
  EXPECT_EQ(s.code(), StatusCode::kDataError);
}

// ---------------------------------------------------------------------------
// MakeTableSource

TEST(AggTable, KeepsLatestValueAndForwardsDeletes) {
  auto def = MakeTableSource("t", nullptr, nullptr);
  EXPECT_EQ(def->kind(), "table");
  ASSERT_EQ(def->stores().size(), 1u);
  EXPECT_EQ(def->stores()[0].kind, StoreKind::kKeyValue);
  Harness h(def);
  ASSERT_TRUE(h.init_status.ok());
  ASSERT_TRUE(h.Send("a", "x", 1).ok());
  ASSERT_TRUE(h.Send("a", "y", 2).ok());
  ASSERT_TRUE(h.Send("a", Value(), 3).ok());
  EXPECT_THAT(h.Out(), ElementsAre(KV("a", 1, "\"x\""), KV("a", 2, "\"y\""), KV("a", 3, "null")));
  auto stored = h.Store<FakeKeyValueStore>("t")->Get("\"a\"");
  ASSERT_TRUE(stored.ok());
  EXPECT_FALSE(stored->has_value());
}

TEST(AggTable, WithCacheForwardsFromTheFlushListener) {
  Harness h(MakeTableSource("t", nullptr, nullptr), /*caching=*/true);
  ASSERT_TRUE(h.Send("a", "x", 1).ok());
  ASSERT_TRUE(h.Send("b", "z", 2).ok());
  ASSERT_TRUE(h.Send("a", "y", 3).ok());
  EXPECT_THAT(h.Out(), IsEmpty());
  h.Flush();
  EXPECT_THAT(h.Out(), ElementsAre(KV("a", 3, "\"y\""), KV("b", 2, "\"z\"")));
  ASSERT_TRUE(h.Send("b", Value(), 4).ok());
  h.Flush();
  EXPECT_THAT(h.Out(), ElementsAre(KV("b", 4, "null")));
}

TEST(AggTable, NullKeyIsADataError) {
  Harness h(MakeTableSource("t", nullptr, nullptr));
  EXPECT_EQ(h.Send(Value(), "x", 1).code(), StatusCode::kDataError);
}

// ---------------------------------------------------------------------------
// Windowed aggregation: definitions

TEST(WindowDef, StoresAndRetention) {
  auto tumbling = MakeWindowedAggregate(Count(), Tumbling(10, 5), EmitMode::kUpdates);
  ASSERT_EQ(tumbling->stores().size(), 1u);
  EXPECT_EQ(tumbling->stores()[0].kind, StoreKind::kWindow);
  EXPECT_EQ(tumbling->stores()[0].retention.count(), 16);
  EXPECT_TRUE(tumbling->stores()[0].logged);
  auto sliding = MakeWindowedAggregate(Count(), Sliding(10, 5), EmitMode::kUpdates);
  EXPECT_EQ(sliding->stores()[0].retention.count(), 36);
  auto session = MakeWindowedAggregate(Count(), Session(10, 5), EmitMode::kUpdates);
  ASSERT_EQ(session->stores().size(), 1u);
  EXPECT_EQ(session->stores()[0].kind, StoreKind::kSession);
  EXPECT_EQ(session->stores()[0].retention.count(), 16);
  // Final results of sessions need an index of open sessions.
  auto final_session = MakeWindowedAggregate(Count(), Session(10, 5), EmitMode::kFinal);
  ASSERT_EQ(final_session->stores().size(), 2u);
  EXPECT_EQ(final_session->stores()[1].name, "s-pending");
  EXPECT_EQ(final_session->stores()[1].kind, StoreKind::kKeyValue);
}

TEST(WindowDef, InvalidWindowsFailAtInit) {
  Harness zero(MakeWindowedAggregate(Count(), Tumbling(0, 0), EmitMode::kUpdates));
  EXPECT_EQ(zero.init_status.code(), StatusCode::kInvalidArgument);
  Harness hop(MakeWindowedAggregate(Count(), Hopping(10, 20, 0), EmitMode::kUpdates));
  EXPECT_EQ(hop.init_status.code(), StatusCode::kInvalidArgument);
  Harness gap(MakeWindowedAggregate(Count(), Session(0, 0), EmitMode::kUpdates));
  EXPECT_EQ(gap.init_status.code(), StatusCode::kInvalidArgument);
}

TEST(WindowDef, NullKeyAndNegativeTimestampAreDataErrors) {
  Harness h(MakeWindowedAggregate(Count(false), Tumbling(10, 0), EmitMode::kUpdates));
  EXPECT_EQ(h.Send(Value(), Value(1), 5).code(), StatusCode::kDataError);
  EXPECT_EQ(h.Send("a", Value(1), -1).code(), StatusCode::kDataError);
  EXPECT_THAT(h.Out(), IsEmpty());
}

// ---------------------------------------------------------------------------
// Tumbling

TEST(WindowTumbling, UpdatesWithOutOfOrderAndLateRecords) {
  Harness h(MakeWindowedAggregate(Count(false), Tumbling(10, 5), EmitMode::kUpdates));
  ASSERT_TRUE(h.init_status.ok()) << h.init_status.ToString();
  h.In("a", 1);
  h.In("a", 12);
  h.In("a", 8);  // out of order, window [0,10) still open (close time 7)
  h.In("a", 3);
  EXPECT_THAT(h.Out(), ElementsAre(W("a", 1, 0, 10, "1"), W("a", 12, 10, 20, "1"), W("a", 8, 0, 10, "2"),
                                   W("a", 8, 0, 10, "3")));
  h.In("a", 20);  // close time 15: [0,10) closes
  h.In("a", 9);   // late beyond grace: dropped
  h.In("a", 14);  // [10,20) ends at 20 > 15: within grace
  EXPECT_THAT(h.Out(), ElementsAre(W("a", 20, 20, 30, "1"), W("a", 14, 10, 20, "2")));
  EXPECT_EQ(h.Late(), 1);
}

TEST(WindowTumbling, WithCacheForwardsOncePerWindowOnFlush) {
  Harness h(MakeWindowedAggregate(Count(true), Tumbling(10, 0), EmitMode::kUpdates), /*caching=*/true);
  h.In("a", 1);
  h.In("b", 2);
  h.In("a", 3);
  h.In("a", 12);
  EXPECT_THAT(h.Out(), IsEmpty());
  h.Flush();
  EXPECT_THAT(h.Out(), ElementsAre(W("a", 3, 0, 10, "2"), W("a", 12, 10, 20, "1"), W("b", 2, 0, 10, "1")));
}

TEST(WindowTumbling, FinalEmitsEachWindowOnceWhenItCloses) {
  Harness h(MakeWindowedAggregate(Count(), Tumbling(10, 5), EmitMode::kFinal));
  h.In("a", 1);
  h.In("b", 2);
  h.In("a", 12);
  h.In("a", 8);
  h.In("a", 3);
  EXPECT_THAT(h.Out(), IsEmpty());
  h.In("a", 15);  // close time 10: [0,10) closes
  EXPECT_THAT(h.Out(), ElementsAre(W("a", 9, 0, 10, "3"), W("b", 9, 0, 10, "1")));
  h.In("a", 9);  // late: dropped, nothing re-emitted
  h.In("a", 14);
  EXPECT_THAT(h.Out(), IsEmpty());
  EXPECT_EQ(h.Late(), 1);
  h.In("a", 24);  // close time 19
  EXPECT_THAT(h.Out(), IsEmpty());
  h.In("a", 25);  // close time 20: [10,20) closes
  EXPECT_THAT(h.Out(), ElementsAre(W("a", 19, 10, 20, "3")));
  h.In("a", 26);
  h.In("a", 40);  // close time 35: [20,30) closes
  EXPECT_THAT(h.Out(), ElementsAre(W("a", 29, 20, 30, "3")));
  h.In("a", 41);
  EXPECT_THAT(h.Out(), IsEmpty());
}

TEST(WindowTumbling, FinalSurvivesARestart) {
  Harness h(MakeWindowedAggregate(Count(), Tumbling(10, 0), EmitMode::kFinal));
  h.In("a", 1);
  h.In("a", 11);  // [0,10) closes and is emitted
  EXPECT_THAT(h.Out(), ElementsAre(W("a", 9, 0, 10, "1")));
  h.In("b", 12);
  h.Restart();  // stream time stays; the new processor reads the store
  ASSERT_TRUE(h.init_status.ok());
  h.In("a", 25);  // [10,20) of a and b close; [0,10) is not emitted again
  EXPECT_THAT(h.Out(), ElementsAre(W("a", 19, 10, 20, "1"), W("b", 19, 10, 20, "1")));
}

TEST(WindowTumbling, ExpiresOldWindows) {
  Harness h(MakeWindowedAggregate(Count(false), Tumbling(10, 0), EmitMode::kUpdates));
  h.In("a", 1);
  h.In("a", 100);
  auto* store = h.Store<FakeWindowStore>("s");
  ASSERT_NE(store, nullptr);
  EXPECT_GE(store->delete_before_calls, 1);
  std::vector<int64_t> starts;
  for (const auto& e : store->Entries()) starts.push_back(e.start);
  EXPECT_THAT(starts, ElementsAre(100));
}

// ---------------------------------------------------------------------------
// Hopping

TEST(WindowHopping, RecordsUpdateEveryOpenWindowTheyFallInto) {
  Harness h(MakeWindowedAggregate(Spec("sum", Field("v")), Hopping(10, 5, 0), EmitMode::kUpdates));
  h.In("a", 7, 1);   // [0,10) and [5,15)
  h.In("a", 12, 2);  // [5,15) and [10,20); close time 12
  h.In("a", 9, 4);   // [0,10) closed; [5,15) open
  h.In("a", 4, 8);   // only [0,10): closed -> dropped
  EXPECT_THAT(h.Out(), ElementsAre(W("a", 7, 0, 10, "1"), W("a", 7, 5, 15, "1"), W("a", 12, 5, 15, "3"),
                                   W("a", 12, 10, 20, "2"), W("a", 12, 5, 15, "7")));
  EXPECT_EQ(h.Late(), 1);
}

TEST(WindowHopping, FinalEmitsInWindowOrder) {
  Harness h(MakeWindowedAggregate(Spec("sum", Field("v")), Hopping(10, 5, 0), EmitMode::kFinal));
  h.In("a", 7, 1);
  h.In("a", 12, 2);  // [0,10) closes (no grace)
  EXPECT_THAT(h.Out(), ElementsAre(W("a", 9, 0, 10, "1")));
  h.In("a", 9, 4);  // into [5,15)
  h.In("a", 4, 8);  // dropped
  h.In("a", 30, 0);
  EXPECT_THAT(h.Out(), ElementsAre(W("a", 14, 5, 15, "7"), W("a", 19, 10, 20, "2")));
  EXPECT_EQ(h.Late(), 1);
}

// ---------------------------------------------------------------------------
// Sliding (time difference 10): windows [t - 10, t] at each record, right
// windows [t + 1, t + 11] when later records fall into them.

TEST(WindowSliding, UpdatesFollowKafkaStreams) {
  Harness h(MakeWindowedAggregate(Count(false), Sliding(10, 20), EmitMode::kUpdates));
  h.In("a", 100);
  EXPECT_THAT(h.Out(), ElementsAre(W("a", 100, 90, 100, "1")));
  h.In("a", 105);
  // 100's right window [101,111] gets 105; 105's left window holds 100 and 105.
  EXPECT_THAT(h.Out(), ElementsAre(W("a", 105, 101, 111, "1"), W("a", 105, 95, 105, "2")));
  h.In("a", 103);  // out of order
  EXPECT_THAT(h.Out(), ElementsAre(W("a", 105, 95, 105, "3"), W("a", 105, 101, 111, "2"), W("a", 103, 93, 103, "2"),
                                   W("a", 105, 104, 114, "1")));
  // Every distinct window holds exactly the records it spans: 100, 103, 105.
  h.In("b", 200);  // stream time 200, close time 180
  EXPECT_THAT(h.Out(), ElementsAre(W("b", 200, 190, 200, "1")));
  h.In("a", 170);  // its window [160,170] is closed: dropped
  EXPECT_THAT(h.Out(), IsEmpty());
  EXPECT_EQ(h.Late(), 1);
  h.In("a", 185);  // within grace
  EXPECT_THAT(h.Out(), ElementsAre(W("a", 185, 175, 185, "1")));
  h.In("a", 150);  // even its right window [151,161] is closed: dropped
  EXPECT_EQ(h.Late(), 2);
  EXPECT_THAT(h.Out(), IsEmpty());
}

TEST(WindowSliding, EarlyRecordsShareTheWindowFromZero) {
  Harness h(MakeWindowedAggregate(Count(false), Sliding(10, 100), EmitMode::kUpdates));
  h.In("a", 3);
  EXPECT_THAT(h.Out(), ElementsAre(W("a", 3, 0, 10, "1")));
  h.In("a", 6);
  EXPECT_THAT(h.Out(), ElementsAre(W("a", 6, 4, 14, "1"), W("a", 6, 0, 10, "2")));
  h.In("a", 5);
  EXPECT_THAT(h.Out(), ElementsAre(W("a", 6, 4, 14, "2"), W("a", 6, 6, 16, "1"), W("a", 6, 0, 10, "3")));
  h.In("a", 12);  // past the early range
  EXPECT_THAT(h.Out(), ElementsAre(W("a", 12, 4, 14, "3"), W("a", 12, 6, 16, "2"), W("a", 12, 7, 17, "1"),
                                   W("a", 12, 2, 12, "4")));
}

TEST(WindowSliding, FinalEmitsEachWindowOnce) {
  Harness h(MakeWindowedAggregate(Count(), Sliding(10, 5), EmitMode::kFinal));
  h.In("a", 100);
  EXPECT_THAT(h.Out(), IsEmpty());
  h.In("a", 105);  // close time 100: [90,100] closes
  EXPECT_THAT(h.Out(), ElementsAre(W("a", 100, 90, 100, "1")));
  h.In("a", 103);
  EXPECT_THAT(h.Out(), IsEmpty());
  h.In("a", 120);  // close time 115
  EXPECT_THAT(h.Out(), ElementsAre(W("a", 103, 93, 103, "2"), W("a", 105, 95, 105, "3"), W("a", 111, 101, 111, "2"),
                                   W("a", 114, 104, 114, "1")));
  h.In("a", 121);  // reads emitted windows, emits none again
  EXPECT_THAT(h.Out(), IsEmpty());
  h.In("a", 140);  // close time 135
  EXPECT_THAT(h.Out(), ElementsAre(W("a", 120, 110, 120, "1"), W("a", 121, 111, 121, "2"), W("a", 131, 121, 131, "1")));
}

// ---------------------------------------------------------------------------
// Session (gap 10)

TEST(WindowSession, UpdatesMergeAndRetractReplacedSessions) {
  Harness h(MakeWindowedAggregate(Count(false), Session(10, 5), EmitMode::kUpdates));
  ASSERT_TRUE(h.init_status.ok()) << h.init_status.ToString();
  h.In("a", 100);
  h.In("a", 115);  // more than the gap away: a new session
  EXPECT_THAT(h.Out(), ElementsAre(W("a", 100, 100, 100, "1"), W("a", 115, 115, 115, "1")));
  // Close time 100 (stream time - gap - grace): both are open, and 108 bridges them.
  h.In("a", 108);
  EXPECT_THAT(h.Out(),
              ElementsAre(W("a", 100, 100, 100, "null"), W("a", 115, 115, 115, "null"), W("a", 115, 100, 115, "3")));
  h.In("c", 180);
  h.In("b", 200);  // close time 185: c's [180,180] is closed
  h.In("c", 188);  // within the gap of the closed session, but never merged into it
  h.In("a", 184);  // its session would be closed: dropped
  EXPECT_EQ(h.Late(), 1);
  h.In("a", 186);  // on time
  h.In("a", 180);  // late alone, but merges into the open [186,186]
  EXPECT_THAT(h.Out(),
              ElementsAre(W("c", 180, 180, 180, "1"), W("b", 200, 200, 200, "1"), W("c", 188, 188, 188, "1"),
                          W("a", 186, 186, 186, "1"), W("a", 186, 186, 186, "null"), W("a", 186, 180, 186, "2")));
  EXPECT_EQ(h.Late(), 1);
}

TEST(WindowSession, ABridgingRecordMergesTwoSessions) {
  Harness h(MakeWindowedAggregate(Spec("sum", Field("v")), Session(10, 100), EmitMode::kUpdates));
  h.In("a", 100, 1);
  h.In("a", 120, 2);
  h.In("a", 110, 4);
  EXPECT_THAT(h.Out(),
              ElementsAre(W("a", 100, 100, 100, "1"), W("a", 120, 120, 120, "2"), W("a", 100, 100, 100, "null"),
                          W("a", 120, 120, 120, "null"), W("a", 120, 100, 120, "7")));
  std::vector<std::string> sessions;
  for (const auto& e : h.Store<FakeSessionStore>("s")->Entries()) {
    sessions.push_back(std::to_string(e.start) + "-" + std::to_string(e.end));
  }
  EXPECT_THAT(sessions, ElementsAre("100-120"));
}

TEST(WindowSession, WithCacheForwardsFromTheFlushListener) {
  Harness h(MakeWindowedAggregate(Count(true), Session(10, 100), EmitMode::kUpdates), /*caching=*/true);
  h.In("a", 100);
  h.In("a", 120);
  h.Flush();
  EXPECT_THAT(h.Out(), ElementsAre(W("a", 100, 100, 100, "1"), W("a", 120, 120, 120, "1")));
  h.In("a", 110);
  h.Flush();
  // In store key order: (end, start).
  EXPECT_THAT(h.Out(),
              ElementsAre(W("a", 100, 100, 100, "null"), W("a", 120, 100, 120, "3"), W("a", 120, 120, 120, "null")));
  // A session created and replaced within one commit was never seen downstream.
  h.In("a", 300);
  h.In("a", 305);
  h.Flush();
  EXPECT_THAT(h.Out(), ElementsAre(W("a", 305, 300, 305, "2")));
}

TEST(WindowSession, FinalEmitsClosedSessionsOnce) {
  Harness h(MakeWindowedAggregate(Count(), Session(10, 5), EmitMode::kFinal));
  ASSERT_TRUE(h.init_status.ok()) << h.init_status.ToString();
  h.In("a", 100);
  h.In("a", 105);  // merges: [100,105]
  EXPECT_THAT(h.Out(), IsEmpty());
  h.In("b", 120);  // close time 105: [100,105] is still open
  EXPECT_THAT(h.Out(), IsEmpty());
  h.In("b", 121);  // close time 106: [100,105] closes
  EXPECT_THAT(h.Out(), ElementsAre(W("a", 105, 100, 105, "2")));
  h.In("a", 112);  // on time and within the gap of the closed session: a new one
  EXPECT_THAT(h.Out(), IsEmpty());
  h.In("a", 140);  // close time 125, emitted by session end
  EXPECT_THAT(h.Out(), ElementsAre(W("a", 112, 112, 112, "1"), W("b", 121, 120, 121, "2")));
  h.In("a", 141);
  EXPECT_THAT(h.Out(), IsEmpty());
  h.In("a", 100);  // late
  EXPECT_EQ(h.Late(), 1);
  h.Restart();  // pending sessions live in the index store
  h.In("a", 160);
  EXPECT_THAT(h.Out(), ElementsAre(W("a", 141, 140, 141, "2")));
}

}  // namespace
}  // namespace streamapp::dsl
