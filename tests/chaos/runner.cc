// chaos-runner: one chaos run end to end, after Kafka's EOS system test. It
// starts a broker, creates fresh topics, writes a topology that echoes the
// input and aggregates it per key (sum, min, and a count through a
// repartition topic), runs --workers stream-app workers and the driver,
// kills / stops / restarts workers (and optionally the broker) on a seeded
// schedule, waits for the outputs to settle and runs the verifier. With
// --scale, the schedule instead starts one worker and adds and removes
// workers gracefully while the driver writes (scaling by partition).
#include <signal.h>
#include <unistd.h>

#include <boost/program_options.hpp>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <random>
#include <regex>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "chaos/process.h"
#include "chaos/verifier.h"

namespace po = boost::program_options;
namespace fs = std::filesystem;
using namespace streamapp;
using namespace streamapp::chaos;
using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;
using std::chrono::seconds;

namespace {

const auto g_start = Clock::now();
volatile sig_atomic_t g_interrupted = 0;
void OnSignal(int) {
  g_interrupted = 1;
}

double Elapsed() {
  return std::chrono::duration<double>(Clock::now() - g_start).count();
}

template <typename... Args>
void Say(const char* format, Args... args) {
  std::printf("[chaos %7.1fs] ", Elapsed());
  std::printf(format, args...);
  std::printf("\n");
  std::fflush(stdout);
}

// Thrown to end the run early; the message says why. Cleanup runs in destructors.
struct Abort : std::runtime_error {
  using std::runtime_error::runtime_error;
};

void CheckInterrupted() {
  if (g_interrupted) throw Abort("interrupted by a signal");
}

// Sleeps, but wakes up for a signal.
void Pause(milliseconds d) {
  const auto until = Clock::now() + d;
  while (Clock::now() < until) {
    CheckInterrupted();
    std::this_thread::sleep_for(
        std::min(milliseconds(100), std::chrono::duration_cast<milliseconds>(until - Clock::now())));
  }
}

std::string Script() {
  return std::string(STREAMAPP_SOURCE_DIR) + "/scripts/kafka-local.sh";
}

// A broker of our own, in <work>/broker. A watchdog stops it if the runner
// dies without doing so (the broker runs in a session of its own).
class Broker {
 public:
  explicit Broker(std::string dir) : dir_(std::move(dir)) {}
  ~Broker() {
    if (!running_) return;
    try {
      Stop();
    } catch (const Abort& e) {
      std::printf("chaos-runner: %s\n", e.what());
    }
  }
  void Start(const std::string& port) {
    const ShellResult r = Shell(Script() + " start --port " + port + " --dir " + dir_ + " 2>>" + dir_ + ".log");
    std::string last;
    std::istringstream lines(r.out);
    for (std::string line; std::getline(lines, line);) {
      if (!line.empty()) last = line;
    }
    if (r.exit_code != 0 || last.rfind("127.0.0.1:", 0) != 0) {
      throw Abort("kafka-local.sh start failed (exit " + std::to_string(r.exit_code) + "):\n" +
                  Tail(dir_ + ".log", 20));
    }
    running_ = true;
    address_ = last;
    port_ = last.substr(last.find(':') + 1);
    if (!watchdog_) {
      SpawnDetached("while kill -0 " + std::to_string(getpid()) + " 2>/dev/null; do sleep 1; done; " + Script() +
                        " stop --dir " + dir_,
                    dir_ + "-watchdog.log");
      watchdog_ = true;
    }
  }
  void Stop() {
    const ShellResult r = Shell(Script() + " stop --dir " + dir_ + " 2>>" + dir_ + ".log");
    running_ = false;
    if (r.exit_code != 0) throw Abort("kafka-local.sh stop failed:\n" + Tail(dir_ + ".log", 20));
  }
  void Restart() {
    Stop();
    Start(port_);
  }
  const std::string& address() const { return address_; }
  const std::string& dir() const { return dir_; }

 private:
  std::string dir_;
  std::string address_, port_;
  bool running_ = false;
  bool watchdog_ = false;
};

struct Options {
  int64_t records = 200000;
  int cycles = 10;
  uint64_t seed = 1;
  std::string guarantee = "exactly_once_v2";
  double rate = 0;  // 0: derived from records and cycles
  int workers = 3;
  int partitions = 6;
  int keys = 1000;
  int threads = 1;
  bool broker_restart = false;
  bool scale = false;  // add and remove workers instead of faults
  std::string bootstrap;
  std::string stream_app = STREAM_APP_BINARY;
  std::string driver = CHAOS_DRIVER_BINARY;
  std::string work_dir;
  int64_t commit_interval_ms = 0;  // 0: the framework's default for the guarantee
  int settle_timeout_s = 180;
  int timeout_s = 840;  // below CTest's 900 so the runner cleans up itself
};

std::string Hex(uint64_t v) {
  char buf[17];
  std::snprintf(buf, sizeof buf, "%08llx", static_cast<unsigned long long>(v & 0xffffffffULL));
  return buf;
}

// Replaces every "{name}" in `text`.
std::string Fill(std::string text, const std::map<std::string, std::string>& values) {
  for (const auto& [name, value] : values) {
    const std::string slot = "{" + name + "}";
    for (size_t at = text.find(slot); at != std::string::npos; at = text.find(slot, at + value.size())) {
      text.replace(at, slot.size(), value);
    }
  }
  return text;
}

// cache: false here and cache.max.bytes=0 on the workers: every input record
// yields exactly one update of each aggregate, which the verifier counts on.
constexpr const char* kTopology = R"(version: 1
application:
  id: {app}
streams:
  data: {topic: {input}, key: string, value: json}
pipelines:
  echo:
    from: data
    steps:
      - to: {echo}
  sum:
    from: data
    steps:
      - groupByKey: true
      - aggregate: {op: sum, field: $value, cache: false}
        name: sum
      - to: {sum}
  min:
    from: data
    steps:
      - groupByKey: true
      - aggregate: {op: min, field: $value, cache: false}
        name: min
      - to: {min}
  count:
    from: data
    steps:
      # The key "changes" (to itself), so the count goes through a repartition topic.
      - groupBy: $key
      - count: {cache: false}
        name: count
      - to: {count}
)";

class Runner {
 public:
  explicit Runner(Options o) : o_(std::move(o)), rng_(static_cast<std::mt19937::result_type>(o_.seed)) {}

  // True on PASS.
  bool Run();

 private:
  struct Worker {
    std::unique_ptr<Child> process;
    int generation = 0;
    bool down = false;              // stopped on purpose
    std::vector<std::string> logs;  // one per generation
  };

  void Setup();
  void StartWorker(int i, bool wait_for_assignment);
  void StopWorker(int i, int sig);
  void CheckWorkers();
  void Chaos();
  void Scale();
  void WaitForDriver();
  void Settle();
  bool Verify();
  void PrintLogs();
  // Waits, watching the workers and the driver meanwhile.
  void Idle(milliseconds d) {
    const auto until = Clock::now() + d;
    while (Clock::now() < until) {
      CheckDeadline();
      CheckWorkers();
      Pause(std::min(milliseconds(500), std::chrono::duration_cast<milliseconds>(until - Clock::now())));
    }
  }
  int Uniform(int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng_); }
  void CheckDeadline() {
    CheckInterrupted();
    if (Elapsed() > o_.timeout_s) throw Abort("the run exceeded --timeout-s " + std::to_string(o_.timeout_s));
  }

  Options o_;
  std::mt19937 rng_;
  std::string work_;
  std::unique_ptr<Broker> broker_;
  std::string bootstrap_;
  ChaosTopics topics_;
  std::string app_id_, topology_;
  std::vector<Worker> workers_;
  std::unique_ptr<Child> driver_;
  int64_t sent_ = -1;
  int kills_ = 0, stops_ = 0, broker_restarts_ = 0, adds_ = 0;
  std::vector<std::string> problems_;  // failures other than the verifier's
};

void Runner::Setup() {
  fs::create_directories(work_);
  if (o_.bootstrap.empty()) {
    broker_ = std::make_unique<Broker>(work_ + "/broker");
    Say("starting a broker in %s", broker_->dir().c_str());
    broker_->Start("auto");
    bootstrap_ = broker_->address();
  } else {
    bootstrap_ = o_.bootstrap;
  }
  Say("broker %s", bootstrap_.c_str());

  // Fresh names: runs never see each other's topics, groups or state.
  const std::string run = "chaos-" + std::to_string(getpid()) + "-" + Hex(std::random_device{}());
  topics_ = {run + "-input", run + "-echo", run + "-sum", run + "-min", run + "-count"};
  app_id_ = run + "-app";
  auto admin = kafka::MakeAdmin({{"bootstrap.servers", bootstrap_}});
  if (!admin.ok()) throw Abort(admin.status().ToString());
  std::vector<kafka::NewTopic> create;
  for (const auto& t : {topics_.input, topics_.echo, topics_.sum, topics_.min, topics_.count}) {
    create.push_back({t, o_.partitions, 1, {}});
  }
  if (Status st = (*admin)->CreateTopics(create, seconds(30)); !st.ok()) throw Abort(st.ToString());
  Say("topics %s{-input,-echo,-sum,-min,-count} with %d partitions; application %s", run.c_str(), o_.partitions,
      app_id_.c_str());

  topology_ = work_ + "/topology.yaml";
  std::ofstream(topology_) << Fill(kTopology, {{"app", app_id_},
                                               {"input", topics_.input},
                                               {"echo", topics_.echo},
                                               {"sum", topics_.sum},
                                               {"min", topics_.min},
                                               {"count", topics_.count}});
  ShellResult v = Shell(o_.stream_app + " validate " + topology_ + " 2>&1");
  if (v.exit_code != 0) throw Abort("stream-app validate failed:\n" + v.out);
  ShellResult d = Shell(o_.stream_app + " describe " + topology_ + " --format text 2>&1");
  if (d.exit_code != 0 || d.out.find("repartition") == std::string::npos) {
    throw Abort("stream-app describe shows no repartition topic:\n" + d.out);
  }
  std::ofstream(work_ + "/topology.txt") << d.out;
}

void Runner::StartWorker(int i, bool wait_for_assignment) {
  Worker& w = workers_[i];
  const std::string dir = work_ + "/worker-" + std::to_string(i);
  fs::create_directories(dir);
  const std::string log = dir + "/run-" + std::to_string(++w.generation) + ".log";
  std::vector<std::string> args = {o_.stream_app,
                                   "run",
                                   "--topology",
                                   topology_,
                                   "--bootstrap-servers",
                                   bootstrap_,
                                   "--state-dir",
                                   dir + "/state",
                                   "--threads",
                                   std::to_string(o_.threads),
                                   "--set",
                                   "processing.guarantee=" + o_.guarantee,
                                   "--set",
                                   "cache.max.bytes=0",
                                   "--set",
                                   "kafka.session.timeout.ms=6000",
                                   "--set",
                                   "kafka.heartbeat.interval.ms=1000"};
  if (o_.commit_interval_ms > 0) {
    args.insert(args.end(), {"--set", "commit.interval.ms=" + std::to_string(o_.commit_interval_ms)});
  }
  w.process = std::make_unique<Child>(args, log);
  w.down = false;
  w.logs.push_back(log);
  Say("worker %d started (pid %d, log %s)", i, static_cast<int>(w.process->pid()), log.c_str());
  if (!wait_for_assignment) return;
  // Joined the group and got its partitions: the next fault hits a worker
  // that is really part of the application.
  if (!w.process->WaitForLog("assigned ", seconds(90))) {
    throw Abort("worker " + std::to_string(i) + (w.process->Running() ? " got no assignment within 90 s" : " exited") +
                ":\n" + Tail(log, 30));
  }
}

void Runner::StopWorker(int i, int sig) {
  Child& p = *workers_[i].process;
  workers_[i].down = true;
  const auto t0 = Clock::now();
  p.Signal(sig);
  std::optional<int> code = p.Wait(sig == SIGKILL ? seconds(10) : seconds(60));
  if (!code) {
    problems_.push_back("worker " + std::to_string(i) + " did not stop within 60 s of SIGTERM; killed it");
    p.Signal(SIGKILL);
    code = p.Wait(seconds(10));
  }
  const double took = std::chrono::duration<double>(Clock::now() - t0).count();
  if (sig == SIGTERM && code != 0) {
    problems_.push_back("worker " + std::to_string(i) + " exited with " + std::to_string(code.value_or(-1)) +
                        " after SIGTERM (log " + p.log_path() + ")");
  }
  Say("worker %d (pid %d) %s, exit %d after %.1f s", i, static_cast<int>(p.pid()),
      sig == SIGKILL ? "killed" : "stopped", code.value_or(-1), took);
}

// A worker that exited on its own is a bug in the worker: note it, restart it.
void Runner::CheckWorkers() {
  for (int i = 0; i < o_.workers; ++i) {
    if (workers_[i].down) continue;
    Child& p = *workers_[i].process;
    if (p.Running()) continue;
    problems_.push_back("worker " + std::to_string(i) + " exited by itself with " +
                        std::to_string(p.exit_code().value_or(-1)) + " (log " + p.log_path() + ")");
    Say("worker %d exited by itself with %d; restarting it. Its log ends:\n%s", i, p.exit_code().value_or(-1),
        Tail(p.log_path(), 15).c_str());
    StartWorker(i, false);
  }
  if (driver_ && !driver_->Running() && driver_->exit_code() != 0) {
    throw Abort("the driver failed:\n" + Tail(driver_->log_path(), 20));
  }
}

void Runner::Chaos() {
  const int broker_cycle = o_.broker_restart ? (o_.cycles + 1) / 2 : -1;
  for (int c = 1; c <= o_.cycles; ++c) {
    // Let the group settle and the work go on for a while before the next fault.
    Idle(milliseconds(Uniform(2000, 5000)));
    const int w = Uniform(0, o_.workers - 1);
    const bool kill = Uniform(0, 1) == 0;
    Say("cycle %d/%d: %s worker %d", c, o_.cycles, kill ? "SIGKILL" : "SIGTERM", w);
    StopWorker(w, kill ? SIGKILL : SIGTERM);
    ++(kill ? kills_ : stops_);
    Idle(milliseconds(Uniform(500, 3000)));
    StartWorker(w, true);
    if (c == broker_cycle) {
      Idle(milliseconds(Uniform(1000, 3000)));
      Say("restarting the broker");
      const auto t0 = Clock::now();
      broker_->Restart();
      ++broker_restarts_;
      Say("broker back on %s after %.1f s", broker_->address().c_str(),
          std::chrono::duration<double>(Clock::now() - t0).count());
    }
  }
}

// Scaling by partition: from one worker out to all of them, one at a time,
// then in and out again; every step moves tasks between workers, and a
// worker that gets a stateful task restores it from the changelog first.
// All stops are graceful (SIGTERM); the verifier then checks that nothing
// was lost or (exactly-once) duplicated and that the state is exact.
void Runner::Scale() {
  std::vector<std::pair<bool, int>> steps;  // (add?, worker)
  for (int w = 1; w < o_.workers; ++w) steps.push_back({true, w});
  steps.push_back({false, 0});
  steps.push_back({true, 0});
  for (int w = 1; w < o_.workers; ++w) steps.push_back({false, w});
  for (int w = 1; w < o_.workers; ++w) steps.push_back({true, w});
  for (const auto& [add, w] : steps) {
    Idle(milliseconds(Uniform(2000, 5000)));
    int running = 0;
    for (const Worker& x : workers_) running += x.down ? 0 : 1;
    Say("scale: %s worker %d (%d running)", add ? "adding" : "removing", w, running);
    if (add) {
      StartWorker(w, true);
      ++adds_;
    } else {
      StopWorker(w, SIGTERM);
      ++stops_;
    }
  }
}

void Runner::WaitForDriver() {
  while (driver_->Running()) Idle(milliseconds(500));
  if (driver_->exit_code() != 0) throw Abort("the driver failed:\n" + Tail(driver_->log_path(), 20));
  std::smatch m;
  const std::string log = ReadFileText(driver_->log_path());
  if (!std::regex_search(log, m, std::regex("chaos-driver: sent (\\d+) records"))) {
    throw Abort("the driver did not say what it sent:\n" + Tail(driver_->log_path(), 20));
  }
  sent_ = std::stoll(m[1]);
  Say("driver done: sent %lld records", static_cast<long long>(sent_));
}

// Waits until the outputs hold an update for every input record and the
// application committed all of the input.
void Runner::Settle() {
  auto reader = TopicReader::Open(bootstrap_, topics_.Outputs(), "read_committed");
  if (!reader.ok()) throw Abort(reader.status().ToString());
  auto group = kafka::MakeConsumer({{"bootstrap.servers", bootstrap_}, {"group.id", app_id_}}, nullptr);
  if (!group.ok()) throw Abort(group.status().ToString());
  std::vector<kafka::TopicPartition> input_parts;
  for (int p = 0; p < o_.partitions; ++p) input_parts.push_back({topics_.input, PartitionId(p)});

  const auto deadline = Clock::now() + seconds(o_.settle_timeout_s);
  auto last_report = Clock::now() - seconds(10);
  for (;;) {
    CheckDeadline();
    CheckWorkers();
    if (Status st = (*reader)->Poll(milliseconds(1000)); !st.ok()) throw Abort(st.ToString());
    auto ends = QueryEndOffsets(bootstrap_, topics_.input, o_.partitions);
    auto committed = (*group)->Committed(input_parts, seconds(10));
    int64_t input = 0, lag = 0;
    if (ends.ok() && committed.ok()) {
      for (int p = 0; p < o_.partitions; ++p) {
        input += ends->high[p];
        lag += ends->high[p] - std::max<int64_t>(0, (*committed)[p].offset.value());
      }
    } else {
      lag = -1;  // the broker is busy; try again
    }
    const size_t echo = (*reader)->total(topics_.echo), sum = (*reader)->total(topics_.sum),
                 min = (*reader)->total(topics_.min), count = (*reader)->total(topics_.count);
    const auto target = static_cast<size_t>(input);
    const bool done = lag == 0 && echo >= target && sum >= target && min >= target && count >= target;
    if (done || Clock::now() - last_report >= seconds(5)) {
      last_report = Clock::now();
      Say("outputs (read_committed): echo=%zu sum=%zu min=%zu count=%zu of input=%lld; uncommitted input lag=%lld",
          echo, sum, min, count, static_cast<long long>(input), static_cast<long long>(lag));
    }
    if (done) return;
    if (Clock::now() >= deadline) {
      problems_.push_back("outputs incomplete after --settle-timeout-s " + std::to_string(o_.settle_timeout_s));
      return;
    }
  }
}

bool Runner::Verify() {
  auto guarantee = ParseGuarantee(o_.guarantee);
  // A worker killed in a transaction leaves it open until the broker aborts
  // it (transaction.timeout.ms): wait for that before judging.
  const auto deadline = Clock::now() + seconds(60);
  for (;;) {
    auto open = OpenTransactions(bootstrap_, topics_.Outputs());
    if (open.ok() && open->empty()) break;
    if (Clock::now() >= deadline) break;
    Pause(milliseconds(1000));
  }
  auto in = Collect(bootstrap_, topics_);
  if (!in.ok()) {
    problems_.push_back("reading the topics failed: " + in.status().ToString());
    return false;
  }
  in->expected_input = sent_;
  VerifierReport report = Check(*guarantee, *in);
  for (const std::string& note : report.notes) std::printf("  note: %s\n", note.c_str());
  for (const std::string& d : report.details) std::printf("  deviation: %s\n", d.c_str());
  std::printf("%s\n", report.Summary().c_str());
  std::fflush(stdout);
  return report.pass;
}

void Runner::PrintLogs() {
  for (int i = 0; i < static_cast<int>(workers_.size()); ++i) {
    for (const std::string& log : workers_[i].logs) {
      // Every generation that logged an error, and the last one in any case.
      const std::string text = ReadFileText(log);
      if (log != workers_[i].logs.back() && text.find("[error]") == std::string::npos) continue;
      std::printf("---- worker %d: %s (last 25 lines)\n%s", i, log.c_str(), Tail(log, 25).c_str());
    }
  }
  if (driver_) std::printf("---- driver: %s\n%s", driver_->log_path().c_str(), Tail(driver_->log_path(), 10).c_str());
  std::fflush(stdout);
}

bool Runner::Run() {
  bool temp_dir = o_.work_dir.empty();
  work_ = temp_dir ? (fs::temp_directory_path() /
                      ("streamapp-chaos-" + std::to_string(getpid()) + "-" + Hex(std::random_device{}())))
                         .string()
                   : o_.work_dir;
  bool pass = false;
  try {
    Setup();
    workers_.resize(o_.workers);
    const int initial = o_.scale ? 1 : o_.workers;
    for (int i = 0; i < o_.workers; ++i) workers_[i].down = true;
    for (int i = 0; i < initial; ++i) StartWorker(i, false);
    for (int i = 0; i < initial; ++i) {
      if (!workers_[i].process->WaitForLog("started with", seconds(60))) {
        throw Abort("worker " + std::to_string(i) + " did not start:\n" + Tail(workers_[i].logs.back(), 30));
      }
    }
    driver_ = std::make_unique<Child>(
        std::vector<std::string>{o_.driver, "--bootstrap-servers", bootstrap_, "--topic", topics_.input, "--rate",
                                 std::to_string(o_.rate), "--keys", std::to_string(o_.keys), "--seed",
                                 std::to_string(o_.seed), "--max-records", std::to_string(o_.records)},
        work_ + "/driver.log");
    Say("driver started: %lld records at %.0f/s over %d keys (about %.0f s)", static_cast<long long>(o_.records),
        o_.rate, o_.keys, o_.records / o_.rate);
    if (o_.scale) {
      Scale();
    } else {
      Chaos();
    }
    WaitForDriver();
    CheckWorkers();
    Settle();
    Say("stopping the workers");
    for (int i = 0; i < o_.workers; ++i) {
      if (!workers_[i].down) workers_[i].process->Signal(SIGTERM);
    }
    for (int i = 0; i < o_.workers; ++i) {
      if (!workers_[i].down) StopWorker(i, SIGTERM);
    }
    pass = Verify();
  } catch (const Abort& e) {
    problems_.push_back(e.what());
  } catch (const std::exception& e) {
    problems_.push_back(std::string("unexpected error: ") + e.what());
  }
  for (const std::string& p : problems_) std::printf("chaos-runner: problem: %s\n", p.c_str());
  pass = pass && problems_.empty();
  if (!pass) PrintLogs();
  // Stop everything before the broker.
  driver_.reset();
  workers_.clear();
  broker_.reset();
  std::printf(
      "chaos-runner: %s guarantee=%s records=%lld cycles=%d kills=%d stops=%d adds=%d broker_restarts=%d "
      "seconds=%.0f\n",
      pass ? "PASS" : "FAIL", o_.guarantee.c_str(), static_cast<long long>(o_.records), o_.cycles, kills_, stops_,
      adds_, broker_restarts_, Elapsed());
  if (pass && temp_dir) {
    fs::remove_all(work_);
  } else {
    std::printf("chaos-runner: files kept in %s\n", work_.c_str());
  }
  return pass;
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  po::options_description opts("chaos-runner: a chaos run of stream-app workers, checked by the verifier");
  opts.add_options()("help,h", "show this help")                                                              //
      ("records", po::value(&o.records)->default_value(o.records), "records the driver writes")               //
      ("cycles", po::value(&o.cycles)->default_value(o.cycles), "fault cycles (a worker killed or stopped)")  //
      ("seed", po::value(&o.seed)->default_value(o.seed), "seed of the data and of the schedule")             //
      ("guarantee", po::value(&o.guarantee)->default_value(o.guarantee), "exactly_once_v2|at_least_once")     //
      ("rate", po::value(&o.rate), "driver records/s (default: spread over the schedule)")                    //
      ("workers", po::value(&o.workers)->default_value(o.workers), "stream-app workers")                      //
      ("partitions", po::value(&o.partitions)->default_value(o.partitions), "partitions of every topic")      //
      ("keys", po::value(&o.keys)->default_value(o.keys), "distinct keys")                                    //
      ("threads", po::value(&o.threads)->default_value(o.threads), "stream threads per worker")               //
      ("commit-interval-ms", po::value(&o.commit_interval_ms), "commit.interval.ms (default: the framework's)")(
          "broker-restart", po::bool_switch(&o.broker_restart), "restart the broker once, mid-run")  //
      ("scale", po::bool_switch(&o.scale),
       "instead of faults: start one worker, then add and remove workers gracefully (--cycles is ignored)")  //
      ("bootstrap-servers", po::value(&o.bootstrap), "use this broker instead of starting one")              //
      ("stream-app", po::value(&o.stream_app)->default_value(o.stream_app), "stream-app binary")             //
      ("driver", po::value(&o.driver)->default_value(o.driver), "chaos-driver binary")                       //
      ("work-dir", po::value(&o.work_dir), "directory for logs, state and the broker (default: a fresh one)")(
          "settle-timeout-s", po::value(&o.settle_timeout_s)->default_value(o.settle_timeout_s),
          "how long to wait for the outputs after the driver finished")  //
      ("timeout-s", po::value(&o.timeout_s)->default_value(o.timeout_s), "give up after this long");
  po::variables_map vm;
  try {
    po::store(po::parse_command_line(argc, argv, opts), vm);
    if (vm.count("help")) {
      std::cout << opts << "\n";
      return 0;
    }
    po::notify(vm);
  } catch (const po::error& e) {
    std::cerr << "chaos-runner: " << e.what() << "\n" << opts << "\n";
    return 2;
  }
  if (!ParseGuarantee(o.guarantee) || o.guarantee == "exactly_once") {
    std::cerr << "chaos-runner: --guarantee must be exactly_once_v2 or at_least_once\n";
    return 2;
  }
  if (o.broker_restart && !o.bootstrap.empty()) {
    std::cerr << "chaos-runner: --broker-restart needs a broker of its own (no --bootstrap-servers)\n";
    return 2;
  }
  if (o.records < 1 || o.cycles < 0 || o.workers < 1 || o.partitions < 1 || o.keys < 1) {
    std::cerr << "chaos-runner: --records, --workers, --partitions and --keys must be positive\n";
    return 2;
  }
  if (o.scale && (o.broker_restart || o.workers < 2)) {
    std::cerr << "chaos-runner: --scale needs --workers >= 2 and no --broker-restart\n";
    return 2;
  }
  if (o.rate <= 0) {
    // About 20 s per cycle (a fault, the restart, the rebalances, a pause),
    // so that the driver writes during the whole schedule; --scale has
    // 3 x workers - 1 steps of about 10 s.
    const int cycles = o.scale ? 3 * o.workers - 1 : o.cycles;
    const double schedule_s = 10.0 + (o.scale ? 10.0 : 20.0) * cycles + (o.broker_restart ? 20.0 : 0.0);
    o.rate = std::ceil(static_cast<double>(o.records) / schedule_s);
  }
  signal(SIGINT, OnSignal);
  signal(SIGTERM, OnSignal);
  std::printf("chaos-runner: guarantee=%s records=%lld cycles=%d seed=%llu workers=%d partitions=%d keys=%d%s%s\n",
              o.guarantee.c_str(), static_cast<long long>(o.records), o.cycles, static_cast<unsigned long long>(o.seed),
              o.workers, o.partitions, o.keys, o.broker_restart ? " broker-restart" : "", o.scale ? " scale" : "");
  return Runner(o).Run() ? 0 : 1;
}
