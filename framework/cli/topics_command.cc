// stream-app topics: create, delete or inspect topics (a convenience for
// local runs; production clusters usually manage topics elsewhere).
#include <boost/program_options.hpp>
#include <iostream>
#include <map>

#include "cli/commands.h"
#include "kafka/clients.h"

namespace po = boost::program_options;

namespace streamapp::cli {

int TopicsCommand(int argc, char** argv) {
  po::options_description opts(
      "stream-app topics create|delete|describe TOPIC... --bootstrap-servers HOST:PORT [options]");
  opts.add_options()("help,h", "show this help")                                                          //
      ("bootstrap-servers,b", po::value<std::string>()->required(), "Kafka bootstrap servers")            //
      ("partitions,p", po::value<int>()->default_value(1), "partitions of created topics")                //
      ("replication-factor", po::value<int>()->default_value(1), "replication factor of created topics")  //
      ("config,c", po::value<std::vector<std::string>>()->composing(),
       "create: NAME=VALUE topic config, e.g. cleanup.policy=compact; repeatable")  //
      ("if-not-exists", "create: an existing topic is not an error");
  po::options_description hidden;
  hidden.add_options()("action", po::value<std::string>())("topic", po::value<std::vector<std::string>>());
  po::options_description all;
  all.add(opts).add(hidden);
  po::positional_options_description pos;
  pos.add("action", 1).add("topic", -1);
  po::variables_map vm;
  try {
    po::store(po::command_line_parser(argc, argv).options(all).positional(pos).run(), vm);
    if (vm.count("help")) {
      std::cout << opts << "\n";
      return 0;
    }
    po::notify(vm);
  } catch (const po::error& e) {
    std::cerr << "stream-app topics: " << e.what() << "\n" << opts << "\n";
    return 2;
  }
  const std::string action = vm.count("action") ? vm["action"].as<std::string>() : "";
  const auto topics = vm.count("topic") ? vm["topic"].as<std::vector<std::string>>() : std::vector<std::string>{};
  if ((action != "create" && action != "delete" && action != "describe") || topics.empty()) {
    std::cerr << "stream-app topics: expected create|delete|describe and at least one topic\n" << opts << "\n";
    return 2;
  }
  std::map<std::string, std::string> configs;
  if (vm.count("config")) {
    for (const std::string& c : vm["config"].as<std::vector<std::string>>()) {
      const size_t eq = c.find('=');
      if (eq == std::string::npos || eq == 0) {
        std::cerr << "stream-app topics: --config expects NAME=VALUE, got '" << c << "'\n";
        return 2;
      }
      configs[c.substr(0, eq)] = c.substr(eq + 1);
    }
  }
  auto admin = kafka::MakeAdmin({{"bootstrap.servers", vm["bootstrap-servers"].as<std::string>()}});
  if (!admin.ok()) {
    std::cerr << admin.status().message() << "\n";
    return 1;
  }
  using namespace std::chrono_literals;
  int rc = 0;
  for (const std::string& topic : topics) {
    Status st;
    if (action == "create") {
      st = (*admin)->CreateTopics({{topic, vm["partitions"].as<int>(), vm["replication-factor"].as<int>(), configs}},
                                  30s);
      if (st.code() == StatusCode::kAlreadyExists && vm.count("if-not-exists")) st = Status::Ok();
      if (st.ok()) std::cout << "created " << topic << "\n";
    } else if (action == "delete") {
      st = (*admin)->DeleteTopics({topic}, 30s);
      if (st.ok()) std::cout << "deleted " << topic << "\n";
    } else {
      auto count = (*admin)->PartitionCount(topic, 30s);
      st = count.status();
      if (count.ok()) std::cout << topic << ": " << *count << " partition(s)\n";
    }
    if (!st.ok()) {
      std::cerr << topic << ": " << st.message() << "\n";
      rc = 1;
    }
  }
  return rc;
}

}  // namespace streamapp::cli
