#include "starlog/ingest/fits_header.h"

#include <fitsio.h>
// ffgbyt and ffmbyt, for reading raw header blocks (see ReadHdu); this
// header, unlike fitsio.h, does not declare its functions extern "C" itself.
extern "C" {
#include <fitsio2.h>
}

#include <sys/mman.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <memory>
#include <utility>

#include "starlog/codec/numbers.h"
#include "starlog/engine/unique_fd.h"

namespace starlog::ingest {

namespace {

constexpr size_t kBlock = 2880;
constexpr size_t kCard = 80;
constexpr int kMaxBlocksPerHeader = 10'000;  // At most 360,000 cards an HDU.

std::string Reason(int status) {
  char text[FLEN_STATUS] = {0};
  fits_get_errstatus(status, text);
  return text;
}

std::string TrimRight(std::string s) {
  while (!s.empty() && s.back() == ' ') s.pop_back();
  return s;
}

// The value of a card whose value starts at column "at" (0-based), split
// from its comment by cfitsio's own parser (quotes, slashes, blanks).
std::optional<std::string> ValueText(const std::string& card, size_t at) {
  std::string probe = "PROBE   = " + card.substr(at);
  probe.resize(kCard, ' ');
  char value[FLEN_VALUE] = {0}, comment[FLEN_COMMENT] = {0};
  int status = 0;
  ffpsvc(probe.data(), value, comment, &status);
  if (status != 0) return std::nullopt;
  return std::string(value);
}

// One HDU's header cards, from the byte "start" of the (decompressed) file.
// Sets "*data_end" to the byte after its data. "first_card_must" is the
// keyword the HDU must start with (SIMPLE or XTENSION): a block that does not
// is no HDU, and "*found" says so.
int ReadHdu(fitsfile* file, LONGLONG start, const char* first_card_must, FitsHeader* header,
            LONGLONG* data_end, bool* found) {
  *found = false;
  int status = 0;
  if (ffmbyt(file, start, REPORT_EOF, &status) != 0) return 0;  // Nothing after.
  char block[kBlock];
  std::string continued;  // The keyword whose long string goes on, if any.
  int64_t bitpix = 0, naxis = 0, pcount = 0, gcount = 1;
  std::vector<int64_t> axes;
  bool groups = false;
  for (int n = 0; n < kMaxBlocksPerHeader; ++n) {
    if (ffgbyt(file, sizeof(block), block, &status) != 0) {
      return n == 0 ? 0 : status;  // A truncated header is an error, no header none.
    }
    for (size_t at = 0; at < sizeof(block); at += kCard) {
      const std::string card(block + at, kCard);
      if (n == 0 && at == 0) {
        if (card.rfind(first_card_must, 0) != 0) return 0;
        *found = true;
      }
      const std::string head = TrimRight(card.substr(0, 8));
      if (head == "END") {
        // The data's size, as the standard counts it:
        // |BITPIX| / 8 × GCOUNT × (PCOUNT + NAXIS1 × … × NAXISn), no axes
        // counting no pixels; random groups (a primary with GROUPS = T and
        // NAXIS1 = 0) leave their first axis out. cfitsio counts a primary
        // the same (it also takes GROUPS in an image extension).
        groups =
            groups && std::strcmp(first_card_must, "SIMPLE") == 0 && !axes.empty() && axes[0] == 0;
        LONGLONG bytes = naxis > 0 ? 1 : 0;
        for (size_t i = groups ? 1 : 0; naxis > 0 && i < axes.size(); ++i) {
          if (axes[i] < 0 || __builtin_mul_overflow(bytes, axes[i], &bytes)) return BAD_NAXIS;
        }
        if (pcount < 0 || gcount < 0 || __builtin_add_overflow(bytes, pcount, &bytes) ||
            __builtin_mul_overflow(bytes, gcount, &bytes) ||
            __builtin_mul_overflow(bytes, (bitpix < 0 ? -bitpix : bitpix) / 8, &bytes)) {
          return BAD_NAXIS;
        }
        const LONGLONG header_end = start + static_cast<LONGLONG>((n + 1) * kBlock);
        const LONGLONG padded = (bytes + kBlock - 1) / kBlock * kBlock;
        if (__builtin_add_overflow(header_end, padded, data_end)) return BAD_NAXIS;
        return 0;
      }
      if (head == "CONTINUE" && card.compare(8, 2, "  ") == 0) {
        if (continued.empty()) continue;
        std::optional<std::string> v = ValueText(card, 10);
        FitsCard& long_card = header->at(continued);
        long_card.text.pop_back();  // The '&' that said a CONTINUE follows.
        const FitsCard part = v ? ParseFitsValue(*v) : FitsCard{};
        long_card.text += part.text;
        if (part.kind != FitsCard::Kind::kString || part.text.empty() || part.text.back() != '&') {
          continued.clear();
        }
        continue;
      }
      continued.clear();
      std::string key;
      std::optional<std::string> value;
      if (head == "HIERARCH") {
        const size_t eq = card.find('=', 9);
        if (eq == std::string::npos) continue;
        key = TrimRight(card.substr(9, eq - 9));
        while (!key.empty() && key.front() == ' ') key.erase(key.begin());
        // HIERARCH names keep their case in a file; rules name keywords in
        // upper case, as the standard's are.
        for (char& c : key) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
        value = ValueText(card, eq + 1);
      } else {
        if (head.empty() || head == "COMMENT" || head == "HISTORY" ||
            card.compare(8, 2, "= ") != 0) {
          continue;
        }
        key = head;
        value = ValueText(card, 10);
      }
      if (key.empty() || !value) continue;
      FitsCard parsed = ParseFitsValue(*value);
      if (key == "BITPIX") bitpix = parsed.integer;
      if (key == "NAXIS") naxis = parsed.integer;
      if (key == "PCOUNT") pcount = parsed.integer;
      if (key == "GCOUNT") gcount = parsed.integer;
      if (key == "GROUPS") groups = parsed.kind == FitsCard::Kind::kBool && parsed.integer == 1;
      if (key.size() > 5 && key.rfind("NAXIS", 0) == 0) {
        const auto i = codec::ParseInt(key.substr(5), codec::IntSyntax::kStrict);
        if (i && *i >= 1 && *i <= 999 && *i <= naxis) {
          axes.resize(std::max<size_t>(axes.size(), static_cast<size_t>(*i)), 1);
          axes[static_cast<size_t>(*i - 1)] = parsed.integer;
        }
      }
      const bool goes_on = parsed.kind == FitsCard::Kind::kString && !parsed.text.empty() &&
                           parsed.text.back() == '&';
      auto [it, added] = header->emplace(key, std::move(parsed));
      if (added && goes_on) continued = key;
    }
  }
  return HEADER_NOT_EMPTY;  // No END within the bound.
}

// Up to "max_hdus" HDUs' headers, the primary first.
Result<std::vector<FitsHeader>> HdusOf(fitsfile* file, const std::string& name, size_t max_hdus) {
  std::vector<FitsHeader> hdus;
  LONGLONG start = 0;
  while (hdus.size() < max_hdus) {
    FitsHeader header;
    LONGLONG next = 0;
    bool found = false;
    const int status =
        ReadHdu(file, start, hdus.empty() ? "SIMPLE" : "XTENSION", &header, &next, &found);
    if (status != 0) {
      return Status::InvalidArgument(
          name + ": bad " +
          (hdus.empty() ? std::string("header") : "extension " + std::to_string(hdus.size())) +
          ": " + Reason(status));
    }
    if (!found) break;
    hdus.push_back(std::move(header));
    start = next;
  }
  if (hdus.empty()) return Status::InvalidArgument(name + ": no primary header");
  return hdus;
}

// The primary HDU's keywords, then the first extension's that it lacks.
Result<FitsHeader> MergedHeaderOf(fitsfile* file, const std::string& name) {
  STARLOG_ASSIGN_OR_RETURN(std::vector<FitsHeader> hdus, HdusOf(file, name, 2));
  FitsHeader header = std::move(hdus[0]);
  if (hdus.size() > 1) header.merge(hdus[1]);
  return header;
}

using FitsPtr = std::unique_ptr<fitsfile, void (*)(fitsfile*)>;

FitsPtr Own(fitsfile* raw) {
  return FitsPtr(raw, [](fitsfile* f) {
    int ignored = 0;
    fits_close_file(f, &ignored);
  });
}

// "name" names the file in errors.
Result<FitsPtr> Open(const std::string& path, const std::string& name) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) return Status::NotFound("no file " + name);
  fitsfile* raw = nullptr;
  int status = 0;
  // The disk-file opener takes the name literally (no extended syntax), and
  // still decompresses .gz and .Z files in memory.
  fits_open_diskfile(&raw, path.c_str(), READONLY, &status);
  if (status != 0) {
    return Status::InvalidArgument(name +
                                   " is not a FITS file cfitsio can read: " + Reason(status));
  }
  return Own(raw);
}

}  // namespace

FitsCard ParseFitsValue(const std::string& raw) {
  FitsCard card;
  card.text = raw;
  if (raw.empty()) return card;
  if (raw.front() == '\'') {
    // 'text with '' for a quote', trailing blanks insignificant.
    std::string s;
    for (size_t i = 1; i < raw.size(); ++i) {
      if (raw[i] == '\'') {
        if (i + 1 < raw.size() && raw[i + 1] == '\'') {
          s.push_back('\'');
          ++i;
          continue;
        }
        break;
      }
      s.push_back(raw[i]);
    }
    card.kind = FitsCard::Kind::kString;
    card.text = TrimRight(s);
    return card;
  }
  if (raw == "T" || raw == "F") {
    card.kind = FitsCard::Kind::kBool;
    card.integer = raw == "T";
    return card;
  }
  if (const std::optional<int64_t> i = codec::ParseInt(raw, codec::IntSyntax::kLikeStrtoll)) {
    card.kind = FitsCard::Kind::kInt;
    card.integer = *i;
    card.number = static_cast<double>(*i);
    return card;
  }
  std::string d = raw;
  for (char& c : d) {
    if (c == 'D' || c == 'd') c = 'E';  // FITS allows D exponents.
  }
  char* end = nullptr;
  const double x = std::strtod(d.c_str(), &end);
  if (end != nullptr && *end == '\0') {
    card.kind = FitsCard::Kind::kFloat;
    card.number = x;
  }
  return card;
}

Result<FitsHeader> ReadFitsHeader(const std::string& path) {
  STARLOG_ASSIGN_OR_RETURN(FitsPtr file, Open(path, path));
  return MergedHeaderOf(file.get(), path);
}

Result<std::vector<FitsHeader>> ReadFitsHdus(const std::string& path) {
  STARLOG_ASSIGN_OR_RETURN(FitsPtr file, Open(path, path));
  return HdusOf(file.get(), path, kMaxHdus);
}

namespace {

// "bytes" as a file only this process can open (a memfd), read as a file on
// disk is. Not one of cfitsio's memory files: when the primary HDU declares
// more data than it was given, cfitsio grows such a file's size to the
// declared end without memory behind it (ffrhdu's "fftrun" of mem:// files),
// and every later read past the bytes ran off the buffer.
class ByteFile {
 public:
  static Result<ByteFile> Of(std::string_view bytes, const std::string& name) {
    ByteFile file(engine::UniqueFd(memfd_create("starlog-fits", MFD_CLOEXEC)));
    if (!file.fd_.valid()) return Status::IOError(name + ": memfd_create: " + std::strerror(errno));
    for (size_t at = 0; at < bytes.size();) {
      const ssize_t n = ::write(file.fd_.get(), bytes.data() + at, bytes.size() - at);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {
        return Status::IOError(
            name + ": writing to a memfd: " + (n < 0 ? std::strerror(errno) : "nothing written"));
      }
      at += static_cast<size_t>(n);
    }
    return file;
  }
  std::string Path() const { return "/proc/self/fd/" + std::to_string(fd_.get()); }

 private:
  explicit ByteFile(engine::UniqueFd fd) : fd_(std::move(fd)) {}
  engine::UniqueFd fd_;
};

template <typename T>
Result<T> FromMemory(std::string_view bytes, const std::string& name,
                     Result<T> (*read)(fitsfile*, const std::string&)) {
  // Uncompressed FITS only: cfitsio would decompress a file that is not, and
  // size its buffer from what the compressed bytes claim (up to 4 GiB).
  if (bytes.substr(0, 6) != "SIMPLE") {
    return Status::InvalidArgument(name + " is not a FITS file: it does not begin with SIMPLE");
  }
  STARLOG_ASSIGN_OR_RETURN(ByteFile file, ByteFile::Of(bytes, name));
  STARLOG_ASSIGN_OR_RETURN(FitsPtr fits, Open(file.Path(), name));
  return read(fits.get(), name);
}

Result<std::vector<FitsHeader>> AllHdusOf(fitsfile* file, const std::string& name) {
  return HdusOf(file, name, kMaxHdus);
}

}  // namespace

Result<FitsHeader> ParseFitsHeader(std::string_view bytes, const std::string& name) {
  return FromMemory<FitsHeader>(bytes, name, MergedHeaderOf);
}

Result<std::vector<FitsHeader>> ParseFitsHdus(std::string_view bytes, const std::string& name) {
  return FromMemory<std::vector<FitsHeader>>(bytes, name, AllHdusOf);
}

}  // namespace starlog::ingest
