// Cross-references of a parsed file: `from` names, cycles between pipelines,
// unique node names, and the order pipelines are built in.
#include <algorithm>
#include <map>
#include <set>

#include "yaml/spec.h"
#include "yaml/suggest.h"

namespace streamapp::yaml {
namespace {

std::string PosText(Pos p) {
  return std::to_string(p.line) + ":" + std::to_string(p.column);
}

class Resolver {
 public:
  Resolver(FileSpec& spec, Diagnostics& diags) : spec_(spec), diags_(diags) {}

  void Run() {
    CheckNames();
    for (size_t i = 0; i < spec_.pipelines.size(); ++i) {
      CheckFrom(i);
      CheckJoins(spec_.pipelines[i], spec_.pipelines[i].steps);
    }
    state_.assign(spec_.pipelines.size(), State::kNew);
    for (size_t i = 0; i < spec_.pipelines.size(); ++i) Visit(i);
  }

 private:
  enum class State { kNew, kVisiting, kDone, kBroken };

  void Claim(const std::string& node, Pos pos) {
    auto [it, inserted] = nodes_.emplace(node, pos);
    if (!inserted) diags_.Add(pos, "duplicate node name '" + node + "' (first used at " + PosText(it->second) + ")");
  }

  // Store names become changelog topic names, so two stateful steps must
  // not share one.
  void ClaimStore(const std::string& store, Pos pos) {
    auto [it, inserted] = stores_.emplace(store, pos);
    if (!inserted) diags_.Add(pos, "duplicate store name '" + store + "' (first used at " + PosText(it->second) + ")");
  }

  void ClaimSteps(const std::vector<StepSpec>& steps) {
    for (const StepSpec& s : steps) {
      Claim(s.node_name, s.name.value.empty() ? s.pos : s.name.pos);
      if (s.kind == StepKind::kAggregate || s.kind == StepKind::kCount || s.kind == StepKind::kReduce) {
        ClaimStore(s.agg.StoreName(s.node_name), s.agg.store.value.empty() ? s.pos : s.agg.store.pos);
      }
      // A stream-stream join keeps each side in a window store.
      if (s.kind == StepKind::kJoin && !s.join.with.value.empty() && spec_.FindTable(s.join.with.value) == nullptr &&
          spec_.FindGlobalTable(s.join.with.value) == nullptr) {
        ClaimStore(s.node_name + "-this-store", s.name.value.empty() ? s.pos : s.name.pos);
        ClaimStore(s.node_name + "-other-store", s.name.value.empty() ? s.pos : s.name.pos);
      }
      for (const BranchCase& c : s.cases) {
        Claim(c.node_name, c.name.value.empty() ? c.pos : c.name.pos);
        ClaimSteps(c.steps);
      }
    }
  }

  void CheckNames() {
    for (const StreamSpec& s : spec_.streams) Claim("stream." + s.name.value, s.name.pos);
    for (const TableSpec& t : spec_.tables) {
      if (const StreamSpec* s = spec_.FindStream(t.name.value)) {
        diags_.Add(t.name.pos, "table '" + t.name.value + "' has the name of a stream (at " + PosText(s->name.pos) +
                                   "); streams and tables share one namespace, rename one");
      }
      Claim(t.node_name() + "-source", t.name.pos);
      Claim(t.node_name(), t.name.pos);
      ClaimStore(t.StoreName(), t.store.value.empty() ? t.name.pos : t.store.pos);
    }
    for (const GlobalTableSpec& g : spec_.global_tables) {
      const StreamSpec* s = spec_.FindStream(g.name.value);
      const TableSpec* t = spec_.FindTable(g.name.value);
      if (s != nullptr || t != nullptr) {
        diags_.Add(g.name.pos, "global table '" + g.name.value + "' has the name of a " +
                                   (s != nullptr ? "stream (at " + PosText(s->name.pos) + ")"
                                                 : "table (at " + PosText(t->name.pos) + ")") +
                                   "; streams, tables and global tables share one namespace, rename one");
      }
      // Tasks look stores up before global ones, so the names must differ.
      ClaimStore(g.StoreName(), g.store.value.empty() ? g.name.pos : g.store.pos);
    }
    for (const PipelineSpec& p : spec_.pipelines) {
      const char* kind = spec_.FindStream(p.name.value) != nullptr        ? "stream"
                         : spec_.FindTable(p.name.value) != nullptr       ? "table"
                         : spec_.FindGlobalTable(p.name.value) != nullptr ? "global table"
                                                                          : nullptr;
      if (kind != nullptr) {
        diags_.Add(p.name.pos, "pipeline '" + p.name.value + "' has the name of a " + kind +
                                   "; 'from' and 'join' could not tell them apart, rename one");
      }
      if (!p.merge_node.empty()) Claim(p.merge_node, p.name.pos);
      ClaimSteps(p.steps);
    }
  }

  void CheckFrom(size_t i) {
    const PipelineSpec& p = spec_.pipelines[i];
    std::set<std::string> seen;
    for (const Text& f : p.from) {
      if (!seen.insert(f.value).second) {
        diags_.Add(f.pos, "'" + f.value + "' appears twice in 'from' of pipeline '" + p.name.value + "'");
        continue;
      }
      if (spec_.IsInput(f.value)) continue;
      if (spec_.FindGlobalTable(f.value) != nullptr) {
        diags_.Add(f.pos, "global table '" + f.value + "' cannot be read as a stream; join with it ('join: {with: " +
                              f.value + ", key: EXPR}') or declare its topic under 'tables'");
        continue;
      }
      const PipelineSpec* producer = spec_.FindPipeline(f.value);
      if (producer == nullptr) {
        if (!spec_.streams_valid) continue;
        std::vector<std::string> names;
        for (const StreamSpec& s : spec_.streams) names.push_back(s.name.value);
        for (const TableSpec& t : spec_.tables) names.push_back(t.name.value);
        for (const PipelineSpec& q : spec_.pipelines) {
          if (&q != &p) names.push_back(q.name.value);
        }
        const char* kinds = spec_.tables.empty() ? "stream or pipeline" : "stream, table or pipeline";
        diags_.Add(f.pos, "unknown " + std::string(kinds) + " '" + f.value + "' in 'from' of pipeline '" +
                              p.name.value + "'" + DidYouMean(f.value, names));
      } else if (producer->terminal()) {
        diags_.Add(f.pos, "pipeline '" + f.value + "' ends with '" +
                              std::string(StepKindName(producer->steps.back().kind)) +
                              "', so it has no output to read; read its topic as a stream instead");
      }
    }
  }

  // The `with` of every join, branch cases included.
  static void JoinRefs(const std::vector<StepSpec>& steps, std::vector<const Text*>& out) {
    for (const StepSpec& s : steps) {
      if (s.kind == StepKind::kJoin && !s.join.with.value.empty()) out.push_back(&s.join.with);
      for (const BranchCase& c : s.cases) JoinRefs(c.steps, out);
    }
  }

  // What `with` names, and whether the join's options fit it.
  void CheckJoins(const PipelineSpec& p, const std::vector<StepSpec>& steps) {
    for (const StepSpec& s : steps) {
      for (const BranchCase& c : s.cases) CheckJoins(p, c.steps);
      if (s.kind != StepKind::kJoin || s.join.with.value.empty()) continue;
      const JoinText& j = s.join;
      const Text& with = j.with;
      const TableSpec* table = spec_.FindTable(with.value);
      const GlobalTableSpec* global = spec_.FindGlobalTable(with.value);
      const PipelineSpec* producer = table != nullptr || global != nullptr ? nullptr : spec_.FindPipeline(with.value);
      if (table == nullptr && global == nullptr && producer == nullptr && spec_.FindStream(with.value) == nullptr) {
        if (!spec_.streams_valid) continue;
        std::vector<std::string> names;
        for (const StreamSpec& x : spec_.streams) names.push_back(x.name.value);
        for (const TableSpec& t : spec_.tables) names.push_back(t.name.value);
        for (const GlobalTableSpec& g : spec_.global_tables) names.push_back(g.name.value);
        for (const PipelineSpec& q : spec_.pipelines) {
          if (&q != &p) names.push_back(q.name.value);
        }
        const char* kinds =
            spec_.global_tables.empty() ? "table, stream or pipeline" : "table, global table, stream or pipeline";
        diags_.Add(with.pos, "unknown " + std::string(kinds) + " '" + with.value + "' in 'join' of pipeline '" +
                                 p.name.value + "'" + DidYouMean(with.value, names));
        continue;
      }
      if (global != nullptr) {
        CheckGlobalJoin(s, *global);
      } else if (j.key_pos.line > 0) {
        const char* kind = table != nullptr ? "table" : producer != nullptr ? "pipeline" : "stream";
        diags_.Add(j.key_pos, "join with " + std::string(kind) + " '" + with.value +
                                  "' takes no 'key' (it matches records by their key; use selectKey before the "
                                  "join to change it); 'key' is for joins with a global table");
      }
      if (producer == &p) {
        diags_.Add(with.pos, "pipeline '" + p.name.value +
                                 "' cannot join with its own output; join with the stream or table it reads");
        continue;
      }
      if (producer != nullptr && producer->terminal()) {
        diags_.Add(with.pos, "pipeline '" + with.value + "' ends with '" +
                                 std::string(StepKindName(producer->steps.back().kind)) +
                                 "', so it has no output to join with; read its topic as a stream instead");
      }
      if (global != nullptr) {
        // Checked above.
      } else if (table != nullptr) {
        if (j.window_pos.line > 0) {
          diags_.Add(j.window_pos, "join with table '" + with.value + "' takes no '" + j.window_key +
                                       "' (a table join matches the table's current value); windows are for "
                                       "joins with a stream or pipeline");
        }
        if (j.type == JoinType::kOuter && !spec_.JoinsTables(p, s)) {
          diags_.Add(j.type_pos,
                     "a stream-table join is inner or left, not outer (an outer join with a table "
                     "needs a table on the left too: a pipeline reading one table, with the join as "
                     "its first step)");
        }
      } else if (j.window_pos.line == 0) {
        diags_.Add(s.pos, "join with " + std::string(producer != nullptr ? "pipeline" : "stream") + " '" + with.value +
                              "' needs 'window: {before: D, after: D}' or 'within: D' (how far apart in time "
                              "two records may be and still match)");
      }
      const Text& right = j.right_name.value.empty() ? with : j.right_name;
      if (j.left_name.value == j.RightName()) {
        diags_.Add(j.right_name.value.empty() ? (j.left_name.pos.line > 0 ? j.left_name.pos : s.pos) : right.pos,
                   "join as: left and right are both named '" + j.left_name.value +
                       "'; the output object needs two different field names");
      }
    }
  }

  // A join with a global table: a lookup key, inner or left, no window.
  void CheckGlobalJoin(const StepSpec& s, const GlobalTableSpec& g) {
    const JoinText& j = s.join;
    if (j.key_pos.line == 0) {
      diags_.Add(s.pos, "join with global table '" + g.name.value +
                            "' needs 'key: EXPR' (the key to look up, computed from the record, e.g. 'key: "
                            "customer_id')");
    }
    if (j.type == JoinType::kOuter) {
      diags_.Add(j.type_pos, "a join with global table '" + g.name.value +
                                 "' is inner or left, not outer (the global table side emits nothing)");
    }
    if (j.window_pos.line > 0) {
      diags_.Add(j.window_pos, "join with global table '" + g.name.value + "' takes no '" + j.window_key +
                                   "' (it looks up the table's current value); windows are for joins with a "
                                   "stream or pipeline");
    }
  }

  // Depth-first over "reads from" edges; producers are appended first.
  bool Visit(size_t i) {
    if (state_[i] == State::kDone) return true;
    if (state_[i] == State::kBroken) return false;
    if (state_[i] == State::kVisiting) return false;  // reported by the caller that closes the cycle
    state_[i] = State::kVisiting;
    path_.push_back(i);
    bool ok = true;
    const PipelineSpec& p = spec_.pipelines[i];
    std::vector<const Text*> refs;
    for (const Text& f : p.from) refs.push_back(&f);
    JoinRefs(p.steps, refs);
    for (size_t k = 0; k < refs.size(); ++k) {
      const Text& f = *refs[k];
      const bool joined = k >= p.from.size();
      if (spec_.IsInput(f.value)) continue;
      if (spec_.FindGlobalTable(f.value) != nullptr) {
        if (!joined) ok = false;  // read in `from`: reported by CheckFrom
        continue;
      }
      const PipelineSpec* producer = spec_.FindPipeline(f.value);
      if (producer == nullptr || producer->terminal()) {
        ok = false;  // already reported
        continue;
      }
      const size_t j = static_cast<size_t>(producer - spec_.pipelines.data());
      if (joined && j == i) {
        ok = false;  // a join with its own output, reported by CheckJoins
        continue;
      }
      if (state_[j] == State::kVisiting) {
        std::string cycle;
        auto start = std::find(path_.begin(), path_.end(), j);
        for (auto it = start; it != path_.end(); ++it) cycle += spec_.pipelines[*it].name.value + " -> ";
        cycle += f.value;
        diags_.Add(f.pos, "pipelines read from each other in a cycle: " + cycle);
        ok = false;
        continue;
      }
      if (!Visit(j)) ok = false;
    }
    path_.pop_back();
    state_[i] = ok ? State::kDone : State::kBroken;
    if (ok) spec_.build_order.push_back(i);
    return ok;
  }

  FileSpec& spec_;
  Diagnostics& diags_;
  std::map<std::string, Pos> nodes_;
  std::map<std::string, Pos> stores_;
  std::vector<State> state_;
  std::vector<size_t> path_;
};

}  // namespace

void ResolveSpec(FileSpec& spec, Diagnostics& diags) {
  Resolver(spec, diags).Run();
}

std::vector<Diagnostic> Diagnostics::Take() {
  std::stable_sort(list_.begin(), list_.end(), [](const Diagnostic& a, const Diagnostic& b) {
    return a.line != b.line ? a.line < b.line : a.column < b.column;
  });
  return std::move(list_);
}

Pos ExprText::At(size_t offset) const {
  if (columns.empty()) return pos;
  return {pos.line, columns[std::min(offset, columns.size() - 1)]};
}

}  // namespace streamapp::yaml
