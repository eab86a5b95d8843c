// The change-logging layer (every write also goes to the changelog) and the
// metered layer (counts and times what operators do with a store).
#include <chrono>

#include "state/layers.h"

namespace streamapp::state {
namespace {

class ChangeLoggingStore final : public LayeredStore {
 public:
  ChangeLoggingStore(std::unique_ptr<LayeredStore> inner, ChangelogWriter* writer, std::string topic,
                     PartitionId partition, Clock clock, StoreMetrics* metrics)
      : inner_(std::move(inner)),
        writer_(writer),
        topic_(std::move(topic)),
        partition_(partition),
        clock_(std::move(clock)),
        metrics_(metrics) {}

  const StoreSpec& spec() const override { return inner_->spec(); }
  Status Flush() override { return inner_->Flush(); }
  void Close() override { inner_->Close(); }

  Result<std::optional<std::string>> Get(std::string_view key) override { return inner_->Get(key); }
  Status Put(std::string_view key, std::string_view value) override { return Write(key, value, Now()); }
  Status Delete(std::string_view key) override { return Write(key, std::nullopt, Now()); }
  Status Expire(std::string_view key) override { return Write(key, std::nullopt, Now()); }

  // The inner store first, then the changelog (as Kafka Streams does): a
  // failed send fails the task, which then restores from the changelog.
  Status Write(std::string_view key, std::optional<std::string_view> value, int64_t timestamp) override {
    RETURN_IF_ERROR(inner_->Write(key, value, timestamp));
    RETURN_IF_ERROR(writer_->Send(topic_, partition_, key, value, timestamp));
    if (metrics_ != nullptr) ++metrics_->changelog_writes;
    return Status::Ok();
  }

  Status Range(std::string_view from, std::string_view to, const KeyValueVisitor& visit) override {
    return inner_->Range(from, to, visit);
  }
  Result<uint64_t> ApproximateCount() override { return inner_->ApproximateCount(); }

 private:
  // 0 without a clock: the producer stamps the record.
  int64_t Now() const { return clock_ ? clock_() : 0; }

  std::unique_ptr<LayeredStore> inner_;
  ChangelogWriter* writer_;
  std::string topic_;
  PartitionId partition_;
  Clock clock_;
  StoreMetrics* metrics_;
};

class MeteredStore final : public LayeredStore {
 public:
  MeteredStore(std::unique_ptr<LayeredStore> inner, std::unique_ptr<StoreMetrics> metrics)
      : metrics_(std::move(metrics)), inner_(std::move(inner)) {}

  const StoreSpec& spec() const override { return inner_->spec(); }
  bool SetFlushListener(FlushListener listener, OldValues old_values) override {
    return inner_->SetFlushListener(std::move(listener), old_values);
  }
  Status Flush() override { return inner_->Flush(); }
  void Close() override { inner_->Close(); }

  Result<std::optional<std::string>> Get(std::string_view key) override {
    Timer timer(&metrics_->get_nanos);
    ++metrics_->gets;
    return inner_->Get(key);
  }
  // Deletes are counted apart but timed with puts (the time of writes).
  Status Put(std::string_view key, std::string_view value) override {
    Timer timer(&metrics_->put_nanos);
    ++metrics_->puts;
    return inner_->Put(key, value);
  }
  Status Delete(std::string_view key) override {
    Timer timer(&metrics_->put_nanos);
    ++metrics_->deletes;
    return inner_->Delete(key);
  }
  Status Write(std::string_view key, std::optional<std::string_view> value, int64_t timestamp) override {
    Timer timer(&metrics_->put_nanos);
    ++(value ? metrics_->puts : metrics_->deletes);
    return inner_->Write(key, value, timestamp);
  }
  Status Expire(std::string_view key) override {
    Timer timer(&metrics_->put_nanos);
    ++metrics_->deletes;
    return inner_->Expire(key);
  }
  Status Range(std::string_view from, std::string_view to, const KeyValueVisitor& visit) override {
    ++metrics_->ranges;
    return inner_->Range(from, to, visit);
  }
  Result<uint64_t> ApproximateCount() override { return inner_->ApproximateCount(); }

 private:
  class Timer {
   public:
    explicit Timer(uint64_t* sink) : sink_(sink), start_(std::chrono::steady_clock::now()) {}
    ~Timer() {
      auto elapsed = std::chrono::steady_clock::now() - start_;
      *sink_ += static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(elapsed).count());
    }
    Timer(const Timer&) = delete;
    Timer& operator=(const Timer&) = delete;

   private:
    uint64_t* sink_;
    std::chrono::steady_clock::time_point start_;
  };

  // Declared first: destroyed after the layers below, which point to it.
  std::unique_ptr<StoreMetrics> metrics_;
  std::unique_ptr<LayeredStore> inner_;
};

}  // namespace

std::unique_ptr<LayeredStore> NewChangeLoggingStore(std::unique_ptr<LayeredStore> inner, ChangelogWriter* writer,
                                                    std::string topic, PartitionId partition, Clock clock,
                                                    StoreMetrics* metrics) {
  return std::make_unique<ChangeLoggingStore>(std::move(inner), writer, std::move(topic), partition, std::move(clock),
                                              metrics);
}

std::unique_ptr<LayeredStore> NewMeteredStore(std::unique_ptr<LayeredStore> inner,
                                              std::unique_ptr<StoreMetrics> metrics) {
  return std::make_unique<MeteredStore>(std::move(inner), std::move(metrics));
}

}  // namespace streamapp::state
