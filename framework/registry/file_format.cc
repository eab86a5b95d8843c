// Declarations use designated initializers and leave the other members to
// their defaults, which g++ 12 reports under -Wextra (GCC bug 96868).
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

#include "registry/file_format.h"

#include <memory>
#include <stdexcept>

namespace streamapp::registry {
namespace {

std::shared_ptr<const ParamDecl> Item(ParamDecl d) {
  return std::make_shared<const ParamDecl>(std::move(d));
}

ParamDecl Serde(const std::string& what) {
  return {.name = what,
          .type = ParamType::kString,
          .default_value = what == "key" ? "string" : "json",
          .doc = "serde of the " + what + ": string, bytes, json, int64, double or protobuf:<message>"};
}

ParamDecl Topics() {
  return {.name = "topics",
          .type = ParamType::kList,
          .doc = "several topics (instead of topic)",
          .item = Item({.name = "topic", .type = ParamType::kString, .doc = "a topic"})};
}

ParamDecl Partitions() {
  return {.name = "partitions",
          .type = ParamType::kInt,
          .doc = "the partition count the topics must have; lets validate check co-partitioning"};
}

ParamDecl Build() {
  const ParamDecl on_error{.name = "on_error",
                           .type = ParamType::kEnum,
                           .default_value = "dlq",
                           .doc = "what a failing record does: go to the dead-letter topic, be skipped, or stop",
                           .choices = {"dlq", "skip", "fail"}};
  ParamDecl application{
      .name = "application",
      .type = ParamType::kObject,
      .required = true,
      .doc = "the application: group id, guarantees, defaults",
      .fields = {
          {.name = "id",
           .type = ParamType::kString,
           .required = true,
           .doc = "consumer group id and internal topic prefix"},
          {.name = "processing_guarantee",
           .type = ParamType::kEnum,
           .default_value = "at_least_once",
           .doc = "at-least-once or exactly-once (Kafka transactions)",
           .choices = {"at_least_once", "exactly_once_v2"}},
          {.name = "commit_interval_ms",
           .type = ParamType::kInt,
           .doc = "commit period; default 30000, 100 exactly-once"},
          {.name = "threads", .type = ParamType::kInt, .default_value = "1", .doc = "stream threads per worker"},
          on_error,
          {.name = "dlq_topic", .type = ParamType::kString, .doc = "dead-letter topic; default <id>-dlq"},
          {.name = "kafka",
           .type = ParamType::kMap,
           .doc = "librdkafka properties for every client",
           .item = Item({.name = "value", .type = ParamType::kString, .doc = "a property value"})},
      }};
  ParamDecl stream{.name = "stream",
                   .type = ParamType::kObject,
                   .doc = "a named stream: topics with serdes",
                   .fields = {{.name = "topic", .type = ParamType::kString, .doc = "the topic"},
                              Topics(),
                              Serde("key"),
                              Serde("value"),
                              {.name = "timestamp",
                               .type = ParamType::kObject,
                               .default_value = "record",
                               .doc = "'record' (the Kafka timestamp), or event time from the value",
                               .fields = {{.name = "field",
                                           .type = ParamType::kField,
                                           .required = true,
                                           .doc = "epoch milliseconds or an ISO-8601 UTC time"},
                                          {.name = "max_future",
                                           .type = ParamType::kDuration,
                                           .doc = "refuse (error handler) timestamps further ahead of the clock"}}},
                              Partitions()}};
  ParamDecl table{.name = "table",
                  .type = ParamType::kObject,
                  .doc = "a table: the latest value per key of its topics",
                  .fields = {{.name = "topic", .type = ParamType::kString, .doc = "the topic"},
                             Topics(),
                             Serde("key"),
                             Serde("value"),
                             {.name = "store", .type = ParamType::kString, .doc = "store name; default the table name"},
                             {.name = "in_memory",
                              .type = ParamType::kBool,
                              .default_value = "false",
                              .doc = "keep the store in memory instead of RocksDB"},
                             Partitions()}};
  ParamDecl global{.name = "global_table",
                   .type = ParamType::kObject,
                   .doc = "a global table: every worker holds all partitions of one topic",
                   .fields = {{.name = "topic", .type = ParamType::kString, .required = true, .doc = "the one topic"},
                              Serde("key"),
                              Serde("value"),
                              {.name = "store", .type = ParamType::kString, .doc = "store name; default the name"}}};
  ParamDecl store{.name = "store",
                  .type = ParamType::kObject,
                  .doc = "how a store is kept; named as in a step's `store:` or as describe shows it",
                  .fields = {{.name = "backend",
                              .type = ParamType::kEnum,
                              .doc = "rocksdb, or memory (rebuilt from the changelog on start); default the step's",
                              .choices = {"rocksdb", "memory"}},
                             {.name = "cache",
                              .type = ParamType::kBool,
                              .doc = "fold repeated updates of a key between commits; default the step's"},
                             {.name = "changelog",
                              .type = ParamType::kBool,
                              .default_value = "true",
                              .doc = "back the store with <app id>-<store>-changelog; false: state is local only"}}};
  ParamDecl pipeline{.name = "pipeline",
                     .type = ParamType::kObject,
                     .doc = "a pipeline of steps",
                     .fields = {{.name = "from",
                                 .type = ParamType::kList,
                                 .required = true,
                                 .doc = "streams, tables or pipelines read (several are merged)",
                                 .item = Item({.name = "input", .type = ParamType::kString, .doc = "a name"})},
                                on_error,
                                {.name = "steps", .type = ParamType::kSteps, .doc = "the steps, in order"}}};
  auto map_of = [&](std::string name, std::string doc, bool required, ParamDecl item) {
    return ParamDecl{.name = std::move(name),
                     .type = ParamType::kMap,
                     .required = required,
                     .doc = std::move(doc),
                     .item = Item(std::move(item))};
  };
  return {.name = "topology",
          .type = ParamType::kObject,
          .doc = "a streamapp topology file (version 1)",
          .fields = {
              {.name = "version", .type = ParamType::kInt, .required = true, .doc = "the format version: 1"},
              application,
              {.name = "proto_paths",
               .type = ParamType::kList,
               .doc = "directories of .proto files, relative to the file",
               .item = Item({.name = "dir", .type = ParamType::kString, .doc = "a directory"})},
              {.name = "plugins",
               .type = ParamType::kList,
               .doc = "operator plugins (shared libraries), relative to the file",
               .item = Item({.name = "path", .type = ParamType::kString, .doc = "a plugin .so"})},
              map_of("streams", "named streams", false, stream),
              map_of("tables", "named tables", false, table),
              map_of("global_tables", "named global tables", false, global),
              map_of("stores", "settings of named stores", false, store),
              map_of("pipelines", "named pipelines", true, pipeline),
          }};
}

}  // namespace

const ParamDecl& TopologyFileDecl() {
  static const ParamDecl decl = Build();
  return decl;
}

std::vector<std::string> SectionKeys(const std::string& path) {
  const ParamDecl* d = &TopologyFileDecl();
  if (!path.empty()) {
    const ParamDecl* found = nullptr;
    for (const ParamDecl& f : d->fields) {
      if (f.name == path) found = &f;
    }
    if (found == nullptr) throw std::logic_error("no section " + path);
    d = found->type == ParamType::kMap ? found->item.get() : found;
  }
  std::vector<std::string> out;
  for (const ParamDecl& f : d->fields) out.push_back(f.name);
  return out;
}

}  // namespace streamapp::registry
