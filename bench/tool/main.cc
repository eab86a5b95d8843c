// bench-tool: load | pipe | watch | latency | verify | selftest (see bench/README.md).
#include <cstdio>
#include <string>

#include "common.h"
#include "data.h"
#include "subcommands.h"

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: bench-tool load|pipe|watch|latency|verify|selftest --bootstrap HOST:PORT [options]\n");
    return 2;
  }
  std::string cmd = argv[1];
  if (cmd == "selftest") {
    int failures = bench::SelfTest();
    std::printf("{\"ok\":%s,\"failures\":%d}\n", failures == 0 ? "true" : "false", failures);
    return failures == 0 ? 0 : 1;
  }
  bench::Args args(argc, argv, 2);
  if (cmd == "load") return bench::RunLoad(args);
  if (cmd == "pipe") return bench::RunPipe(args);
  if (cmd == "watch") return bench::RunWatch(args);
  if (cmd == "latency") return bench::RunLatency(args);
  if (cmd == "verify") return bench::RunVerify(args);
  bench::Die("unknown subcommand '" + cmd + "'");
}
