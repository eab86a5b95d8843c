// Join operators: stream-table, windowed stream-stream, and table-table.
// Definitions are immutable; each task gets its own processors. The DSL
// methods that wire them into the graph are in joins.cc.
//
// Semantics (Kafka Streams' where it has one):
//
// * Stream-table (MakeStreamTableJoin): for each stream record the table's
//   current value of the record's key is read from the table's key-value
//   store (key encoded with the table's key serde, value decoded with the
//   table's value serde). Inner: emits joiner(record, value) when the key is
//   present; left: also when absent (right = null). A null stream key: inner
//   drops the record (task metric "join-null-key-dropped"), left emits it with
//   right = null. Table updates emit nothing. Output: the stream record with
//   value = joiner result (key, timestamp and headers kept).
//
// * Stream-stream (MakeStreamStreamJoin): two processors, "this" side and
//   "other" side, each keeping its records in its own window store (key: the
//   record key in a lossless binary encoding; window start: the record
//   timestamp; value: the list of records with that key and timestamp, each
//   with a "done" flag). A this-side record at t matches the other-side
//   records in [t - before, t + after]; an other-side record at t matches the
//   this-side records in [t - after, t + before]. Each match emits
//   joiner(this record, other value) with timestamp max(t1, t2) and the
//   arriving record's headers; other-side arrivals call the joiner with a
//   Record rebuilt from the stored this-side value (key, value, max
//   timestamp; no headers). Matches come in (timestamp, arrival) order of the
//   stored side.
//   Stream time st = max(task stream time, record timestamp). A this-side
//   record "closes" at t + after + grace, an other-side one at
//   t + before + grace; a record arriving when st is already past its close is
//   late: dropped and counted ("late-records-dropped").
//   Left joins emit each this-side record that matched nothing, once, as
//   joiner(record, null) when st passes its close; outer joins also emit each
//   unmatched other-side record as joiner(Record{key, null, t}, value). Both
//   processors emit the closed unmatched records of both sides (before
//   handling the arriving record's matches), in timestamp order, this side
//   first on ties. A record matched after it was emitted unmatched (possible
//   when before/after > 0 and a record arrives out of order) still emits the
//   match.
//   Null keys: inner drops (counted "join-null-key-dropped"); left emits a
//   this-side null-key record at once as joiner(record, null) and drops an
//   other-side one; outer emits both sides at once (KIP-962).
//   Retention: before + after + grace + 1 ms; each processor expires its own
//   store when stream time has moved by half the retention.
//
// * Table-table (MakeTableTableJoin): a processor per side, fed by that
//   side's table node, looking up the other table's store. After an update
//   of one side the join holds when (inner) both sides are present, (left)
//   the left side is present, (outer) either side is present; then it emits
//   joiner(Record{key, left value, ts}, right value) (an absent side is
//   null). When it does not hold it emits a tombstone (null value) if it
//   could have held before the update (i.e. it would hold were the updated
//   side present), else nothing. Timestamp and headers: the update's (tables
//   do not keep timestamps).
#pragma once

#include <memory>
#include <string>

#include "dsl/graph.h"
#include "streamapp/dsl.h"

namespace streamapp::dsl {

// How a join reads a table's store: the same encodings the table writes with.
struct TableStoreRef {
  std::string store;
  std::shared_ptr<const Serde> key_serde;    // json when null
  std::shared_ptr<const Serde> value_serde;  // json when null
};

std::string_view JoinTypeName(JoinType type);

std::shared_ptr<const OperatorDef> MakeStreamTableJoin(TableStoreRef table, JoinType type, ValueJoiner joiner);

struct JoinPair {
  std::shared_ptr<const OperatorDef> this_side;   // stream-stream: this; table-table: left
  std::shared_ptr<const OperatorDef> other_side;  // stream-stream: other; table-table: right
};

// Stores are named `this_store` and `other_store`; each side declares its
// own and lists the other in connected_stores().
JoinPair MakeStreamStreamJoin(std::string this_store, std::string other_store, JoinWindows windows, JoinType type,
                              ValueJoiner joiner);

JoinPair MakeTableTableJoin(TableStoreRef left, TableStoreRef right, JoinType type, ValueJoiner joiner);

// Lossless binary encoding of a Value (all types, bytes included); the
// stream-stream join stores keys and values with it.
void AppendBinaryValue(std::string* out, const Value& value);
Result<Value> ParseBinaryValue(std::string_view bytes);

}  // namespace streamapp::dsl
