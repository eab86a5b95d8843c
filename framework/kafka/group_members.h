// Who owns what in a consumer group (DescribeConsumerGroups): for the HTTP
// endpoint, which names the worker hosting a key's partition.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "kafka/clients.h"

namespace streamapp::kafka {

struct GroupMember {
  std::string client_id;
  std::string host;
  std::vector<TopicPartition> assignment;
};

class GroupDescriber {
 public:
  virtual ~GroupDescriber() = default;
  virtual Result<std::vector<GroupMember>> Members(const std::string& group, std::chrono::milliseconds timeout) = 0;
};

Result<std::unique_ptr<GroupDescriber>> MakeGroupDescriber(const Config& config);

}  // namespace streamapp::kafka
