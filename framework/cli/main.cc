// stream-app: the worker and its tools. Subcommands dispatch to cli/*.cc.
#include <spdlog/spdlog.h>

#include <boost/program_options.hpp>
#include <iostream>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "kafka/clients.h"
#include "streamapp/version.h"

namespace po = boost::program_options;

namespace streamapp::cli {
namespace {

void PrintUsage(std::ostream& out) {
  out << "Usage: stream-app [--help] [--version] <command> [<args>]\n\n"
         "A stream-processing worker in the model of Kafka Streams.\n\n"
         "Commands:\n";
  for (const CommandInfo& c : Commands()) {
    out << "  " << c.name << std::string(12 - std::min<size_t>(11, c.name.size()), ' ') << c.summary;
    if (c.run == nullptr) out << " (not available yet)";
    out << "\n";
  }
  out << "\nRun 'stream-app <command> --help' for a command's options.\n";
}

}  // namespace

int Main(int argc, char** argv) {
  po::options_description global("Global options");
  global.add_options()("help,h", "show this help")("version", "print the version and exit");
  po::options_description all;
  all.add(global).add_options()("command", po::value<std::string>())("args", po::value<std::vector<std::string>>());
  po::positional_options_description pos;
  pos.add("command", 1).add("args", -1);

  po::variables_map vm;
  try {
    po::parsed_options parsed =
        po::command_line_parser(argc, argv).options(all).positional(pos).allow_unregistered().run();
    po::store(parsed, vm);
  } catch (const po::error& e) {
    std::cerr << "stream-app: " << e.what() << "\n";
    return 2;
  }
  const bool has_command = vm.count("command") > 0;
  if (vm.count("version") && !has_command) {
    std::cout << "stream-app " << kVersion << " (librdkafka " << kafka::LibraryVersion() << ")\n";
    return 0;
  }
  if (!has_command) {
    PrintUsage(vm.count("help") ? std::cout : std::cerr);
    return vm.count("help") ? 0 : 2;
  }
  const std::string name = vm["command"].as<std::string>();
  for (const CommandInfo& c : Commands()) {
    if (c.name != name) continue;
    if (c.run == nullptr) {
      std::cerr << "stream-app: '" << name << "' is reserved for a later release and not available yet\n";
      return 2;
    }
    // The command parses its own options from argv after its name.
    int at = 1;
    while (at < argc && argv[at] != name) ++at;
    return c.run(argc - at, argv + at);
  }
  std::cerr << "stream-app: unknown command '" << name << "'\n";
  PrintUsage(std::cerr);
  return 2;
}

}  // namespace streamapp::cli

int main(int argc, char** argv) {
  return streamapp::cli::Main(argc, argv);
}
