#pragma once

// Small tools for the benchmark: wall-clock timing, latency percentiles,
// process memory, and the table/JSON report.

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

#include "starlog/result.h"

namespace starlog::bench {

// A benchmark cannot go on after a failed step: says what failed and exits.
inline void Check(const Status& s, const char* what) {
  if (!s.ok()) {
    std::cerr << what << ": " << s.ToString() << "\n";
    std::exit(1);
  }
}
template <typename T>
T Must(Result<T> r, const char* what) {
  Check(r.status(), what);
  return std::move(r).value();
}

class Stopwatch {
 public:
  Stopwatch() : start_(std::chrono::steady_clock::now()) {}
  double Seconds() const {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  }

 private:
  std::chrono::steady_clock::time_point start_;
};

// Latencies in nanoseconds; percentiles by sorting (the samples are few).
class Latencies {
 public:
  void Add(double ns) { samples_.push_back(ns); }
  void Add(const Latencies& other) {
    samples_.insert(samples_.end(), other.samples_.begin(), other.samples_.end());
  }
  double Percentile(double p) {
    if (samples_.empty()) return 0;
    std::sort(samples_.begin(), samples_.end());
    const size_t i = std::min(samples_.size() - 1, static_cast<size_t>(p * samples_.size()));
    return samples_[i];
  }

 private:
  std::vector<double> samples_;
};

// Resident and peak resident memory of this process, in MiB (/proc/self/status).
double ResidentMiB();
double PeakResidentMiB();
// Starts a new peak from the current resident size (Linux).
void ResetPeakResident();

struct Figure {
  std::string name;
  double value = 0;
  std::string unit;
  double baseline = 0;  // 0: no baseline.
  std::string baseline_name;
  std::string target;  // What the issue asks, in words.
  double peak_mib = 0;
};

class Report {
 public:
  void Add(Figure f);
  void Print(std::ostream& out) const;
  void WriteJson(const std::string& path) const;

 private:
  std::vector<Figure> figures_;
  double run_peak_mib_ = 0;
};

}  // namespace starlog::bench
