#include "cli/json_output.h"

#include "cli/common.h"
#include "starlog/codec/event_text.h"
#include "starlog/codec/time_format.h"

namespace starlog::cli {

namespace {

// Each index family's live entries and sub-digest, as `info` and `digest` show them.
void WriteFamilies(const std::vector<engine::FamilyStats>& families, codec::JsonWriter& j) {
  j.Key("families").BeginObject();
  for (const auto& f : families) {
    j.Key(f.name).BeginObject().Key("live_entries").Uint(f.live_entries);
    j.Key("digest").String(f.digest.ToHex()).EndObject();
  }
  j.EndObject();
}

}  // namespace

std::string FsckJson(const ingest::FsckReport& r, uint64_t fixed_event) {
  codec::JsonWriter w;
  w.BeginObject();
  w.Key("sequence").Uint(r.sequence);
  w.Key("files_checked").Uint(r.files_checked);
  w.Key("bytes_checked").Uint(r.bytes_checked);
  w.Key("problems").BeginArray();
  for (const auto& p : r.problems) {
    w.BeginObject();
    w.Key("kind").String(engine::FileProblemName(p.kind));
    w.Key("path").String(p.artifact.path);
    if (p.artifact.hdu != 0) w.Key("hdu").Uint(p.artifact.hdu);
    w.Key("dataset").String(p.id.ToString());
    w.Key("detail").String(p.detail);
    w.EndObject();
  }
  w.EndArray();
  w.Key("unowned").BeginArray();
  for (const auto& u : r.unowned) w.String(u);
  w.EndArray();
  if (fixed_event != 0) w.Key("fixed_in_event").Uint(fixed_event);
  w.EndObject();
  return w.str();
}

std::string IngestJson(const ingest::IngestReport& report) {
  codec::JsonWriter w;
  w.BeginObject();
  w.Key("files").Uint(report.files);
  w.Key("ingested").Uint(report.ingested);
  w.Key("datasets").Uint(report.datasets);
  w.Key("already_present").Uint(report.already_present);
  w.Key("records_inserted").Uint(report.records_inserted);
  w.Key("first_event").Uint(report.first_event);
  w.Key("last_event").Uint(report.last_event);
  w.Key("skipped").BeginArray();
  for (const auto& s : report.skipped) {
    w.BeginObject().Key("file").String(s.file).Key("reason").String(s.reason).EndObject();
  }
  w.EndArray().EndObject();
  return w.str();
}

std::string InfoJson(const engine::RepositoryInfo& info) {
  codec::JsonWriter j;
  j.BeginObject();
  j.Key("root").String(info.root);
  j.Key("repository_id").String(info.repository_id.ToString());
  j.Key("format_version").Uint(info.format_version);
  j.Key("head_sequence").Uint(info.head.sequence);
  j.Key("head_chain_hash").String(info.head.chain_hash.ToHex());
  j.Key("state_digest").String(info.head.state_digest.ToHex());
  j.Key("last_commit").String(codec::FormatIsoTime(info.head.commit_time_ns) + "Z");
  WriteFamilies(info.families, j);
  j.EndObject();
  return j.str();
}

std::string DigestJson(uint64_t at, const engine::Head& head,
                       const std::optional<engine::DigestReport>& report, bool agrees) {
  codec::JsonWriter j;
  j.BeginObject().Key("sequence").Uint(at).Key("chain_hash").String(head.chain_hash.ToHex());
  j.Key("state_digest").String(head.state_digest.ToHex());
  if (report) {
    j.Key("recomputed").String(report->total.ToHex()).Key("agrees").Bool(agrees);
    WriteFamilies(report->families, j);
  }
  j.EndObject();
  return j.str();
}

std::string RepairJson(const engine::RepairReport& report) {
  codec::JsonWriter j;
  j.BeginObject();
  j.Key("acknowledged").Uint(report.acknowledged);
  j.Key("kept").Uint(report.kept);
  j.Key("dropped").Uint(report.dropped());
  if (report.dropped() > 0) {
    j.Key("dropped_first").Uint(report.kept + 1);
    j.Key("dropped_last").Uint(report.acknowledged);
  }
  j.Key("rebuilt_indexes").Bool(report.rebuilt_indexes);
  j.EndObject();
  return j.str();
}

std::string ConventionsJson(const std::vector<engine::ConventionFinding>& findings) {
  codec::JsonWriter w;
  w.BeginArray();
  for (const auto& f : findings) {
    w.BeginObject().Key("collection").String(f.collection);
    w.Key("type").String(codec::CollectionTypeName(f.type));
    w.Key("convention").String(f.convention).Key("problem").String(f.problem).EndObject();
  }
  w.EndArray();
  return w.str();
}

std::string PolicyJson(const codec::SetPolicy& policy) {
  codec::JsonWriter w;
  w.BeginObject().Key("roles").BeginObject();
  for (const auto& r : policy.roles) {
    w.Key(r.name).BeginArray();
    for (const auto& u : r.users) w.String(u);
    w.EndArray();
  }
  w.EndObject().Key("rules").BeginArray();
  for (const auto& r : policy.rules) {
    w.BeginObject().Key("pattern").String(r.pattern).Key("roles").BeginArray();
    for (const auto& role : r.roles) w.String(role);
    w.EndArray().EndObject();
  }
  w.EndArray().EndObject();
  return w.str();
}

std::string DatasetTypesJson(const std::vector<engine::DatasetTypeInfo>& types) {
  codec::JsonWriter j;
  j.BeginArray();
  for (const auto& t : types) {
    j.BeginObject().Key("name").String(t.name).Key("storage_class").String(t.storage_class);
    j.Key("is_calibration").Bool(t.is_calibration).Key("dimensions").BeginArray();
    for (const auto& d : t.dimensions) j.String(d);
    j.EndArray().EndObject();
  }
  j.EndArray();
  return j.str();
}

Result<std::string> CollectionsJson(Reader& reader,
                                    const std::vector<engine::CollectionInfo>& collections,
                                    const DatasetTypesOfFn& dataset_types) {
  codec::JsonWriter j;
  j.BeginArray();
  for (const auto& c : collections) {
    j.BeginObject().Key("name").String(c.name).Key("type").String(CollectionTypeName(c.type));
    j.Key("doc").String(c.doc);
    if (dataset_types) {
      STARLOG_ASSIGN_OR_RETURN(auto types, dataset_types(c.name));
      j.Key("dataset_types").BeginArray();
      for (const auto& t : types) j.String(t);
      j.EndArray();
    }
    if (c.type == codec::CollectionType::kChained) {
      j.Key("children").BeginArray();
      for (const auto& child : c.children) j.String(child);
      j.EndArray();
      STARLOG_ASSIGN_OR_RETURN(auto flat, reader.ResolveSearchPath({c.name}));
      j.Key("flattened").BeginArray();
      for (const auto& f : flat) j.String(f);
      j.EndArray();
    }
    j.EndObject();
  }
  j.EndArray();
  return j.str();
}

std::string SnapshotsJson(const std::vector<engine::SnapshotInfo>& snapshots,
                          const std::vector<engine::Head>& heads) {
  codec::JsonWriter j;
  j.BeginArray();
  for (size_t i = 0; i < snapshots.size(); ++i) {
    j.BeginObject()
        .Key("name")
        .String(snapshots[i].name)
        .Key("sequence")
        .Uint(snapshots[i].sequence);
    j.Key("time").String(codec::FormatIsoTime(heads[i].commit_time_ns) + "Z");
    j.Key("chain_hash").String(heads[i].chain_hash.ToHex());
    j.Key("state_digest").String(heads[i].state_digest.ToHex()).EndObject();
  }
  j.EndArray();
  return j.str();
}

std::string LogRecordJson(const codec::Event& event, const engine::LogRecord& record) {
  codec::JsonWriter j;
  codec::WriteEventJson(event, &j);
  // The event's object, reopened for the chain hash the log reader verified.
  std::string line = j.str();
  line.pop_back();
  return line + ",\"chain_hash\":\"" + record.chain_hash.ToHex() + "\",\"state_digest\":\"" +
         record.state_digest.ToHex() + "\"}";
}

std::string DiffJson(const engine::RegistryDiff& d) {
  codec::JsonWriter j;
  j.BeginObject().Key("from").Uint(d.from).Key("to").Uint(d.to).Key("collections").BeginArray();
  for (const auto& c : d.collections) {
    j.BeginObject().Key("name").String(c.name).Key("before").String(DescribeCollection(c.before));
    j.Key("after").String(DescribeCollection(c.after)).EndObject();
  }
  j.EndArray().Key("dataset_types_added").BeginArray();
  for (const auto& t : d.types_added) j.String(t.name);
  j.EndArray().Key("dataset_types_removed").BeginArray();
  for (const auto& t : d.types_removed) j.String(t.name);
  j.EndArray();
  for (const auto* list : {&d.datasets_added, &d.datasets_removed}) {
    j.Key(list == &d.datasets_added ? "datasets_added" : "datasets_removed").BeginArray();
    for (const auto& r : *list) {
      j.BeginObject().Key("id").String(r.id.ToString()).Key("dataset_type").String(r.dataset_type);
      j.Key("run").String(r.run).Key("data_id").String(codec::FieldMapToString(r.data_id));
      j.EndObject();
    }
    j.EndArray();
  }
  j.Key("memberships").BeginArray();
  for (const auto& m : d.memberships) {
    j.BeginObject().Key("change").String(m.added ? "added" : "removed");
    j.Key("collection").String(m.collection).Key("id").String(m.id.ToString());
    j.Key("dataset_type")
        .String(m.dataset_type)
        .Key("data_id")
        .String(codec::FieldMapToString(m.data_id));
    if (m.validity) j.Key("validity").String(codec::TimespanToString(*m.validity));
    j.EndObject();
  }
  j.EndArray().Key("dimension_records").BeginArray();
  for (const auto& r : d.records) {
    j.BeginObject().Key("element").String(r.element).Key("record").String(
        codec::FieldMapToString(r.after));
    j.Key("replaced").Bool(r.before.has_value()).EndObject();
  }
  j.EndArray().Key("snapshots_added").BeginArray();
  for (const auto& s : d.snapshots_added) j.String(s.name);
  j.EndArray().Key("files").BeginArray();
  for (const auto& a : d.artifacts) {
    j.BeginObject().Key("id").String(a.id.ToString()).Key("dataset_type").String(a.dataset_type);
    j.Key("data_id").String(codec::FieldMapToString(a.data_id));
    j.Key("before")
        .String(a.before ? a.before->path : "")
        .Key("after")
        .String(a.after ? a.after->path : "");
    j.EndObject();
  }
  j.EndArray().Key("policy_changed").Bool(d.policy.has_value()).EndObject();
  return j.str();
}

void WriteVerifyJson(const replication::VerifyReport& r, codec::JsonWriter& w) {
  w.Key("agree").Bool(r.agree);
  w.Key("local_head").Uint(r.local_head);
  w.Key("other_head").Uint(r.other_head);
  w.Key("common").Uint(r.common);
  w.Key("chain_hash").String(r.chain_hash.ToHex());
  w.Key("state_digest").String(r.state_digest.ToHex());
  if (!r.agree) w.Key("first_difference").Uint(r.first_difference);
  if (r.recomputed) w.Key("indexes_intact").Bool(r.indexes_intact);
}

void WriteFilesJson(const replication::FilesReport& files, codec::JsonWriter& w) {
  w.Key("files").BeginObject();
  w.Key("checked").Uint(files.checked);
  w.Key("missing").Uint(files.missing);
  w.Key("damaged").Uint(files.damaged);
  w.Key("problems").BeginArray();
  for (const engine::FileProblem& p : files.problems) {
    w.BeginObject();
    w.Key("path").String(p.artifact.path);
    w.Key("problem").String(std::string(engine::FileProblemName(p.kind)));
    w.Key("detail").String(p.detail);
    w.EndObject();
  }
  w.EndArray().EndObject();
}

std::string PrimaryStatusJson(const engine::Head& head) {
  codec::JsonWriter w;
  w.BeginObject().Key("role").String("primary").Key("head").Uint(head.sequence);
  w.Key("head_time_ns").Int(head.commit_time_ns);
  w.Key("chain_hash").String(head.chain_hash.ToHex()).EndObject();
  return w.str();
}

std::string ReplicaStatusJson(const engine::Head& head, const replication::FilesReport& files,
                              const replication::ReplicationStatus& s) {
  // The saved status's object, with what only this command knows put first.
  const std::string json = replication::ReplicationStatusJson(s);
  return "{\"role\":\"replica\",\"chain_hash\":\"" + head.chain_hash.ToHex() +
         "\",\"files_missing\":" + std::to_string(files.missing) +
         ",\"files_damaged\":" + std::to_string(files.damaged) + "," + json.substr(1);
}

}  // namespace starlog::cli
