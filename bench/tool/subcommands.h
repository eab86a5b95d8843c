// The subcommands of bench-tool; each returns the process exit code.
#pragma once

#include "common.h"

namespace bench {

int RunLoad(const Args& args);
int RunPipe(const Args& args);
int RunWatch(const Args& args);
int RunLatency(const Args& args);
int RunVerify(const Args& args);

}  // namespace bench
