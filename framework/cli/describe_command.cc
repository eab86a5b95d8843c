// stream-app describe FILE: the subtopologies, nodes and topics a topology
// file turns into, as text, JSON, or a Mermaid or Graphviz diagram.
#include <algorithm>
#include <array>
#include <boost/program_options.hpp>
#include <iostream>
#include <string>
#include <string_view>
#include <vector>

#include "cli/commands.h"
#include "dsl/describe_graph.h"
#include "streamapp/topology_file.h"

namespace po = boost::program_options;

namespace streamapp::cli {
namespace {

constexpr std::array<std::string_view, 4> kFormats = {"text", "json", "mermaid", "dot"};

std::string FormatList(std::string_view separator) {
  std::string out;
  for (std::string_view f : kFormats) out += (out.empty() ? "" : std::string(separator)) + std::string(f);
  return out;
}

}  // namespace

void PrintTopologyDiagnostics(const std::vector<Diagnostic>& errors, std::ostream& out);  // validate_command.cc

int DescribeCommand(int argc, char** argv) {
  po::options_description opts("Options");
  opts.add_options()("help,h", "show this help")("format", po::value<std::string>()->default_value("text"),
                                                 ("output format: " + FormatList(", ")).c_str())(
      "proto-path", po::value<std::vector<std::string>>()->composing(),
      "directory to search for .proto files (repeatable; after the file's own proto_paths)")(
      "plugin", po::value<std::vector<std::string>>()->composing(),
      "load an operator plugin (shared library) before the file's own plugins (repeatable)");
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
  const std::string usage =
      "Usage: stream-app describe [--format " + FormatList("|") + "] [--proto-path DIR]... [--plugin PATH]... FILE\n";
  if (vm.count("help")) {
    std::cout << usage
              << "\nPrints the subtopologies, nodes and topics of a topology file: as text, as JSON, or as a\n"
                 "diagram that also shows the state stores and internal topics (mermaid: a Mermaid flowchart;\n"
                 "dot: Graphviz, e.g. `stream-app describe FILE --format dot | dot -Tsvg > topology.svg`).\n\n"
              << opts;
    return 0;
  }
  const std::string format = vm["format"].as<std::string>();
  if (std::find(kFormats.begin(), kFormats.end(), format) == kFormats.end()) {
    std::cerr << "stream-app describe: unknown --format '" << format << "'; accepted formats: " << FormatList(", ")
              << "\n"
              << usage;
    return 2;
  }
  if (!vm.count("file") || vm["file"].as<std::vector<std::string>>().size() != 1) {
    std::cerr << "stream-app describe: give exactly one topology file\n" << usage;
    return 2;
  }
  LoadOptions options;
  if (vm.count("proto-path")) options.proto_paths = vm["proto-path"].as<std::vector<std::string>>();
  if (vm.count("plugin")) options.plugins = vm["plugin"].as<std::vector<std::string>>();
  const std::string file = vm["file"].as<std::vector<std::string>>().front();
  LoadResult r = LoadTopologyFile(file, options);
  if (!r.loaded) {
    PrintTopologyDiagnostics(r.errors, std::cerr);
    std::cerr << r.errors.size() << " error(s)\n";
    return 1;
  }
  const Topology& t = r.loaded->topology;
  const std::string& application_id = r.loaded->app.application_id;
  if (format == "json") {
    std::cout << t.DescribeJson() << "\n";
  } else if (format == "mermaid") {
    std::cout << dsl::DescribeMermaid(t.data(), application_id);
  } else if (format == "dot") {
    std::cout << dsl::DescribeDot(t.data(), application_id);
  } else {
    std::cout << t.Describe();
  }
  return 0;
}

}  // namespace streamapp::cli
