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
    for (size_t i = 0; i < spec_.pipelines.size(); ++i) CheckFrom(i);
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
      if (s.kind == StepKind::kAggregate || s.kind == StepKind::kCount) {
        ClaimStore(s.agg.StoreName(s.node_name), s.agg.store.value.empty() ? s.pos : s.agg.store.pos);
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
    for (const PipelineSpec& p : spec_.pipelines) {
      if (spec_.FindStream(p.name.value) != nullptr || spec_.FindTable(p.name.value) != nullptr) {
        diags_.Add(p.name.pos, "pipeline '" + p.name.value + "' has the name of a " +
                                   (spec_.FindStream(p.name.value) != nullptr ? "stream" : "table") +
                                   "; 'from' could not tell them apart, rename one");
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

  // Depth-first over "reads from" edges; producers are appended first.
  bool Visit(size_t i) {
    if (state_[i] == State::kDone) return true;
    if (state_[i] == State::kBroken) return false;
    if (state_[i] == State::kVisiting) return false;  // reported by the caller that closes the cycle
    state_[i] = State::kVisiting;
    path_.push_back(i);
    bool ok = true;
    const PipelineSpec& p = spec_.pipelines[i];
    for (const Text& f : p.from) {
      if (spec_.IsInput(f.value)) continue;
      const PipelineSpec* producer = spec_.FindPipeline(f.value);
      if (producer == nullptr || producer->terminal()) {
        ok = false;  // already reported
        continue;
      }
      const size_t j = static_cast<size_t>(producer - spec_.pipelines.data());
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
