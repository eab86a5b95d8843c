// Windowed aggregation: tumbling, hopping, sliding and session windows, with
// updates or final-result emission.
//
// Semantics (Kafka Streams' where it has one):
//
// * Stream time st = max(context.stream_time(), record timestamp). The close
//   time is st - grace. Records with a negative timestamp are a DataError.
// * Tumbling/hopping: windows [start, start + size) with start = k * advance
//   (start >= 0) and start <= ts < start + size. A window is closed when
//   end <= close time (stream time >= end + grace); closed windows are not
//   updated, and a record is dropped (metric "late-records-dropped") when all
//   its windows are closed.
// * Sliding (SlidingWindows with time difference `size`, as
//   KStreamSlidingWindowAggregate): windows are [start, start + size], both
//   ends inclusive; they exist only where records make them distinct: the
//   "left" window [t - size, t] ending at each record and the "right" window
//   [t + 1, t + 1 + size] starting just after a record when a later record
//   falls into it. A record at t: is dropped when even its right window is
//   closed (t + 1 + size <= close time); else updates every existing window
//   containing it, creates its left window (aggregating the records of
//   [t - size, t) from the latest window that ends before t, when the
//   previous record is within size), creates the previous record's right
//   window when t falls in it, and creates its own right window (holding the
//   records after t, without t) when a later record is within size. Records
//   with t < size use one combined window [0, size] instead of left windows
//   starting before 0 (Kafka Streams' processEarly). Closed windows (end <=
//   close time) are not updated.
// * Session: a record at t merges with the key's open sessions that end at
//   or after t - gap and start at or before t + gap (FindSessions); the merged
//   aggregate folds their aggregates in start order with fns.merge, then adds
//   the record. The merged session [min start, max end] (end inclusive: the
//   last record timestamp) replaces them. A session is closed when
//   end + gap + grace < stream time (Kafka Streams' rule for sessions: until
//   then an on-time record may still extend it); closed
//   sessions are never merged into or updated — a record close to a closed
//   session starts a new one (Kafka Streams would still merge it; not merging
//   keeps final results exactly-once). A record whose merged session would be
//   closed is dropped and counted.
// * Updates mode: every window write is forwarded — through the store's
//   flush listener when it caches, else right after the write. Sessions
//   replaced by a merge are forwarded first, as value
//   {"window_start": old start, "window_end": old end, "value": null}
//   (timestamp: old end); through a cache they come in store key order, and
//   a session created and replaced within one commit is not forwarded.
// * Final mode: nothing is forwarded on update; after each record, every
//   window that has closed and was not yet emitted is forwarded once, in
//   window start order. Time/sliding windows: emitted windows are marked in
//   the store (a flag in the stored value; they stay readable, as later
//   sliding records need them), and the processor keeps an in-memory index of
//   the unmarked windows it wrote, filled from one FetchAll over the whole
//   store on its first record, so after a restart the windows a previous run
//   wrote and did not emit are emitted, and marked ones are not emitted
//   again. Sessions: the session store cannot be scanned across keys, so open
//   sessions are indexed in a second key-value store "<store>-pending" (key:
//   end, start, grouping key, ordered) that is scanned by end and pruned on
//   emission.
// * Output: key = grouping key, value = {"window_start": ms, "window_end":
//   ms, "value": finished aggregate}; window_end is start + size for
//   tumbling/hopping (exclusive) and sliding (inclusive), the last record
//   timestamp for sessions (inclusive). Timestamp: updates mode, the largest
//   record timestamp in the window; final mode, the last millisecond the
//   window covers (end - 1 for tumbling/hopping, end for sliding and
//   sessions).
// * Retention (StoreSpec.retention and DeleteBefore(stream time -
//   retention), run when stream time has moved by half the retention since
//   the last run, because DeleteBefore scans the whole store):
//   tumbling/hopping size + grace + 1 ms, sliding 3 * size + grace + 1 ms (a
//   record may read windows starting 2 * size before it), session gap +
//   grace + 1 ms (by session end). Only closed (and, in final mode, already
//   emitted) windows are old enough to expire; with a cache, windows whose
//   update is still unflushed are not expired (the cache would drop the
//   update without calling the flush listener).
// * Store values: see agg::StoredWindow (flags, max record timestamp,
//   value_serde bytes). Flush listeners get composite keys, decoded with
//   state::DecodeWindowKey / state::DecodeSessionKey.
#include <algorithm>
#include <limits>
#include <set>
#include <utility>
#include <vector>

#include "dsl/agg_common.h"
#include "dsl/aggregate_ops.h"
#include "state/stores.h"

namespace streamapp::dsl {
namespace {

using agg::StoredWindow;
using Type = WindowSpec::Type;

struct WindowedConfig {
  AggregateSpec spec;
  WindowSpec window;
  EmitMode emit = EmitMode::kUpdates;
  std::shared_ptr<const Serde> key_serde;
  std::shared_ptr<const Serde> value_serde;
  Status invalid;  // a bad window spec, reported at Init
  int64_t size = 0;
  int64_t advance = 0;
  int64_t gap = 0;
  int64_t grace = 0;

  int64_t retention() const {
    switch (window.type) {
      case Type::kTumbling:
      case Type::kHopping: return size + grace + 1;
      case Type::kSliding: return 3 * size + grace + 1;
      case Type::kSession: return gap + grace + 1;
    }
    return size + grace + 1;
  }
  // DeleteBefore scans the whole store, so it runs when stream time has moved
  // by half the retention (windows live between 1 and 1.5 retentions).
  int64_t expiry_step() const { return std::max<int64_t>(1, retention() / 2); }
  std::string pending_store() const { return spec.store + "-pending"; }
};

const char* TypeName(Type t) {
  switch (t) {
    case Type::kTumbling: return "tumbling";
    case Type::kHopping: return "hopping";
    case Type::kSliding: return "sliding";
    case Type::kSession: return "session";
  }
  return "?";
}

struct FoundWindow {
  int64_t start = 0;
  StoredWindow stored;
};

struct FoundSession {
  int64_t start = 0;
  int64_t end = 0;
  StoredWindow stored;
};

class WindowedProcessor final : public Processor {
 public:
  explicit WindowedProcessor(std::shared_ptr<const WindowedConfig> config) : c_(std::move(config)) {}

  Status Init(ProcessorContext& ctx) override {
    RETURN_IF_ERROR(Processor::Init(ctx));
    RETURN_IF_ERROR(c_->invalid);
    if (!c_->spec.fns.init || !c_->spec.fns.add) {
      return Status::InvalidArgument("windowed aggregate: no initializer or aggregator");
    }
    if (c_->window.type == Type::kSession && !c_->spec.fns.merge) {
      return Status::InvalidArgument("windowed aggregate: session windows need a merger");
    }
    if (!c_->value_serde) return Status::Internal("windowed aggregate: no json serde");
    StateStore* store = ctx.GetStateStore(c_->spec.store);
    const StoreKind want = c_->window.type == Type::kSession ? StoreKind::kSession : StoreKind::kWindow;
    if (!store || store->spec().kind != want) {
      return Status::Internal("windowed aggregate: store '" + c_->spec.store + "' is missing or not a " +
                              std::string(StoreKindName(want)) + " store");
    }
    if (want == StoreKind::kSession) {
      sessions_ = static_cast<SessionStore*>(store);
    } else {
      windows_ = static_cast<WindowStore*>(store);
    }
    if (c_->emit == EmitMode::kFinal && sessions_) {
      StateStore* pending = ctx.GetStateStore(c_->pending_store());
      if (!pending || pending->spec().kind != StoreKind::kKeyValue) {
        return Status::Internal("windowed aggregate: store '" + c_->pending_store() +
                                "' is missing or not a key-value store");
      }
      pending_ = static_cast<KeyValueStore*>(pending);
    }
    if (c_->emit == EmitMode::kUpdates) {
      // Only a removed session needs the value it replaces (to retract what
      // downstream saw); time windows are never removed by a write.
      cached_ = store->SetFlushListener(
          [this](std::string_view key, std::optional<std::string_view> value, std::optional<std::string_view> old_value,
                 int64_t) { return OnFlush(key, value, old_value); },
          sessions_ != nullptr ? StateStore::OldValues::kRead : StateStore::OldValues::kSkip);
    }
    return Status::Ok();
  }

  Status Process(Record record) override {
    ASSIGN_OR_RETURN(std::string key, agg::EncodeKey(*c_->key_serde, record.key, "windowed aggregate"));
    const int64_t ts = record.timestamp.value();
    if (ts < 0) {
      return Status::DataError("windowed aggregate: record timestamp " + std::to_string(ts) +
                               " is negative; windows need a timestamp");
    }
    const int64_t st = std::max(context().stream_time().value(), ts);
    switch (c_->window.type) {
      case Type::kTumbling:
      case Type::kHopping: RETURN_IF_ERROR(ProcessTimeWindows(record, key, st)); break;
      case Type::kSliding: RETURN_IF_ERROR(ProcessSliding(record, key, st)); break;
      case Type::kSession: RETURN_IF_ERROR(ProcessSession(record, key, st)); break;
    }
    if (c_->emit == EmitMode::kFinal) RETURN_IF_ERROR(EmitClosed(st));
    return Expire(st);
  }

 private:
  // ---- forwarding ----

  Status ForwardWindow(Value key, int64_t start, int64_t end, Value value, int64_t timestamp,
                       const std::vector<Header>* headers) {
    Record out;
    out.key = std::move(key);
    Value v = Value::MakeObject();
    v.Set("window_start", start);
    v.Set("window_end", end);
    if (c_->spec.window_fields_in_value && value.is_object()) {
      for (Field& f : value.as_object()) v.Set(f.name, std::move(f.value));
    } else {
      v.Set("value", std::move(value));
    }
    out.value = std::move(v);
    out.timestamp = Timestamp(timestamp);
    if (headers) out.headers = *headers;
    return context().Forward(std::move(out));
  }

  int64_t WindowEnd(int64_t start) const { return start + c_->size; }  // time and sliding windows

  // Updates mode without a cache: forward a window right after writing it.
  Status ForwardUpdate(const Record& record, int64_t start, int64_t end, const StoredWindow& w) {
    if (c_->emit != EmitMode::kUpdates || cached_) return Status::Ok();
    return ForwardWindow(record.key, start, end, agg::Finish(c_->spec.finish, w.aggregate), w.max_timestamp,
                         &record.headers);
  }

  Status OnFlush(std::string_view composite, std::optional<std::string_view> value,
                 std::optional<std::string_view> old_value) {
    std::string key_bytes;
    int64_t start = 0;
    int64_t end = 0;
    if (sessions_) {
      if (!state::DecodeSessionKey(composite, &key_bytes, &start, &end)) {
        return Status::Internal("windowed aggregate: malformed session store key");
      }
    } else {
      if (!state::DecodeWindowKey(composite, &key_bytes, &start)) {
        return Status::Internal("windowed aggregate: malformed window store key");
      }
      end = WindowEnd(start);
    }
    unflushed_.erase({sessions_ ? end : start, std::string(composite)});
    ASSIGN_OR_RETURN(Value key, agg::DecodeBytes(*c_->key_serde, key_bytes, "a store key"));
    if (!value) {
      // A removed session (merged into another). Nothing to retract when
      // downstream never saw it (created and removed within one commit).
      if (!old_value) return Status::Ok();
      return ForwardWindow(std::move(key), start, end, Value(), end, nullptr);
    }
    ASSIGN_OR_RETURN(StoredWindow w, agg::DecodeStoredWindow(*c_->value_serde, *value));
    return ForwardWindow(std::move(key), start, end, agg::Finish(c_->spec.finish, w.aggregate), w.max_timestamp,
                         nullptr);
  }

  // ---- store access ----

  Result<std::optional<StoredWindow>> GetWindow(const std::string& key, int64_t start) {
    ASSIGN_OR_RETURN(std::optional<std::string> bytes, windows_->Get(key, start));
    if (!bytes) return std::optional<StoredWindow>();
    ASSIGN_OR_RETURN(StoredWindow w, agg::DecodeStoredWindow(*c_->value_serde, *bytes));
    return std::optional<StoredWindow>(std::move(w));
  }

  Status PutWindow(const std::string& key, int64_t start, const StoredWindow& w) {
    ASSIGN_OR_RETURN(std::string bytes, agg::EncodeStoredWindow(*c_->value_serde, w));
    if (c_->emit == EmitMode::kFinal && !w.emitted) unemitted_.emplace(start, key);
    if (cached_) unflushed_.emplace(start, state::EncodeWindowKey(key, start));
    return windows_->Put(key, start, bytes);
  }

  Result<std::vector<FoundWindow>> FetchWindows(const std::string& key, int64_t from, int64_t to) {
    std::vector<FoundWindow> out;
    Status decode;
    RETURN_IF_ERROR(windows_->Fetch(key, from, to, [&](std::string_view, int64_t start, std::string_view value) {
      auto w = agg::DecodeStoredWindow(*c_->value_serde, value);
      if (!w.ok()) {
        decode = w.status();
        return false;
      }
      out.push_back({start, std::move(w).value()});
      return true;
    }));
    RETURN_IF_ERROR(decode);
    return out;
  }

  // Adds the record to `base` and writes window [start, end) if the window
  // is still open; false when it is closed.
  Result<bool> UpdateWindow(const Record& record, const std::string& key, int64_t start, StoredWindow base,
                            int64_t close_time) {
    const int64_t end = WindowEnd(start);
    if (end <= close_time) return false;
    ASSIGN_OR_RETURN(base.aggregate, c_->spec.fns.add(record, std::move(base.aggregate)));
    base.max_timestamp = std::max(base.max_timestamp, record.timestamp.value());
    base.emitted = false;
    RETURN_IF_ERROR(PutWindow(key, start, base));
    RETURN_IF_ERROR(ForwardUpdate(record, start, end, base));
    return true;
  }

  Result<StoredWindow> Fresh(int64_t timestamp) {
    StoredWindow w;
    ASSIGN_OR_RETURN(w.aggregate, c_->spec.fns.init());
    w.max_timestamp = timestamp;
    return w;
  }

  void CountLate() { context().AddToMetric("late-records-dropped", 1); }

  // ---- tumbling / hopping ----

  Status ProcessTimeWindows(const Record& record, const std::string& key, int64_t st) {
    const int64_t ts = record.timestamp.value();
    const int64_t close_time = st - c_->grace;
    const int64_t advance = c_->advance;
    int64_t start = (std::max<int64_t>(0, ts - c_->size + advance) / advance) * advance;
    bool updated = false;
    for (; start <= ts; start += advance) {
      if (WindowEnd(start) <= close_time) continue;  // closed
      ASSIGN_OR_RETURN(std::optional<StoredWindow> current, GetWindow(key, start));
      StoredWindow base;
      if (current) {
        base = std::move(*current);
      } else {
        ASSIGN_OR_RETURN(base, Fresh(ts));
      }
      ASSIGN_OR_RETURN(bool done, UpdateWindow(record, key, start, std::move(base), close_time));
      updated = updated || done;
    }
    if (!updated) CountLate();
    return Status::Ok();
  }

  // ---- sliding (KStreamSlidingWindowAggregate) ----

  Status ProcessSliding(const Record& record, const std::string& key, int64_t st) {
    const int64_t t = record.timestamp.value();
    const int64_t d = c_->size;
    const int64_t close_time = st - c_->grace;
    if (t + 1 + d <= close_time) {
      CountLate();
      return Status::Ok();
    }
    if (t < d) return ProcessSlidingEarly(record, key, close_time);

    ASSIGN_OR_RETURN(std::vector<FoundWindow> found, FetchWindows(key, std::max<int64_t>(0, t - 2 * d), t + 1));
    std::vector<int64_t> starts;
    std::optional<StoredWindow> left_agg;   // latest window ending before t
    std::optional<StoredWindow> right_agg;  // latest-starting window containing t, before t is added
    bool left_exists = false;
    bool right_exists = false;
    bool updated = false;             // the record went into at least one open window
    std::optional<int64_t> previous;  // the latest record timestamp before t within reach
    for (FoundWindow& w : found) {
      starts.push_back(w.start);
      const int64_t end = w.start + d;
      if (end < t) {
        left_agg = w.stored;
        previous = w.stored.max_timestamp;
      } else if (end == t) {
        left_exists = true;
        if (w.stored.max_timestamp < t) previous = w.stored.max_timestamp;
        ASSIGN_OR_RETURN(bool done, UpdateWindow(record, key, w.start, w.stored, close_time));
        updated = updated || done;
      } else if (w.start <= t) {
        right_agg = w.stored;
        ASSIGN_OR_RETURN(bool done, UpdateWindow(record, key, w.start, w.stored, close_time));
        updated = updated || done;
      } else if (w.start == t + 1) {
        right_exists = true;
      } else {
        return Status::Internal("sliding windows: unexpected window starting at " + std::to_string(w.start) +
                                " for a record at " + std::to_string(t));
      }
    }
    auto has_start = [&](int64_t s) { return std::find(starts.begin(), starts.end(), s) != starts.end(); };

    // The previous record's right window, when t falls into it.
    if (previous) {
      const int64_t prev_right = *previous + 1;
      if (!has_start(prev_right) && prev_right + d >= t) {
        ASSIGN_OR_RETURN(StoredWindow fresh, Fresh(t));
        ASSIGN_OR_RETURN(bool done, UpdateWindow(record, key, prev_right, std::move(fresh), close_time));
        updated = updated || done;
      }
    }
    // The record's left window [t - d, t].
    if (!left_exists) {
      StoredWindow base;
      if (previous && t - d <= *previous && left_agg) {
        base = *left_agg;
        base.max_timestamp = t;
      } else {
        ASSIGN_OR_RETURN(base, Fresh(t));
      }
      ASSIGN_OR_RETURN(bool done, UpdateWindow(record, key, t - d, std::move(base), close_time));
      updated = updated || done;
    }
    // The record's right window [t + 1, t + 1 + d], when later records fall into it.
    if (!right_exists && right_agg && right_agg->max_timestamp > t) {
      RETURN_IF_ERROR(CreateRightWindow(record, key, t, *right_agg));
    }
    // Its windows were all closed (it may still have created its right window).
    if (!updated) CountLate();
    return Status::Ok();
  }

  // Right windows hold the records after t, not t itself: written as is.
  Status CreateRightWindow(const Record& record, const std::string& key, int64_t t, StoredWindow agg) {
    agg.emitted = false;
    RETURN_IF_ERROR(PutWindow(key, t + 1, agg));
    return ForwardUpdate(record, t + 1, WindowEnd(t + 1), agg);
  }

  // t < size: one combined window [0, size] holds the records a left window
  // starting before 0 would.
  Status ProcessSlidingEarly(const Record& record, const std::string& key, int64_t close_time) {
    const int64_t t = record.timestamp.value();
    ASSIGN_OR_RETURN(std::vector<FoundWindow> found, FetchWindows(key, 0, t + 1));
    std::optional<FoundWindow> combined;
    std::optional<StoredWindow> right_agg;
    bool right_exists = false;
    std::vector<int64_t> starts;
    std::optional<int64_t> previous;
    bool updated = false;
    for (FoundWindow& w : found) {
      starts.push_back(w.start);
      if (w.start == 0) {
        combined = w;
        if (w.stored.max_timestamp < t) previous = w.stored.max_timestamp;
      } else if (w.start <= t) {
        right_agg = w.stored;
        ASSIGN_OR_RETURN(bool done, UpdateWindow(record, key, w.start, w.stored, close_time));
        updated = updated || done;
      } else if (w.start == t + 1) {
        right_exists = true;
      } else {
        return Status::Internal("sliding windows: unexpected window starting at " + std::to_string(w.start) +
                                " for an early record at " + std::to_string(t));
      }
    }
    if (!right_agg && combined && combined->stored.max_timestamp > t) right_agg = combined->stored;
    if (!right_exists && right_agg && right_agg->max_timestamp > t) {
      RETURN_IF_ERROR(CreateRightWindow(record, key, t, *right_agg));
    }
    if (previous && std::find(starts.begin(), starts.end(), *previous + 1) == starts.end()) {
      ASSIGN_OR_RETURN(StoredWindow fresh, Fresh(t));
      ASSIGN_OR_RETURN(bool done, UpdateWindow(record, key, *previous + 1, std::move(fresh), close_time));
      updated = updated || done;
    }
    StoredWindow base;
    if (combined) {
      base = std::move(combined->stored);
    } else {
      ASSIGN_OR_RETURN(base, Fresh(t));
    }
    ASSIGN_OR_RETURN(bool done, UpdateWindow(record, key, 0, std::move(base), close_time));
    if (!done && !updated) CountLate();
    return Status::Ok();
  }

  // ---- session ----

  static std::string PendingKey(std::string_view key, int64_t start, int64_t end) {
    std::string out;
    agg::AppendOrderedInt64(&out, end);
    agg::AppendOrderedInt64(&out, start);
    out.append(key);
    return out;
  }

  // A session may still grow until no record within `gap` of its end can
  // arrive in time, so it closes at end + gap + grace (as in Kafka Streams).
  int64_t SessionCloseTime(int64_t st) const { return st - c_->gap - c_->grace; }

  Status ProcessSession(const Record& record, const std::string& key, int64_t st) {
    const int64_t t = record.timestamp.value();
    const int64_t close_time = SessionCloseTime(st);
    std::vector<FoundSession> found;
    Status decode;
    RETURN_IF_ERROR(sessions_->FindSessions(key, t - c_->gap, t + c_->gap,
                                            [&](std::string_view, int64_t start, int64_t end, std::string_view value) {
                                              if (end < close_time) return true;  // closed: never merged into
                                              auto w = agg::DecodeStoredWindow(*c_->value_serde, value);
                                              if (!w.ok()) {
                                                decode = w.status();
                                                return false;
                                              }
                                              found.push_back({start, end, std::move(w).value()});
                                              return true;
                                            }));
    RETURN_IF_ERROR(decode);
    std::sort(found.begin(), found.end(), [](const FoundSession& a, const FoundSession& b) {
      return a.start != b.start ? a.start < b.start : a.end < b.end;
    });
    int64_t start = t;
    int64_t end = t;
    for (const FoundSession& s : found) {
      start = std::min(start, s.start);
      end = std::max(end, s.end);
    }
    if (end < close_time) {
      CountLate();
      return Status::Ok();
    }
    StoredWindow merged;
    if (found.empty()) {
      ASSIGN_OR_RETURN(merged.aggregate, c_->spec.fns.init());
    } else {
      merged.aggregate = found.front().stored.aggregate;
      for (size_t i = 1; i < found.size(); ++i) {
        ASSIGN_OR_RETURN(merged.aggregate, c_->spec.fns.merge(std::move(merged.aggregate), found[i].stored.aggregate));
      }
    }
    ASSIGN_OR_RETURN(merged.aggregate, c_->spec.fns.add(record, std::move(merged.aggregate)));
    merged.max_timestamp = end;

    for (const FoundSession& s : found) {
      if (s.start == start && s.end == end) continue;  // rewritten in place below
      RETURN_IF_ERROR(sessions_->Remove(key, s.start, s.end));
      if (cached_) unflushed_.emplace(s.end, state::EncodeSessionKey(key, s.start, s.end));
      if (pending_) RETURN_IF_ERROR(pending_->Delete(PendingKey(key, s.start, s.end)));
      if (c_->emit == EmitMode::kUpdates && !cached_) {
        RETURN_IF_ERROR(ForwardWindow(record.key, s.start, s.end, Value(), s.end, &record.headers));
      }
    }
    ASSIGN_OR_RETURN(std::string bytes, agg::EncodeStoredWindow(*c_->value_serde, merged));
    RETURN_IF_ERROR(sessions_->Put(key, start, end, bytes));
    if (cached_) unflushed_.emplace(end, state::EncodeSessionKey(key, start, end));
    if (pending_) RETURN_IF_ERROR(pending_->Put(PendingKey(key, start, end), ""));
    return ForwardUpdate(record, start, end, merged);
  }

  // ---- final results ----

  Status EmitClosed(int64_t st) {
    if (sessions_) return EmitClosedSessions(SessionCloseTime(st));
    const int64_t close_time = st - c_->grace;
    if (!index_loaded_) {
      // Once per processor: the windows a previous run wrote and did not emit.
      Status decode;
      RETURN_IF_ERROR(windows_->FetchAll(std::numeric_limits<int64_t>::min(), std::numeric_limits<int64_t>::max(),
                                         [&](std::string_view key, int64_t start, std::string_view v) {
                                           auto w = agg::DecodeStoredWindow(*c_->value_serde, v);
                                           if (!w.ok()) {
                                             decode = w.status();
                                             return false;
                                           }
                                           if (!w->emitted) unemitted_.emplace(start, std::string(key));
                                           return true;
                                         }));
      RETURN_IF_ERROR(decode);
      index_loaded_ = true;
    }
    // Window [s, s + size] is closed when s + size <= close time. Emitted in
    // start order, then key-bytes order.
    const int64_t last_closed_start = close_time - c_->size;
    const bool sliding = c_->window.type == Type::kSliding;
    while (!unemitted_.empty() && unemitted_.begin()->first <= last_closed_start) {
      auto [start, key] = *unemitted_.begin();
      unemitted_.erase(unemitted_.begin());
      ASSIGN_OR_RETURN(std::optional<StoredWindow> w, GetWindow(key, start));
      if (!w || w->emitted) continue;
      ASSIGN_OR_RETURN(Value k, agg::DecodeBytes(*c_->key_serde, key, "a store key"));
      const int64_t end = WindowEnd(start);
      RETURN_IF_ERROR(ForwardWindow(std::move(k), start, end, agg::Finish(c_->spec.finish, w->aggregate),
                                    sliding ? end : end - 1, nullptr));
      w->emitted = true;
      RETURN_IF_ERROR(PutWindow(key, start, *w));
    }
    return Status::Ok();
  }

  Status EmitClosedSessions(int64_t close_time) {
    // Sessions with end < close time are closed.
    std::string upper;
    agg::AppendOrderedInt64(&upper, close_time);
    std::vector<std::string> closed;
    RETURN_IF_ERROR(pending_->Range({}, upper, [&](std::string_view k, std::string_view) {
      closed.emplace_back(k);
      return true;
    }));
    for (const std::string& pending_key : closed) {
      if (pending_key.size() < 16) return Status::Internal("windowed aggregate: malformed pending-session key");
      const int64_t end = agg::ReadOrderedInt64(pending_key);
      const int64_t start = agg::ReadOrderedInt64(std::string_view(pending_key).substr(8));
      const std::string key = pending_key.substr(16);
      std::optional<StoredWindow> session;
      Status decode;
      RETURN_IF_ERROR(
          sessions_->FindSessions(key, end, start, [&](std::string_view, int64_t s, int64_t e, std::string_view value) {
            if (s != start || e != end) return true;
            auto w = agg::DecodeStoredWindow(*c_->value_serde, value);
            if (!w.ok()) {
              decode = w.status();
            } else {
              session = std::move(w).value();
            }
            return false;
          }));
      RETURN_IF_ERROR(decode);
      if (session) {
        ASSIGN_OR_RETURN(Value k, agg::DecodeBytes(*c_->key_serde, key, "a store key"));
        RETURN_IF_ERROR(
            ForwardWindow(std::move(k), start, end, agg::Finish(c_->spec.finish, session->aggregate), end, nullptr));
      }
      RETURN_IF_ERROR(pending_->Delete(pending_key));
    }
    return Status::Ok();
  }

  // ---- retention ----

  Status Expire(int64_t st) {
    if (last_expiry_ && st - *last_expiry_ < c_->expiry_step()) return Status::Ok();
    last_expiry_ = st;
    int64_t before = st - c_->retention();
    // Updates still in the cache would never reach the flush listener.
    if (!unflushed_.empty()) before = std::min(before, unflushed_.begin()->first);
    if (before <= 0) return Status::Ok();
    if (sessions_) return sessions_->DeleteBefore(before);
    return windows_->DeleteBefore(before);
  }

  std::shared_ptr<const WindowedConfig> c_;
  WindowStore* windows_ = nullptr;
  SessionStore* sessions_ = nullptr;
  KeyValueStore* pending_ = nullptr;  // final-mode sessions: the index of open sessions
  bool cached_ = false;
  // Final mode, time/sliding windows: the windows written and not emitted
  // yet, by (start, key bytes); loaded from the store on the first record.
  std::set<std::pair<int64_t, std::string>> unemitted_;
  bool index_loaded_ = false;
  // Cached updates mode: windows written since the cache last wrote them
  // down, by (start, or end for sessions; composite store key). Retention
  // does not expire them: the cache would drop them without telling the
  // flush listener, and their last update would never go downstream.
  std::set<std::pair<int64_t, std::string>> unflushed_;
  std::optional<int64_t> last_expiry_;
};

class WindowedDef final : public OperatorDef {
 public:
  explicit WindowedDef(std::shared_ptr<const WindowedConfig> config) : c_(std::move(config)) {}
  std::unique_ptr<Processor> CreateProcessor() const override { return std::make_unique<WindowedProcessor>(c_); }
  std::string_view kind() const override { return "windowedAggregate"; }
  std::string detail() const override {
    std::string out = std::string(TypeName(c_->window.type)) + " windows";
    if (c_->window.type == Type::kSession) {
      out += " gap " + std::to_string(c_->gap) + "ms";
    } else {
      out += " size " + std::to_string(c_->size) + "ms";
      if (c_->window.type == Type::kHopping) out += " advance " + std::to_string(c_->advance) + "ms";
    }
    out += " grace " + std::to_string(c_->grace) + "ms, emit ";
    out += c_->emit == EmitMode::kFinal ? "final" : "updates";
    return out;
  }
  std::vector<StoreSpec> stores() const override {
    StoreSpec s;
    s.name = c_->spec.store;
    s.kind = c_->window.type == Type::kSession ? StoreKind::kSession : StoreKind::kWindow;
    s.in_memory = c_->spec.in_memory;
    s.logged = true;
    s.cached = c_->spec.cached;
    s.retention = std::chrono::milliseconds(std::max<int64_t>(1, c_->retention()));
    std::vector<StoreSpec> out = {s};
    if (c_->window.type == Type::kSession && c_->emit == EmitMode::kFinal) {
      StoreSpec pending;
      pending.name = c_->pending_store();
      pending.kind = StoreKind::kKeyValue;
      pending.in_memory = c_->spec.in_memory;
      pending.logged = true;
      pending.cached = false;
      out.push_back(pending);
    }
    return out;
  }

 private:
  std::shared_ptr<const WindowedConfig> c_;
};

Status Validate(const WindowSpec& w) {
  auto ms = [](std::chrono::milliseconds d) { return std::to_string(d.count()) + "ms"; };
  if (w.grace.count() < 0) return Status::InvalidArgument("window grace must not be negative, got " + ms(w.grace));
  switch (w.type) {
    case Type::kTumbling:
    case Type::kSliding:
      if (w.size.count() <= 0) return Status::InvalidArgument("window size must be positive, got " + ms(w.size));
      break;
    case Type::kHopping:
      if (w.size.count() <= 0) return Status::InvalidArgument("window size must be positive, got " + ms(w.size));
      if (w.advance.count() <= 0 || w.advance > w.size) {
        return Status::InvalidArgument("hopping window advance must be in (0, size=" + ms(w.size) + "], got " +
                                       ms(w.advance));
      }
      break;
    case Type::kSession:
      if (w.gap.count() <= 0) return Status::InvalidArgument("session gap must be positive, got " + ms(w.gap));
      break;
  }
  return Status::Ok();
}

}  // namespace

std::shared_ptr<const OperatorDef> MakeWindowedAggregate(AggregateSpec spec, WindowSpec window, EmitMode emit) {
  auto config = std::make_shared<WindowedConfig>();
  config->key_serde = agg::SerdeOrJson(spec.key_serde);
  config->value_serde = agg::SerdeOrJson(spec.value_serde);
  config->spec = std::move(spec);
  config->window = window;
  config->emit = emit;
  config->invalid = Validate(window);
  config->size = window.size.count();
  config->advance = window.type == Type::kHopping ? window.advance.count() : window.size.count();
  config->gap = window.gap.count();
  config->grace = window.grace.count();
  return std::make_shared<WindowedDef>(std::move(config));
}

}  // namespace streamapp::dsl

namespace streamapp {

std::shared_ptr<const OperatorDef> MakeWindowedAggregation(WindowedAggregation aggregation) {
  dsl::AggregateSpec spec;
  spec.store = std::move(aggregation.store);
  spec.key_serde = std::move(aggregation.key_serde);
  spec.value_serde = std::move(aggregation.value_serde);
  spec.fns = std::move(aggregation.fns);
  spec.finish = std::move(aggregation.finish);
  spec.in_memory = aggregation.in_memory;
  spec.cached = aggregation.cached;
  spec.window_fields_in_value = aggregation.window_fields_in_value;
  return dsl::MakeWindowedAggregate(std::move(spec), aggregation.window, aggregation.emit);
}

}  // namespace streamapp
