// The state-store module: inner stores, the layers above them, window and
// session facades, restoration and checkpoints.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <limits>
#include <map>
#include <string>
#include <tuple>
#include <vector>

#include "state/stores.h"

namespace streamapp::state {
namespace {

struct SentRecord {
  std::string topic;
  int32_t partition;
  std::string key;
  std::optional<std::string> value;
  int64_t timestamp;
};

class FakeChangelog : public ChangelogWriter {
 public:
  Status Send(const std::string& topic, PartitionId partition, std::string_view key,
              std::optional<std::string_view> value, int64_t timestamp) override {
    std::optional<std::string> copy;
    if (value) copy.emplace(*value);
    sent.push_back({topic, partition.value(), std::string(key), copy, timestamp});
    return Status::Ok();
  }
  std::vector<SentRecord> sent;
};

struct FlushCall {
  std::string key;
  std::optional<std::string> value;
  std::optional<std::string> old_value;
  int64_t timestamp;
};

StateStore::FlushListener Recorder(std::vector<FlushCall>* calls) {
  return [calls](std::string_view key, std::optional<std::string_view> value, std::optional<std::string_view> old_value,
                 int64_t timestamp) {
    FlushCall call{std::string(key), std::nullopt, std::nullopt, timestamp};
    if (value) call.value.emplace(*value);
    if (old_value) call.old_value.emplace(*old_value);
    calls->push_back(std::move(call));
    return Status::Ok();
  };
}

using Pairs = std::vector<std::pair<std::string, std::string>>;

Pairs Collect(KeyValueStore& store, std::string_view from = {}, std::string_view to = {}, size_t limit = 1000) {
  Pairs out;
  Status s = store.Range(from, to, [&](std::string_view k, std::string_view v) {
    out.emplace_back(std::string(k), std::string(v));
    return out.size() < limit;
  });
  EXPECT_TRUE(s.ok()) << s.ToString();
  return out;
}

std::optional<std::string> GetOrDie(KeyValueStore& store, std::string_view key) {
  auto r = store.Get(key);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return r.ok() ? *r : std::nullopt;
}

// A temp dir, a fake changelog, a thread cache and a clock: what a task gives
// its stores.
class StateTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/state_store_test.XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  StoreContext Context(ThreadCache* cache, StateResources* resources = nullptr) {
    StoreContext c;
    c.task_dir = dir_ + "/0_3";
    c.resources = resources;
    c.cache = cache;
    c.changelog = &log_;
    c.changelog_topic = "app-store-changelog";
    c.partition = PartitionId(3);
    c.current_timestamp = [this] { return now_; };
    return c;
  }

  static StoreSpec Spec(std::string name, bool in_memory, bool cached, StoreKind kind = StoreKind::kKeyValue) {
    StoreSpec spec;
    spec.name = std::move(name);
    spec.kind = kind;
    spec.in_memory = in_memory;
    spec.cached = cached;
    return spec;
  }

  OpenedStore Open(const StoreSpec& spec, ThreadCache* cache, StateResources* resources = nullptr) {
    auto opened = OpenStore(spec, Context(cache, resources));
    EXPECT_TRUE(opened.ok()) << opened.status().ToString();
    if (!opened.ok()) return {};
    EXPECT_NE(opened->restore, nullptr);
    EXPECT_NE(opened->metrics, nullptr);
    return std::move(*opened);
  }

  static KeyValueStore& Kv(OpenedStore& o) { return static_cast<KeyValueStore&>(*o.store); }

  std::string dir_;
  FakeChangelog log_;
  ThreadCache cache_{1 << 20};
  ThreadCache no_cache_{0};
  int64_t now_ = 1000;
};

// --- inner stores, for both kinds ---------------------------------------------

class StateInnerStore : public StateTest, public ::testing::WithParamInterface<bool> {};

TEST_P(StateInnerStore, GetPutDeleteRangeAllInByteOrder) {
  OpenedStore o = Open(Spec("kv", GetParam(), false), &no_cache_);
  KeyValueStore& kv = Kv(o);
  for (const char* k : {"b", "ab", "a", "c", "\xff", "aa"}) ASSERT_TRUE(kv.Put(k, std::string("v-") + k).ok());
  ASSERT_TRUE(kv.Put(std::string("\0z", 2), "zero").ok());
  ASSERT_TRUE(kv.Put("c", "c2").ok());
  EXPECT_EQ(GetOrDie(kv, "c"), "c2");
  EXPECT_EQ(GetOrDie(kv, "missing"), std::nullopt);
  ASSERT_TRUE(kv.Delete("aa").ok());
  ASSERT_TRUE(kv.Delete("never-there").ok());
  EXPECT_EQ(GetOrDie(kv, "aa"), std::nullopt);

  Pairs all;
  ASSERT_TRUE(kv.All([&](std::string_view k, std::string_view v) {
                  all.emplace_back(std::string(k), std::string(v));
                  return true;
                }).ok());
  Pairs expected{
      {std::string("\0z", 2), "zero"}, {"a", "v-a"}, {"ab", "v-ab"}, {"b", "v-b"}, {"c", "c2"}, {"\xff", "v-\xff"}};
  EXPECT_EQ(all, expected);
  EXPECT_EQ(Collect(kv, "a", "b"), (Pairs{{"a", "v-a"}, {"ab", "v-ab"}}));  // [from, to)
  EXPECT_EQ(Collect(kv, "ab", {}), (Pairs{{"ab", "v-ab"}, {"b", "v-b"}, {"c", "c2"}, {"\xff", "v-\xff"}}));
  EXPECT_EQ(Collect(kv, {}, "a"), (Pairs{{std::string("\0z", 2), "zero"}}));
  EXPECT_EQ(Collect(kv, {}, {}, 2).size(), 2u);  // the visitor stops the scan
  EXPECT_TRUE(Collect(kv, "d", "e").empty());
  auto count = kv.ApproximateCount();
  ASSERT_TRUE(count.ok());
  if (GetParam()) {
    EXPECT_EQ(*count, 6u);
  }
  EXPECT_FALSE(kv.SetFlushListener(Recorder(nullptr), StateStore::OldValues::kRead));  // no cache
  EXPECT_EQ(o.metrics->puts, 8u);
  EXPECT_EQ(o.metrics->deletes, 2u);
  EXPECT_GE(o.metrics->gets, 3u);
  EXPECT_GE(o.metrics->ranges, 5u);
}

INSTANTIATE_TEST_SUITE_P(State, StateInnerStore, ::testing::Values(false, true),
                         [](const auto& param_info) { return param_info.param ? "InMemory" : "RocksDb"; });

TEST_F(StateTest, RocksDbReopenKeepsDataAfterClose) {
  StateResources resources(8 << 20);
  StoreSpec spec = Spec("persistent", false, true);
  {
    OpenedStore o = Open(spec, &cache_, &resources);
    ASSERT_TRUE(Kv(o).Put("k1", "v1").ok());
    ASSERT_TRUE(Kv(o).Put("k2", "v2").ok());
    ASSERT_TRUE(Kv(o).Delete("k2").ok());
    ASSERT_TRUE(o.store->Flush().ok());
    o.store->Close();
    EXPECT_FALSE(Kv(o).Get("k1").ok());  // closed
  }
  EXPECT_TRUE(std::filesystem::exists(dir_ + "/0_3/persistent"));
  OpenedStore again = Open(spec, &cache_, &resources);
  EXPECT_EQ(GetOrDie(Kv(again), "k1"), "v1");
  EXPECT_EQ(GetOrDie(Kv(again), "k2"), std::nullopt);
  EXPECT_EQ(cache_.used_bytes(), 0u);  // closing released the first store's cache share
}

// --- change-logging ---------------------------------------------------------

TEST_F(StateTest, ChangelogOneRecordPerWriteWithTombstones) {
  OpenedStore o = Open(Spec("logged", true, false), &cache_);
  KeyValueStore& kv = Kv(o);
  EXPECT_FALSE(kv.SetFlushListener(Recorder(nullptr), StateStore::OldValues::kRead));
  now_ = 10;
  ASSERT_TRUE(kv.Put("a", "1").ok());
  now_ = -5;
  ASSERT_TRUE(kv.Put("a", "2").ok());
  now_ = 30;
  ASSERT_TRUE(kv.Delete("a").ok());
  ASSERT_EQ(log_.sent.size(), 3u);
  for (const SentRecord& r : log_.sent) {
    EXPECT_EQ(r.topic, "app-store-changelog");
    EXPECT_EQ(r.partition, 3);
    EXPECT_EQ(r.key, "a");
  }
  EXPECT_EQ(log_.sent[0].value, "1");
  EXPECT_EQ(log_.sent[0].timestamp, 10);
  EXPECT_EQ(log_.sent[1].value, "2");
  EXPECT_EQ(log_.sent[1].timestamp, -5);
  EXPECT_EQ(log_.sent[2].value, std::nullopt);
  EXPECT_EQ(log_.sent[2].timestamp, 30);
  EXPECT_EQ(o.metrics->changelog_writes, 3u);
}

TEST_F(StateTest, ChangelogSkippedWhenNotLogged) {
  StoreSpec spec = Spec("unlogged", true, false);
  spec.logged = false;
  OpenedStore o = Open(spec, &cache_);
  ASSERT_TRUE(Kv(o).Put("a", "1").ok());
  EXPECT_TRUE(log_.sent.empty());
  EXPECT_EQ(GetOrDie(Kv(o), "a"), "1");
}

// --- caching ------------------------------------------------------------------

class StateCache : public StateTest, public ::testing::WithParamInterface<bool> {};

TEST_P(StateCache, FoldsHotKeysUntilFlush) {
  OpenedStore o = Open(Spec("cached", GetParam(), true), &cache_);
  KeyValueStore& kv = Kv(o);
  std::vector<FlushCall> calls;
  ASSERT_TRUE(kv.SetFlushListener(Recorder(&calls), StateStore::OldValues::kRead));
  const std::vector<std::string> keys{"k2", "k0", "k1"};
  ASSERT_TRUE(kv.Put("k1", "initial").ok());
  ASSERT_TRUE(kv.Flush().ok());
  ASSERT_EQ(log_.sent.size(), 1u);
  ASSERT_EQ(calls.size(), 1u);
  EXPECT_EQ(calls[0].old_value, std::nullopt);
  log_.sent.clear();
  calls.clear();

  for (int i = 0; i < 1000; ++i) {
    now_ = 2000 + i;
    ASSERT_TRUE(kv.Put(keys[i % 3], keys[i % 3] + "=" + std::to_string(i)).ok());
  }
  EXPECT_TRUE(log_.sent.empty());
  EXPECT_EQ(GetOrDie(kv, "k0"), "k0=997");  // read from the cache
  EXPECT_GT(o.metrics->cache_hits, 0u);
  EXPECT_GT(cache_.used_bytes(), 0u);
  ASSERT_TRUE(kv.Flush().ok());

  ASSERT_EQ(log_.sent.size(), 3u);
  ASSERT_EQ(calls.size(), 3u);
  // Key order.
  EXPECT_EQ(calls[0].key, "k0");
  EXPECT_EQ(calls[0].value, "k0=997");
  EXPECT_EQ(calls[0].old_value, std::nullopt);
  EXPECT_EQ(calls[0].timestamp, 2997);
  EXPECT_EQ(calls[1].key, "k1");
  EXPECT_EQ(calls[1].value, "k1=998");
  EXPECT_EQ(calls[1].old_value, "initial");
  EXPECT_EQ(calls[1].timestamp, 2998);
  EXPECT_EQ(calls[2].key, "k2");
  EXPECT_EQ(calls[2].value, "k2=999");
  EXPECT_EQ(calls[2].timestamp, 2999);
  // The changelog records carry the timestamps of the writes, not of the flush.
  EXPECT_EQ(log_.sent[2].key, "k2");
  EXPECT_EQ(log_.sent[2].value, "k2=999");
  EXPECT_EQ(log_.sent[2].timestamp, 2999);
  EXPECT_EQ(o.metrics->puts, 1001u);

  // A second flush has nothing to write; a delete of a flushed key flushes as a tombstone.
  ASSERT_TRUE(kv.Flush().ok());
  EXPECT_EQ(log_.sent.size(), 3u);
  ASSERT_TRUE(kv.Delete("k1").ok());
  EXPECT_EQ(GetOrDie(kv, "k1"), std::nullopt);
  ASSERT_TRUE(kv.Flush().ok());
  ASSERT_EQ(calls.size(), 4u);
  EXPECT_EQ(calls[3].value, std::nullopt);
  EXPECT_EQ(calls[3].old_value, "k1=998");
  EXPECT_EQ(log_.sent.back().value, std::nullopt);
  EXPECT_EQ(GetOrDie(kv, "k1"), std::nullopt);
}

TEST_P(StateCache, RangeMergesCacheAndStore) {
  OpenedStore o = Open(Spec("merge", GetParam(), true), &cache_);
  KeyValueStore& kv = Kv(o);
  ASSERT_TRUE(o.restore->ApplyBatch({{"a", "a0"}, {"b", "b0"}, {"c", "c0"}, {"d", "d0"}}).ok());
  ASSERT_TRUE(kv.Delete("b").ok());
  ASSERT_TRUE(kv.Put("c", "c1").ok());
  ASSERT_TRUE(kv.Put("e", "e1").ok());
  ASSERT_TRUE(kv.Put("0", "01").ok());
  ASSERT_TRUE(kv.Delete("zz").ok());  // a tombstone for a key the store never had
  EXPECT_TRUE(log_.sent.empty());

  EXPECT_EQ(Collect(kv), (Pairs{{"0", "01"}, {"a", "a0"}, {"c", "c1"}, {"d", "d0"}, {"e", "e1"}}));
  EXPECT_EQ(Collect(kv, "b", "e"), (Pairs{{"c", "c1"}, {"d", "d0"}}));
  EXPECT_EQ(Collect(kv, "a", "c"), (Pairs{{"a", "a0"}}));
  EXPECT_EQ(Collect(kv, {}, {}, 3), (Pairs{{"0", "01"}, {"a", "a0"}, {"c", "c1"}}));
  EXPECT_EQ(Collect(kv, "d", {}), (Pairs{{"d", "d0"}, {"e", "e1"}}));
  ASSERT_TRUE(kv.Flush().ok());
  EXPECT_EQ(Collect(kv), (Pairs{{"0", "01"}, {"a", "a0"}, {"c", "c1"}, {"d", "d0"}, {"e", "e1"}}));
  EXPECT_EQ(log_.sent.size(), 5u);
}

// Without OldValues::kRead the listener gets the new values only: the
// cache does not read the replaced value from the layer below.
TEST_P(StateCache, ListenerSkippingOldValuesGetsNewValuesOnly) {
  OpenedStore o = Open(Spec("skip-old", GetParam(), true), &cache_);
  KeyValueStore& kv = Kv(o);
  std::vector<FlushCall> calls;
  ASSERT_TRUE(kv.SetFlushListener(Recorder(&calls), StateStore::OldValues::kSkip));
  ASSERT_TRUE(kv.Put("k", "first").ok());
  ASSERT_TRUE(kv.Flush().ok());
  ASSERT_TRUE(kv.Put("k", "second").ok());
  ASSERT_TRUE(kv.Delete("gone").ok());
  ASSERT_TRUE(kv.Flush().ok());
  ASSERT_EQ(calls.size(), 3u);
  EXPECT_EQ(calls[0].value, "first");
  EXPECT_EQ(calls[1].key, "gone");
  EXPECT_EQ(calls[1].value, std::nullopt);
  EXPECT_EQ(calls[2].key, "k");
  EXPECT_EQ(calls[2].value, "second");
  for (const FlushCall& call : calls) EXPECT_EQ(call.old_value, std::nullopt) << call.key;
  EXPECT_EQ(GetOrDie(kv, "k"), "second");
}

TEST_P(StateCache, ListenersAndVisitorsMayWriteToTheStore) {
  ThreadCache small(400);
  OpenedStore o = Open(Spec("reentrant", GetParam(), true), &small);
  KeyValueStore& kv = Kv(o);
  std::vector<std::string> flushed;
  ASSERT_TRUE(kv.SetFlushListener(
      [&](std::string_view key, std::optional<std::string_view> value, std::optional<std::string_view>, int64_t) {
        flushed.emplace_back(key);
        if (key.substr(0, 1) == "x" && value) return kv.Put("derived-" + std::string(key), *value);
        return Status::Ok();
      },
      StateStore::OldValues::kSkip));
  for (int i = 0; i < 10; ++i) ASSERT_TRUE(kv.Put("x" + std::to_string(i), std::to_string(i)).ok());
  ASSERT_TRUE(kv.Flush().ok());
  ASSERT_TRUE(kv.Flush().ok());  // the derived keys written by the listener
  for (int i = 0; i < 10; ++i) EXPECT_EQ(GetOrDie(kv, "derived-x" + std::to_string(i)), std::to_string(i));
  EXPECT_EQ(flushed.size(), 20u);
  // A visitor deleting what it visits.
  ASSERT_TRUE(kv.All([&](std::string_view key, std::string_view) { return kv.Delete(std::string(key)).ok(); }).ok());
  EXPECT_TRUE(Collect(kv).empty());
  ASSERT_TRUE(kv.Flush().ok());
  EXPECT_TRUE(Collect(kv).empty());
  EXPECT_EQ(flushed.size(), 40u);
}

INSTANTIATE_TEST_SUITE_P(State, StateCache, ::testing::Values(false, true),
                         [](const auto& param_info) { return param_info.param ? "InMemory" : "RocksDb"; });

TEST_F(StateTest, CacheDisabledWithZeroBudgetOrUncachedSpec) {
  OpenedStore zero = Open(Spec("zero", true, true), &no_cache_);
  OpenedStore uncached = Open(Spec("uncached", true, false), &cache_);
  OpenedStore no_thread_cache = Open(Spec("nocache", true, true), nullptr);
  for (OpenedStore* o : {&zero, &uncached, &no_thread_cache}) {
    log_.sent.clear();
    EXPECT_FALSE(o->store->SetFlushListener(Recorder(nullptr), StateStore::OldValues::kRead));
    for (int i = 0; i < 10; ++i) ASSERT_TRUE(Kv(*o).Put("hot", std::to_string(i)).ok());
    EXPECT_EQ(log_.sent.size(), 10u);
    ASSERT_TRUE(o->store->Flush().ok());
    EXPECT_EQ(log_.sent.size(), 10u);
  }
  EXPECT_EQ(cache_.used_bytes(), 0u);
}

TEST_F(StateTest, CacheEvictsLeastRecentlyWrittenWhenOverBudget) {
  ThreadCache small(600);  // a few entries (key + value + ~96 bytes each)
  OpenedStore o = Open(Spec("evict", false, true), &small);
  KeyValueStore& kv = Kv(o);
  std::vector<FlushCall> calls;
  ASSERT_TRUE(kv.SetFlushListener(Recorder(&calls), StateStore::OldValues::kRead));
  for (int i = 0; i < 20; ++i) {
    now_ = i;
    ASSERT_TRUE(kv.Put("key" + std::to_string(100 + i), "value" + std::to_string(i)).ok());
    EXPECT_LE(small.used_bytes(), small.max_bytes());
  }
  ASSERT_GT(calls.size(), 10u);
  EXPECT_EQ(log_.sent.size(), calls.size());
  EXPECT_EQ(calls[0].key, "key100");  // least recently written first
  EXPECT_EQ(calls[0].value, "value0");
  EXPECT_EQ(calls[0].timestamp, 0);
  EXPECT_EQ(calls[1].key, "key101");
  for (int i = 0; i < 20; ++i) EXPECT_EQ(GetOrDie(kv, "key" + std::to_string(100 + i)), "value" + std::to_string(i));
  ASSERT_TRUE(kv.Flush().ok());
  EXPECT_EQ(calls.size(), 20u);  // each key written down exactly once
  EXPECT_EQ(log_.sent.size(), 20u);
  o.store->Close();
  EXPECT_EQ(small.used_bytes(), 0u);
}

TEST_F(StateTest, CacheSharesTheThreadBudgetAcrossStores) {
  ThreadCache shared(1000);
  OpenedStore a = Open(Spec("a", true, true), &shared);
  OpenedStore b = Open(Spec("b", true, true), &shared);
  std::vector<FlushCall> calls_a;
  std::vector<FlushCall> calls_b;
  Kv(a).SetFlushListener(Recorder(&calls_a), StateStore::OldValues::kRead);
  Kv(b).SetFlushListener(Recorder(&calls_b), StateStore::OldValues::kRead);
  for (int i = 0; i < 8; ++i) ASSERT_TRUE(Kv(a).Put("a" + std::to_string(i), "x").ok());
  EXPECT_TRUE(calls_a.empty());
  // b's writes push the thread over budget: b evicts its own entries only.
  for (int i = 0; i < 8; ++i) ASSERT_TRUE(Kv(b).Put("b" + std::to_string(i), "y").ok());
  EXPECT_TRUE(calls_a.empty());
  EXPECT_FALSE(calls_b.empty());
}

// --- window and session stores -------------------------------------------------

TEST(StateEncoding, WindowAndSessionKeysRoundTripAndSort) {
  std::string key;
  int64_t start = 0;
  int64_t end = 0;
  for (int64_t t : {std::numeric_limits<int64_t>::min(), int64_t{-1}, int64_t{0}, int64_t{42},
                    std::numeric_limits<int64_t>::max()}) {
    ASSERT_TRUE(DecodeWindowKey(EncodeWindowKey("k", t), &key, &start));
    EXPECT_EQ(key, "k");
    EXPECT_EQ(start, t);
    ASSERT_TRUE(DecodeSessionKey(EncodeSessionKey("ke", t, 7), &key, &start, &end));
    EXPECT_EQ(key, "ke");
    EXPECT_EQ(start, t);
    EXPECT_EQ(end, 7);
  }
  EXPECT_LT(EncodeWindowKey("k", -2), EncodeWindowKey("k", -1));
  EXPECT_LT(EncodeWindowKey("k", -1), EncodeWindowKey("k", 0));
  EXPECT_LT(EncodeWindowKey("k", 0), EncodeWindowKey("k", 256));
  EXPECT_LT(EncodeSessionKey("k", 5, 9), EncodeSessionKey("k", 0, 10));  // by end first
  EXPECT_FALSE(DecodeWindowKey("abc", &key, &start));
  EXPECT_FALSE(DecodeWindowKey(EncodeWindowKey("k", 1) + "x", &key, &start));
  EXPECT_FALSE(DecodeSessionKey(EncodeWindowKey("k", 1), &key, &start, &end));
}

class StateWindow : public StateTest, public ::testing::WithParamInterface<std::tuple<bool, bool>> {};

using Windows = std::vector<std::tuple<std::string, int64_t, std::string>>;

Windows FetchWindows(WindowStore& ws, const std::optional<std::string>& key, int64_t from, int64_t to) {
  Windows out;
  auto visit = [&](std::string_view k, int64_t start, std::string_view v) {
    out.emplace_back(std::string(k), start, std::string(v));
    return true;
  };
  Status s = key ? ws.Fetch(*key, from, to, visit) : ws.FetchAll(from, to, visit);
  EXPECT_TRUE(s.ok()) << s.ToString();
  return out;
}

TEST_P(StateWindow, FetchFetchAllDeleteBefore) {
  auto [in_memory, cached] = GetParam();
  OpenedStore o = Open(Spec("win", in_memory, cached, StoreKind::kWindow), &cache_);
  auto& ws = static_cast<WindowStore&>(*o.store);
  std::vector<FlushCall> calls;
  EXPECT_EQ(ws.SetFlushListener(Recorder(&calls), StateStore::OldValues::kRead), cached);
  for (int64_t t : {int64_t{-2000}, int64_t{-1000}, int64_t{0}, int64_t{1000}, int64_t{2000}}) {
    ASSERT_TRUE(ws.Put("a", t, "a@" + std::to_string(t)).ok());
    ASSERT_TRUE(ws.Put("ab", t, "ab@" + std::to_string(t)).ok());
  }
  ASSERT_TRUE(ws.Put("", 5, "empty-key").ok());
  auto got = ws.Get("a", -1000);
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(*got, "a@-1000");
  ASSERT_TRUE(ws.Delete("ab", 0).ok());

  EXPECT_EQ(FetchWindows(ws, "a", -1000, 1000),
            (Windows{{"a", -1000, "a@-1000"}, {"a", 0, "a@0"}, {"a", 1000, "a@1000"}}));
  EXPECT_EQ(FetchWindows(ws, "ab", -1500, 1500), (Windows{{"ab", -1000, "ab@-1000"}, {"ab", 1000, "ab@1000"}}));
  EXPECT_EQ(FetchWindows(ws, "", std::numeric_limits<int64_t>::min(), std::numeric_limits<int64_t>::max()),
            (Windows{{"", 5, "empty-key"}}));
  EXPECT_TRUE(FetchWindows(ws, "b", -5000, 5000).empty());
  EXPECT_TRUE(FetchWindows(ws, "a", 10, 5).empty());
  EXPECT_EQ(FetchWindows(ws, std::nullopt, -1000, 5),
            (Windows{{"", 5, "empty-key"}, {"a", -1000, "a@-1000"}, {"a", 0, "a@0"}, {"ab", -1000, "ab@-1000"}}));

  ASSERT_TRUE(ws.Flush().ok());
  size_t calls_before = calls.size();
  size_t sent_before = log_.sent.size();
  ASSERT_TRUE(ws.DeleteBefore(0).ok());
  EXPECT_EQ(calls.size(), calls_before);         // retention is not an update to forward
  EXPECT_EQ(log_.sent.size(), sent_before + 4);  // but it is logged
  EXPECT_EQ(log_.sent.back().value, std::nullopt);
  EXPECT_EQ(FetchWindows(ws, std::nullopt, std::numeric_limits<int64_t>::min(), std::numeric_limits<int64_t>::max()),
            (Windows{{"", 5, "empty-key"},
                     {"a", 0, "a@0"},
                     {"a", 1000, "a@1000"},
                     {"a", 2000, "a@2000"},
                     {"ab", 1000, "ab@1000"},
                     {"ab", 2000, "ab@2000"}}));
  if (cached) {
    // The listener saw composite keys.
    std::string key;
    int64_t start = 0;
    ASSERT_FALSE(calls.empty());
    EXPECT_TRUE(DecodeWindowKey(calls[0].key, &key, &start));
  }
}

INSTANTIATE_TEST_SUITE_P(State, StateWindow, ::testing::Combine(::testing::Bool(), ::testing::Bool()),
                         [](const auto& param_info) {
                           return std::string(std::get<0>(param_info.param) ? "InMemory" : "RocksDb") +
                                  (std::get<1>(param_info.param) ? "Cached" : "Uncached");
                         });

using Sessions = std::vector<std::tuple<std::string, int64_t, int64_t, std::string>>;

Sessions Find(SessionStore& ss, const std::string& key, int64_t earliest_end, int64_t latest_start) {
  Sessions out;
  Status s = ss.FindSessions(key, earliest_end, latest_start,
                             [&](std::string_view k, int64_t start, int64_t end, std::string_view v) {
                               out.emplace_back(std::string(k), start, end, std::string(v));
                               return true;
                             });
  EXPECT_TRUE(s.ok()) << s.ToString();
  return out;
}

TEST_P(StateCache, SessionFindSessionsRemoveDeleteBefore) {
  OpenedStore o = Open(Spec("sessions", GetParam(), true, StoreKind::kSession), &cache_);
  auto& ss = static_cast<SessionStore&>(*o.store);
  ASSERT_TRUE(ss.Put("u", -100, -50, "s1").ok());
  ASSERT_TRUE(ss.Put("u", 0, 10, "s2").ok());
  ASSERT_TRUE(ss.Put("u", 20, 30, "s3").ok());
  ASSERT_TRUE(ss.Put("u", 100, 200, "s4").ok());
  ASSERT_TRUE(ss.Put("us", 0, 10, "other-key").ok());
  ASSERT_TRUE(ss.Flush().ok());
  ASSERT_TRUE(ss.Put("u", 5, 25, "s5").ok());  // in the cache only

  // Overlaps [5, 25]: ends at or after 5, starts at or before 25. In end order.
  EXPECT_EQ(Find(ss, "u", 5, 25), (Sessions{{"u", 0, 10, "s2"}, {"u", 5, 25, "s5"}, {"u", 20, 30, "s3"}}));
  EXPECT_EQ(Find(ss, "u", 10, 10), (Sessions{{"u", 0, 10, "s2"}, {"u", 5, 25, "s5"}}));  // bounds inclusive
  EXPECT_EQ(Find(ss, "u", -60, -60), (Sessions{{"u", -100, -50, "s1"}}));
  EXPECT_TRUE(Find(ss, "u", 31, 99).empty());
  EXPECT_EQ(Find(ss, "us", 0, 100), (Sessions{{"us", 0, 10, "other-key"}}));

  ASSERT_TRUE(ss.Remove("u", 0, 10).ok());
  EXPECT_EQ(Find(ss, "u", 5, 25), (Sessions{{"u", 5, 25, "s5"}, {"u", 20, 30, "s3"}}));
  ASSERT_TRUE(ss.DeleteBefore(30).ok());  // drops sessions ending before 30
  EXPECT_EQ(Find(ss, "u", std::numeric_limits<int64_t>::min(), std::numeric_limits<int64_t>::max()),
            (Sessions{{"u", 20, 30, "s3"}, {"u", 100, 200, "s4"}}));
  EXPECT_TRUE(Find(ss, "us", 0, 100).empty());
}

// --- restoration, resources, checkpoints -----------------------------------------

TEST_F(StateTest, RestoreWritesBelowTheCacheAndTheChangelog) {
  for (bool in_memory : {false, true}) {
    OpenedStore o = Open(Spec(in_memory ? "restored-mem" : "restored", in_memory, true), &cache_);
    ASSERT_TRUE(o.restore
                    ->ApplyBatch({{"a", std::string("1")},
                                  {"b", std::string("2")},
                                  {"a", std::string("3")},
                                  {"b", std::nullopt},
                                  {"c", std::string("4")}})
                    .ok());
    EXPECT_EQ(GetOrDie(Kv(o), "a"), "3");
    EXPECT_EQ(GetOrDie(Kv(o), "b"), std::nullopt);
    EXPECT_EQ(Collect(Kv(o)), (Pairs{{"a", "3"}, {"c", "4"}}));
    ASSERT_TRUE(o.store->Flush().ok());
    EXPECT_TRUE(log_.sent.empty());
    EXPECT_EQ(o.metrics->changelog_writes, 0u);
  }
}

TEST_F(StateTest, ResourcesSharedByRocksDbStores) {
  StateResources resources(64 << 20);
  EXPECT_EQ(resources.budget(), size_t{64} << 20);
  OpenedStore a = Open(Spec("shared-a", false, false), &no_cache_, &resources);
  OpenedStore b = Open(Spec("shared-b", false, false), &no_cache_, &resources);
  std::string value(1000, 'v');
  for (int i = 0; i < 2000; ++i) {
    ASSERT_TRUE(Kv(a).Put("key" + std::to_string(i), value).ok());
    ASSERT_TRUE(Kv(b).Put("key" + std::to_string(i), value).ok());
  }
  // Both stores' memtables (4 MB of writes) are charged to the one cache.
  size_t usage = resources.MemoryUsage();
  EXPECT_GT(usage, size_t{3} << 20) << usage;
  EXPECT_LE(usage, resources.budget());
  a.store->Close();
  b.store->Close();
}

TEST_F(StateTest, CheckpointRoundTripMissingAndMalformed) {
  std::string path = dir_ + "/task/.checkpoint";
  auto missing = ReadCheckpoint(path);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);

  CheckpointOffsets offsets{{{"app-my.store-changelog", 0}, 42}, {{"app-other-changelog", 7}, 0}};
  ASSERT_TRUE(WriteCheckpoint(path, offsets).ok());
  EXPECT_FALSE(std::filesystem::exists(path + ".tmp"));
  auto read = ReadCheckpoint(path);
  ASSERT_TRUE(read.ok()) << read.status().ToString();
  EXPECT_EQ(*read, offsets);
  offsets[{"app-my.store-changelog", 0}] = 43;  // overwrite
  ASSERT_TRUE(WriteCheckpoint(path, offsets).ok());
  EXPECT_EQ(ReadCheckpoint(path)->at({"app-my.store-changelog", 0}), 43);

  EXPECT_EQ(WriteCheckpoint(path, {{{"has space", 0}, 1}}).code(), StatusCode::kInvalidArgument);

  for (const char* bad : {"t 0 1\nt 1\n", "t 0 1\nt x 1\n", "t 0 1\nt 1 2 3\n", "t 0 1\nt 1 99999999999999999999\n"}) {
    std::ofstream(path, std::ios::trunc) << bad;
    auto r = ReadCheckpoint(path);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(r.status().message().find("line 2"), std::string::npos) << r.status().message();
  }

  ASSERT_TRUE(WipeDirectory(dir_ + "/task").ok());
  EXPECT_FALSE(std::filesystem::exists(dir_ + "/task"));
  EXPECT_TRUE(WipeDirectory(dir_ + "/never-existed").ok());
}

TEST_F(StateTest, OpenStoreRejectsBadSpecs) {
  EXPECT_FALSE(OpenStore(Spec("", true, true), Context(&cache_)).ok());
  StoreContext no_dir = Context(&cache_);
  no_dir.task_dir.clear();
  EXPECT_FALSE(OpenStore(Spec("rocks", false, true), no_dir).ok());
  EXPECT_EQ(StoreKindName(StoreKind::kSession), "session");
}

}  // namespace
}  // namespace streamapp::state
