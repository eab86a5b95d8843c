// stream-app validate FILE...: loads topology files without a broker and
// reports every problem as "file:line:column: error: message".
#include <boost/program_options.hpp>
#include <iostream>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "streamapp/topology_file.h"

namespace po = boost::program_options;

namespace streamapp::cli {

// Prints a load's errors in the compiler format editors understand.
void PrintTopologyDiagnostics(const std::vector<Diagnostic>& errors, std::ostream& out) {
  for (const Diagnostic& d : errors) {
    if (d.line > 0) {
      out << d.file << ":" << d.line << ":" << d.column << ": error: " << d.message << "\n";
    } else {
      out << d.file << ": error: " << d.message << "\n";
    }
  }
}

int ValidateCommand(int argc, char** argv) {
  po::options_description opts("Options");
  opts.add_options()("help,h", "show this help")(
      "proto-path", po::value<std::vector<std::string>>()->composing(),
      "directory to search for .proto files (repeatable; after the file's own proto_paths)")(
      "plugin", po::value<std::vector<std::string>>()->composing(),
      "load an operator plugin (shared library) before the file's own plugins (repeatable)");
  po::options_description all;
  all.add(opts).add_options()("files", po::value<std::vector<std::string>>());
  po::positional_options_description pos;
  pos.add("files", -1);
  po::variables_map vm;
  try {
    po::store(po::command_line_parser(argc, argv).options(all).positional(pos).run(), vm);
    po::notify(vm);
  } catch (const po::error& e) {
    std::cerr << "stream-app validate: " << e.what() << "\n";
    return 2;
  }
  if (vm.count("help")) {
    std::cout << "Usage: stream-app validate [--proto-path DIR]... [--plugin PATH]... FILE...\n\n"
                 "Checks topology files without a broker; prints each error as file:line:column.\n\n"
              << opts;
    return 0;
  }
  if (!vm.count("files")) {
    std::cerr << "stream-app validate: no topology file given\n"
                 "Usage: stream-app validate [--proto-path DIR]... [--plugin PATH]... FILE...\n";
    return 2;
  }
  LoadOptions options;
  if (vm.count("proto-path")) options.proto_paths = vm["proto-path"].as<std::vector<std::string>>();
  if (vm.count("plugin")) options.plugins = vm["plugin"].as<std::vector<std::string>>();
  size_t total = 0;
  for (const std::string& file : vm["files"].as<std::vector<std::string>>()) {
    LoadResult r = LoadTopologyFile(file, options);
    if (r.errors.empty()) {
      std::cout << file << ": OK\n";
      continue;
    }
    PrintTopologyDiagnostics(r.errors, std::cerr);
    total += r.errors.size();
  }
  if (total == 0) return 0;
  std::cerr << total << " error(s)\n";
  return 1;
}

}  // namespace streamapp::cli
