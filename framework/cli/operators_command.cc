// stream-app operators: every operator the loader knows (built-in and from
// --plugin), generated from the registry's declarations. docs/operators.md
// is `--format markdown`, docs/topology.schema.json is `--format schema`.
#include <boost/program_options.hpp>
#include <iostream>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "registry/plugin_loader.h"
#include "streamapp/operator_registry.h"

namespace po = boost::program_options;

namespace streamapp::cli {

int OperatorsCommand(int argc, char** argv) {
  po::options_description opts("Options");
  opts.add_options()("help,h", "show this help")("format", po::value<std::string>()->default_value("table"),
                                                 "table | json | markdown | schema")(
      "plugin", po::value<std::vector<std::string>>()->composing(), "load an operator plugin (repeatable)");
  po::variables_map vm;
  try {
    po::store(po::command_line_parser(argc, argv).options(opts).run(), vm);
    po::notify(vm);
  } catch (const po::error& e) {
    std::cerr << "stream-app operators: " << e.what() << "\n";
    return 2;
  }
  if (vm.count("help")) {
    std::cout << "Usage: stream-app operators [--format table|json|markdown|schema] [--plugin PATH]...\n\n"
                 "Lists the operators a topology's steps may use, with their parameters; 'schema' prints the\n"
                 "JSON Schema of topology files.\n\n"
              << opts;
    return 0;
  }
  OperatorRegistry registry = BuiltinOperatorRegistry();
  if (vm.count("plugin")) {
    for (const std::string& path : vm["plugin"].as<std::vector<std::string>>()) {
      Status st = registry::LoadPlugin(path, registry);
      if (!st.ok()) {
        std::cerr << "stream-app operators: " << st.message() << "\n";
        return 1;
      }
    }
  }
  const std::string format = vm["format"].as<std::string>();
  if (format == "table") {
    std::cout << OperatorsTable(registry);
  } else if (format == "json") {
    std::cout << OperatorsJson(registry);
  } else if (format == "markdown") {
    std::cout << OperatorsMarkdown(registry);
  } else if (format == "schema") {
    std::cout << TopologyJsonSchema(registry);
  } else {
    std::cerr << "stream-app operators: unknown format '" << format << "'; expected table, json, markdown or schema\n";
    return 2;
  }
  return 0;
}

}  // namespace streamapp::cli
