// Run-time protobuf schemas: every .proto file under a set of directories,
// imported once per process and shared by all protobuf serdes using them.
#pragma once

#include <google/protobuf/compiler/importer.h>
#include <google/protobuf/dynamic_message.h>

#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "streamapp/status.h"

namespace streamapp::serde {

class ProtoSchema {
 public:
  // The schema for `proto_paths`, loaded on first use and cached for the
  // process. InvalidArgument when a path is missing or a .proto does not
  // parse (the message has file:line:column).
  static Result<std::shared_ptr<const ProtoSchema>> Load(const std::vector<std::string>& proto_paths);

  // The prototype of a message, by full name (e.g. "shop.Order"): lives as
  // long as this schema. InvalidArgument, with a suggestion, when unknown.
  Result<const google::protobuf::Message*> FindPrototype(std::string_view full_name) const;

  const std::vector<std::string>& proto_paths() const { return proto_paths_; }

  ProtoSchema(const ProtoSchema&) = delete;
  ProtoSchema& operator=(const ProtoSchema&) = delete;

 private:
  class ErrorCollector : public google::protobuf::compiler::MultiFileErrorCollector {
   public:
    void AddError(const std::string& filename, int line, int column, const std::string& message) override;
    std::vector<std::string> errors;
  };

  explicit ProtoSchema(std::vector<std::string> proto_paths);
  Status Import();

  std::vector<std::string> proto_paths_;
  google::protobuf::compiler::DiskSourceTree source_tree_;
  ErrorCollector errors_;
  google::protobuf::compiler::Importer importer_;
  // Declared after the importer: prototypes must die before the descriptors.
  mutable std::mutex mu_;  // guards pool lookups and the factory
  mutable google::protobuf::DynamicMessageFactory factory_;
  std::vector<std::string> message_names_;  // every message, for suggestions
};

}  // namespace streamapp::serde
