// The in-memory inner store: an ordered map, rebuilt from the changelog
// whenever the task is (re)assigned.
#include <map>

#include "state/layers.h"

namespace streamapp::state {
namespace {

class InMemoryStore final : public InnerStore {
 public:
  explicit InMemoryStore(StoreSpec spec) : spec_(std::move(spec)) {}

  const StoreSpec& spec() const override { return spec_; }
  Status Flush() override { return Status::Ok(); }
  void Close() override { open_ = false; }

  Result<std::optional<std::string>> Get(std::string_view key) override {
    RETURN_IF_ERROR(CheckOpen());
    auto it = map_.find(key);
    if (it == map_.end()) return std::optional<std::string>();
    return std::optional<std::string>(it->second);
  }

  Status Put(std::string_view key, std::string_view value) override {
    RETURN_IF_ERROR(CheckOpen());
    auto it = map_.find(key);
    if (it == map_.end()) {
      map_.emplace(std::string(key), std::string(value));
    } else {
      it->second.assign(value);
    }
    return Status::Ok();
  }

  Status Delete(std::string_view key) override {
    RETURN_IF_ERROR(CheckOpen());
    auto it = map_.find(key);
    if (it != map_.end()) map_.erase(it);
    return Status::Ok();
  }

  Status Write(std::string_view key, std::optional<std::string_view> value, int64_t) override {
    return value ? Put(key, *value) : Delete(key);
  }
  Status Expire(std::string_view key) override { return Delete(key); }

  // Seeks again after each visit, so the visitor may modify the store.
  Status Range(std::string_view from, std::string_view to, const KeyValueVisitor& visit) override {
    RETURN_IF_ERROR(CheckOpen());
    auto it = from.empty() ? map_.begin() : map_.lower_bound(from);
    while (it != map_.end() && (to.empty() || std::string_view(it->first) < to)) {
      std::string key = it->first;
      if (!visit(key, it->second)) break;
      it = map_.upper_bound(key);
    }
    return Status::Ok();
  }

  Result<uint64_t> ApproximateCount() override { return static_cast<uint64_t>(map_.size()); }

  Status ApplyBatch(const std::vector<std::pair<std::string, std::optional<std::string>>>& records) override {
    RETURN_IF_ERROR(CheckOpen());
    for (const auto& [key, value] : records) {
      if (value) {
        map_[key] = *value;
      } else {
        map_.erase(key);
      }
    }
    return Status::Ok();
  }

 private:
  Status CheckOpen() const { return open_ ? Status::Ok() : Status::Internal("store " + spec_.name + " is closed"); }

  StoreSpec spec_;
  bool open_ = true;
  std::map<std::string, std::string, std::less<>> map_;
};

}  // namespace

std::unique_ptr<InnerStore> NewInMemoryStore(const StoreSpec& spec) {
  return std::make_unique<InMemoryStore>(spec);
}

}  // namespace streamapp::state
