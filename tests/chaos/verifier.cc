#include "chaos/verifier.h"

#include <algorithm>
#include <charconv>
#include <map>
#include <set>
#include <unordered_map>

namespace streamapp::chaos {
namespace {

std::optional<int64_t> ParseInt(std::string_view text) {
  int64_t v = 0;
  auto r = std::from_chars(text.data(), text.data() + text.size(), v);
  if (r.ec != std::errc() || r.ptr != text.data() + text.size()) return std::nullopt;
  return v;
}

std::string Show(const Rec& r) {
  return r.key + "=" + r.value + " (offset " + std::to_string(r.offset) + ")";
}

size_t Total(const TopicRecords& t) {
  size_t n = 0;
  for (const auto& p : t) n += p.size();
  return n;
}

// Collects deviations: counts all, keeps the first few as text.
class Deviations {
 public:
  Deviations(VerifierReport& report, size_t max) : report_(report), max_(max) {}
  void Add(const std::string& what) {
    if (report_.details.size() < max_) report_.details.push_back(what);
    ++report_.deviations;
  }

 private:
  VerifierReport& report_;
  size_t max_;
};

// How an output partition covers its input partition when replays are
// allowed: see the at_least_once contract in verifier.h.
struct Coverage {
  size_t covered = 0;     // input positions [0, covered) appeared
  size_t replayed = 0;    // output records that repeat an earlier position
  size_t unexpected = 0;  // output records that fit no replay
  std::optional<size_t> first_unexpected;
};

Coverage Cover(const std::vector<Rec>& in, const std::vector<Rec>& out) {
  // Positions of each (key, value) in the input, to find replay starts fast.
  std::unordered_map<std::string, std::vector<size_t>> where;
  for (size_t i = 0; i < in.size(); ++i) where[in[i].key + '\0' + in[i].value].push_back(i);
  // Long enough that a false restart position (same key and value, by
  // chance) practically never matches as well as the true one.
  constexpr size_t kWindow = 16;
  Coverage c;
  size_t cursor = 0;
  for (size_t i = 0; i < out.size(); ++i) {
    if (cursor < in.size() && out[i] == in[cursor]) {
      c.covered = std::max(c.covered, ++cursor);
      continue;
    }
    // A new segment: the latest start at or before `covered` that matches
    // the longest run of what follows.
    size_t best = SIZE_MAX, best_len = 0;
    auto it = where.find(out[i].key + '\0' + out[i].value);
    if (it != where.end()) {
      for (auto s = it->second.rbegin(); s != it->second.rend(); ++s) {
        if (*s > c.covered) continue;
        size_t len = 0;
        while (len < kWindow && *s + len < in.size() && i + len < out.size() && in[*s + len] == out[i + len]) ++len;
        if (len > best_len) best = *s, best_len = len;
        if (len == kWindow) break;
      }
    }
    if (best == SIZE_MAX) {
      if (!c.first_unexpected) c.first_unexpected = i;
      ++c.unexpected;
      continue;
    }
    cursor = best + 1;
    c.covered = std::max(c.covered, cursor);
  }
  c.replayed = out.size() - c.unexpected - c.covered;
  return c;
}

struct KeyInput {
  int partition = -1;
  std::vector<int64_t> values;
};

struct KeyOutput {
  std::set<int> partitions;
  std::vector<int64_t> values;
  std::vector<int64_t> offsets;
};

std::map<std::string, KeyOutput> ByKey(const std::string& name, const TopicRecords& topic, Deviations& dev) {
  std::map<std::string, KeyOutput> out;
  for (size_t p = 0; p < topic.size(); ++p) {
    for (const Rec& r : topic[p]) {
      auto v = ParseInt(r.value);
      if (!v) {
        dev.Add(name + " p" + std::to_string(p) + ": value is not an integer: " + Show(r));
        continue;
      }
      KeyOutput& k = out[r.key];
      k.partitions.insert(static_cast<int>(p));
      k.values.push_back(*v);
      k.offsets.push_back(r.offset);
    }
  }
  return out;
}

// One aggregate output topic against the per-key expectation.
void CheckAggregate(Guarantee g, const std::string& name, const std::map<std::string, KeyInput>& inputs,
                    const std::map<std::string, KeyOutput>& outputs,
                    const std::map<std::string, std::vector<int64_t>>& expected, VerifierReport& report,
                    Deviations& dev) {
  for (const auto& [key, out] : outputs) {
    if (!inputs.count(key)) dev.Add(name + ": key " + key + " is not in the input");
  }
  const auto empty = KeyOutput{};
  for (const auto& [key, in] : inputs) {
    auto found = outputs.find(key);
    const KeyOutput& out = found == outputs.end() ? empty : found->second;
    const std::vector<int64_t>& want = expected.at(key);
    const std::string where = name + " key " + key + " (partition " + std::to_string(in.partition) + ")";
    if (out.partitions.size() > 1 || (!out.partitions.empty() && *out.partitions.begin() != in.partition)) {
      dev.Add(where + ": output in partition(s) other than the input's");
    }
    const size_t n = want.size(), got = out.values.size();
    if (got < n) report.lost += static_cast<int64_t>(n - got);
    if (got > n) report.duplicates += static_cast<int64_t>(got - n);
    if (g == Guarantee::kExactlyOnce) {
      for (size_t i = 0; i < std::min(n, got); ++i) {
        if (out.values[i] != want[i]) {
          dev.Add(where + ": output " + std::to_string(i) + " (offset " + std::to_string(out.offsets[i]) +
                  ") expected " + std::to_string(want[i]) + " got " + std::to_string(out.values[i]));
          break;
        }
      }
      if (got != n) {
        dev.Add(where + ": " + std::to_string(got) + " outputs for " + std::to_string(n) + " inputs" +
                (got > 0 ? "; last " + std::to_string(out.values.back()) + " at offset " +
                               std::to_string(out.offsets.back()) + ", expected final " + std::to_string(want.back())
                         : ""));
      }
      continue;
    }
    if (got < n) {
      dev.Add(where + ": " + std::to_string(got) + " outputs for " + std::to_string(n) + " inputs (lost)");
      continue;
    }
    if (name == "count" && out.values.back() < static_cast<int64_t>(n)) {
      dev.Add(where + ": final count " + std::to_string(out.values.back()) + " < " + std::to_string(n) + " inputs");
    }
    if (name == "min") {
      const std::set<int64_t> running(want.begin(), want.end());
      for (size_t i = 0; i < got; ++i) {
        if (!running.count(out.values[i])) {
          dev.Add(where + ": output " + std::to_string(i) + " = " + std::to_string(out.values[i]) +
                  " is no running min of the input");
          break;
        }
      }
      if (out.values.back() != want.back()) {
        dev.Add(where + ": final min " + std::to_string(out.values.back()) + ", expected " +
                std::to_string(want.back()));
      }
    }
  }
}

}  // namespace

std::optional<Guarantee> ParseGuarantee(std::string_view name) {
  if (name == "exactly_once" || name == "exactly_once_v2") return Guarantee::kExactlyOnce;
  if (name == "at_least_once") return Guarantee::kAtLeastOnce;
  return std::nullopt;
}

const char* GuaranteeName(Guarantee g) {
  return g == Guarantee::kExactlyOnce ? "exactly_once" : "at_least_once";
}

std::string VerifierReport::Summary() const {
  return std::string("chaos verifier: ") + (pass ? "PASS" : "FAIL") + " guarantee=" + GuaranteeName(guarantee) +
         " input=" + std::to_string(input) + " echo=" + std::to_string(echo) + " sum=" + std::to_string(sum) +
         " min=" + std::to_string(min) + " count=" + std::to_string(count) +
         " duplicates=" + std::to_string(duplicates) + " lost=" + std::to_string(lost) +
         " open_transactions=" + std::to_string(open_transactions) + " deviations=" + std::to_string(deviations);
}

VerifierReport Check(Guarantee g, const VerifierInput& in, size_t max_details) {
  VerifierReport report;
  report.guarantee = g;
  Deviations dev(report, max_details);
  report.input = static_cast<int64_t>(Total(in.input));
  report.echo = static_cast<int64_t>(Total(in.echo));
  report.sum = static_cast<int64_t>(Total(in.sum));
  report.min = static_cast<int64_t>(Total(in.min));
  report.count = static_cast<int64_t>(Total(in.count));
  report.open_transactions = static_cast<int64_t>(in.open_transactions.size());
  for (const std::string& open : in.open_transactions) dev.Add("open transaction: " + open);
  if (in.expected_input && *in.expected_input != report.input) {
    dev.Add("the input topic holds " + std::to_string(report.input) + " records, the driver sent " +
            std::to_string(*in.expected_input));
  }
  if (report.input == 0) dev.Add("the input topic is empty");

  // Input per key, and the expected aggregates.
  std::map<std::string, KeyInput> keys;
  for (size_t p = 0; p < in.input.size(); ++p) {
    for (const Rec& r : in.input[p]) {
      auto v = ParseInt(r.value);
      if (!v) {
        dev.Add("input p" + std::to_string(p) + ": value is not an integer: " + Show(r));
        continue;
      }
      KeyInput& k = keys[r.key];
      if (k.partition >= 0 && k.partition != static_cast<int>(p)) dev.Add("input key " + r.key + " in two partitions");
      k.partition = static_cast<int>(p);
      k.values.push_back(*v);
    }
  }
  std::map<std::string, std::vector<int64_t>> sums, mins, counts;
  for (const auto& [key, k] : keys) {
    int64_t sum = 0, min = INT64_MAX, n = 0;
    for (int64_t v : k.values) {
      sums[key].push_back(sum += v);
      mins[key].push_back(min = std::min(min, v));
      counts[key].push_back(++n);
    }
  }

  // Echo, per partition.
  if (in.echo.size() != in.input.size()) {
    dev.Add("echo has " + std::to_string(in.echo.size()) + " partitions, input " + std::to_string(in.input.size()));
  }
  for (size_t p = 0; p < std::min(in.echo.size(), in.input.size()); ++p) {
    const auto& want = in.input[p];
    const auto& got = in.echo[p];
    const std::string where = "echo p" + std::to_string(p);
    Coverage c = Cover(want, got);
    report.lost += static_cast<int64_t>(want.size() - c.covered);
    report.duplicates += static_cast<int64_t>(c.replayed);
    if (c.replayed > 0) {
      report.notes.push_back(where + ": " + std::to_string(c.replayed) + " replayed record(s)");
    }
    if (g == Guarantee::kExactlyOnce) {
      if (got != want) {
        size_t i = 0;
        while (i < want.size() && i < got.size() && want[i] == got[i]) ++i;
        if (i < want.size() && i < got.size()) {
          dev.Add(where + ": record " + std::to_string(i) + " expected " + Show(want[i]) + " got " + Show(got[i]) +
                  "; " + std::to_string(want.size()) + " input records, " + std::to_string(got.size()) + " echoed, " +
                  std::to_string(c.replayed) + " replayed, " + std::to_string(want.size() - c.covered) + " missing");
        } else {
          dev.Add(where + ": " + std::to_string(got.size()) + " records for " + std::to_string(want.size()) +
                  " inputs, equal up to record " + std::to_string(i));
        }
      }
      continue;
    }
    if (c.unexpected > 0) {
      dev.Add(where + ": " + std::to_string(c.unexpected) + " record(s) fit no replay of the input, first " +
              Show(got[*c.first_unexpected]));
    }
    if (c.covered < want.size()) {
      dev.Add(where + ": input records " + std::to_string(c.covered) + ".." + std::to_string(want.size() - 1) +
              " never echoed (first " + Show(want[c.covered]) + ")");
    }
  }

  const auto sum_out = ByKey("sum", in.sum, dev);
  CheckAggregate(g, "sum", keys, sum_out, sums, report, dev);
  CheckAggregate(g, "min", keys, ByKey("min", in.min, dev), mins, report, dev);
  CheckAggregate(g, "count", keys, ByKey("count", in.count, dev), counts, report, dev);
  if (g == Guarantee::kAtLeastOnce) {
    // Replays fold records into a sum twice: say how often that happened.
    size_t exact = 0;
    for (const auto& [key, want] : sums) {
      auto it = sum_out.find(key);
      if (it != sum_out.end() && !it->second.values.empty() && it->second.values.back() == want.back()) ++exact;
    }
    report.notes.push_back("sum: final value exact for " + std::to_string(exact) + " of " +
                           std::to_string(sums.size()) + " keys");
  }

  report.pass = report.deviations == 0 && report.lost == 0 && report.open_transactions == 0 &&
                (g == Guarantee::kAtLeastOnce || report.duplicates == 0);
  return report;
}

Result<std::vector<std::string>> OpenTransactions(const std::string& bootstrap,
                                                  const std::vector<std::string>& topics) {
  std::vector<std::string> open;
  for (const std::string& topic : topics) {
    ASSIGN_OR_RETURN(int partitions, PartitionCount(bootstrap, topic));
    ASSIGN_OR_RETURN(EndOffsets ends, QueryEndOffsets(bootstrap, topic, partitions));
    for (int p = 0; p < partitions; ++p) {
      if (ends.stable[p] != ends.high[p]) {
        open.push_back(topic + " p" + std::to_string(p) + ": last stable offset " + std::to_string(ends.stable[p]) +
                       " < log end offset " + std::to_string(ends.high[p]));
      }
    }
  }
  return open;
}

Result<VerifierInput> Collect(const std::string& bootstrap, const ChaosTopics& topics) {
  VerifierInput in;
  ASSIGN_OR_RETURN(in.open_transactions, OpenTransactions(bootstrap, topics.Outputs()));
  ASSIGN_OR_RETURN(in.input, ReadTopic(bootstrap, topics.input, "read_uncommitted"));
  ASSIGN_OR_RETURN(in.echo, ReadTopic(bootstrap, topics.echo, "read_committed"));
  ASSIGN_OR_RETURN(in.sum, ReadTopic(bootstrap, topics.sum, "read_committed"));
  ASSIGN_OR_RETURN(in.min, ReadTopic(bootstrap, topics.min, "read_committed"));
  ASSIGN_OR_RETURN(in.count, ReadTopic(bootstrap, topics.count, "read_committed"));
  return in;
}

}  // namespace streamapp::chaos
