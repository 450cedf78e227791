// CompareContent (content_compare.h): family digests, then the content
// partitions, then a merge of the index ranges of only those that differ.

#include "starlog/engine/content_compare.h"

#include <algorithm>
#include <cassert>
#include <functional>
#include <map>
#include <optional>

#include "engine/model/registry_keys.h"
#include "engine/store/content_digest.h"
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

// The range that reads a family of definitions whole.
ContentRange DefinitionRange(Family family) {
  for (auto r = static_cast<uint8_t>(ContentRange::kSettings); r <= kLastContentRange; ++r) {
    const auto range = static_cast<ContentRange>(r);
    if (const auto f = RangeFamily(range); f.ok() && *f == family) return range;
  }
  assert(false);  // Callers pass one of kDefinitions, each read by a range.
  return ContentRange::kPolicy;
}

// One side's items a page at a time, so that memory stays bounded whatever
// the size of the range. "T" has a "key".
template <typename T>
class PagedCursor {
 public:
  using FetchFn = std::function<Result<Page<T>>(std::string_view after)>;
  explicit PagedCursor(FetchFn fetch) : fetch_(std::move(fetch)) {}

  Status Start() { return Fill(""); }
  bool done() const { return pos_ >= page_.items.size(); }
  const T& item() const { return page_.items[pos_]; }
  Status Next() {
    if (++pos_ < page_.items.size() || page_.last) return Status::OK();
    return Fill(std::string(page_.items.back().key));
  }

 private:
  Status Fill(const std::string& after) {
    STARLOG_ASSIGN_OR_RETURN(page_, fetch_(after));
    pos_ = 0;
    // A page that ends nothing and holds nothing would be asked for forever.
    if (page_.items.empty() && !page_.last) {
      return Status::Corruption("a page of no entries that is not the last");
    }
    return Status::OK();
  }

  FetchFn fetch_;
  Page<T> page_;
  size_t pos_ = 0;
};

using EntryCursor = PagedCursor<ContentEntry>;

EntryCursor CursorOver(ContentSource& source, ContentRange range, const std::string& prefix) {
  return EntryCursor([&source, range, prefix](std::string_view after) {
    return source.Entries(range, prefix, after, PageLimit{});
  });
}

// Calls "fn(key, here, there)" for each key under "prefix" whose entries
// differ ("same" decides), a null payload for a missing one, and
// "each(here, there)" for every entry found on both sides with an equal key.
using DiffFn =
    std::function<Status(std::string_view key, const std::string* here, const std::string* there)>;
using SameFn = std::function<bool(std::string_view a, std::string_view b)>;
using BothFn =
    std::function<Status(std::string_view key, std::string_view here, std::string_view there)>;

Status MergeRange(ContentSource& here, ContentSource& there, ContentRange range,
                  const std::string& prefix, const SameFn& same, const DiffFn& fn,
                  const BothFn& both = nullptr) {
  EntryCursor a = CursorOver(here, range, prefix);
  EntryCursor b = CursorOver(there, range, prefix);
  STARLOG_RETURN_IF_ERROR(a.Start());
  STARLOG_RETURN_IF_ERROR(b.Start());
  while (!a.done() || !b.done()) {
    if (b.done() || (!a.done() && a.item().key < b.item().key)) {
      STARLOG_RETURN_IF_ERROR(fn(a.item().key, &a.item().payload, nullptr));
      STARLOG_RETURN_IF_ERROR(a.Next());
    } else if (a.done() || b.item().key < a.item().key) {
      STARLOG_RETURN_IF_ERROR(fn(b.item().key, nullptr, &b.item().payload));
      STARLOG_RETURN_IF_ERROR(b.Next());
    } else {
      const ContentEntry& x = a.item();
      const ContentEntry& y = b.item();
      if (!same(x.payload, y.payload)) {
        STARLOG_RETURN_IF_ERROR(fn(x.key, &x.payload, &y.payload));
      } else if (both) {
        STARLOG_RETURN_IF_ERROR(both(x.key, x.payload, y.payload));
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

// Index keys hold a data ID's values without their names (format 2): a
// dataset type's dimensions, or an element, give them through the universe.
// This reads one side's universe and dataset types from its definitions, the
// first time a difference must be named, so that a comparison that finds none
// reads no definitions at all.
class KeyNamer {
 public:
  explicit KeyNamer(ContentSource& source) : source_(source) {}

  // The keys of a data ID of dataset type "type", in key order.
  Result<std::vector<std::string>> OfType(const std::string& type) {
    STARLOG_RETURN_IF_ERROR(Load());
    const auto it = type_dimensions_.find(type);
    if (it == type_dimensions_.end()) {
      return Status::Corruption("an entry of dataset type " + codec::Quoted(type) +
                                ", which the repository holding it does not define");
    }
    return universe_->RequiredKeys(it->second);
  }
  // The keys of a record of "element".
  Result<std::vector<std::string>> OfElement(const std::string& element) {
    STARLOG_RETURN_IF_ERROR(Load());
    return universe_->RequiredKeys({element});
  }

 private:
  Status Load() {
    if (universe_) return Status::OK();
    const std::string universe_key = keys::Setting(keys::kUniverseSetting);
    std::optional<std::string> text;
    EntryCursor settings = CursorOver(source_, ContentRange::kSettings, "");
    STARLOG_RETURN_IF_ERROR(settings.Start());
    while (!settings.done()) {
      if (settings.item().key == universe_key) text = settings.item().payload;
      STARLOG_RETURN_IF_ERROR(settings.Next());
    }
    if (!text) return Status::Corruption("a repository without its universe setting");
    STARLOG_ASSIGN_OR_RETURN(Universe universe, Universe::Parse(*text));
    EntryCursor types = CursorOver(source_, ContentRange::kDatasetTypes, "");
    STARLOG_RETURN_IF_ERROR(types.Start());
    while (!types.done()) {
      STARLOG_ASSIGN_OR_RETURN(std::string name, KeyReader(types.item().key).String());
      STARLOG_ASSIGN_OR_RETURN(auto type, keys::DecodeDatasetType(types.item().payload));
      type_dimensions_[name] = std::move(type.dimensions);
      STARLOG_RETURN_IF_ERROR(types.Next());
    }
    universe_.emplace(std::move(universe));
    return Status::OK();
  }

  ContentSource& source_;
  std::optional<Universe> universe_;
  std::map<std::string, std::vector<std::string>> type_dimensions_;
};

class Comparison {
 public:
  Comparison(ContentSource& here, ContentSource& there, const ContentOptions& options,
             ContentReport* report)
      : here_(here),
        there_(there),
        here_names_(here),
        there_names_(there),
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
    for (const auto& range_family :
         {std::pair{ContentRange::kDatasets, Family::kDatasets},
          std::pair{ContentRange::kTags, Family::kTags},
          std::pair{ContentRange::kCalibrations, Family::kCalibrations}}) {
      // Not a structured binding: clang 14 (the fuzz build) lets no lambda capture one.
      const ContentRange range = range_family.first;
      const Family family = range_family.second;
      const char* kind = family == Family::kDatasets ? "RUN"
                         : family == Family::kTags   ? "TAGGED"
                                                     : "CALIBRATION";
      const auto diff = [&](std::string_view k, const std::string* a,
                            const std::string* b) -> Status {
        if (a) sums[0] = sums[0] + EntryHash(family, k, *a);
        if (b) sums[1] = sums[1] + EntryHash(family, k, *b);
        STARLOG_ASSIGN_OR_RETURN(ContentDifference d,
                                 Membership(kind, k, a ? here_names_ : there_names_));
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
      STARLOG_RETURN_IF_ERROR(MergeRange(here_, there_, range, prefix, SameBytes, diff, both));
    }
    // What is left of each partition's digest is its datasets' files: read
    // them only if those differ.
    if (here_part.digest - sums[0] == there_part.digest - sums[1]) return Status::OK();
    // A files entry is the dataset's uuid, then its artifact entry if any:
    // a dataset only one side has, or with another uuid, is a membership
    // difference, named above.
    const auto files = [&](std::string_view k, const std::string* a,
                           const std::string* b) -> Status {
      if (a == nullptr || b == nullptr || a->size() < 16 || b->size() < 16 ||
          a->compare(0, 16, *b, 0, 16) != 0) {
        return Status::OK();
      }
      STARLOG_ASSIGN_OR_RETURN(ContentDifference d, Membership("file", k, here_names_));
      STARLOG_ASSIGN_OR_RETURN(codec::Uuid id, keys::DecodeUuid(a->substr(0, 16)));
      for (auto [payload, side] : {std::pair{a, &d.here}, std::pair{b, &d.there}}) {
        ContentSide s;
        s.id = id;
        if (payload->size() > 16) {
          STARLOG_ASSIGN_OR_RETURN(codec::Artifact artifact,
                                   keys::DecodeArtifact(std::string_view(*payload).substr(16)));
          s.detail = DescribeArtifact(artifact);
        } else {
          s.detail = "no file";
        }
        *side = std::move(s);
      }
      Add(std::move(d));
      return Status::OK();
    };
    return MergeRange(here_, there_, ContentRange::kFiles, prefix, SameBytes, files);
  }

  // The records of one element: "prefix" is S(element).
  Status Records(const std::string& prefix) {
    return MergeRange(
        here_, there_, ContentRange::kRecords, prefix, SameRecord,
        [&](std::string_view k, const std::string* a, const std::string* b) {
          ContentDifference d;
          d.kind = "record";
          KeyReader r(k);
          STARLOG_ASSIGN_OR_RETURN(d.collection, r.String());
          STARLOG_ASSIGN_OR_RETURN(std::string key_values, r.String());
          // The key holds the values; the universe of the side holding it names them.
          STARLOG_ASSIGN_OR_RETURN(auto key_names,
                                   (a ? here_names_ : there_names_).OfElement(d.collection));
          STARLOG_ASSIGN_OR_RETURN(d.data_id, DecodeDataIdValues(key_values, key_names));
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
        here_, there_, DefinitionRange(family), "", SameBytes,
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
  // The collection, type and data ID of a datasets, tags or calibrations key,
  // its data ID named by "names", of a side holding it.
  static Result<ContentDifference> Membership(const char* kind, std::string_view k,
                                              KeyNamer& names) {
    ContentDifference d;
    d.kind = kind;
    KeyReader r(k);
    STARLOG_ASSIGN_OR_RETURN(d.collection, r.String());
    STARLOG_ASSIGN_OR_RETURN(d.dataset_type, r.String());
    STARLOG_ASSIGN_OR_RETURN(std::string data_id, r.String());
    STARLOG_ASSIGN_OR_RETURN(auto key_names, names.OfType(d.dataset_type));
    STARLOG_ASSIGN_OR_RETURN(d.data_id, DecodeDataIdValues(data_id, key_names));
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

  ContentSource& here_;
  ContentSource& there_;
  KeyNamer here_names_;
  KeyNamer there_names_;
  const ContentOptions& options_;
  ContentReport& report_;
};

Result<PartDifference> DescribePart(const std::string& meta_key, const PartStats& a,
                                    const PartStats& b) {
  PartDifference p;
  p.record = meta_key.compare(0, kMetaRecordDigestPrefix.size(), kMetaRecordDigestPrefix) == 0;
  if (!p.record &&
      meta_key.compare(0, kMetaCollectionDigestPrefix.size(), kMetaCollectionDigestPrefix) != 0) {
    return Status::Corruption("a content partition of unknown kind");
  }
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

// A family's stats in a summary, by name; none if the source lacks it.
FamilyStats StatsOf(const ContentSummary& summary, std::string_view name) {
  for (const FamilyStats& f : summary.families) {
    if (f.name == name) return f;
  }
  return FamilyStats{std::string(name), 0, {}};
}

using PartCursor = PagedCursor<ContentPart>;

PartCursor PartsOf(ContentSource& source) {
  return PartCursor([&source](std::string_view after) { return source.Parts(after, PageLimit{}); });
}

}  // namespace

Result<ContentReport> CompareContent(ContentSource& here, ContentSource& there,
                                     const ContentOptions& options) {
  ContentReport report;
  report.here_head = here.summary().head;
  report.there_head = there.summary().head;
  report.here_scanned = here.summary().scanned;
  report.there_scanned = there.summary().scanned;
  std::vector<Family> differing;
  for (int i = kFirstIndexFamily; i < kFamilyCount; ++i) {
    const auto f = static_cast<Family>(i);
    if (f == Family::kSnapshots || f == Family::kDimensionRecords) continue;  // Of one lineage.
    const FamilyStats x = StatsOf(here.summary(), FamilyName(f));
    const FamilyStats y = StatsOf(there.summary(), FamilyName(f));
    if (x.live_entries == y.live_entries && x.digest == y.digest) continue;
    differing.push_back(f);
    report.families.push_back(x.name);
  }
  Comparison compare(here, there, options, &report);
  // Both sides' partitions in key order: a merge.
  PartCursor x = PartsOf(here);
  PartCursor y = PartsOf(there);
  STARLOG_RETURN_IF_ERROR(x.Start());
  STARLOG_RETURN_IF_ERROR(y.Start());
  bool memberships_differ = false;
  const PartStats none;
  while (!x.done() || !y.done()) {
    const bool take_x = y.done() || (!x.done() && x.item().key <= y.item().key);
    const bool take_y = x.done() || (!y.done() && y.item().key <= x.item().key);
    const std::string key = take_x ? x.item().key : y.item().key;
    const PartStats p = take_x ? PartStats{x.item().entries, x.item().digest} : none;
    const PartStats q = take_y ? PartStats{y.item().entries, y.item().digest} : none;
    if (take_x) STARLOG_RETURN_IF_ERROR(x.Next());
    if (take_y) STARLOG_RETURN_IF_ERROR(y.Next());
    if (p.entries == q.entries && p.digest == q.digest) continue;
    STARLOG_ASSIGN_OR_RETURN(PartDifference part, DescribePart(key, p, q));
    const std::string range = key.substr(part.record ? kMetaRecordDigestPrefix.size()
                                                     : kMetaCollectionDigestPrefix.size());
    if (part.record) {
      STARLOG_RETURN_IF_ERROR(compare.Records(range));
    } else {
      memberships_differ = true;
      STARLOG_RETURN_IF_ERROR(compare.Memberships(range, p, q));
    }
    ++report.differing_parts;
    if (report.parts.size() < kMaxListedParts) report.parts.push_back(std::move(part));
  }
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
  report.agree = report.families.empty() && report.differing_parts == 0;
  return report;
}

Result<ContentReport> CompareContent(const EventStore& here, const EventStore& there,
                                     const ContentOptions& options) {
  STARLOG_ASSIGN_OR_RETURN(auto mine, OpenContentSource(here));
  STARLOG_ASSIGN_OR_RETURN(auto theirs, OpenContentSource(there));
  return CompareContent(*mine, *theirs, options);
}

}  // namespace starlog::engine
