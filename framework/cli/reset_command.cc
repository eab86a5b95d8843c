// stream-app reset: sets an application's committed input offsets for a
// replay, deletes its internal topics and wipes its local state
// (docs/reset.md). The work is in framework/reset/.
#include <boost/program_options.hpp>
#include <iostream>

#include "cli/commands.h"
#include "reset/reset_tool.h"
#include "streamapp/streams_config.h"
#include "streamapp/topology_file.h"

namespace po = boost::program_options;

namespace streamapp::cli {
namespace {

int Fail(const Status& st) {
  std::cerr << "stream-app reset: " << st.message() << "\n";
  return 1;
}

// The one target option given (earliest when none); InvalidArgument for two.
Result<reset::ResetTarget> TargetFrom(const po::variables_map& vm) {
  std::vector<std::string> given;
  for (const char* name : {"to-earliest", "to-latest", "to-offset", "to-datetime", "by-duration", "shift-by"}) {
    if (vm.count(name)) given.push_back(std::string("--") + name);
  }
  if (given.size() > 1) return Status::InvalidArgument("choose one of " + given[0] + " and " + given[1]);
  reset::ResetTarget target;
  if (vm.count("to-latest")) target.kind = reset::TargetKind::kLatest;
  if (vm.count("to-offset")) {
    target = {reset::TargetKind::kOffset, vm["to-offset"].as<int64_t>()};
    if (target.value < 0) return Status::InvalidArgument("--to-offset must be >= 0");
  }
  if (vm.count("shift-by")) target = {reset::TargetKind::kShiftBy, vm["shift-by"].as<int64_t>()};
  if (vm.count("to-datetime")) {
    ASSIGN_OR_RETURN(int64_t ms, reset::ParseIsoDateTime(vm["to-datetime"].as<std::string>()));
    target = {reset::TargetKind::kTime, ms};
  }
  if (vm.count("by-duration")) {
    ASSIGN_OR_RETURN(std::chrono::milliseconds back, reset::ParseIsoDuration(vm["by-duration"].as<std::string>()));
    const auto now =
        std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch());
    target = {reset::TargetKind::kTime, (now - back).count()};
  }
  return target;
}

}  // namespace

int ResetCommand(int argc, char** argv) {
  po::options_description opts(
      "stream-app reset: reset an application's offsets and state for a replay (docs/reset.md)\n"
      "Stop every worker first. Target (one; default --to-earliest)");
  opts.add_options()("help,h", "show this help")                                                //
      ("topology,t", po::value<std::string>()->required(), "topology YAML file")                //
      ("bootstrap-servers,b", po::value<std::string>()->required(), "Kafka bootstrap servers")  //
      ("application-id", po::value<std::string>(), "override the topology's application id")    //
      ("state-dir", po::value<std::string>(),
       "state directory the workers use (default as stream-app run: /tmp/streamapp)")  //
      ("to-earliest", "to the first offset of each partition")                         //
      ("to-latest", "to the end of each partition (skip everything written so far)")   //
      ("to-offset", po::value<int64_t>(), "to offset N (clamped to each partition's range)")(
          "to-datetime", po::value<std::string>(),
          "to the first record at or after an ISO 8601 time, e.g. 2024-05-01T12:00:00Z (UTC without a zone)")  //
      ("by-duration", po::value<std::string>(), "to a time this long ago: PnDTnHnMnS, e.g. PT1H30M")           //
      ("shift-by", po::value<int64_t>(), "move each committed offset by N (negative back: --shift-by=-N)")     //
      ("input-topic", po::value<std::vector<std::string>>()->composing(),
       "only TOPIC, or TOPIC:P[,P|A-B...] (those partitions); repeatable; default every input topic")  //
      ("dry-run", "print the plan and change nothing")                                                 //
      ("force", "do not refuse while the group has members: wait (up to --timeout-ms) for them to leave")(
          "timeout-ms", po::value<int64_t>()->default_value(60000), "timeout of each step")                  //
      ("proto-path", po::value<std::vector<std::string>>()->composing(), "extra directory of .proto files")  //
      ("plugin", po::value<std::vector<std::string>>()->composing(), "load an operator plugin (repeatable)");
  po::variables_map vm;
  try {
    po::store(po::command_line_parser(argc, argv).options(opts).run(), vm);
    if (vm.count("help")) {
      std::cout << opts << "\n";
      return 0;
    }
    po::notify(vm);
  } catch (const po::error& e) {
    std::cerr << "stream-app reset: " << e.what() << "\n" << opts << "\n";
    return 2;
  }
  auto target = TargetFrom(vm);
  if (!target.ok()) {
    std::cerr << "stream-app reset: " << target.status().message() << "\n";
    return 2;
  }
  reset::ResetOptions options;
  options.target = *target;
  if (vm.count("input-topic")) {
    for (const std::string& s : vm["input-topic"].as<std::vector<std::string>>()) {
      auto sel = reset::ParseTopicSelection(s);
      if (!sel.ok()) {
        std::cerr << "stream-app reset: " << sel.status().message() << "\n";
        return 2;
      }
      options.selections.push_back(*sel);
    }
  }

  LoadOptions load_options;
  if (vm.count("proto-path")) load_options.proto_paths = vm["proto-path"].as<std::vector<std::string>>();
  if (vm.count("plugin")) load_options.plugins = vm["plugin"].as<std::vector<std::string>>();
  LoadResult loaded = LoadTopologyFile(vm["topology"].as<std::string>(), load_options);
  if (!loaded.loaded) {
    for (const Diagnostic& d : loaded.errors) std::cerr << d.ToString() << "\n";
    return 1;
  }
  options.application_id =
      vm.count("application-id") ? vm["application-id"].as<std::string>() : loaded.loaded->app.application_id;
  if (options.application_id.empty()) return Fail(Status::InvalidArgument("no application id"));

  const reset::AppTopics topics = reset::TopicsOf(loaded.loaded->topology, options.application_id);
  options.input_topics = topics.inputs;
  options.internal_topics = topics.internal;
  const std::string state_dir = vm.count("state-dir") ? vm["state-dir"].as<std::string>() : StreamsConfig{}.state_dir;
  options.app_state_dir = state_dir + "/" + options.application_id;
  options.force = vm.count("force") > 0;
  options.timeout = std::chrono::milliseconds(vm["timeout-ms"].as<int64_t>());

  kafka::Config config = loaded.loaded->app.kafka;
  config["bootstrap.servers"] = vm["bootstrap-servers"].as<std::string>();
  auto admin = kafka::MakeAdmin(config);
  if (!admin.ok()) return Fail(admin.status());
  auto groups = kafka::MakeGroupAdmin(config);
  if (!groups.ok()) return Fail(groups.status());

  const reset::Progress progress = [](const std::string& line) { std::cerr << "reset: " << line << std::endl; };
  auto plan = reset::PlanReset(options, **admin, **groups, progress);
  if (!plan.ok()) return Fail(plan.status());
  std::cout << reset::DescribePlan(*plan) << std::flush;
  if (vm.count("dry-run")) {
    std::cout << "dry run: nothing changed\n";
    return 0;
  }
  if (Status st = reset::ExecuteReset(*plan, options, **admin, **groups, progress); !st.ok()) return Fail(st);
  std::cout << "reset done: start the application to replay\n";
  return 0;
}

}  // namespace streamapp::cli
