#include "starlog/engine/conventions.h"

#include <optional>
#include <set>

#include "starlog/engine/policy.h"

namespace starlog::engine {

namespace {

using codec::CollectionType;

std::vector<std::string> Split(const std::string& name) {
  std::vector<std::string> parts;
  size_t begin = 0;
  while (begin <= name.size()) {
    size_t end = name.find('/', begin);
    if (end == std::string::npos) end = name.size();
    parts.push_back(name.substr(begin, end - begin));
    begin = end + 1;
  }
  return parts;
}

struct Expectation {
  std::string convention;
  std::optional<CollectionType> type;  // Nullopt: any type.
};

// Where "runs/..." (after an optional instrument) falls.
std::optional<Expectation> Runs(const std::vector<std::string>& rest, const std::string& prefix) {
  const std::string base = prefix + "runs/<target>/<release>/<ticket>";
  if (rest.size() < 4) return Expectation{base, std::nullopt};
  if (rest.size() == 4) return Expectation{base, CollectionType::kChained};
  return Expectation{base + "/*", std::nullopt};
}

// The convention "name" falls under; nullopt if none.
std::optional<Expectation> ConventionOf(const std::string& name,
                                        const std::set<std::string>& instruments) {
  const std::vector<std::string> p = Split(name);
  if (p[0] == "u" && p.size() >= 2) return Expectation{"u/<user>/*", std::nullopt};
  if (name == "refcats") return Expectation{"refcats", CollectionType::kChained};
  if (p[0] == "refcats" && p.size() == 2)
    return Expectation{"refcats/<ticket>", CollectionType::kRun};
  if (name == "skymaps") return Expectation{"skymaps", CollectionType::kRun};
  if (p[0] == "runs") return Runs(p, "");
  if (instruments.count(p[0]) == 0 || p.size() < 2) return std::nullopt;
  const std::string& what = p[1];
  if (what == "defaults" && p.size() == 2) {
    return Expectation{"<instrument>/defaults", CollectionType::kChained};
  }
  if (what == "raw") {
    if (p.size() == 2) return Expectation{"<instrument>/raw", CollectionType::kChained};
    if (p.size() == 3 && p[2] == "all") {
      return Expectation{"<instrument>/raw/all", CollectionType::kRun};
    }
    if (p.size() == 3) return Expectation{"<instrument>/raw/<ticket>", CollectionType::kTagged};
  }
  if (what == "calib") {
    if (p.size() == 2) return Expectation{"<instrument>/calib", CollectionType::kChained};
    if (p.size() == 3) {
      return Expectation{"<instrument>/calib/<ticket>", CollectionType::kCalibration};
    }
    return Expectation{"<instrument>/calib/<ticket>/*", std::nullopt};
  }
  if (what == "runs") {
    return Runs(std::vector<std::string>(p.begin() + 1, p.end()), "<instrument>/");
  }
  return std::nullopt;
}

}  // namespace

Result<std::vector<ConventionFinding>> CheckConventions(const RegistryView& view) {
  std::set<std::string> instruments;
  STARLOG_ASSIGN_OR_RETURN(auto records, view.QueryDimensionRecords("instrument", {}));
  for (const codec::FieldMap& r : records) {
    if (auto it = r.find("instrument"); it != r.end()) {
      if (const auto* s = std::get_if<std::string>(&it->second)) instruments.insert(*s);
    }
  }
  STARLOG_ASSIGN_OR_RETURN(auto collections, view.QueryCollections({}));
  std::vector<ConventionFinding> findings;
  for (const CollectionInfo& c : collections) {
    const auto expected = ConventionOf(c.name, instruments);
    if (!expected) {
      findings.push_back({c.name, c.type, "-",
                          "not a DMTN-167 name (<instrument>/..., runs/..., refcats, skymaps or "
                          "u/<user>/...)"});
      continue;
    }
    if (expected->type && *expected->type != c.type) {
      findings.push_back({c.name, c.type, expected->convention,
                          "should be " + std::string(codec::CollectionTypeName(*expected->type))});
    }
    if (c.type == CollectionType::kChained && !IsPersonal(c.name)) {
      for (const std::string& child : c.children) {
        if (IsPersonal(child)) {
          findings.push_back({c.name, c.type, expected->convention,
                              "a shared chain referencing personal collection " + child});
        }
      }
    }
  }
  return findings;
}

}  // namespace starlog::engine
