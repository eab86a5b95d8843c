#include "chaos/topic_reader.h"

#include <random>

namespace streamapp::chaos {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

constexpr milliseconds kAdminTimeout{10000};

Result<std::unique_ptr<kafka::Admin>> MakeAdminWith(const std::string& bootstrap, const std::string& isolation) {
  return kafka::MakeAdmin({{"bootstrap.servers", bootstrap}, {"isolation.level", isolation}});
}

std::string FreshGroup() {
  std::random_device rd;
  return "chaos-reader-" + std::to_string(rd()) + std::to_string(rd());
}

}  // namespace

Result<int> PartitionCount(const std::string& bootstrap, const std::string& topic) {
  ASSIGN_OR_RETURN(auto admin, kafka::MakeAdmin({{"bootstrap.servers", bootstrap}}));
  return admin->PartitionCount(topic, kAdminTimeout);
}

Result<EndOffsets> QueryEndOffsets(const std::string& bootstrap, const std::string& topic, int partitions) {
  ASSIGN_OR_RETURN(auto uncommitted, MakeAdminWith(bootstrap, "read_uncommitted"));
  ASSIGN_OR_RETURN(auto committed, MakeAdminWith(bootstrap, "read_committed"));
  EndOffsets out;
  for (int p = 0; p < partitions; ++p) {
    const kafka::TopicPartition tp{topic, PartitionId(p)};
    ASSIGN_OR_RETURN(kafka::Watermarks high, uncommitted->QueryWatermarks(tp, kAdminTimeout));
    ASSIGN_OR_RETURN(kafka::Watermarks stable, committed->QueryWatermarks(tp, kAdminTimeout));
    out.high.push_back(high.high.value());
    out.stable.push_back(stable.high.value());
  }
  return out;
}

Result<std::unique_ptr<TopicReader>> TopicReader::Open(const std::string& bootstrap,
                                                       const std::vector<std::string>& topics,
                                                       const std::string& isolation) {
  std::unique_ptr<TopicReader> reader(new TopicReader());
  reader->bootstrap_ = bootstrap;
  reader->isolation_ = isolation;
  ASSIGN_OR_RETURN(reader->consumer_, kafka::MakeConsumer({{"bootstrap.servers", bootstrap},
                                                           {"group.id", FreshGroup()},
                                                           {"isolation.level", isolation},
                                                           {"enable.partition.eof", "true"}},
                                                          nullptr));
  std::vector<kafka::PartitionOffset> assignment;
  for (const std::string& topic : topics) {
    ASSIGN_OR_RETURN(int n, PartitionCount(bootstrap, topic));
    reader->records_[topic].resize(n);
    reader->totals_[topic] = 0;
    reader->positions_[topic].assign(n, 0);
    for (int p = 0; p < n; ++p) {
      assignment.push_back({{topic, PartitionId(p)}, Offset(0), ""});
    }
  }
  RETURN_IF_ERROR(reader->consumer_->Assign(assignment));
  return reader;
}

TopicReader::~TopicReader() {
  if (consumer_) (void)consumer_->Close();
}

Status TopicReader::Poll(milliseconds duration) {
  const auto deadline = Clock::now() + duration;
  for (auto now = Clock::now(); now < deadline; now = Clock::now()) {
    ASSIGN_OR_RETURN(std::optional<kafka::Message> m,
                     consumer_->Poll(std::chrono::duration_cast<milliseconds>(deadline - now)));
    if (!m) continue;
    int64_t& position = positions_[m->topic][m->partition.value()];
    if (m->partition_eof) {
      position = std::max(position, m->offset.value());
      continue;
    }
    position = std::max(position, m->offset.value() + 1);
    records_[m->topic][m->partition.value()].push_back(
        Rec{m->offset.value(), m->key.value_or(""), m->value.value_or("")});
    ++totals_[m->topic];
  }
  return Status::Ok();
}

Status TopicReader::ReadToEnd(milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  std::map<std::string, std::vector<int64_t>> ends;
  for (const auto& [topic, parts] : records_) {
    ASSIGN_OR_RETURN(EndOffsets e, QueryEndOffsets(bootstrap_, topic, static_cast<int>(parts.size())));
    ends[topic] = isolation_ == "read_committed" ? e.stable : e.high;
  }
  for (;;) {
    std::string behind;
    for (const auto& [topic, end] : ends) {
      for (size_t p = 0; p < end.size(); ++p) {
        if (positions_[topic][p] < end[p]) {
          behind = topic + " p" + std::to_string(p) + " at " + std::to_string(positions_[topic][p]) + " of " +
                   std::to_string(end[p]);
        }
      }
    }
    if (behind.empty()) return Status::Ok();
    if (Clock::now() >= deadline) return Status::TimedOut("reading to the end (" + isolation_ + "): " + behind);
    RETURN_IF_ERROR(Poll(milliseconds(200)));
  }
}

size_t TopicReader::Total() const {
  size_t n = 0;
  for (const auto& [topic, count] : totals_) n += count;
  return n;
}

Result<TopicRecords> ReadTopic(const std::string& bootstrap, const std::string& topic, const std::string& isolation,
                               milliseconds timeout) {
  ASSIGN_OR_RETURN(auto reader, TopicReader::Open(bootstrap, {topic}, isolation));
  RETURN_IF_ERROR(reader->ReadToEnd(timeout));
  return reader->records(topic);
}

}  // namespace streamapp::chaos
