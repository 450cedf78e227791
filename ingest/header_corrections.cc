#include "ingest/header_corrections.h"

#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>

#include "ingest/header_condition.h"

namespace starlog::ingest {

namespace {

std::string Trim(std::string s) {
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.pop_back();
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.erase(s.begin());
  return s;
}

// A YAML scalar as a card: quoted text is text; else what FITS would make of it.
Result<FitsCard> Scalar(const std::string& value) {
  if (value.size() >= 2 && (value.front() == '\'' || value.front() == '"') &&
      value.back() == value.front()) {
    FitsCard card;
    card.kind = FitsCard::Kind::kString;
    card.text = value.substr(1, value.size() - 2);
    return card;
  }
  if (value == "true" || value == "True") return ParseFitsValue("T");
  if (value == "false" || value == "False") return ParseFitsValue("F");
  if (!value.empty() && (value[0] == '[' || value[0] == '{' || value[0] == '-' || value[0] == '|' ||
                         value[0] == '>')) {
    FitsCard number = ParseFitsValue(value);  // "-3" is a number, "- 3" a list.
    if (number.kind == FitsCard::Kind::kInt || number.kind == FitsCard::Kind::kFloat) {
      return number;
    }
    return Status::InvalidArgument("'" + value + "' is not a plain value");
  }
  FitsCard card = ParseFitsValue(value);
  if (card.kind == FitsCard::Kind::kOther) {
    card.kind = FitsCard::Kind::kString;
    card.text = value;
  }
  return card;
}

}  // namespace

Status ParseCorrections(std::string_view text, const std::string& name, FitsHeader* header) {
  std::istringstream in{std::string(text)};
  std::string line;
  int number = 0;
  FitsHeader changed = *header;
  while (std::getline(in, line)) {
    ++number;
    const auto bad = [&](const std::string& why) {
      return Status::InvalidArgument(name + " line " + std::to_string(number) + ": " + why);
    };
    std::string content = line;
    if (content.empty() || content[0] == '#' || Trim(content).empty() || content == "---") {
      continue;
    }
    if (content[0] == ' ' || content[0] == '\t') return bad("nested values are not corrections");
    const size_t colon = content.find(": ");
    if (colon == std::string::npos && (content.empty() || content.back() != ':')) {
      return bad("want KEY: value");
    }
    const std::string key = KeywordName(Trim(content.substr(0, colon)));
    std::string value = colon == std::string::npos ? "" : Trim(content.substr(colon + 2));
    if (value.size() >= 1 && value[0] != '\'' && value[0] != '"') {
      if (const size_t hash = value.find(" #"); hash != std::string::npos) {
        value = Trim(value.substr(0, hash));
      }
    }
    if (key.empty()) return bad("a key is empty");
    if (value.empty() || value == "null" || value == "~") {
      changed.erase(key);
      continue;
    }
    auto card = Scalar(value);
    if (!card.ok()) return bad(std::string(card.status().message()));
    changed[key] = std::move(*card);
  }
  *header = std::move(changed);
  return Status::OK();
}

Result<std::string> ApplyCorrections(const std::vector<std::string>& dirs,
                                     const std::string& instrument, const std::string& obs_id,
                                     FitsHeader* header) {
  // The name is built from the header's own obs_id: it must not climb out.
  if (obs_id.empty() || obs_id.find('/') != std::string::npos || obs_id.find("..") == 0) {
    return std::string();
  }
  for (const std::string& dir : dirs) {
    const std::filesystem::path path =
        std::filesystem::path(dir) / (instrument + "-" + obs_id + ".yaml");
    std::error_code ec;
    if (!std::filesystem::is_regular_file(path, ec)) continue;
    if (std::filesystem::file_size(path, ec) > kMaxCorrectionFileBytes) {
      return Status::InvalidArgument(path.string() + " is larger than a correction file may be");
    }
    std::ifstream in(path, std::ios::binary);
    const std::string text((std::istreambuf_iterator<char>(in)), {});
    if (!in.good() && !in.eof()) return Status::IOError("cannot read " + path.string());
    STARLOG_RETURN_IF_ERROR(ParseCorrections(text, path.string(), header));
    return path.string();
  }
  return std::string();
}

}  // namespace starlog::ingest
