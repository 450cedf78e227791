#include "starlog/codec/event_text.h"

#include <type_traits>

#include "starlog/codec/time_format.h"

namespace starlog::codec {

namespace {

template <class>
[[maybe_unused]] inline constexpr bool kAlwaysFalse = false;

std::string Join(const std::vector<std::string>& items) {
  std::string out;
  for (const std::string& s : items) {
    if (!out.empty()) out += ", ";
    out += s;
  }
  return out;
}

std::string Plural(size_t n, std::string_view word) {
  return std::to_string(n) + " " + std::string(word) + (n == 1 ? "" : "s");
}

void WriteFields(const FieldMap& fields, JsonWriter* j) {
  j->BeginObject();
  for (const auto& [k, v] : fields) {
    j->Key(k);
    if (const auto* s = std::get_if<std::string>(&v)) {
      j->String(*s);
    } else {
      j->Int(std::get<int64_t>(v));
    }
  }
  j->EndObject();
}

void WriteStrings(const std::vector<std::string>& v, JsonWriter* j) {
  j->BeginArray();
  for (const auto& s : v) j->String(s);
  j->EndArray();
}

void WriteUuids(const std::vector<Uuid>& v, JsonWriter* j) {
  j->BeginArray();
  for (const auto& u : v) j->String(u.ToString());
  j->EndArray();
}

void WriteArtifact(const Artifact& a, JsonWriter* j) {
  j->BeginObject().Key("path").String(a.path).Key("size").Uint(a.size);
  j->Key("checksum").String(a.checksum.ToHex());
  if (a.hdu != 0) j->Key("hdu").Uint(a.hdu);
  j->EndObject();
}

void WriteTimespan(const Timespan& t, JsonWriter* j) {
  j->BeginObject().Key("begin");
  if (t.begin == kUnboundedBegin) {
    j->Null();
  } else {
    j->Int(t.begin);
  }
  j->Key("end");
  if (t.end == kUnboundedEnd) {
    j->Null();
  } else {
    j->Int(t.end);
  }
  j->EndObject();
}

}  // namespace

std::string TimespanToString(const Timespan& span) {
  std::string out = "[";
  out += span.begin == kUnboundedBegin ? "-inf" : FormatIsoTime(span.begin);
  out += ", ";
  out += span.end == kUnboundedEnd ? "+inf" : FormatIsoTime(span.end);
  out += ")";
  return out;
}

std::string DescribeEventBody(const EventBody& body) {
  return std::visit(
      [](const auto& e) -> std::string {
        using T = std::decay_t<decltype(e)>;
        if constexpr (std::is_same_v<T, InitRepository>) {
          return "repository " + e.repository_id.ToString() + ", format " +
                 std::to_string(e.format_version);
        } else if constexpr (std::is_same_v<T, CreateCollection>) {
          return std::string(CollectionTypeName(e.type)) + " " + e.name +
                 (e.doc.empty() ? "" : " (" + e.doc + ")");
        } else if constexpr (std::is_same_v<T, RemoveCollection>) {
          return e.name + (e.with_datasets ? " with its datasets" : "");
        } else if constexpr (std::is_same_v<T, SetChain>) {
          return e.name + " = [" + Join(e.children) + "]";
        } else if constexpr (std::is_same_v<T, RegisterDatasetType>) {
          return e.name + "(" + Join(e.dimensions) + ") " + e.storage_class +
                 (e.is_calibration ? " calibration" : "");
        } else if constexpr (std::is_same_v<T, RemoveDatasetType>) {
          return e.name;
        } else if constexpr (std::is_same_v<T, InsertDimensionRecords>) {
          return Plural(e.records.size(), "record") + " of " + e.element +
                 (e.replace ? " (replace)" : "");
        } else if constexpr (std::is_same_v<T, RegisterDatasets>) {
          return Plural(e.datasets.size(), "dataset") + " of " + e.dataset_type + " into " + e.run;
        } else if constexpr (std::is_same_v<T, RemoveDatasets>) {
          return Plural(e.ids.size(), "dataset");
        } else if constexpr (std::is_same_v<T, AttachArtifacts>) {
          return Plural(e.artifacts.size(), "artifact");
        } else if constexpr (std::is_same_v<T, DetachArtifacts>) {
          return Plural(e.ids.size(), "artifact");
        } else if constexpr (std::is_same_v<T, Tag>) {
          return Plural(e.ids.size(), "dataset") + " into " + e.collection;
        } else if constexpr (std::is_same_v<T, Untag>) {
          return Plural(e.ids.size(), "dataset") + " from " + e.collection;
        } else if constexpr (std::is_same_v<T, Certify>) {
          return Plural(e.entries.size(), "dataset") + " of " + e.dataset_type + " in " +
                 e.collection;
        } else if constexpr (std::is_same_v<T, Decertify>) {
          return e.dataset_type + " in " + e.collection + " over " + TimespanToString(e.span);
        } else if constexpr (std::is_same_v<T, CreateSnapshot>) {
          return e.name + " at " + std::to_string(e.sequence);
        } else if constexpr (std::is_same_v<T, SetPolicy>) {
          return Plural(e.roles.size(), "role") + ", " + Plural(e.rules.size(), "rule");
        } else {
          static_assert(kAlwaysFalse<T>, "every event type needs a description");
        }
      },
      body);
}

void WriteEventJson(const Event& event, JsonWriter* j) {
  j->BeginObject();
  j->Key("sequence").Uint(event.sequence);
  j->Key("commit_time").String(FormatIsoTime(event.commit_time_ns) + "Z");
  j->Key("commit_time_ns").Int(event.commit_time_ns);
  j->Key("actor").String(event.actor);
  if (!event.via.empty()) j->Key("via").String(event.via);
  j->Key("type").String(EventTypeName(event.type()));
  j->Key("body");
  std::visit(
      [j](const auto& e) {
        using T = std::decay_t<decltype(e)>;
        j->BeginObject();
        if constexpr (std::is_same_v<T, InitRepository>) {
          j->Key("repository_id").String(e.repository_id.ToString());
          j->Key("format_version").Uint(e.format_version);
          j->Key("universe").String(e.universe);
        } else if constexpr (std::is_same_v<T, CreateCollection>) {
          j->Key("name").String(e.name).Key("type").String(CollectionTypeName(e.type));
          j->Key("doc").String(e.doc);
        } else if constexpr (std::is_same_v<T, RemoveCollection>) {
          j->Key("name").String(e.name).Key("with_datasets").Bool(e.with_datasets);
        } else if constexpr (std::is_same_v<T, SetChain>) {
          j->Key("name").String(e.name).Key("children");
          WriteStrings(e.children, j);
        } else if constexpr (std::is_same_v<T, RegisterDatasetType>) {
          j->Key("name").String(e.name).Key("dimensions");
          WriteStrings(e.dimensions, j);
          j->Key("storage_class").String(e.storage_class);
          j->Key("is_calibration").Bool(e.is_calibration);
        } else if constexpr (std::is_same_v<T, RemoveDatasetType>) {
          j->Key("name").String(e.name);
        } else if constexpr (std::is_same_v<T, InsertDimensionRecords>) {
          j->Key("element").String(e.element).Key("replace").Bool(e.replace).Key("records");
          j->BeginArray();
          for (const auto& r : e.records) WriteFields(r, j);
          j->EndArray();
        } else if constexpr (std::is_same_v<T, RegisterDatasets>) {
          j->Key("run").String(e.run).Key("dataset_type").String(e.dataset_type);
          j->Key("datasets").BeginArray();
          for (const auto& d : e.datasets) {
            j->BeginObject().Key("id").String(d.id.ToString()).Key("data_id");
            WriteFields(d.data_id, j);
            if (d.artifact) {
              j->Key("artifact");
              WriteArtifact(*d.artifact, j);
            }
            j->EndObject();
          }
          j->EndArray();
        } else if constexpr (std::is_same_v<T, RemoveDatasets> ||
                             std::is_same_v<T, DetachArtifacts>) {
          j->Key("ids");
          WriteUuids(e.ids, j);
        } else if constexpr (std::is_same_v<T, AttachArtifacts>) {
          j->Key("artifacts").BeginArray();
          for (const auto& a : e.artifacts) {
            j->BeginObject().Key("id").String(a.id.ToString()).Key("artifact");
            WriteArtifact(a.artifact, j);
            j->EndObject();
          }
          j->EndArray();
        } else if constexpr (std::is_same_v<T, Tag> || std::is_same_v<T, Untag>) {
          j->Key("collection").String(e.collection).Key("ids");
          WriteUuids(e.ids, j);
        } else if constexpr (std::is_same_v<T, Certify>) {
          j->Key("collection").String(e.collection).Key("dataset_type").String(e.dataset_type);
          j->Key("entries").BeginArray();
          for (const auto& c : e.entries) {
            j->BeginObject().Key("id").String(c.id.ToString()).Key("validity");
            WriteTimespan(c.validity, j);
            j->EndObject();
          }
          j->EndArray();
        } else if constexpr (std::is_same_v<T, Decertify>) {
          j->Key("collection").String(e.collection).Key("dataset_type").String(e.dataset_type);
          j->Key("data_ids").BeginArray();
          for (const auto& d : e.data_ids) WriteFields(d, j);
          j->EndArray();
          j->Key("span");
          WriteTimespan(e.span, j);
        } else if constexpr (std::is_same_v<T, CreateSnapshot>) {
          j->Key("name").String(e.name).Key("sequence").Uint(e.sequence);
        } else if constexpr (std::is_same_v<T, SetPolicy>) {
          j->Key("roles").BeginArray();
          for (const auto& r : e.roles) {
            j->BeginObject().Key("name").String(r.name).Key("users");
            WriteStrings(r.users, j);
            j->EndObject();
          }
          j->EndArray().Key("rules").BeginArray();
          for (const auto& r : e.rules) {
            j->BeginObject().Key("pattern").String(r.pattern).Key("roles");
            WriteStrings(r.roles, j);
            j->EndObject();
          }
          j->EndArray();
        } else {
          static_assert(kAlwaysFalse<T>, "every event type needs a JSON form");
        }
        j->EndObject();
      },
      event.body);
  j->EndObject();
}

std::vector<std::string> CollectionsNamed(const EventBody& body) {
  return std::visit(
      [](const auto& e) -> std::vector<std::string> {
        using T = std::decay_t<decltype(e)>;
        if constexpr (std::is_same_v<T, CreateCollection> || std::is_same_v<T, RemoveCollection>) {
          return {e.name};
        } else if constexpr (std::is_same_v<T, SetChain>) {
          std::vector<std::string> out = {e.name};
          out.insert(out.end(), e.children.begin(), e.children.end());
          return out;
        } else if constexpr (std::is_same_v<T, RegisterDatasets>) {
          return {e.run};
        } else if constexpr (std::is_same_v<T, Tag> || std::is_same_v<T, Untag> ||
                             std::is_same_v<T, Certify> || std::is_same_v<T, Decertify>) {
          return {e.collection};
        } else if constexpr (std::is_same_v<T, InitRepository> ||
                             std::is_same_v<T, RegisterDatasetType> ||
                             std::is_same_v<T, RemoveDatasetType> ||
                             std::is_same_v<T, InsertDimensionRecords> ||
                             std::is_same_v<T, RemoveDatasets> ||
                             std::is_same_v<T, AttachArtifacts> ||
                             std::is_same_v<T, DetachArtifacts> ||
                             std::is_same_v<T, CreateSnapshot> || std::is_same_v<T, SetPolicy>) {
          return {};
        } else {
          static_assert(kAlwaysFalse<T>, "every event type must say which collections it names");
        }
      },
      body);
}

}  // namespace starlog::codec
