// stream-app test FILE...: runs topology fixture files (docs/testing.md)
// in-process, without a broker; one line per test and a summary.
#include <spdlog/spdlog.h>

#include <boost/program_options.hpp>
#include <iostream>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "testing/fixture.h"

namespace po = boost::program_options;

namespace streamapp::cli {

void PrintTopologyDiagnostics(const std::vector<Diagnostic>& errors, std::ostream& out);  // validate_command.cc

namespace {

constexpr const char* kUsage = "Usage: stream-app test [--verbose] FILE...\n";

void PrintIndented(const std::string& text, std::ostream& out) {
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    out << "  " << text.substr(start, end - start) << "\n";
    start = end + 1;
  }
}

}  // namespace

int TestCommand(int argc, char** argv) {
  po::options_description opts("Options");
  opts.add_options()("help,h", "show this help")("verbose,v", "print each step as it runs, and the engine's log");
  po::options_description all;
  all.add(opts).add_options()("files", po::value<std::vector<std::string>>());
  po::positional_options_description pos;
  pos.add("files", -1);
  po::variables_map vm;
  try {
    po::store(po::command_line_parser(argc, argv).options(all).positional(pos).run(), vm);
    po::notify(vm);
  } catch (const po::error& e) {
    std::cerr << "stream-app test: " << e.what() << "\n";
    return 2;
  }
  if (vm.count("help")) {
    std::cout << kUsage
              << "\nRuns topology fixture files without a broker: records in, records expected out,\n"
                 "restarts, wall-clock time (format: docs/testing.md). Exit code 0 when every test passes.\n\n"
              << opts;
    return 0;
  }
  if (!vm.count("files")) {
    std::cerr << "stream-app test: no fixture file given\n" << kUsage;
    return 2;
  }
  const bool verbose = vm.count("verbose") > 0;
  // Peek steps, restoration and skipped records log at info and warn; the
  // report is what matters here.
  spdlog::set_level(verbose ? spdlog::level::info : spdlog::level::err);

  testing::RunOptions options;
  if (verbose) options.trace = &std::cout;
  size_t passed = 0, failed = 0, known_failures = 0, bad_files = 0;
  for (const std::string& file : vm["files"].as<std::vector<std::string>>()) {
    if (verbose) std::cout << file << "\n";
    testing::FixtureOutcome outcome = testing::RunFixtureFile(file, options);
    if (!outcome.errors.empty()) {
      ++bad_files;
      PrintTopologyDiagnostics(outcome.errors, std::cout);
      continue;
    }
    for (const testing::TestOutcome& t : outcome.tests) {
      if (t.known_failure) {
        ++known_failures;
        std::cout << "XFAIL " << file << ": " << t.name << " (known failure: " << t.known_failure_reason << ")\n";
        if (verbose) PrintIndented(t.report, std::cout);
      } else if (t.passed) {
        ++passed;
        std::cout << "PASS " << file << ": " << t.name << "\n";
      } else {
        ++failed;
        std::cout << "FAIL " << file << ": " << t.name << "\n";
        PrintIndented(t.report, std::cout);
      }
    }
  }
  std::cout << passed << " passed, " << failed << " failed";
  if (known_failures > 0) std::cout << ", " << known_failures << " known failure(s)";
  if (bad_files > 0) std::cout << ", " << bad_files << " fixture file(s) with errors";
  std::cout << "\n";
  return failed == 0 && bad_files == 0 ? 0 : 1;
}

}  // namespace streamapp::cli
