#include "starlog/ingest/link_tree.h"

#include <filesystem>
#include <map>

namespace starlog::ingest {

namespace fs = std::filesystem;

Result<LinkReport> LinkDatasets(const std::string& root,
                                const std::vector<engine::DatasetRef>& refs,
                                const FileTemplate& path_template, const LinkOptions& options) {
  std::error_code ec;
  const fs::path base = fs::absolute(root, ec);
  const fs::path to = fs::absolute(options.to, ec);
  // Every path first.
  std::map<std::string, const engine::DatasetRef*> links;
  for (const engine::DatasetRef& ref : refs) {
    if (!ref.artifact) {
      return Status::InvalidArgument("dataset " + ref.id.ToString() + " (" + ref.dataset_type +
                                     ") has no file to link to");
    }
    codec::FieldMap values = ref.data_id;
    values["run"] = ref.run;
    values["datasetType"] = ref.dataset_type;
    auto path = path_template.Format(values, FileExtension(ref.artifact->path));
    if (!path.ok()) {
      return Status::InvalidArgument("dataset " + ref.id.ToString() + " {" +
                                     codec::FieldMapToString(ref.data_id) +
                                     "}: " + std::string(path.status().message()));
    }
    auto [it, fresh] = links.emplace(*path, &ref);
    if (!fresh && it->second->artifact->path != ref.artifact->path) {
      return Status::Conflict("datasets " + it->second->id.ToString() + " and " +
                              ref.id.ToString() + " would both be linked at " + *path +
                              "; add keys to the template");
    }
  }
  LinkReport report;
  uint64_t done = 0;
  for (const auto& [path, ref] : links) {
    if (options.progress) options.progress(done++, links.size());
    const fs::path link = to / path;
    const fs::path target = base / ref->artifact->path;
    fs::create_directories(link.parent_path(), ec);
    if (ec) return Status::IOError("create " + link.parent_path().string() + ": " + ec.message());
    const fs::path wanted =
        options.relative ? target.lexically_relative(link.parent_path()) : target;
    if (fs::is_symlink(link, ec)) {
      if (fs::read_symlink(link, ec) == wanted) {
        ++report.unchanged;
        continue;
      }
      return Status::Conflict(link.string() + " is already a link to " +
                              fs::read_symlink(link, ec).string());
    }
    if (fs::exists(link, ec)) return Status::Conflict(link.string() + " already exists");
    fs::create_symlink(wanted, link, ec);
    if (ec) return Status::IOError("link " + link.string() + ": " + ec.message());
    ++report.created;
  }
  if (options.progress) options.progress(links.size(), links.size());
  return report;
}

}  // namespace starlog::ingest
