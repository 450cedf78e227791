// Data IDs from the dimension records (QueryDataIds without datasets): the
// records of each element the keys name, joined on the keys they share, in
// the universe's order (each element after what it requires), each
// element's records in key order.
//
// The join is depth-first: each row is completed element by element and
// handed on before the next is begun, so the first row comes at once, a
// caller that stops early stops the reading, and nothing is held but the
// rows in progress and the records of the elements it scans. The rows come
// in the order a breadth-first join makes them (each step's rows in the
// order of the rows before it, then of its records).
//
// The join never builds what the where clause throws away. Each term of
// the clause's top-level AND is tried as soon as the keys it reads are
// bound: on an element's records before they are joined when it reads only
// that element's keys ("exposure.observation_type = 'bias'"), else on the
// joined rows of that step. An element whose new keys the clause pins to a
// few values ("exposure = 7", "exposure IN (7, 9)") is read by key, a seek
// per value, instead of being scanned; one scanned is read once and
// indexed by the keys it shares with the rows so far, so a row meets only
// the records that agree with it. The rows and their order are those of the
// whole cross product filtered at the end.

#include <algorithm>
#include <map>
#include <memory>
#include <set>

#include "engine/query/registry_view_impl.h"

namespace starlog::engine {

namespace {

// Key combinations a row may seek; past this, one scan reads less.
constexpr size_t kMaxSeeks = 4096;

bool AllIn(const std::vector<std::string>& keys, const std::set<std::string>& bound) {
  return std::all_of(keys.begin(), keys.end(),
                     [&](const std::string& k) { return bound.count(k) > 0; });
}

// "row"'s values of "keys", encoded: the index key of a record or row.
std::string Project(const codec::FieldMap& row, const std::vector<std::string>& keys) {
  codec::FieldMap projected;
  for (const std::string& k : keys) projected.emplace(k, row.at(k));
  return EncodeDataId(projected);
}

// Whether "data_id" satisfies every term of "terms".
Result<bool> MatchesAll(const std::vector<const BoundWhere*>& terms, const codec::FieldMap& data_id,
                        RecordCache& records) {
  for (const BoundWhere* t : terms) {
    STARLOG_ASSIGN_OR_RETURN(bool match, t->Matches(data_id, records));
    if (!match) return false;
  }
  return true;
}

// One element's step of the join.
class Step {
 public:
  Step(const RegistryView::Impl& view, const DimensionElement& element,
       std::vector<std::string> element_keys, const std::set<std::string>& bound,
       const std::map<std::string, std::vector<codec::FieldValue>>& candidates,
       std::vector<const BoundWhere*> on_records, RecordCache& records)
      : view_(view),
        element_(element),
        element_keys_(std::move(element_keys)),
        on_records_(std::move(on_records)),
        records_(records) {
    size_t combinations = 1;
    for (const std::string& k : element_keys_) {
      if (bound.count(k)) {
        shared_.push_back(k);
        continue;
      }
      fresh_.push_back(k);
      auto c = candidates.find(k);
      if (c == candidates.end() || combinations * c->second.size() > kMaxSeeks) {
        seek_ = false;
      } else {
        combinations *= c->second.size();
        pinned_.emplace(k, &c->second);
      }
    }
  }

  // Reads what the step needs before any row is met: a scanned element's
  // records, every one that passes.
  Status Prepare() {
    if (seek_) return Status::OK();
    Status failure;
    STARLOG_RETURN_IF_ERROR(ScanRecords(view_.reader(), element_.name, [&](codec::FieldMap&& r) {
      auto ok = Passes(r);
      if (!ok.ok()) failure = ok.status();
      if (ok.ok() && *ok) scanned_.push_back(std::move(r));
      return failure.ok();
    }));
    STARLOG_RETURN_IF_ERROR(failure);
    for (const codec::FieldMap& r : scanned_) by_shared_[Project(r, shared_)].push_back(&r);
    return Status::OK();
  }

  // The records that agree with "row" on the keys it has, in key order.
  Result<const std::vector<const codec::FieldMap*>*> Matching(const codec::FieldMap& row) {
    const std::string key = Project(row, shared_);
    if (!seek_) {
      auto found = by_shared_.find(key);
      return found == by_shared_.end() ? &none_ : &found->second;
    }
    auto [it, fresh] = sought_.try_emplace(key);
    if (!fresh) return &it->second;
    // Every combination of the pinned values, with the row's shared keys,
    // read in key order.
    std::vector<codec::FieldMap> wanted = {codec::FieldMap()};
    for (const std::string& k : shared_) wanted.front().emplace(k, row.at(k));
    for (const std::string& k : fresh_) {
      std::vector<codec::FieldMap> more;
      for (const codec::FieldMap& w : wanted) {
        for (const codec::FieldValue& v : *pinned_.at(k)) {
          codec::FieldMap m = w;
          m.emplace(k, v);
          more.push_back(std::move(m));
        }
      }
      wanted = std::move(more);
    }
    std::vector<std::pair<std::string, codec::FieldMap>> ordered;
    for (codec::FieldMap& w : wanted) ordered.emplace_back(EncodeDataId(w), std::move(w));
    std::sort(ordered.begin(), ordered.end(),
              [](const auto& a, const auto& b) { return a.first < b.first; });
    for (const auto& [bytes, w] : ordered) {
      STARLOG_ASSIGN_OR_RETURN(const codec::FieldMap* r, records_.Get(element_.name, w));
      if (r == nullptr) continue;
      STARLOG_ASSIGN_OR_RETURN(bool ok, Passes(*r));
      if (ok) it->second.push_back(r);
    }
    return &it->second;
  }

 private:
  // Whether record "r" satisfies the terms that read its keys alone.
  Result<bool> Passes(const codec::FieldMap& r) {
    for (const auto& [k, values] : pinned_) {
      if (!std::binary_search(values->begin(), values->end(), r.at(k))) return false;
    }
    if (on_records_.empty()) return true;
    codec::FieldMap keys_only;
    for (const std::string& k : element_keys_) keys_only.emplace(k, r.at(k));
    return MatchesAll(on_records_, keys_only, records_);
  }

  const RegistryView::Impl& view_;
  const DimensionElement& element_;
  const std::vector<std::string> element_keys_;
  std::vector<std::string> shared_;  // Keys the rows so far have.
  std::vector<std::string> fresh_;   // Keys this step adds.
  // The few values each fresh key may take, for those the clause pins.
  std::map<std::string, const std::vector<codec::FieldValue>*> pinned_;
  bool seek_ = true;  // Every fresh key pinned, in few combinations.
  const std::vector<const BoundWhere*> on_records_;
  RecordCache& records_;
  std::vector<codec::FieldMap> scanned_;
  std::map<std::string, std::vector<const codec::FieldMap*>> by_shared_;
  std::map<std::string, std::vector<const codec::FieldMap*>> sought_;
  const std::vector<const codec::FieldMap*> none_;
};

}  // namespace

namespace {

// One element of the join, with the terms judged on its joined rows.
struct Stage {
  const DimensionElement* element;
  std::vector<std::string> element_keys;
  std::unique_ptr<Step> step;
  std::vector<const BoundWhere*> on_rows;
  bool prepared = false;
};

class Join {
 public:
  Join(const std::vector<std::string>& keys, std::vector<Stage> stages,
       std::vector<const BoundWhere*> rest, RecordCache& records, const JoinRowFn& fn)
      : keys_(keys),
        stages_(std::move(stages)),
        rest_(std::move(rest)),
        records_(records),
        fn_(fn) {}

  // Completes "row" from stage "depth" on; false once "fn" asks to stop.
  Result<bool> Extend(size_t depth, const codec::FieldMap& row) {
    if (depth == stages_.size()) {
      // Terms no step could take (those that read no key) judge the row made.
      STARLOG_ASSIGN_OR_RETURN(bool match, MatchesAll(rest_, row, records_));
      if (!match) return true;
      return fn_(codec::FieldMap(row));
    }
    Stage& stage = stages_[depth];
    // A scanned element is read when the first row reaches it: one no row
    // reaches (an earlier step matched nothing, or the caller stopped) is
    // never read.
    if (!stage.prepared) {
      STARLOG_RETURN_IF_ERROR(stage.step->Prepare());
      stage.prepared = true;
    }
    STARLOG_ASSIGN_OR_RETURN(const auto* matching, stage.step->Matching(row));
    const DimensionElement& e = *stage.element;
    for (const codec::FieldMap* r : *matching) {
      ++examined_;
      // A key the row has from elsewhere (implied by a record) must agree;
      // and an implied dimension's value is the one this record names (an
      // exposure's physical_filter), not every value there is.
      bool compatible = true;
      for (const std::string& k : stage.element_keys) {
        auto have = row.find(k);
        if (have != row.end() && have->second != r->at(k)) compatible = false;
      }
      for (const std::string& d : e.implies) {
        auto named = r->find(d);
        auto have = row.find(d);
        if (named != r->end() && have != row.end() && have->second != named->second) {
          compatible = false;
        }
      }
      if (!compatible) continue;
      codec::FieldMap joined = row;
      for (const std::string& k : stage.element_keys) joined.emplace(k, r->at(k));
      for (const std::string& d : e.implies) {
        auto named = r->find(d);
        if (named != r->end() && Wanted(d)) joined.emplace(d, named->second);
      }
      STARLOG_ASSIGN_OR_RETURN(bool match, MatchesAll(stage.on_rows, joined, records_));
      if (!match) continue;
      STARLOG_ASSIGN_OR_RETURN(bool more, Extend(depth + 1, joined));
      if (!more) return false;
    }
    return true;
  }

  uint64_t examined() const { return examined_; }

 private:
  bool Wanted(const std::string& k) const {
    return std::binary_search(keys_.begin(), keys_.end(), k);
  }

  const std::vector<std::string>& keys_;
  std::vector<Stage> stages_;
  const std::vector<const BoundWhere*> rest_;
  RecordCache& records_;
  const JoinRowFn& fn_;
  uint64_t examined_ = 0;
};

}  // namespace

Status JoinRecords(const RegistryView::Impl& view, const std::vector<std::string>& keys,
                   const BoundWhere& where, RecordCache& records, const JoinRowFn& fn) {
  const Universe& universe = view.universe();
  const std::vector<BoundWhere> terms = where.Conjuncts();
  std::vector<std::vector<std::string>> term_keys;
  for (const BoundWhere& t : terms) {
    STARLOG_ASSIGN_OR_RETURN(auto read, t.KeysRead(universe));
    term_keys.push_back(std::move(read));
  }
  std::vector<bool> applied(terms.size(), false);
  const auto candidates = where.KeyCandidates(kMaxSeeks);
  const auto wanted_key = [&](const std::string& k) {
    return std::binary_search(keys.begin(), keys.end(), k);
  };
  // Each element's step, and the terms it can judge, in the universe's order.
  std::vector<Stage> stages;
  std::set<std::string> bound;
  for (const DimensionElement& e : universe.elements()) {
    STARLOG_ASSIGN_OR_RETURN(auto element_keys, universe.RequiredKeys({e.name}));
    // A relation joins when every key it relates is asked for (visit and
    // exposure: visit_definition), as the butler's always_join elements.
    const bool wanted = e.join ? std::all_of(element_keys.begin(), element_keys.end(), wanted_key)
                               : wanted_key(e.name);
    if (!wanted) continue;
    std::set<std::string> after = bound;
    after.insert(element_keys.begin(), element_keys.end());
    std::vector<const BoundWhere*> on_records, on_rows;
    for (size_t i = 0; i < terms.size(); ++i) {
      if (applied[i] || !AllIn(term_keys[i], after)) continue;
      applied[i] = true;
      const std::set<std::string> own(element_keys.begin(), element_keys.end());
      (AllIn(term_keys[i], own) ? on_records : on_rows).push_back(&terms[i]);
    }
    auto step = std::make_unique<Step>(view, e, element_keys, bound, candidates,
                                       std::move(on_records), records);
    stages.push_back(Stage{&e, std::move(element_keys), std::move(step), std::move(on_rows)});
    bound = std::move(after);
  }
  std::vector<const BoundWhere*> rest;
  for (size_t i = 0; i < terms.size(); ++i) {
    if (!applied[i]) rest.push_back(&terms[i]);
  }
  Join join(keys, std::move(stages), std::move(rest), records, fn);
  auto done = join.Extend(0, codec::FieldMap());
  view.join_rows_examined.fetch_add(join.examined(), std::memory_order_relaxed);
  return done.status();
}

}  // namespace starlog::engine
