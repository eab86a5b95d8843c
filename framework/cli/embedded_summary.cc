// Reading back what an embedded run wrote: record counts and the last
// records of each output topic.
#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <map>

#include "cli/embedded_run.h"

namespace streamapp::cli {
namespace {

using namespace std::chrono_literals;

// Printable text; other bytes as \xNN.
std::string Printable(const std::optional<std::string>& bytes, size_t limit) {
  if (!bytes) return "null";
  std::string out;
  for (unsigned char c : *bytes) {
    if (out.size() >= limit) {
      out += "...";
      break;
    }
    if (c >= 0x20 && c < 0x7f) {
      out.push_back(static_cast<char>(c));
    } else {
      out += fmt::format("\\x{:02x}", c);
    }
  }
  return out;
}

}  // namespace

int64_t CountRecords(kafka::Admin& admin, const std::vector<std::string>& topics) {
  int64_t total = 0;
  for (const std::string& topic : topics) {
    auto partitions = admin.PartitionCount(topic, 10s);
    if (!partitions.ok()) continue;
    for (int p = 0; p < *partitions; ++p) {
      auto marks = admin.QueryWatermarks({topic, PartitionId(p)}, 10s);
      if (marks.ok()) total += marks->high.value() - marks->low.value();
    }
  }
  return total;
}

Result<std::vector<TopicSummary>> ReadSummaries(kafka::Admin& admin, const kafka::Config& base,
                                                const std::vector<std::string>& topics, int show) {
  std::vector<TopicSummary> out;
  std::vector<kafka::PartitionOffset> starts;
  std::map<kafka::TopicPartition, int64_t> ends;  // partitions still to read to their end
  for (const std::string& topic : topics) {
    TopicSummary summary;
    summary.topic = topic;
    auto partitions = admin.PartitionCount(topic, 10s);
    if (partitions.ok()) {
      for (int p = 0; p < *partitions; ++p) {
        kafka::TopicPartition tp{topic, PartitionId(p)};
        ASSIGN_OR_RETURN(kafka::Watermarks marks, admin.QueryWatermarks(tp, 10s));
        summary.count += marks.high.value() - marks.low.value();
        if (marks.high.value() <= marks.low.value() || show <= 0) continue;
        starts.push_back({tp, Offset(std::max(marks.low.value(), marks.high.value() - show)), ""});
        ends[tp] = marks.high.value();
      }
    }
    out.push_back(std::move(summary));
  }
  if (starts.empty()) return out;

  kafka::Config config = base;
  config["group.id"] = "stream-app-embedded-summary";
  config["enable.auto.commit"] = "false";
  config["enable.partition.eof"] = "true";
  ASSIGN_OR_RETURN(std::unique_ptr<kafka::Consumer> consumer, kafka::MakeConsumer(config, nullptr));
  RETURN_IF_ERROR(consumer->Assign(starts));
  std::map<std::string, std::vector<kafka::Message>> read;
  const auto deadline = std::chrono::steady_clock::now() + 60s;
  while (!ends.empty() && std::chrono::steady_clock::now() < deadline) {
    ASSIGN_OR_RETURN(std::optional<kafka::Message> m, consumer->Poll(200ms));
    if (!m) continue;
    kafka::TopicPartition tp{m->topic, m->partition};
    auto end = ends.find(tp);
    if (end == ends.end()) continue;
    const int64_t next = m->partition_eof ? m->offset.value() : m->offset.value() + 1;
    if (!m->partition_eof) read[m->topic].push_back(std::move(*m));
    if (next >= end->second) ends.erase(end);
  }
  (void)consumer->Close();
  if (!ends.empty()) return Status::TimedOut("reading the output topics back took longer than 60 s");
  for (TopicSummary& summary : out) {
    std::vector<kafka::Message>& msgs = read[summary.topic];
    std::stable_sort(msgs.begin(), msgs.end(), [](const kafka::Message& a, const kafka::Message& b) {
      return a.timestamp.value() < b.timestamp.value();
    });
    const size_t keep = std::min(msgs.size(), static_cast<size_t>(show));
    summary.last.assign(std::make_move_iterator(msgs.end() - static_cast<std::ptrdiff_t>(keep)),
                        std::make_move_iterator(msgs.end()));
  }
  return out;
}

void PrintSummaries(std::ostream& out, const std::vector<TopicSummary>& summaries) {
  out << "== results: what the topology wrote ==\n";
  for (const TopicSummary& s : summaries) {
    out << s.topic << ": " << s.count << " records";
    if (!s.last.empty()) out << "; the last " << s.last.size() << ":";
    out << "\n";
    for (const kafka::Message& m : s.last) {
      out << "  key=" << Printable(m.key, 200) << " value=" << Printable(m.value, 4000) << "\n";
    }
  }
  out.flush();
}

}  // namespace streamapp::cli
