// chaos-verifier: checks a chaos run's output topics against its input
// topic (see verifier.h) and prints one summary line; exit 0 on PASS.
#include <boost/program_options.hpp>
#include <iostream>

#include "chaos/verifier.h"

namespace po = boost::program_options;
using namespace streamapp;

int main(int argc, char** argv) {
  po::options_description opts("chaos-verifier: check the chaos test's outputs against its input");
  opts.add_options()("help,h", "show this help")                                                            //
      ("bootstrap-servers", po::value<std::string>()->required(), "Kafka bootstrap servers")                //
      ("guarantee", po::value<std::string>()->default_value("exactly_once"), "exactly_once|at_least_once")  //
      ("input", po::value<std::string>()->required(), "input topic")                                        //
      ("echo", po::value<std::string>()->required(), "echo output topic")                                   //
      ("sum", po::value<std::string>()->required(), "per-key sum output topic")                             //
      ("min", po::value<std::string>()->required(), "per-key min output topic")                             //
      ("count", po::value<std::string>()->required(), "per-key count output topic")                         //
      ("expected-input", po::value<int64_t>(), "records the driver sent")                                   //
      ("max-details", po::value<size_t>()->default_value(20), "deviations to print");
  po::variables_map vm;
  try {
    po::store(po::parse_command_line(argc, argv, opts), vm);
    if (vm.count("help")) {
      std::cout << opts << "\n";
      return 0;
    }
    po::notify(vm);
  } catch (const po::error& e) {
    std::cerr << "chaos-verifier: " << e.what() << "\n" << opts << "\n";
    return 2;
  }
  auto guarantee = chaos::ParseGuarantee(vm["guarantee"].as<std::string>());
  if (!guarantee) {
    std::cerr << "chaos-verifier: --guarantee must be exactly_once or at_least_once\n";
    return 2;
  }
  const chaos::ChaosTopics topics{vm["input"].as<std::string>(), vm["echo"].as<std::string>(),
                                  vm["sum"].as<std::string>(), vm["min"].as<std::string>(),
                                  vm["count"].as<std::string>()};
  auto in = chaos::Collect(vm["bootstrap-servers"].as<std::string>(), topics);
  if (!in.ok()) {
    std::cerr << "chaos-verifier: reading the topics failed: " << in.status().ToString() << "\n";
    return 1;
  }
  if (vm.count("expected-input")) in->expected_input = vm["expected-input"].as<int64_t>();
  chaos::VerifierReport report = chaos::Check(*guarantee, *in, vm["max-details"].as<size_t>());
  for (const std::string& note : report.notes) std::cout << "  note: " << note << "\n";
  for (const std::string& d : report.details) std::cout << "  deviation: " << d << "\n";
  std::cout << report.Summary() << std::endl;
  return report.pass ? 0 : 1;
}
