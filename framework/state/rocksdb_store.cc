// The RocksDB inner store, and the worker-wide memory bounds of all of them.
//
// One DB per store at <task_dir>/<store name>. Writes skip the WAL: the
// changelog is what makes a store durable (as in Kafka Streams), so the
// memtables are flushed to SST files on Close(), and a store that was not
// closed cleanly is restored from the changelog.
#include <rocksdb/cache.h>
#include <rocksdb/convenience.h>
#include <rocksdb/db.h>
#include <rocksdb/filter_policy.h>
#include <rocksdb/iterator.h>
#include <rocksdb/options.h>
#include <rocksdb/table.h>
#include <rocksdb/write_batch.h>
#include <rocksdb/write_buffer_manager.h>

#include <algorithm>
#include <filesystem>
#include <system_error>

#include "state/layers.h"

namespace streamapp::state {

StateResources::StateResources(size_t memory_budget_bytes) : budget_(memory_budget_bytes) {
  cache_ = rocksdb::NewLRUCache(memory_budget_bytes);
  // Memtables get up to half of the budget; their memory is charged to the
  // cache, so block cache + memtables together stay within the budget.
  wbm_ = std::make_shared<rocksdb::WriteBufferManager>(memory_budget_bytes / 2, cache_);
}

StateResources::~StateResources() = default;

size_t StateResources::MemoryUsage() const {
  return cache_->GetUsage();
}

namespace {

Status FromRocks(const rocksdb::Status& s, std::string_view what) {
  if (s.ok()) return Status::Ok();
  std::string message = std::string(what) + ": " + s.ToString();
  if (s.IsNotFound()) return Status::NotFound(std::move(message));
  if (s.IsIOError()) return Status::IoError(std::move(message));
  if (s.IsInvalidArgument()) return Status::InvalidArgument(std::move(message));
  return Status::Internal(std::move(message));
}

rocksdb::Slice ToSlice(std::string_view s) {
  return {s.data(), s.size()};
}
std::string_view ToView(const rocksdb::Slice& s) {
  return {s.data(), s.size()};
}

rocksdb::CompressionType PickCompression() {
  std::vector<rocksdb::CompressionType> supported = rocksdb::GetSupportedCompressions();
  bool lz4 = std::find(supported.begin(), supported.end(), rocksdb::kLZ4Compression) != supported.end();
  return lz4 ? rocksdb::kLZ4Compression : rocksdb::kNoCompression;
}

class RocksDbStore final : public InnerStore {
 public:
  RocksDbStore(StoreSpec spec, std::string path) : spec_(std::move(spec)), path_(std::move(path)) {
    write_options_.disableWAL = true;
  }
  ~RocksDbStore() override { Close(); }

  Status Open(StateResources* resources) {
    rocksdb::Options options;
    options.create_if_missing = true;
    options.max_open_files = 256;
    options.compression = PickCompression();
    options.keep_log_file_num = 2;
    options.max_log_file_size = 1 << 20;
    options.write_buffer_size = 16 << 20;  // as Kafka Streams' defaults
    options.max_write_buffer_number = 3;
    rocksdb::BlockBasedTableOptions table;
    table.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
    if (resources != nullptr) {
      table.block_cache = resources->block_cache();
      table.cache_index_and_filter_blocks = true;
      table.pin_l0_filter_and_index_blocks_in_cache = true;
      options.write_buffer_manager = resources->write_buffers();
    }
    options.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));

    std::error_code ec;
    std::filesystem::create_directories(path_, ec);
    if (ec) return Status::IoError("creating " + path_ + ": " + ec.message());
    rocksdb::DB* db = nullptr;
    RETURN_IF_ERROR(FromRocks(rocksdb::DB::Open(options, path_, &db), "opening " + path_));
    db_.reset(db);
    return Status::Ok();
  }

  const StoreSpec& spec() const override { return spec_; }

  Status Flush() override { return Status::Ok(); }  // memtables are flushed on Close() and Persist()

  // Before a checkpoint names this content: without a WAL, only flushed
  // memtables survive a killed process.
  Status Persist() override {
    RETURN_IF_ERROR(CheckOpen());
    return FromRocks(db_->Flush(rocksdb::FlushOptions()), "flush " + spec_.name);
  }

  std::optional<uint64_t> IntProperty(const std::string& name) override {
    uint64_t value = 0;
    if (!db_ || !db_->GetIntProperty(name, &value)) return std::nullopt;
    return value;
  }

  void Close() override {
    if (!db_) return;
    // Without a WAL, unflushed memtables would be lost; errors here leave the
    // store to be restored from the changelog.
    (void)db_->Flush(rocksdb::FlushOptions());
    (void)db_->Close();
    db_.reset();
  }

  Result<std::optional<std::string>> Get(std::string_view key) override {
    RETURN_IF_ERROR(CheckOpen());
    std::string value;
    rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), ToSlice(key), &value);
    if (s.IsNotFound()) return std::optional<std::string>();
    RETURN_IF_ERROR(FromRocks(s, "get from " + spec_.name));
    return std::optional<std::string>(std::move(value));
  }

  Status Put(std::string_view key, std::string_view value) override {
    RETURN_IF_ERROR(CheckOpen());
    return FromRocks(db_->Put(write_options_, ToSlice(key), ToSlice(value)), "put to " + spec_.name);
  }

  Status Delete(std::string_view key) override {
    RETURN_IF_ERROR(CheckOpen());
    return FromRocks(db_->Delete(write_options_, ToSlice(key)), "delete from " + spec_.name);
  }

  Status Write(std::string_view key, std::optional<std::string_view> value, int64_t) override {
    return value ? Put(key, *value) : Delete(key);
  }
  Status Expire(std::string_view key) override { return Delete(key); }

  Status Range(std::string_view from, std::string_view to, const KeyValueVisitor& visit) override {
    RETURN_IF_ERROR(CheckOpen());
    rocksdb::ReadOptions read;
    rocksdb::Slice lower = ToSlice(from);
    rocksdb::Slice upper = ToSlice(to);
    if (!from.empty()) read.iterate_lower_bound = &lower;
    if (!to.empty()) read.iterate_upper_bound = &upper;
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(read));
    for (it->Seek(lower); it->Valid(); it->Next()) {
      if (!visit(ToView(it->key()), ToView(it->value()))) break;
    }
    return FromRocks(it->status(), "range over " + spec_.name);
  }

  Result<uint64_t> ApproximateCount() override {
    RETURN_IF_ERROR(CheckOpen());
    uint64_t count = 0;
    if (!db_->GetIntProperty("rocksdb.estimate-num-keys", &count)) {
      return Status::Internal("no rocksdb.estimate-num-keys for " + spec_.name);
    }
    return count;
  }

  Status ApplyBatch(const std::vector<std::pair<std::string, std::optional<std::string>>>& records) override {
    RETURN_IF_ERROR(CheckOpen());
    rocksdb::WriteBatch batch;
    for (const auto& [key, value] : records) {
      rocksdb::Status s = value ? batch.Put(key, *value) : batch.Delete(key);
      RETURN_IF_ERROR(FromRocks(s, "restore batch for " + spec_.name));
    }
    return FromRocks(db_->Write(write_options_, &batch), "restoring " + spec_.name);
  }

 private:
  Status CheckOpen() const { return db_ ? Status::Ok() : Status::Internal("store " + spec_.name + " is closed"); }

  StoreSpec spec_;
  std::string path_;
  rocksdb::WriteOptions write_options_;
  std::unique_ptr<rocksdb::DB> db_;
};

}  // namespace

Result<std::unique_ptr<InnerStore>> OpenRocksDbStore(const StoreSpec& spec, const std::string& task_dir,
                                                     StateResources* resources) {
  auto store = std::make_unique<RocksDbStore>(spec, (std::filesystem::path(task_dir) / spec.name).string());
  RETURN_IF_ERROR(store->Open(resources));
  return std::unique_ptr<InnerStore>(std::move(store));
}

}  // namespace streamapp::state
