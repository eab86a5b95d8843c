// Window and session stores: facades over a layered key-value store with
// composite keys, so caching, change-logging and restoration work unchanged.
//
// Composite keys (all integers big-endian; times with the sign bit flipped so
// that negative times sort before positive ones in byte order):
//   window:  [u32 key length][key][start]
//   session: [u32 key length][key][end][start]
// The length prefix keeps keys that are prefixes of each other ("a", "ab")
// apart, so "all windows of one key" is one contiguous range. Hence:
//   - WindowStore::Fetch and SessionStore::FindSessions are range scans over
//     one key's entries (sessions sorted by end, so the scan starts at
//     earliest_end; start <= latest_start is filtered while scanning).
//   - FetchAll and both DeleteBefore scan the WHOLE store (O(entries)), as
//     time is not the leading component; FetchAll visits in (key length,
//     key, start) order. DeleteBefore deletes with LayeredStore::Expire: a
//     changelog tombstone, but no flush listener call.
#include <limits>
#include <vector>

#include "state/layers.h"

namespace streamapp::state {
namespace {

constexpr size_t kLengthBytes = 4;
constexpr size_t kTimeBytes = 8;

void AppendBigEndian(std::string* out, uint64_t v, size_t bytes) {
  for (size_t i = bytes; i-- > 0;) out->push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

uint64_t ReadBigEndian(std::string_view in, size_t bytes) {
  uint64_t v = 0;
  for (size_t i = 0; i < bytes; ++i) v = (v << 8) | static_cast<unsigned char>(in[i]);
  return v;
}

constexpr uint64_t kSignBit = uint64_t{1} << 63;

void AppendTime(std::string* out, int64_t t) {
  AppendBigEndian(out, static_cast<uint64_t>(t) ^ kSignBit, kTimeBytes);
}
int64_t ReadTime(std::string_view in) {
  return static_cast<int64_t>(ReadBigEndian(in, kTimeBytes) ^ kSignBit);
}

std::string KeyPrefix(std::string_view key, size_t reserve) {
  std::string out;
  out.reserve(kLengthBytes + key.size() + reserve);
  AppendBigEndian(&out, key.size(), kLengthBytes);
  out.append(key);
  return out;
}

// Splits [length][key][rest]; false unless rest has `rest_bytes`.
bool SplitKey(std::string_view composite, size_t rest_bytes, std::string_view* key, std::string_view* rest) {
  if (composite.size() < kLengthBytes) return false;
  uint64_t length = ReadBigEndian(composite, kLengthBytes);
  if (composite.size() != kLengthBytes + length + rest_bytes) return false;
  *key = composite.substr(kLengthBytes, length);
  *rest = composite.substr(kLengthBytes + length);
  return true;
}

Status Corrupt(const StoreSpec& spec) {
  return Status::Internal("malformed composite key in store " + spec.name);
}

class WindowStoreImpl final : public WindowStore {
 public:
  explicit WindowStoreImpl(std::unique_ptr<LayeredStore> kv) : kv_(std::move(kv)) {}

  const StoreSpec& spec() const override { return kv_->spec(); }
  bool SetFlushListener(FlushListener listener, OldValues old_values) override {
    return kv_->SetFlushListener(std::move(listener), old_values);
  }
  Status Flush() override { return kv_->Flush(); }
  void Close() override { kv_->Close(); }

  Result<std::optional<std::string>> Get(std::string_view key, int64_t window_start) override {
    return kv_->Get(EncodeWindowKey(key, window_start));
  }
  Status Put(std::string_view key, int64_t window_start, std::string_view value) override {
    return kv_->Put(EncodeWindowKey(key, window_start), value);
  }
  Status Delete(std::string_view key, int64_t window_start) override {
    return kv_->Delete(EncodeWindowKey(key, window_start));
  }

  Status Fetch(std::string_view key, int64_t from, int64_t to, const Visitor& visit) override {
    if (from > to) return Status::Ok();
    std::string upper = EncodeWindowKey(key, to);
    upper.push_back('\0');  // `to` is inclusive
    return Scan(EncodeWindowKey(key, from), upper, from, to, visit);
  }

  Status FetchAll(int64_t from, int64_t to, const Visitor& visit) override { return Scan({}, {}, from, to, visit); }

  Status DeleteBefore(int64_t start) override {
    std::vector<std::string> expired;
    RETURN_IF_ERROR(Scan({}, {}, std::numeric_limits<int64_t>::min(), std::numeric_limits<int64_t>::max(),
                         [&](std::string_view key, int64_t window_start, std::string_view) {
                           if (window_start < start) expired.push_back(EncodeWindowKey(key, window_start));
                           return true;
                         }));
    for (const std::string& composite : expired) RETURN_IF_ERROR(kv_->Expire(composite));
    return Status::Ok();
  }

 private:
  Status Scan(std::string_view lower, std::string_view upper, int64_t from, int64_t to, const Visitor& visit) {
    Status corrupt;
    RETURN_IF_ERROR(kv_->Range(lower, upper, [&](std::string_view composite, std::string_view value) {
      std::string key;
      int64_t window_start = 0;
      if (!DecodeWindowKey(composite, &key, &window_start)) {
        corrupt = Corrupt(spec());
        return false;
      }
      if (window_start < from || window_start > to) return true;
      return visit(key, window_start, value);
    }));
    return corrupt;
  }

  std::unique_ptr<LayeredStore> kv_;
};

class SessionStoreImpl final : public SessionStore {
 public:
  explicit SessionStoreImpl(std::unique_ptr<LayeredStore> kv) : kv_(std::move(kv)) {}

  const StoreSpec& spec() const override { return kv_->spec(); }
  bool SetFlushListener(FlushListener listener, OldValues old_values) override {
    return kv_->SetFlushListener(std::move(listener), old_values);
  }
  Status Flush() override { return kv_->Flush(); }
  void Close() override { kv_->Close(); }

  Status Put(std::string_view key, int64_t start, int64_t end, std::string_view value) override {
    return kv_->Put(EncodeSessionKey(key, start, end), value);
  }
  Status Remove(std::string_view key, int64_t start, int64_t end) override {
    return kv_->Delete(EncodeSessionKey(key, start, end));
  }

  // Visits in end order (then start order).
  Status FindSessions(std::string_view key, int64_t earliest_end, int64_t latest_start, const Visitor& visit) override {
    constexpr int64_t kMin = std::numeric_limits<int64_t>::min();
    constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
    std::string upper = EncodeSessionKey(key, kMax, kMax);
    upper.push_back('\0');
    return Scan(EncodeSessionKey(key, kMin, earliest_end), upper,
                [&](std::string_view k, int64_t start, int64_t end, std::string_view value) {
                  if (end < earliest_end || start > latest_start) return true;
                  return visit(k, start, end, value);
                });
  }

  Status DeleteBefore(int64_t end) override {
    std::vector<std::string> expired;
    RETURN_IF_ERROR(
        Scan({}, {}, [&](std::string_view key, int64_t session_start, int64_t session_end, std::string_view) {
          if (session_end < end) expired.push_back(EncodeSessionKey(key, session_start, session_end));
          return true;
        }));
    for (const std::string& composite : expired) RETURN_IF_ERROR(kv_->Expire(composite));
    return Status::Ok();
  }

 private:
  Status Scan(std::string_view lower, std::string_view upper, const Visitor& visit) {
    Status corrupt;
    RETURN_IF_ERROR(kv_->Range(lower, upper, [&](std::string_view composite, std::string_view value) {
      std::string key;
      int64_t start = 0;
      int64_t end = 0;
      if (!DecodeSessionKey(composite, &key, &start, &end)) {
        corrupt = Corrupt(spec());
        return false;
      }
      return visit(key, start, end, value);
    }));
    return corrupt;
  }

  std::unique_ptr<LayeredStore> kv_;
};

}  // namespace

std::string EncodeWindowKey(std::string_view key, int64_t window_start) {
  std::string out = KeyPrefix(key, kTimeBytes);
  AppendTime(&out, window_start);
  return out;
}

bool DecodeWindowKey(std::string_view composite, std::string* key, int64_t* window_start) {
  std::string_view user_key;
  std::string_view rest;
  if (!SplitKey(composite, kTimeBytes, &user_key, &rest)) return false;
  key->assign(user_key);
  *window_start = ReadTime(rest);
  return true;
}

std::string EncodeSessionKey(std::string_view key, int64_t start, int64_t end) {
  std::string out = KeyPrefix(key, 2 * kTimeBytes);
  AppendTime(&out, end);
  AppendTime(&out, start);
  return out;
}

bool DecodeSessionKey(std::string_view composite, std::string* key, int64_t* start, int64_t* end) {
  std::string_view user_key;
  std::string_view rest;
  if (!SplitKey(composite, 2 * kTimeBytes, &user_key, &rest)) return false;
  key->assign(user_key);
  *end = ReadTime(rest);
  *start = ReadTime(rest.substr(kTimeBytes));
  return true;
}

std::unique_ptr<WindowStore> NewWindowStore(std::unique_ptr<LayeredStore> kv) {
  return std::make_unique<WindowStoreImpl>(std::move(kv));
}

std::unique_ptr<SessionStore> NewSessionStore(std::unique_ptr<LayeredStore> kv) {
  return std::make_unique<SessionStoreImpl>(std::move(kv));
}

}  // namespace streamapp::state
