// CompareContent (content_compare.h): family digests, then the content
// partitions, then a merge of the index ranges of only those that differ.

#include "starlog/engine/content_compare.h"

#include <algorithm>
#include <functional>

#include "engine/model/registry_keys.h"
#include "engine/store/content_digest.h"
#include "engine/store/event_store_impl.h"
#include "engine/store/key_coder.h"
#include "engine/store/versioned_index.h"
#include "starlog/codec/data_id.h"
#include "starlog/codec/text.h"
#include "starlog/engine/universe.h"

namespace starlog::engine {

namespace {

// Families located by the partitions, and families derived from others
// (their differences follow those of the families they index).
constexpr Family kPartitioned[] = {Family::kDatasets, Family::kTags, Family::kCalibrations,
                                   Family::kArtifacts, Family::kDimensionRecords};
constexpr Family kDerived[] = {Family::kDatasetIds, Family::kDatasetLookup, Family::kDatasetTags,
                               Family::kChainParents};
// Definitions: small, compared whole when their digests differ.
constexpr Family kDefinitions[] = {Family::kSettings, Family::kCollections, Family::kChains,
                                   Family::kDatasetTypes, Family::kPolicy};

template <size_t N>
bool In(Family f, const Family (&set)[N]) {
  return std::find(std::begin(set), std::end(set), f) != std::end(set);
}

// A merge of one family's range in both repositories, a chunk at a time,
// so that memory stays bounded whatever the size of the range.
class RangeCursor {
 public:
  RangeCursor(const IndexReader& reader, Family family, std::string prefix)
      : reader_(reader), family_(family), prefix_(std::move(prefix)), resume_(prefix_) {}

  Status Start() { return Fill(); }
  bool done() const { return pos_ >= chunk_.size(); }
  const IndexReader::Entry& entry() const { return chunk_[pos_]; }
  Status Next() {
    if (++pos_ < chunk_.size() || exhausted_) return Status::OK();
    return Fill();
  }

 private:
  static constexpr size_t kChunk = 4096;

  Status Fill() {
    chunk_.clear();
    pos_ = 0;
    STARLOG_RETURN_IF_ERROR(
        reader_.ScanFrom(family_, prefix_, resume_, [&](std::string_view k, std::string_view v) {
          chunk_.push_back({std::string(k), std::string(v)});
          return chunk_.size() < kChunk;
        }));
    exhausted_ = chunk_.size() < kChunk;
    // Past every version of the last key: no logical key is a prefix of
    // another, and no version suffix is all 0xff (sequence 0 is no event).
    if (!chunk_.empty()) resume_ = chunk_.back().logical_key + std::string(8, '\xff');
    return Status::OK();
  }

  const IndexReader& reader_;
  Family family_;
  std::string prefix_;
  std::string resume_;
  std::vector<IndexReader::Entry> chunk_;
  size_t pos_ = 0;
  bool exhausted_ = false;
};

// Calls "fn(key, here, there)" for each logical key under "prefix" whose
// entries differ ("same" decides), a null payload for a missing one, and
// "each(here, there)" for every entry found on both sides with an equal key.
using DiffFn =
    std::function<Status(std::string_view key, const std::string* here, const std::string* there)>;
using SameFn = std::function<bool(std::string_view a, std::string_view b)>;
using BothFn =
    std::function<Status(std::string_view key, std::string_view here, std::string_view there)>;

Status MergeRange(const IndexReader& here, const IndexReader& there, Family family,
                  const std::string& prefix, const SameFn& same, const DiffFn& fn,
                  const BothFn& both = nullptr) {
  RangeCursor a(here, family, prefix), b(there, family, prefix);
  STARLOG_RETURN_IF_ERROR(a.Start());
  STARLOG_RETURN_IF_ERROR(b.Start());
  while (!a.done() || !b.done()) {
    if (b.done() || (!a.done() && a.entry().logical_key < b.entry().logical_key)) {
      STARLOG_RETURN_IF_ERROR(fn(a.entry().logical_key, &a.entry().payload, nullptr));
      STARLOG_RETURN_IF_ERROR(a.Next());
    } else if (a.done() || b.entry().logical_key < a.entry().logical_key) {
      STARLOG_RETURN_IF_ERROR(fn(b.entry().logical_key, nullptr, &b.entry().payload));
      STARLOG_RETURN_IF_ERROR(b.Next());
    } else {
      const IndexReader::Entry& x = a.entry();
      const IndexReader::Entry& y = b.entry();
      if (!same(x.payload, y.payload)) {
        STARLOG_RETURN_IF_ERROR(fn(x.logical_key, &x.payload, &y.payload));
      } else if (both) {
        STARLOG_RETURN_IF_ERROR(both(x.logical_key, x.payload, y.payload));
      }
      STARLOG_RETURN_IF_ERROR(a.Next());
      STARLOG_RETURN_IF_ERROR(b.Next());
    }
  }
  return Status::OK();
}

bool SameBytes(std::string_view a, std::string_view b) { return a == b; }
bool SameRecord(std::string_view a, std::string_view b) {
  return a.size() >= kRecordOrdinalBytes && b.size() >= kRecordOrdinalBytes &&
         a.substr(kRecordOrdinalBytes) == b.substr(kRecordOrdinalBytes);
}

std::string DescribeArtifact(const codec::Artifact& a) {
  std::string out =
      a.path + " (" + std::to_string(a.size) + " bytes, XXH3-128 " + a.checksum.ToHex() + ")";
  if (a.hdu != 0) out += " HDU " + std::to_string(a.hdu);
  return out;
}

// What a definition's value says, for a person.
std::string DescribeDefinition(Family family, std::string_view payload) {
  if (family == Family::kCollections) {
    if (auto c = keys::DecodeCollection(payload); c.ok()) {
      std::string out = std::string(codec::CollectionTypeName(c->type));
      if (!c->doc.empty()) out += ", doc " + codec::Quoted(c->doc);
      return out;
    }
  } else if (family == Family::kChains) {
    if (auto children = keys::DecodeChildren(payload); children.ok()) {
      std::string out = "[";
      for (size_t i = 0; i < children->size(); ++i) out += (i ? ", " : "") + (*children)[i];
      return out + "]";
    }
  } else if (family == Family::kDatasetTypes) {
    if (auto t = keys::DecodeDatasetType(payload); t.ok()) {
      std::string out = t->storage_class + " {";
      for (size_t i = 0; i < t->dimensions.size(); ++i) out += (i ? ", " : "") + t->dimensions[i];
      return out + "}" + (t->is_calibration ? ", calibration" : "");
    }
  }
  return std::to_string(payload.size()) + " bytes, XXH3-128 " + codec::Xxh3_128(payload).ToHex();
}

class Comparison {
 public:
  Comparison(const EventStoreImpl& here, const EventStoreImpl& there, const ContentOptions& options,
             ContentReport* report)
      : here_(here.handles(), kLatest),
        there_(there.handles(), kLatest),
        options_(options),
        report_(*report) {}

  void Add(ContentDifference d) {
    ++report_.differences;
    if (report_.entries.size() < options_.limit) report_.entries.push_back(std::move(d));
  }

  // The entries of one (collection, type) partition: "prefix" is S(c) S(t).
  Status Memberships(const std::string& prefix, const PartStats& here_part,
                     const PartStats& there_part) {
    codec::Hash128 sums[2];
    for (Family family : {Family::kDatasets, Family::kTags, Family::kCalibrations}) {
      const char* kind = family == Family::kDatasets ? "RUN"
                         : family == Family::kTags   ? "TAGGED"
                                                     : "CALIBRATION";
      const auto diff = [&](std::string_view k, const std::string* a,
                            const std::string* b) -> Status {
        if (a) sums[0] = sums[0] + EntryHash(family, k, *a);
        if (b) sums[1] = sums[1] + EntryHash(family, k, *b);
        STARLOG_ASSIGN_OR_RETURN(ContentDifference d, Membership(kind, k));
        for (auto [payload, side] : {std::pair{a, &d.here}, std::pair{b, &d.there}}) {
          if (payload == nullptr) continue;
          STARLOG_ASSIGN_OR_RETURN(*side, MembershipSide(family, k, *payload));
        }
        Add(std::move(d));
        return Status::OK();
      };
      const auto both = [&](std::string_view k, std::string_view a, std::string_view) {
        const codec::Hash128 h = EntryHash(family, k, a);
        sums[0] = sums[0] + h;
        sums[1] = sums[1] + h;
        return Status::OK();
      };
      STARLOG_RETURN_IF_ERROR(MergeRange(here_, there_, family, prefix, SameBytes, diff, both));
    }
    // What is left of each partition's digest is its datasets' files: read
    // them only if those differ.
    if (here_part.digest - sums[0] == there_part.digest - sums[1]) return Status::OK();
    const auto files = [&](std::string_view k, std::string_view a, std::string_view) -> Status {
      STARLOG_ASSIGN_OR_RETURN(auto mine, here_.Get(Family::kArtifacts, a));
      STARLOG_ASSIGN_OR_RETURN(auto theirs, there_.Get(Family::kArtifacts, a));
      if (mine == theirs) return Status::OK();
      STARLOG_ASSIGN_OR_RETURN(ContentDifference d, Membership("file", k));
      STARLOG_ASSIGN_OR_RETURN(codec::Uuid id, keys::DecodeUuid(a));
      for (auto [payload, side] : {std::pair{&mine, &d.here}, std::pair{&theirs, &d.there}}) {
        ContentSide s;
        s.id = id;
        if (*payload) {
          STARLOG_ASSIGN_OR_RETURN(codec::Artifact artifact, keys::DecodeArtifact(**payload));
          s.detail = DescribeArtifact(artifact);
        } else {
          s.detail = "no file";
        }
        *side = std::move(s);
      }
      Add(std::move(d));
      return Status::OK();
    };
    const auto ignore = [](std::string_view, const std::string*, const std::string*) {
      return Status::OK();
    };
    return MergeRange(here_, there_, Family::kDatasets, prefix, SameBytes, ignore, files);
  }

  // The records of one element: "prefix" is S(element).
  Status Records(const std::string& prefix) {
    return MergeRange(
        here_, there_, Family::kDimensionRecords, prefix, SameRecord,
        [&](std::string_view k, const std::string* a, const std::string* b) {
          ContentDifference d;
          d.kind = "record";
          KeyReader r(k);
          STARLOG_ASSIGN_OR_RETURN(d.collection, r.String());
          STARLOG_ASSIGN_OR_RETURN(std::string key_values, r.String());
          STARLOG_ASSIGN_OR_RETURN(d.data_id, DecodeDataId(key_values));
          for (auto [payload, side] : {std::pair{a, &d.here}, std::pair{b, &d.there}}) {
            if (payload == nullptr) continue;
            STARLOG_ASSIGN_OR_RETURN(auto record, keys::DecodeDimensionRecord(*payload));
            *side = ContentSide{{}, {}, codec::FieldMapToString(record.record)};
          }
          Add(std::move(d));
          return Status::OK();
        });
  }

  // A whole family of definitions, keyed by S(name) (the policy's one raw key).
  Status Definitions(Family family) {
    return MergeRange(
        here_, there_, family, "", SameBytes,
        [&](std::string_view k, const std::string* a, const std::string* b) {
          ContentDifference d;
          d.kind = std::string(FamilyName(family));
          if (family == Family::kPolicy) {
            d.collection = std::string(k);
          } else {
            STARLOG_ASSIGN_OR_RETURN(d.collection, KeyReader(k).String());
          }
          for (auto [payload, side] : {std::pair{a, &d.here}, std::pair{b, &d.there}}) {
            if (payload) *side = ContentSide{{}, {}, DescribeDefinition(family, *payload)};
          }
          Add(std::move(d));
          return Status::OK();
        });
  }

 private:
  // The collection, type and data ID of a datasets, tags or calibrations key.
  static Result<ContentDifference> Membership(const char* kind, std::string_view k) {
    ContentDifference d;
    d.kind = kind;
    KeyReader r(k);
    STARLOG_ASSIGN_OR_RETURN(d.collection, r.String());
    STARLOG_ASSIGN_OR_RETURN(d.dataset_type, r.String());
    STARLOG_ASSIGN_OR_RETURN(std::string data_id, r.String());
    STARLOG_ASSIGN_OR_RETURN(d.data_id, DecodeDataId(data_id));
    return d;
  }

  static Result<ContentSide> MembershipSide(Family family, std::string_view k,
                                            std::string_view payload) {
    ContentSide s;
    if (family == Family::kCalibrations) {
      STARLOG_ASSIGN_OR_RETURN(auto v, keys::DecodeCalibrationValidity(k, payload));
      s.id = v.id;
      s.validity = v.validity;
    } else {
      STARLOG_ASSIGN_OR_RETURN(s.id, keys::DecodeUuid(payload));
    }
    return s;
  }

  IndexReader here_;
  IndexReader there_;
  const ContentOptions& options_;
  ContentReport& report_;
};

Result<PartDifference> DescribePart(const std::string& meta_key, const PartStats& a,
                                    const PartStats& b) {
  PartDifference p;
  p.record = meta_key.compare(0, kMetaRecordDigestPrefix.size(), kMetaRecordDigestPrefix) == 0;
  KeyReader r(std::string_view(meta_key).substr(p.record ? kMetaRecordDigestPrefix.size()
                                                         : kMetaCollectionDigestPrefix.size()));
  STARLOG_ASSIGN_OR_RETURN(p.collection, r.String());
  if (!p.record) {
    STARLOG_ASSIGN_OR_RETURN(p.dataset_type, r.String());
  }
  p.here_entries = a.entries;
  p.there_entries = b.entries;
  return p;
}

}  // namespace

Result<ContentReport> CompareContent(const EventStore& here_store, const EventStore& there_store,
                                     const ContentOptions& options) {
  // Every EventStore is an EventStoreImpl (event_store_open.cc makes them).
  const auto& here = static_cast<const EventStoreImpl&>(here_store);
  const auto& there = static_cast<const EventStoreImpl&>(there_store);
  ContentReport report;
  report.here_head = here.head().sequence;
  report.there_head = there.head().sequence;
  STARLOG_ASSIGN_OR_RETURN(RepositoryInfo a, here.Info());
  STARLOG_ASSIGN_OR_RETURN(RepositoryInfo b, there.Info());
  std::vector<Family> differing;
  for (int i = kFirstIndexFamily; i < kFamilyCount; ++i) {
    const auto f = static_cast<Family>(i);
    if (f == Family::kSnapshots || f == Family::kDimensionRecords) continue;  // Of one lineage.
    const FamilyStats& x = a.families[static_cast<size_t>(i - kFirstIndexFamily)];
    const FamilyStats& y = b.families[static_cast<size_t>(i - kFirstIndexFamily)];
    if (x.live_entries == y.live_entries && x.digest == y.digest) continue;
    differing.push_back(f);
    report.families.push_back(x.name);
  }
  STARLOG_ASSIGN_OR_RETURN(PartMap mine, here.ContentParts(&report.here_scanned));
  STARLOG_ASSIGN_OR_RETURN(PartMap theirs, there.ContentParts(&report.there_scanned));
  Comparison compare(here, there, options, &report);
  // Both maps in key order: a merge.
  auto x = mine.begin();
  auto y = theirs.begin();
  const PartStats none;
  while (x != mine.end() || y != theirs.end()) {
    const bool take_x = y == theirs.end() || (x != mine.end() && x->first <= y->first);
    const bool take_y = x == mine.end() || (y != theirs.end() && y->first <= x->first);
    const std::string& key = take_x ? x->first : y->first;
    const PartStats& p = take_x ? x->second : none;
    const PartStats& q = take_y ? y->second : none;
    if (take_x) ++x;
    if (take_y) ++y;
    if (p.entries == q.entries && p.digest == q.digest) continue;
    STARLOG_ASSIGN_OR_RETURN(PartDifference part, DescribePart(key, p, q));
    const std::string range = key.substr(part.record ? kMetaRecordDigestPrefix.size()
                                                     : kMetaCollectionDigestPrefix.size());
    if (part.record) {
      STARLOG_RETURN_IF_ERROR(compare.Records(range));
    } else {
      STARLOG_RETURN_IF_ERROR(compare.Memberships(range, p, q));
    }
    report.parts.push_back(std::move(part));
  }
  bool memberships_differ = false;
  for (const PartDifference& p : report.parts) memberships_differ |= !p.record;
  const bool chains_differ =
      std::find(differing.begin(), differing.end(), Family::kChains) != differing.end();
  for (Family f : differing) {
    if (In(f, kDefinitions)) {
      STARLOG_RETURN_IF_ERROR(compare.Definitions(f));
      continue;
    }
    // A derived index differs with what it indexes; alone, it is damage.
    const bool explained = f == Family::kChainParents ? chains_differ : memberships_differ;
    if (!explained && (In(f, kPartitioned) || In(f, kDerived))) {
      report.notes.push_back("the " + std::string(FamilyName(f)) +
                             " index differs though what it indexes agrees");
    }
  }
  if (!report.notes.empty()) {
    report.notes.push_back(
        "an index may be damaged: run `starlog verify --recompute` and `starlog rebuild`");
  }
  report.agree = report.families.empty() && report.parts.empty();
  return report;
}

}  // namespace starlog::engine
