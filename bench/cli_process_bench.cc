#include "bench/cli_process_bench.h"

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <thread>
#include <vector>

#include "bench/group_commit_bench.h"
#include "starlog/service/server.h"

extern char** environ;

namespace starlog::bench {

namespace fs = std::filesystem;

namespace {

// Runs "argv" to its end; false if it could not start or did not exit 0.
bool RunProcess(const std::vector<std::string>& argv) {
  std::vector<char*> args;
  for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  // The lock-wait notice and any refusal would flood the report.
  posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0);
  pid_t pid = 0;
  const int rc = posix_spawn(&pid, args[0], &actions, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) return false;
  int status = 0;
  if (waitpid(pid, &status, 0) != pid) return false;
  return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

struct Run {
  double events_per_second = 0;
  double p50_ms = 0;
  double p99_ms = 0;
};

// "writers" threads, each running "each" processes in turn: writer w's i-th
// registers detector i in run<w> (even w) or prepends run<w> to "shared"
// (odd w), one event each.
Run Processes(const std::string& starlog, const std::string& repo, int writers, int each) {
  // One row per file, written before the clock starts.
  for (int w = 0; w < writers; w += 2) {
    for (int i = 0; i < each; ++i) {
      std::ofstream(repo + "-rows-" + std::to_string(w) + "-" + std::to_string(i) + ".csv")
          << "instrument,detector\nCam," << i % kDetectors << "\n";
    }
  }
  std::vector<Latencies> latencies(writers);
  std::atomic<bool> failed{false};
  Stopwatch sw;
  std::vector<std::thread> threads;
  for (int w = 0; w < writers; ++w) {
    threads.emplace_back([&, w] {
      const std::string run = "run" + std::to_string(w);
      for (int i = 0; i < each && !failed; ++i) {
        std::vector<std::string> argv =
            w % 2 == 0
                ? std::vector<
                      std::
                          string>{starlog,
                                  "register-datasets",
                                  repo,
                                  "flat",
                                  run,
                                  repo + "-rows-" + std::to_string(w) + "-" + std::to_string(i) + ".csv"}
                : std::vector<std::string>{starlog, "collection-chain", repo,     "shared",
                                           run,     "--mode",           "prepend"};
        argv.push_back("--lock-timeout");
        argv.push_back("600");
        const auto start = std::chrono::steady_clock::now();
        if (!RunProcess(argv)) failed = true;
        latencies[w].Add(
            std::chrono::duration<double, std::nano>(std::chrono::steady_clock::now() - start)
                .count());
      }
    });
  }
  for (auto& t : threads) t.join();
  const double seconds = sw.Seconds();
  if (failed) {
    std::cerr << "a starlog process failed (run it by hand on " << repo << " to see why)\n";
    std::exit(1);
  }
  Latencies all;
  for (const Latencies& l : latencies) all.Add(l);
  return {writers * each / seconds, all.Percentile(0.5) / 1e6, all.Percentile(0.99) / 1e6};
}

void AddRun(Report& report, const std::string& how, int writers, const Run& r, double one) {
  const std::string who = std::to_string(writers) + (writers == 1 ? " writer" : " writers");
  report.Add({"CLI processes" + how + ", " + who, r.events_per_second, "events/s",
              writers == 1 ? 0 : one, writers == 1 ? "" : "1 writer", ""});
  report.Add({"  process p50", r.p50_ms, "ms", 0, "", ""});
  report.Add({"  process p99", r.p99_ms, "ms", 0, "", ""});
}

}  // namespace

void BenchCliProcesses(const std::string& scratch, const std::string& starlog, bool quick,
                       Report& report) {
  // A process costs tens of milliseconds: fewer edits than in process.
  const int total = quick ? 32 : 256;
  // Whatever the caller's environment says, these runs choose their writer.
  unsetenv("STARLOG_SERVICE");
  unsetenv("STARLOG_USER");
  for (const bool served : {false, true}) {
    double one = 0;
    for (const int writers : {1, 8, 64}) {
      const std::string dir =
          scratch + (served ? "/cli-served-" : "/cli-") + std::to_string(writers);
      PrepareWriters(dir, writers).reset();
      std::unique_ptr<service::Server> server;
      std::thread serving;
      if (served) {
        service::ServerOptions options;
        options.root = dir;
        options.max_connections = 512;
        server = Must(service::Server::Start(options), "service");
        serving = std::thread([&] { server->Run(); });
      }
      const Run r = Processes(starlog, dir, writers, std::max(2, total / writers));
      if (writers == 1) one = r.events_per_second;
      AddRun(report, served ? " through the service" : " waiting for the lock", writers, r, one);
      if (server) {
        server->Stop();
        serving.join();
        server.reset();
      }
      fs::remove_all(dir);
      for (const auto& entry : fs::directory_iterator(scratch)) {
        if (entry.path().filename().string().rfind(fs::path(dir).filename().string() + "-rows-",
                                                   0) == 0) {
          fs::remove(entry.path());
        }
      }
    }
  }
}

void BenchCliCommands(const std::string& scratch, const std::string& starlog, bool quick,
                      Report& report) {
  const int processes = quick ? 8 : 32;
  constexpr int kRows = 1000;
  unsetenv("STARLOG_SERVICE");
  unsetenv("STARLOG_USER");
  const std::string dir = scratch + "/cli-commands";
  PrepareWriters(dir, processes).reset();
  const auto timed = [](const std::vector<std::string>& argv) {
    const auto start = std::chrono::steady_clock::now();
    if (!RunProcess(argv)) {
      std::cerr << "`" << argv[1] << "` failed (run it by hand to see why)\n";
      std::exit(1);
    }
    return std::chrono::duration<double, std::nano>(std::chrono::steady_clock::now() - start)
        .count();
  };
  Latencies floor, registering, finding;
  double registering_ns = 0;
  for (int i = 0; i < processes; ++i) floor.Add(timed({starlog, "--version"}));
  for (int i = 0; i < processes; ++i) {
    const std::string csv = dir + "-rows.csv";
    {
      std::ofstream rows(csv);
      rows << "instrument,detector\n";
      for (int r = 0; r < kRows; ++r) rows << "Cam," << (i * 7 + r) % kDetectors << "\n";
    }
    const double ns =
        timed({starlog, "register-datasets", dir, "flat", "run" + std::to_string(i), csv});
    registering.Add(ns);
    registering_ns += ns;
    finding.Add(timed({starlog, "find-dataset", dir, "flat", "--data-id",
                       "instrument=Cam,detector=" + std::to_string(i * 7 % kDetectors),
                       "--collections", "run" + std::to_string(i)}));
    fs::remove(csv);
  }
  const double floor_ms = floor.Percentile(0.5) / 1e6;
  report.Add({"CLI register-datasets, 1,000 rows a process",
              processes * kRows / registering_ns * 1e9, "datasets/s", 0, "", ">= 20,000/s"});
  report.Add({"  its process, p50", registering.Percentile(0.5) / 1e6, "ms", floor_ms,
              "`starlog --version`", ""});
  report.Add({"  its process, p99", registering.Percentile(0.99) / 1e6, "ms", 0, "", ""});
  report.Add({"CLI find-dataset, one process, p50", finding.Percentile(0.5) / 1e6, "ms", floor_ms,
              "`starlog --version`", "<= 20 ms"});
  report.Add({"  its p99", finding.Percentile(0.99) / 1e6, "ms", 0, "", ""});
  fs::remove_all(dir);
}

}  // namespace starlog::bench
