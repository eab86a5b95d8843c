// The operator contract: what every node of a running topology implements.
//
// Periodic work (punctuation) is scheduled from Init() through the context.
// An OperatorDef is the immutable definition (what the topology configured);
// it creates one Processor per task. A Processor sees records one at a time
// and forwards what it emits to its children through the context.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "streamapp/record.h"
#include "streamapp/state_store.h"
#include "streamapp/status.h"
#include "streamapp/types.h"

namespace streamapp {

enum class PunctuationType {
  kStreamTime,  // fires as stream time passes each interval (driven by data)
  kWallClock,   // fires as the system clock passes each interval
};

using Punctuator = std::function<Status(Timestamp now)>;

class ProcessorContext {
 public:
  virtual ~ProcessorContext() = default;
  // Sends a record to every child of this node.
  virtual Status Forward(Record record) = 0;
  // Sends a record to one child (by the order children were attached); used
  // by branching operators.
  virtual Status ForwardTo(size_t child, Record record) = 0;
  virtual size_t child_count() const = 0;
  virtual TaskId task_id() const = 0;
  // The largest record timestamp the task has seen; never decreases.
  virtual Timestamp stream_time() const = 0;
  virtual const std::string& node_name() const = 0;
  // A store this operator declared (OperatorDef::stores()), or null. Cast to
  // KeyValueStore, WindowStore or SessionStore by its spec().kind.
  virtual StateStore* GetStateStore(const std::string& name) = 0;
  // Calls `punctuator` every `interval` of stream or wall-clock time, from the
  // task's thread, between records. Call from Init().
  virtual Status Schedule(std::chrono::milliseconds interval, PunctuationType type, Punctuator punctuator) = 0;
  // Adds to a task-level counter, e.g. "late-records-dropped".
  virtual void AddToMetric(std::string_view name, int64_t delta) = 0;
};

class Processor {
 public:
  virtual ~Processor() = default;
  virtual Status Init(ProcessorContext& context) {
    context_ = &context;
    return Status::Ok();
  }
  // A DataError is handed to the pipeline's error handler (dlq, skip, fail);
  // any other error stops the task.
  virtual Status Process(Record record) = 0;
  virtual void Close() {}

 protected:
  ProcessorContext& context() { return *context_; }

 private:
  ProcessorContext* context_ = nullptr;
};

class OperatorDef {
 public:
  virtual ~OperatorDef() = default;
  virtual std::unique_ptr<Processor> CreateProcessor() const = 0;
  // The operator's kind, e.g. "filter", for describe output and logs.
  virtual std::string_view kind() const = 0;
  // A one-line description of this configured instance, e.g. "amount > 0".
  virtual std::string detail() const { return {}; }
  // True when records leave with a different key than they came with; a
  // later stateful step then needs a repartition topic.
  virtual bool changes_key() const { return false; }
  // The stores each task of this operator gets.
  virtual std::vector<StoreSpec> stores() const { return {}; }
  // Stores declared by other operators that this one reads (e.g. a join
  // looking up a table). Puts both operators in one subtopology.
  virtual std::vector<std::string> connected_stores() const { return {}; }
  // Stateful operators need records partitioned by their current key: a
  // repartition topic goes before them when the key changed upstream.
  virtual bool requires_copartitioning() const { return !stores().empty(); }
};

}  // namespace streamapp
