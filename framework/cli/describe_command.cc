// stream-app describe FILE: the subtopologies, nodes and topics a topology
// file turns into, as text or JSON.
#include <boost/program_options.hpp>
#include <iostream>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "streamapp/topology_file.h"

namespace po = boost::program_options;

namespace streamapp::cli {

void PrintTopologyDiagnostics(const std::vector<Diagnostic>& errors, std::ostream& out);  // validate_command.cc

int DescribeCommand(int argc, char** argv) {
  po::options_description opts("Options");
  opts.add_options()("help,h", "show this help")("format", po::value<std::string>()->default_value("text"),
                                                 "text or json")(
      "proto-path", po::value<std::vector<std::string>>()->composing(),
      "directory to search for .proto files (repeatable; after the file's own proto_paths)");
  po::options_description all;
  all.add(opts).add_options()("file", po::value<std::vector<std::string>>());
  po::positional_options_description pos;
  pos.add("file", -1);
  po::variables_map vm;
  try {
    po::store(po::command_line_parser(argc, argv).options(all).positional(pos).run(), vm);
    po::notify(vm);
  } catch (const po::error& e) {
    std::cerr << "stream-app describe: " << e.what() << "\n";
    return 2;
  }
  const char* usage = "Usage: stream-app describe [--format text|json] [--proto-path DIR]... FILE\n";
  if (vm.count("help")) {
    std::cout << usage << "\nPrints the subtopologies, nodes and topics of a topology file.\n\n" << opts;
    return 0;
  }
  const std::string format = vm["format"].as<std::string>();
  if (format != "text" && format != "json") {
    std::cerr << "stream-app describe: --format must be text or json, not '" << format << "'\n" << usage;
    return 2;
  }
  if (!vm.count("file") || vm["file"].as<std::vector<std::string>>().size() != 1) {
    std::cerr << "stream-app describe: give exactly one topology file\n" << usage;
    return 2;
  }
  LoadOptions options;
  if (vm.count("proto-path")) options.proto_paths = vm["proto-path"].as<std::vector<std::string>>();
  const std::string file = vm["file"].as<std::vector<std::string>>().front();
  LoadResult r = LoadTopologyFile(file, options);
  if (!r.loaded) {
    PrintTopologyDiagnostics(r.errors, std::cerr);
    std::cerr << r.errors.size() << " error(s)\n";
    return 1;
  }
  const Topology& t = r.loaded->topology;
  std::cout << (format == "json" ? t.DescribeJson() : t.Describe());
  if (format == "json") std::cout << "\n";
  return 0;
}

}  // namespace streamapp::cli
