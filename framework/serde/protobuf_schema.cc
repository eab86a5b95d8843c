#include "serde/protobuf_schema.h"

#include <algorithm>
#include <filesystem>
#include <map>
#include <optional>
#include <set>
#include <system_error>

#include "serde/edit_distance.h"

namespace streamapp::serde {
namespace {

namespace fs = std::filesystem;
namespace pb = google::protobuf;

// Where Debian and source installs put the well-known types
// (google/protobuf/timestamp.proto, ...), so user schemas can import them.
constexpr const char* kWellKnownTypeDirs[] = {"/usr/include/google/protobuf", "/usr/local/include/google/protobuf"};

std::string JoinPaths(const std::vector<std::string>& paths) {
  std::string out;
  for (const std::string& p : paths) {
    if (!out.empty()) out += ", ";
    out += p;
  }
  return out;
}

void CollectMessageNames(const pb::Descriptor* message, std::vector<std::string>* names) {
  if (message->options().map_entry()) return;
  names->push_back(message->full_name());
  for (int i = 0; i < message->nested_type_count(); ++i) CollectMessageNames(message->nested_type(i), names);
}

// "Order" for "shop.v1.Order".
std::string_view SimpleName(std::string_view full_name) {
  size_t dot = full_name.rfind('.');
  return dot == std::string_view::npos ? full_name : full_name.substr(dot + 1);
}

}  // namespace

void ProtoSchema::ErrorCollector::AddError(const std::string& filename, int line, int column,
                                           const std::string& message) {
  // The importer counts lines and columns from 0; editors count from 1.
  if (line >= 0) {
    errors.push_back(filename + ":" + std::to_string(line + 1) + ":" + std::to_string(column + 1) + ": " + message);
  } else {
    errors.push_back(filename + ": " + message);
  }
}

ProtoSchema::ProtoSchema(std::vector<std::string> proto_paths)
    : proto_paths_(std::move(proto_paths)), importer_(&source_tree_, &errors_) {}

Result<std::shared_ptr<const ProtoSchema>> ProtoSchema::Load(const std::vector<std::string>& proto_paths) {
  static std::mutex cache_mu;
  static std::map<std::vector<std::string>, std::shared_ptr<const ProtoSchema>> cache;

  std::lock_guard lock(cache_mu);
  auto it = cache.find(proto_paths);
  if (it != cache.end()) return it->second;
  // Failures are not cached: a fixed .proto file is picked up on the next try.
  std::shared_ptr<ProtoSchema> schema(new ProtoSchema(proto_paths));
  RETURN_IF_ERROR(schema->Import());
  cache.emplace(proto_paths, schema);
  return std::shared_ptr<const ProtoSchema>(std::move(schema));
}

Status ProtoSchema::Import() {
  if (proto_paths_.empty()) {
    return Status::InvalidArgument("protobuf serdes need at least one directory of .proto files (proto paths)");
  }
  // Virtual file names, relative to their proto path; the first path that has
  // a given name wins, as in protoc's -I.
  std::set<std::string> files;
  for (const std::string& path : proto_paths_) {
    std::error_code ec;
    if (!fs::is_directory(path, ec)) {
      return Status::InvalidArgument("proto path '" + path + "' is not a directory");
    }
    source_tree_.MapPath("", path);
    for (auto entry = fs::recursive_directory_iterator(path, fs::directory_options::follow_directory_symlink, ec);
         !ec && entry != fs::recursive_directory_iterator(); entry.increment(ec)) {
      if (entry->is_regular_file(ec) && entry->path().extension() == ".proto") {
        files.insert(entry->path().lexically_relative(path).generic_string());
      }
    }
    if (ec) return Status::InvalidArgument("cannot list proto path '" + path + "': " + ec.message());
  }
  for (const char* dir : kWellKnownTypeDirs) {
    std::error_code ec;
    if (fs::exists(fs::path(dir) / "descriptor.proto", ec)) {
      source_tree_.MapPath("google/protobuf", dir);
      break;
    }
  }

  for (const std::string& file : files) {
    const pb::FileDescriptor* fd = importer_.Import(file);
    if (fd == nullptr) continue;  // reported through errors_
    for (int i = 0; i < fd->message_type_count(); ++i) CollectMessageNames(fd->message_type(i), &message_names_);
  }
  if (!errors_.errors.empty()) {
    std::string message = "cannot load .proto files (proto paths: " + JoinPaths(proto_paths_) + "): ";
    constexpr size_t kMaxShown = 5;
    for (size_t i = 0; i < errors_.errors.size() && i < kMaxShown; ++i) {
      if (i > 0) message += "; ";
      message += errors_.errors[i];
    }
    if (errors_.errors.size() > kMaxShown) {
      message += "; and " + std::to_string(errors_.errors.size() - kMaxShown) + " more";
    }
    return Status::InvalidArgument(std::move(message));
  }
  std::sort(message_names_.begin(), message_names_.end());
  return Status::Ok();
}

Result<const pb::Message*> ProtoSchema::FindPrototype(std::string_view full_name) const {
  std::lock_guard lock(mu_);
  const pb::Descriptor* descriptor = importer_.pool()->FindMessageTypeByName(std::string(full_name));
  if (descriptor != nullptr) return factory_.GetPrototype(descriptor);

  std::string message = "unknown protobuf message '" + std::string(full_name) +
                        "' (searched the .proto files under: " + JoinPaths(proto_paths_) + ")";
  // A name without its package ("Order") or with a typo ("shop.Ordr").
  std::optional<std::string> suggestion;
  for (const std::string& name : message_names_) {
    if (SimpleName(name) == full_name || name.ends_with("." + std::string(full_name))) {
      suggestion = name;
      break;
    }
  }
  if (!suggestion) suggestion = NearestName(full_name, message_names_);
  if (suggestion) message += "; did you mean '" + *suggestion + "'?";
  return Status::InvalidArgument(std::move(message));
}

}  // namespace streamapp::serde
