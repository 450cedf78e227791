// The translator grammar: matching, working keywords (set, join, pattern,
// compute, lookup, conditions), typed values, per-HDU files, the next
// translator tried when one fails, and errors naming the line and rule.

#include "starlog/ingest/translator.h"

#include <catch2/catch.hpp>
#include <fstream>

#include "starlog/ingest/fsck.h"
#include "starlog/ingest/link_tree.h"
#include "tests/ingest/ingest_fixture.h"

using namespace starlog;
using namespace starlog::ingest;
using testutil::IngestRepo;
using testutil::WriteFits;

namespace {

FitsCard Text(const std::string& s) { return {FitsCard::Kind::kString, s, 0, 0}; }
FitsCard Int(int64_t i) {
  return {FitsCard::Kind::kInt, std::to_string(i), i, static_cast<double>(i)};
}
FitsCard Float(double x) { return {FitsCard::Kind::kFloat, std::to_string(x), 0, x}; }

Translator Parse(const std::string& text) {
  auto t = ParseTranslator(text, "t.cfg");
  INFO(t.status().ToString());
  REQUIRE(t.ok());
  return *t;
}

Result<codec::FieldMap> Translate(const std::string& text, const FitsHeader& header) {
  return Parse(text).Translate(header, engine::Universe::Default());
}

std::string Message(const Status& s) { return std::string(s.message()); }

// HSC's exposure ids, after astro_metadata_translator's HscTranslator:
// "HSCE" and 8 digits since 2016-06-14; before, "HSC", a letter and 6 digits
// and "00", the letter adding 1,000,000 per place after A; a visit of 0 is
// read from FRAMEID instead, made even.
constexpr char kHscIds[] = R"(instrument HSC
match INSTRUME "Hyper Suprime-Cam"
pattern EXP-ID ^HSCE(\d{8})$ EXPID when EXP-ID prefix HSCE
pattern EXP-ID ^HSC([A-Z])(\d{6})00$ LETTER VISIT when EXPID absent
set FROM_FRAME 1 when EXPID absent and VISIT = 0
pattern FRAMEID ^HSC([A-Z])(\d{6})\d{2}$ LETTER VISIT when FROM_FRAME present
compute VISIT VISIT - VISIT % 2 when FROM_FRAME present
compute EXPID VISIT + 1000000 * ord(LETTER) when EXPID absent
value exposure EXPID
)";

int64_t Exposure(const char* translator, const FitsHeader& header) {
  auto v = Translate(translator, header);
  INFO(v.status().ToString());
  REQUIRE(v.ok());
  return std::get<int64_t>(v->at("exposure"));
}

}  // namespace

TEST_CASE("Ids from a string keyword: pattern captures, arithmetic, letter offsets",
          "[ingest][translator]") {
  const FitsCard hsc = Text("Hyper Suprime-Cam");
  CHECK(Exposure(kHscIds, {{"INSTRUME", hsc}, {"EXP-ID", Text("HSCE00123456")}}) == 123456);
  // Old scheme: B is one place after A, so 1,000,000 + 1,234.
  CHECK(Exposure(kHscIds, {{"INSTRUME", hsc}, {"EXP-ID", Text("HSCB00123400")}}) == 1'001'234);
  CHECK(Exposure(kHscIds, {{"INSTRUME", hsc}, {"EXP-ID", Text("HSCA90333400")}}) == 903'334);
  // Visit 0 in EXP-ID: FRAMEID's HSCA 001235 (odd, so 001234) with letter A.
  CHECK(Exposure(kHscIds, {{"INSTRUME", hsc},
                           {"EXP-ID", Text("HSCA00000000")},
                           {"FRAMEID", Text("HSCA00123511")}}) == 1234);
  auto bad = Translate(kHscIds, {{"INSTRUME", hsc}, {"EXP-ID", Text("SUPE01234560")}});
  REQUIRE_FALSE(bad.ok());
  CHECK(Message(bad.status())
            .find("t.cfg line 4 (pattern EXP-ID ^HSC([A-Z])(\\d{6})00$ LETTER "
                  "VISIT when EXPID absent)") != std::string::npos);
  CHECK(Message(bad.status()).find("'SUPE01234560' does not match") != std::string::npos);
}

TEST_CASE("Ids from several keywords: LSST's day_obs, sequence number and controller",
          "[ingest][translator]") {
  // obs_lsst's compute_exposure_id: day_obs * 100000 + seqnum, day_obs raised
  // by 1000_00_00 per controller place in "OCHPQS", except C after 20231004
  // and P, Q, S after 20250417.
  const std::string lsst = R"(instrument LSSTCam
match INSTRUME LSSTCam
table CONTROLLER O 0 C 1 H 2 P 3 Q 4 S 5
set CTRL 0 when CONTRLLR absent
lookup CTRL CONTROLLER CONTRLLR when CONTRLLR present
set CTRL 0 when CONTRLLR = C and DAYOBS > 20231004
set CTRL 0 when DAYOBS > 20250417 and CONTRLLR = P or DAYOBS > 20250417 and CONTRLLR = Q or DAYOBS > 20250417 and CONTRLLR = S
compute EXPID ( DAYOBS + 10000000 * CTRL ) * 100000 + SEQNUM
value exposure EXPID
)";
  const auto id = [&](const char* day, int64_t seq, const char* controller) {
    FitsHeader h = {{"INSTRUME", Text("LSSTCam")}, {"DAYOBS", Text(day)}, {"SEQNUM", Int(seq)}};
    if (controller != nullptr) h["CONTRLLR"] = Text(controller);
    return Exposure(lsst.c_str(), h);
  };
  CHECK(id("20250415", 60, "O") == 2025041500060);
  CHECK(id("20190319", 1, "C") == 3019031900001);   // C before 2023-10-05: +1000 years.
  CHECK(id("20231107", 78, "C") == 2023110700078);  // C after: as O.
  CHECK(id("20100217", 32, "H") == 4010021700032);  // H: two places.
  CHECK(id("20240321", 720, "S") == 7024032100720);
  CHECK(id("20250425", 31, "S") == 2025042500031);
  CHECK(id("20250425", 31, nullptr) == 2025042500031);
  auto unknown = Translate(lsst, {{"INSTRUME", Text("LSSTCam")},
                                  {"DAYOBS", Text("20250415")},
                                  {"SEQNUM", Int(1)},
                                  {"CONTRLLR", Text("Z")}});
  REQUIRE_FALSE(unknown.ok());
  CHECK(Message(unknown.status()).find("'Z' is not in table CONTROLLER") != std::string::npos);
}

TEST_CASE("Matching: several keywords, or, substrings, spaces, HIERARCH names",
          "[ingest][translator]") {
  const Translator sdss = Parse(R"(instrument SDSS
match ORIGIN contains SDSS
match TELESCOP contains 2.5m and CCDMODE contains DRIFT
)");
  CHECK(sdss.Matches(
      {{"ORIGIN", Text("SDSS")}, {"TELESCOP", Text("2.5m")}, {"CCDMODE", Text("DRIFT")}}));
  CHECK_FALSE(sdss.Matches({{"ORIGIN", Text("SDSS")}, {"TELESCOP", Text("2.5m")}}));
  const Translator hsc = Parse(R"(instrument HSC
match INSTRUME = "Hyper Suprime-Cam" or INSTRUME absent and EXP-ID prefix HSC or INSTRUME absent and FRAMEID prefix HSC
)");
  CHECK(hsc.Matches({{"INSTRUME", Text("Hyper Suprime-Cam")}}));
  CHECK(hsc.Matches({{"EXP-ID", Text("HSCE00000001")}}));
  CHECK(hsc.Matches({{"FRAMEID", Text("HSCA00000101")}}));
  CHECK_FALSE(hsc.Matches({{"INSTRUME", Text("SuprimeCam")}, {"EXP-ID", Text("HSCE00000001")}}));
  const Translator eso = Parse(R"(instrument FORS2
match "HIERARCH ESO DPR CATG" = CALIB
match INSTRUME prefix fors
)");
  CHECK(eso.Matches({{"ESO DPR CATG", Text("CALIB")}, {"INSTRUME", Text("FORS2")}}));
  CHECK_FALSE(eso.Matches({{"ESO DPR CATG", Text("SCIENCE")}, {"INSTRUME", Text("FORS2")}}));
}

TEST_CASE("Joins, lookups, conditions and typed values", "[ingest][translator]") {
  const std::string rules = R"(instrument LATISS
match INSTRUME LATISS
set GRATING empty when GRATING prefix empty
join FILTERS ~ FILTER GRATING
set OBSTYPE bias when IMGTYPE absent and EXPTIME = 0
set OBSTYPE {IMGTYPE} when IMGTYPE present
set EXPOSURE_TIME {EXPTIME}
set EXPOSURE_TIME {SHUTTIME} when SHUTTIME > 0
table NAMES 0 RXX_S00
lookup NAME NAMES DETNUM
value exposure SEQ
value physical_filter FILTERS
value exposure.observation_type OBSTYPE lower
value exposure.target_name OBJECT default=UNKNOWN
value exposure.obs_id OBSID
value detector.full_name NAME
value detector DETNUM
value exposure.exposure_time EXPOSURE_TIME float
)";
  FitsHeader h = {{"INSTRUME", Text("LATISS")},   {"SEQ", Int(5)},
                  {"FILTER", Text("SDSSr_65mm")}, {"GRATING", Text("empty_1")},
                  {"EXPTIME", Float(0)},          {"SHUTTIME", Float(0)},
                  {"OBSID", Text("AT O 2020")},   {"DETNUM", Int(0)}};
  auto v = Translate(rules, h);
  INFO(v.status().ToString());
  REQUIRE(v.ok());
  CHECK(std::get<std::string>(v->at("physical_filter")) == "SDSSr_65mm~empty");
  CHECK(std::get<std::string>(v->at("exposure.observation_type")) == "bias");
  CHECK(std::get<std::string>(v->at("exposure.target_name")) == "UNKNOWN");
  CHECK(std::get<std::string>(v->at("exposure.obs_id")) == "AT O 2020");  // Spaces kept.
  CHECK(std::get<std::string>(v->at("detector.full_name")) == "RXX_S00");
  CHECK(std::get<std::string>(v->at("exposure.exposure_time")) == "0");
  h["IMGTYPE"] = Text("FLAT");
  h["EXPTIME"] = Float(30);
  h["SHUTTIME"] = Float(30.25);
  h["OBJECT"] = Text("HD 12345");
  v = Translate(rules, h);
  REQUIRE(v.ok());
  CHECK(std::get<std::string>(v->at("exposure.observation_type")) == "flat");
  CHECK(std::get<std::string>(v->at("exposure.target_name")) == "HD 12345");
  CHECK(std::get<std::string>(v->at("exposure.exposure_time")) == "30.25");  // SHUTTIME > 0.
  auto not_int = Translate(rules + "value visit OBJECT\n", h);
  REQUIRE_FALSE(not_int.ok());
  CHECK(Message(not_int.status())
            .find("t.cfg line 19 (value visit OBJECT): visit needs an "
                  "integer; the header has 'HD 12345'") != std::string::npos);
  h["SHUTTIME"] = Text("soon");  // Text > 0 as text, so the rule takes it, and it is no float.
  auto not_float = Translate(rules, h);
  REQUIRE_FALSE(not_float.ok());
  CHECK(Message(not_float.status())
            .find("line 18 (value exposure.exposure_time EXPOSURE_TIME "
                  "float): 'soon' is not a number") != std::string::npos);
}

TEST_CASE("Translator configs name the line and the rule of an error", "[ingest][translator]") {
  const auto error = [](const std::string& text) {
    auto t = ParseTranslator("instrument X\nmatch INSTRUME X\n" + text, "x.cfg");
    REQUIRE_FALSE(t.ok());
    return Message(t.status());
  };
  CHECK(error("value exposure EXPNUM sideways\n")
            .find("x.cfg line 3 (value exposure EXPNUM "
                  "sideways): unknown option 'sideways'") != std::string::npos);
  CHECK(error("pattern EXP-ID ^(HSC $\n").find("x.cfg line 3") != std::string::npos);
  CHECK(error("pattern EXP-ID ^HSC$ A B\n").find("captures 0 groups, not 2") != std::string::npos);
  CHECK(error("compute E A + * 3\n").find("'*' where a number or keyword goes") !=
        std::string::npos);
  CHECK(error("lookup A NOPE B\n").find("no table 'NOPE'") != std::string::npos);
  CHECK(error("set A B when C ~ D\n").find("'~' is no operator") != std::string::npos);
  CHECK(error("set A \"B\n").find("a quote is not closed") != std::string::npos);
  CHECK(error("timespan exposure\nbegin DATE-OBS\n").find("needs a 'begin' and an 'end'") !=
        std::string::npos);
  CHECK(error("begin +EXPTIME\n").find("is for an end") != std::string::npos);
  CHECK(error("frobnicate\n").find("no statement 'frobnicate'") != std::string::npos);
  // Arithmetic that overflows or divides by zero fails the file, not the process.
  auto overflow = Translate("instrument X\nmatch INSTRUME X\ncompute E A * A\nvalue exposure E\n",
                            {{"INSTRUME", Text("X")}, {"A", Int(int64_t{1} << 40)}});
  CHECK(Message(overflow.status()).find("overflow") != std::string::npos);
  auto zero = Translate("instrument X\nmatch INSTRUME X\ncompute E 1 / A\nvalue exposure E\n",
                        {{"INSTRUME", Text("X")}, {"A", Int(0)}});
  CHECK(Message(zero.status()).find("division by zero") != std::string::npos);
}

TEST_CASE("When a matching translator fails, the next is tried, if all fail, each is named",
          "[ingest][translator]") {
  IngestRepo r;
  // New-style HSC files lack what the old translator needs, and the other way round.
  auto o = r.Options();
  o.translators = {
      ParseTranslator("instrument FakeCam\nmatch INSTRUME FakeCam\nvalue exposure OLDNUM\n"
                      "value detector CCDNUM\n",
                      "old.cfg")
          .value(),
      ParseTranslator("instrument FakeCam\nmatch INSTRUME FakeCam\nvalue exposure EXPNUM\n"
                      "value detector CCDNUM\n",
                      "new.cfg")
          .value()};
  WriteFits(r.In("new.fits"),
            {{"INSTRUME", std::string("FakeCam")}, {"EXPNUM", 7LL}, {"CCDNUM", 1LL}});
  WriteFits(r.In("neither.fits"), {{"INSTRUME", std::string("FakeCam")}, {"CCDNUM", 1LL}});
  auto report = r.Run({r.In("new.fits"), r.In("neither.fits")}, o);
  REQUIRE(report.ok());
  CHECK(report->ingested == 1);
  REQUIRE(report->skipped.size() == 1);
  const std::string& why = report->skipped[0].reason;
  INFO(why);
  CHECK(why.find("old.cfg line 3 (value exposure OLDNUM): lacks keyword OLDNUM") !=
        std::string::npos);
  CHECK(why.find("new.cfg line 3 (value exposure EXPNUM): lacks keyword EXPNUM") !=
        std::string::npos);
}

TEST_CASE("A file with a detector per HDU makes a dataset per HDU, sharing the file",
          "[ingest][translator]") {
  IngestRepo r;
  auto o = r.Options();
  o.translators = {ParseTranslator(R"(instrument FakeCam
match INSTRUME FakeCam
per_hdu inherit when CCDNUM <= 2
value exposure EXPNUM
value detector CCDNUM
value detector.full_name EXTNAME
)",
                                   "mef.cfg")
                       .value()};
  std::vector<std::vector<testutil::Card>> hdus;
  for (long long ccd = 1; ccd <= 3; ++ccd) {  // The third is a guider: not wanted.
    hdus.push_back({{"CCDNUM", ccd}, {"EXTNAME", "S" + std::to_string(ccd)}});
  }
  testutil::WriteMultiExtensionFits(r.In("mef.fits"),
                                    {{"INSTRUME", std::string("FakeCam")}, {"EXPNUM", 42LL}}, hdus);
  auto report = r.Run({r.In("mef.fits")}, o);
  REQUIRE(report.ok());
  INFO((report->skipped.empty() ? "" : report->skipped[0].reason));
  CHECK(report->ingested == 1);  // One file,
  CHECK(report->datasets == 2);  // a dataset per HDU.
  auto view = r.store->View().value();
  auto one = view.FindDataset("raw", r.RawId("FakeCam", 42, 1), {"FakeCam/raw/all"});
  auto two = view.FindDataset("raw", r.RawId("FakeCam", 42, 2), {"FakeCam/raw/all"});
  REQUIRE(one.ok());
  REQUIRE(two.ok());
  CHECK(one->artifact->path == two->artifact->path);                 // One file, placed once.
  CHECK(one->artifact->path.find("_42.fits") != std::string::npos);  // No detector in its name.
  CHECK_FALSE(view.FindDataset("raw", r.RawId("FakeCam", 42, 3), {"FakeCam/raw/all"}).ok());
  auto name = view.GetDimensionRecord("detector", r.RawId("FakeCam", 42, 2)).value();
  CHECK(std::get<std::string>(name->at("full_name")) == "S2");
  // fsck sees one file, owned (by both); link makes a link per detector to it.
  auto fsck = CheckFiles(*r.store);
  REQUIRE(fsck.ok());
  CHECK(fsck->clean());
  auto refs = view.QueryDatasets(IngestRepo::Raws()).value();
  REQUIRE(refs.size() == 2);
  auto links =
      LinkDatasets(r.store->root(), refs, FileTemplate::Parse("{exposure}/{detector}").value(),
                   LinkOptions{r.dir.Sub("links"), false});
  REQUIRE(links.ok());
  CHECK(links->created == 2);
  CHECK(std::filesystem::equivalent(r.dir.Sub("links/42/1.fits"), r.dir.Sub("links/42/2.fits")));
  // Ingesting it again adds nothing.
  report = r.Run({r.In("mef.fits")}, o);
  REQUIRE(report.ok());
  CHECK(report->already_present == 1);
  CHECK(report->ingested == 0);
}

TEST_CASE("Per-observation correction files fix a header before it is translated",
          "[ingest][translator]") {
  IngestRepo r;
  auto o = r.Options();
  o.translators = {ParseTranslator(R"(instrument LATISS
match INSTRUME LATISS
compute X-EXPID DAYOBS * 100000 + SEQNUM
value exposure X-EXPID
constant detector 0
value exposure.obs_id OBSID
value exposure.target_name OBJECT optional
)",
                                   "latiss.cfg")
                       .value()};
  // As obs_lsst's corrections/LATISS-AT_O_20190308_000139.yaml: the header's
  // DAYOBS was wrong.
  std::filesystem::create_directories(r.dir.Sub("corrections"));
  std::ofstream(r.dir.Sub("corrections/LATISS-AT_O_20190308_000139.yaml"))
      << "# the day was wrong\nDAYOBS: '20190308'\nOBJECT: \"HD 49798\"\n";
  WriteFits(r.In("at.fits"), {{"INSTRUME", std::string("LATISS")},
                              {"OBSID", std::string("AT_O_20190308_000139")},
                              {"DAYOBS", std::string("20190307")},
                              {"SEQNUM", 139LL}});
  o.corrections = {r.dir.Sub("no-such-folder"), r.dir.Sub("corrections")};
  auto report = r.Run({r.In("at.fits")}, o);
  REQUIRE(report.ok());
  INFO((report->skipped.empty() ? "" : report->skipped[0].reason));
  CHECK(report->ingested == 1);
  auto view = r.store->View().value();
  codec::FieldMap id = {{"instrument", std::string("LATISS")},
                        {"exposure", int64_t{2019030800139}},
                        {"detector", int64_t{0}}};
  REQUIRE(view.FindDataset("raw", id, {"FakeCam/raw/all"}).ok());
  auto exposure = view.GetDimensionRecord("exposure", id).value();
  CHECK(std::get<std::string>(exposure->at("target_name")) == "HD 49798");
  // A correction file that is no mapping fails the file, naming file and line.
  std::ofstream(r.dir.Sub("corrections/LATISS-AT_O_20190308_000140.yaml")) << "- 1\n- 2\n";
  WriteFits(r.In("bad.fits"), {{"INSTRUME", std::string("LATISS")},
                               {"OBSID", std::string("AT_O_20190308_000140")},
                               {"DAYOBS", std::string("20190308")},
                               {"SEQNUM", 140LL}});
  report = r.Run({r.In("bad.fits")}, o);
  REQUIRE(report.ok());
  REQUIRE(report->skipped.size() == 1);
  CHECK(report->skipped[0].reason.find("LATISS-AT_O_20190308_000140.yaml line 1") !=
        std::string::npos);
}

TEST_CASE("dataset_type ... when: files classified by their headers into raw and calibrations",
          "[ingest][translator]") {
  const Translator t = Parse(R"(instrument FakeCam
match INSTRUME FakeCam
dataset_type bias when IMGTYPE = bias or IMGTYPE = zero
dataset_type flat when IMGTYPE contains flat
)");
  CHECK(t.DatasetTypeFor({{"IMGTYPE", Text("ZERO")}}) == "bias");
  CHECK(t.DatasetTypeFor({{"IMGTYPE", Text("dome flat")}}) == "flat");
  CHECK(t.DatasetTypeFor({{"IMGTYPE", Text("object")}}) == "raw");
  CHECK(t.DatasetTypeFor({}) == "raw");
  CHECK_FALSE(
      ParseTranslator("instrument X\nmatch INSTRUME X\ndataset_type bias if A = B\n", "x").ok());
}

TEST_CASE("Files no translator recognises are moved to the misc folder, the others stay",
          "[ingest][translator]") {
  IngestRepo r;
  WriteFits(r.In("stranger.fits"),
            testutil::RawCards("Nobody", 1, 1, "X", "science", "2024-03-02T00:00:00", 1));
  std::ofstream(r.In("notes.txt")) << "not FITS";
  WriteFits(r.In("lacking.fits"), {{"INSTRUME", std::string("FakeCam")}});  // Matches, fails.
  std::filesystem::create_directories(r.dir.Sub("misc"));
  std::ofstream(r.dir.Sub("misc/notes.txt")) << "already here";
  auto o = r.Options();
  o.misc_dir = r.dir.Sub("misc");
  auto report = r.Run({r.dir.Sub("in")}, o);
  REQUIRE(report.ok());
  REQUIRE(report->skipped.size() == 3);
  CHECK(std::filesystem::exists(r.dir.Sub("misc/stranger.fits")));
  CHECK_FALSE(std::filesystem::exists(r.In("stranger.fits")));
  CHECK(std::filesystem::exists(r.In("notes.txt")));     // Never over another file.
  CHECK(std::filesystem::exists(r.In("lacking.fits")));  // Recognised: an error to fix.
  std::map<std::string, std::string> why;
  for (const auto& s : report->skipped) why[std::filesystem::path(s.file).filename()] = s.reason;
  CHECK(why["stranger.fits"].find("moved to " + r.dir.Sub("misc/stranger.fits")) !=
        std::string::npos);
  CHECK(why["notes.txt"].find("not moved") != std::string::npos);
}
