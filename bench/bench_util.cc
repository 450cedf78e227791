#include "bench/bench_util.h"

#include <algorithm>
#include <cstdio>
#include <iomanip>
#include <sstream>

#include "starlog/codec/json_writer.h"

namespace starlog::bench {

namespace {

double StatusKb(const char* field) {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(field, 0) == 0) return std::stod(line.substr(std::string(field).size()));
  }
  return 0;
}

std::string Number(double v) {
  std::ostringstream s;
  if (v >= 100) {
    s << std::fixed << std::setprecision(0) << v;
  } else {
    s << std::setprecision(3) << v;
  }
  return s.str();
}

}  // namespace

double ResidentMiB() { return StatusKb("VmRSS:") / 1024; }
double PeakResidentMiB() { return StatusKb("VmHWM:") / 1024; }

// Linux resets the peak resident size (VmHWM) to the current one when "5" is
// written to clear_refs: each figure's peak then covers only its own work.
void ResetPeakResident() { std::ofstream("/proc/self/clear_refs") << "5"; }

void Report::Add(Figure f) {
  f.peak_mib = PeakResidentMiB();
  run_peak_mib_ = std::max(run_peak_mib_, f.peak_mib);
  ResetPeakResident();
  std::cout << "  " << f.name << ": " << Number(f.value) << " " << f.unit << std::endl;
  figures_.push_back(std::move(f));
}

void Report::Print(std::ostream& out) const {
  out << "\n"
      << std::left << std::setw(58) << "FIGURE" << std::setw(22) << "VALUE" << std::setw(34)
      << "BASELINE (same run)" << std::setw(9) << "RATIO" << std::setw(10) << "PEAK MiB"
      << "TARGET\n";
  for (const Figure& f : figures_) {
    std::string baseline = f.baseline > 0 ? Number(f.baseline) + " " + f.baseline_name : "-";
    std::string ratio = f.baseline > 0 ? Number(f.value / f.baseline) : "-";
    out << std::left << std::setw(58) << f.name << std::setw(22) << (Number(f.value) + " " + f.unit)
        << std::setw(34) << baseline << std::setw(9) << ratio << std::setw(10) << Number(f.peak_mib)
        << f.target << "\n";
  }
  out << "\nPEAK MiB: the largest resident size while measuring that figure (since the one\n"
         "above). Peak resident memory of the whole run: "
      << Number(std::max(run_peak_mib_, PeakResidentMiB())) << " MiB\n";
}

void Report::WriteJson(const std::string& path) const {
  codec::JsonWriter j;
  j.BeginArray();
  for (const Figure& f : figures_) {
    j.BeginObject().Key("name").String(f.name).Key("value").String(Number(f.value));
    j.Key("unit").String(f.unit);
    if (f.baseline > 0) {
      j.Key("baseline").String(Number(f.baseline)).Key("baseline_name").String(f.baseline_name);
      j.Key("ratio").String(Number(f.value / f.baseline));
    }
    j.Key("target").String(f.target).Key("peak_rss_mib").String(Number(f.peak_mib)).EndObject();
  }
  j.EndArray();
  std::ofstream(path) << j.str() << "\n";
}

}  // namespace starlog::bench
