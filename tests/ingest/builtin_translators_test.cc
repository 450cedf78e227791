// The built-in translators, each on a FITS file written with the keywords
// its instrument really writes (taken from astro_metadata_translator's
// tests/data and obs_lsst's tests/headers), every field checked against a
// value worked out by hand from the reference translator's rules; each
// derivation is in the comment beside it.

#include "starlog/ingest/builtin_translators.h"

#include <catch2/catch.hpp>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <optional>

#include "tests/ingest/ingest_fixture.h"
#include "tests/ingest/translate_expect.h"

using namespace starlog;
using namespace starlog::ingest;
using testutil::Card;
using testutil::IngestRepo;
using testutil::TempDir;
using testutil::WriteFits;
using namespace starlog::testutil;

TEST_CASE("Every built-in translator parses and is found by name in any case",
          "[ingest][builtin]") {
  REQUIRE(BuiltinInstruments() == std::vector<std::string>{"DECam", "HSC", "SuprimeCam",
                                                           "MegaPrime", "SDSS", "LSSTCam",
                                                           "LSSTComCam", "LATISS"});
  REQUIRE(BuiltinTranslators().ok());
  CHECK(BuiltinTranslator("hsc")->instrument == "HSC");
  auto none = BuiltinTranslator("WFPC2");
  CHECK(none.status().IsNotFound());
  CHECK(std::string(none.status().message()).find("DECam, HSC") != std::string::npos);
}

TEST_CASE("DECam: a detector per HDU, inheriting the primary header", "[ingest][builtin]") {
  TempDir dir;
  // fitsheader-decam.yaml, primary and the S1 extension; S29 and a guider added.
  const std::vector<Card> primary = {{"TELESCOP", T("CTIO 4.0-m telescope")},
                                     {"INSTRUME", T("DECam")},
                                     {"EXPTIME", 200.0},
                                     {"OBSID", T("ct4m20130901t060255")},
                                     {"DATE-OBS", T("2013-09-01T06:02:55.753848")},
                                     {"MJD-OBS", 56536.25203419},
                                     {"TIMESYS", T("UTC")},
                                     {"EXPNUM", 229388LL},
                                     {"OBJECT", T("DES supernova hex SN-S1 tiling 22")},
                                     {"OBSTYPE", T("object")},
                                     {"PROPID", T("2012B-0001")},
                                     {"FILTER", T("z DECam SDSS c0004 9260.0 1520.0")},
                                     {"DTUTC", T("2013-09-01T06:07:56")}};
  const auto ccd = [](long long num, const char* pos) {
    return std::vector<Card>{{"DETECTOR", T("S3-111_107419-8-3")},
                             {"CCDNUM", num},
                             {"DETPOS", T(pos)},
                             {"EXTNAME", T(pos)},
                             {"INHERIT", T("T")}};
  };
  testutil::WriteMultiExtensionFits(dir.Sub("decam.fits"), primary,
                                    {ccd(25, "S1"), ccd(1, "S29"), ccd(63, "FS1")});
  const auto v = TranslateFile(dir.Sub("decam.fits"), "DECam");
  REQUIRE(v.size() == 2);  // CCDNUM 63 is a guider (> 62): no dataset.
  Expect(v[1], {.detector = 1, .full_name = "S29"});
  Expect(v[0], {
                   .exposure = 229388,                                     // EXPNUM
                   .detector = 25,                                         // CCDNUM
                   .full_name = "S1",                                      // DETPOS
                   .physical_filter = "z DECam SDSS c0004 9260.0 1520.0",  // FILTER, whole
                   .obs_id = "ct4m20130901t060255",                        // OBSID
                   .observation_type = "science",                          // "object" -> science
                   .observation_reason = "science",                // base rule: science if science
                   .target = "DES supernova hex SN-S1 tiling 22",  // OBJECT
                   .program = "2012B-0001",                        // PROPID
                   .exposure_time = "200",                         // EXPTIME
                   // Begin: no DATE-BEG/MJD-BEG, so DATE-OBS, UTC (TIMESYS); TAI - UTC was
                   // 35 s from 2012-07-01 to 2015-07-01. End: DTUTC, UTC.
                   .begin = Iso("2013-09-01T06:02:55.753848") + 35 * kSecond,
                   .end = Iso("2013-09-01T06:07:56") + 35 * kSecond,
                   // day_obs: the TAI begin (06:03:30.75) less 12 h is 2013-08-31.
                   .day_obs = 20130831,
               });
}

TEST_CASE("DECam: a bias gets the solid plate as its filter", "[ingest][builtin]") {
  TempDir dir;
  testutil::WriteMultiExtensionFits(dir.Sub("zero.fits"),
                                    {{"INSTRUME", T("DECam")},
                                     {"EXPNUM", 229000LL},
                                     {"OBSTYPE", T("zero")},
                                     {"OBSID", T("ct4m20130901t010000")},
                                     {"FILTER", T("r DECam SDSS c0002 6415.0 1480.0")},
                                     {"EXPTIME", 0.0},
                                     {"DATE-OBS", T("2013-09-01T01:00:00")}},
                                    {{{"CCDNUM", 5LL}, {"DETPOS", T("S26")}}});
  const auto v = TranslateFile(dir.Sub("zero.fits"), "DECam");
  REQUIRE(v.size() == 1);
  Expect(v[0], {
                   .physical_filter = "solid plate 0.0 0.0",  // fix_header
                   .observation_type = "zero",
                   .observation_reason = "unknown",
                   .end = I(v[0], "exposure.timespan_begin"),  // No DTUTC: +0 s.
               });
}

TEST_CASE("HSC: exposure from EXP-ID, detector names, times from DATE-OBS and UT-STR",
          "[ingest][builtin]") {
  TempDir dir;
  // fitsheader-hsc.yaml: early HSC files have no INSTRUME.
  std::vector<Card> cards = {{"UT-STR", T("06:15:55.908")},
                             {"DATE-OBS", T("2013-11-02")},
                             {"MJD", 56598.26106397435},
                             {"PROP-ID", T("o13015")},
                             {"TELESCOP", T("Subaru")},
                             {"EXP-ID", T("HSCA90402400")},
                             {"EXPTIME", 30.0},
                             {"OBJECT", T("STRIPE82L")},
                             {"DATA-TYP", T("OBJECT")},
                             {"FILTER01", T("HSC-i")},
                             {"UT-END", T("06:16:27.928")},
                             {"FRAMEID", T("HSCA90402512")},
                             {"DET-ID", 50LL},
                             {"T_CCDSN", T("120")}};
  WriteFits(dir.Sub("hsc.fits"), cards);
  const auto v = TranslateFile(dir.Sub("hsc.fits"), "HSC");
  REQUIRE(v.size() == 1);
  Expect(v[0], {
                   .exposure = 904024,             // HSC A 904024 00: letter A adds 0
                   .detector = 50,                 // DET-ID; MJD 56598 is not commissioning run 2
                   .full_name = "1_12",            // _DETECTOR_NUM_TO_UNIQUE_NAME[50]
                   .physical_filter = "HSC-I",     // FILTER01, upper case
                   .obs_id = "HSCA90402400",       // EXP-ID
                   .observation_type = "science",  // DATA-TYP OBJECT
                   .observation_reason = "science",
                   .target = "STRIPE82L",
                   .program = "o13015",  // PROP-ID
                   .exposure_time = "30",
                   // DATE-OBS's date with UT-STR, UTC, +35 s; the end UT-END, later than
                   // begin + 30 s (06:16:25.908), so UT-END.
                   .begin = Iso("2013-11-02T06:15:55.908") + 35 * kSecond,
                   .end = Iso("2013-11-02T06:16:27.928") + 35 * kSecond,
                   .day_obs = 20131102,  // Subaru: no offset, the TAI date
               });
  // During commissioning run 2 (MJD 56318 to 56331) focus CCD 112 was 106.
  cards[2].value = 56320.5;
  cards[12].value = 112LL;
  WriteFits(dir.Sub("hsc-cr2.fits"), cards);
  const auto fixed = TranslateFile(dir.Sub("hsc-cr2.fits"), "HSC");
  CHECK(I(fixed[0], "detector") == 106);
  CHECK(S(fixed[0], "detector.full_name") == "1_52");  // _DETECTOR_NUM_TO_UNIQUE_NAME[106]
}

TEST_CASE("SuprimeCam: exposure from EXP-ID, the end never before begin + EXPTIME",
          "[ingest][builtin]") {
  TempDir dir;
  // fitsheader-suprimecam-CORR40535770.yaml
  WriteFits(dir.Sub("sup.fits"), {{"DATE-OBS", T("2007-04-23")},
                                  {"UT-STR", T("08:02:27.204")},
                                  {"UT-END", T("08:05:47.000")},
                                  {"MJD", 54213.335036},
                                  {"TIMESYS", T("UTC")},
                                  {"PROP-ID", T("o07222")},
                                  {"FRAMEID", T("SUPA00535770")},
                                  {"EXP-ID", T("SUPE00535770")},
                                  {"DATA-TYP", T("OBJECT")},
                                  {"OBJECT", T("Ecliptic Deep Field")},
                                  {"TELESCOP", T("Subaru")},
                                  {"FILTER01", T("W-S-R+")},
                                  {"INSTRUME", T("SuprimeCam")},
                                  {"DETECTOR", T("w67c1")},
                                  {"DET-ID", 0LL},
                                  {"EXPTIME", 200.0}});
  const auto v = TranslateFile(dir.Sub("sup.fits"), "SuprimeCam");
  Expect(v[0], {
                   .exposure = 53577,  // SUP E 0053577 0
                   .detector = 0,
                   .full_name = "nausicaa",  // names[0]
                   .physical_filter = "W-S-R+",
                   .obs_id = "SUPE00535770",
                   .observation_type = "science",
                   .target = "Ecliptic Deep Field",
                   .program = "o07222",
                   .exposure_time = "200",
               });
  // UTC + 33 s (2006-2008). UT-END 08:05:47.000 is before begin + 200 s
  // (08:05:47.204): the end is begin + 200 s.
  const int64_t begin = Iso("2007-04-23T08:02:27.204") + 33 * kSecond;
  CHECK(I(v[0], "exposure.timespan_begin") == begin);
  CHECK(I(v[0], "exposure.timespan_end") == begin + 200 * kSecond);
  CHECK(I(v[0], "day_obs") == 20070423);
}

TEST_CASE("MegaPrime: a detector per ccdNN HDU, each header standing alone", "[ingest][builtin]") {
  TempDir dir;
  // fitsheader-megaprime.yaml is the ccd02 extension's header (INHERIT = F).
  const auto ccd = [](const char* name) {
    return std::vector<Card>{
        {"EXTNAME", T(name)},          {"OBJECT", T("w2.+2+2")},      {"RUNID", T("08BL05")},
        {"CCDNAME", T("8352-15-3")},   {"INHERIT", T("F")},           {"TIMESYS", T("UTC")},
        {"OBSTYPE", T("OBJECT")},      {"EXPNUM", 1038843LL},         {"OBSID", 1038843LL},
        {"EXPTIME", 615.037},          {"INSTRUME", T("MegaPrime")},  {"FILTER", T("i.MP9702")},
        {"DATE-OBS", T("2008-11-01")}, {"UTC-OBS", T("14:33:32.40")}, {"MJD-OBS", 54771.606625},
        {"UTCEND", T("14:44:41.96")}};
  };
  // An fpacked HDU is COMPRESSED_IMAGE, its detector EXTVER's: ccd05.
  auto packed = ccd("COMPRESSED_IMAGE");
  packed.push_back({"EXTVER", 5LL});
  testutil::WriteMultiExtensionFits(dir.Sub("mp.fits"), {{"INSTRUME", T("MegaPrime")}},
                                    {ccd("ccd02"), ccd("ccd03"), packed});
  const auto v = TranslateFile(dir.Sub("mp.fits"), "MegaPrime");
  REQUIRE(v.size() == 3);
  Expect(v[2], {.detector = 5, .full_name = "ccd05"});
  CHECK(I(v[0], "exposure") == 1038843);  // EXPNUM
  CHECK(I(v[0], "detector") == 2);        // int(EXTNAME[3:])
  CHECK(S(v[0], "detector.full_name") == "ccd02");
  CHECK(I(v[1], "detector") == 3);
  Expect(v[0], {
                   .physical_filter = "i.MP9702",
                   .obs_id = "1038843",  // OBSID, an integer, as text
                   .observation_type = "science",
                   .target = "w2.+2+2",
                   .program = "08BL05",  // RUNID
                   .exposure_time = "615.037",
                   // DATE-OBS with UTC-OBS, and with UTCEND, UTC + 33 s.
                   .begin = Iso("2008-11-01T14:33:32.40") + 33 * kSecond,
                   .end = Iso("2008-11-01T14:44:41.96") + 33 * kSecond,
                   .day_obs = 20081101,
               });
}

TEST_CASE("SDSS: a run is the exposure, filter and camera column the detector",
          "[ingest][builtin]") {
  TempDir dir;
  // fitsheader-sdss-fpC-006377-g4-0399.yaml (EXPTIME is text there).
  WriteFits(dir.Sub("sdss.fits"), {{"DATE-OBS", T("2006-09-20")},
                                   {"TAIHMS", T("06:01:22.73")},
                                   {"ORIGIN", T("SDSS")},
                                   {"TELESCOP", T("2.5m")},
                                   {"TIMESYS", T("TAI")},
                                   {"RUN", 6377LL},
                                   {"FRAME", 407LL},
                                   {"CCDLOC", 54LL},
                                   {"FLAVOR", T("science")},
                                   {"OBJECT", T("82 S")},
                                   {"EXPTIME", T("53.907456")},
                                   {"CCDMODE", T("DRIFT")},
                                   {"FILTER", T("g")},
                                   {"CAMCOL", 4LL}});
  const auto v = TranslateFile(dir.Sub("sdss.fits"), "SDSS");
  Expect(v[0], {
                   .exposure = 6377,   // RUN
                   .detector = 15,     // detector_name_id_map["g4"]
                   .full_name = "g4",  // FILTER + CAMCOL
                   .physical_filter = "g",
                   .obs_id = "6377 4 g 407",       // RUN CAMCOL FILTER FRAME
                   .observation_type = "science",  // FLAVOR
                   .observation_reason = "science",
                   .target = "82 S",
                   .program = "82 S",  // OBJECT, as the reference
                   .exposure_time = "53.907456",
                   // DATE-OBS with TAIHMS, TAI: no leap seconds to add.
                   .begin = Iso("2006-09-20T06:01:22.73"),
                   .end = Iso("2006-09-20T06:01:22.73") + 53'907'456'000,
                   .day_obs = 20060920,
               });
}

TEST_CASE("LSSTCam: exposure from DAYOBS, SEQNUM and CONTRLLR, detector from raft and slot",
          "[ingest][builtin]") {
  TempDir dir;
  // lsstCam-MC_O_20250415_000060_R01_S01.yaml
  std::vector<Card> cards = {{"IMGTYPE", T("ACQ")},
                             {"DATE-OBS", T("2025-04-16T00:53:13.573")},
                             {"MJD-OBS", 60781.03696264839},
                             {"OBSID", T("MC_O_20250415_000060")},
                             {"DATE-BEG", T("2025-04-16T00:53:13.573")},
                             {"MJD-BEG", 60781.03696264839},
                             {"DATE-END", T("2025-04-16T00:53:29.528")},
                             {"MJD-END", 60781.03714731056},
                             {"TIMESYS", T("TAI")},
                             {"INSTRUME", T("lsstCam")},
                             {"TELESCOP", T("Simonyi Survey Telescope")},
                             {"OBJECT", T("Vela_SNR")},
                             {"TESTTYPE", T("ACQ")},
                             {"CONTRLLR", T("O")},
                             {"DAYOBS", T("20250415")},
                             {"SEQNUM", 60LL},
                             {"PROGRAM", T("BLOCK-T434")},
                             {"REASON", T("first_focus")},
                             {"CCDSLOT", T("S01")},
                             {"RAFTBAY", T("R01")},
                             {"LSST_NUM", T("ITL-3800C-226")},
                             {"FILTER", T("i_39")},
                             {"EXPTIME", 15.0},
                             {"SHUTTIME", 15.000998497009277}};
  WriteFits(dir.Sub("mc.fits"), cards);
  auto v = TranslateFile(dir.Sub("mc.fits"), "LSSTCam");
  Expect(v[0], {
                   .exposure = 2025041500060,  // 20250415 * 100000 + 60; O adds nothing
                   .detector = 1,              // R01 is raft 0: 0 * 9 + S01 (1)
                   .full_name = "R01_S01",
                   .physical_filter = "i_39",  // FILTER; no FILTER1, FILTER2
                   .obs_id = "MC_O_20250415_000060",
                   .observation_type = "acq",            // IMGTYPE, lower case
                   .observation_reason = "first_focus",  // REASON
                   .target = "Vela_SNR",
                   .program = "BLOCK-T434",  // PROGRAM
                   // SHUTTIME > 0, as cfitsio wrote it (15 significant digits).
                   .exposure_time = "15.0009984970093",
                   // Begin: MJD-BEG as TAI: (60781.03696264839 - 40587) * 86400 s is
                   // 1744764793.572820896 s, 2025-04-16T00:53:13.572821 (to the double's
                   // microsecond). End: DATE-END, TAI.
                   .begin = Iso("2025-04-16T00:53:13.572820896"),
                   .end = Iso("2025-04-16T00:53:29.528"),
                   .day_obs = 20250415,  // DAYOBS
                   .begin_within_ns = 2'000,
               });
  // lsstCam-MC_C_20190319_000001_R10_S02: controller C before 2023-10-05
  // adds 1000 years to the day; R10 is raft 3: 3 * 9 + S02 (2) = 29.
  cards[13].value = T("C");
  cards[14].value = T("20190319");
  cards[15].value = 1LL;
  cards[19].value = T("R10");
  cards[18].value = T("S02");
  WriteFits(dir.Sub("mc-c.fits"), cards);
  v = TranslateFile(dir.Sub("mc-c.fits"), "LSSTCam");
  CHECK(I(v[0], "exposure") == 3019031900001);
  CHECK(I(v[0], "detector") == 29);
  // fix_header: on 2025-06-09 sequence numbers 76 to 578 had the z_20
  // filter in the beam whatever FILTER says (DM-52711); BLOCK-417 was
  // BLOCK-T417 on the days listed (DM-53949).
  cards[14].value = T("20250609");
  cards[15].value = 578LL;
  cards[21].value = T("r_57");
  cards[16].value = T("BLOCK-417");
  WriteFits(dir.Sub("mc-z.fits"), cards);
  v = TranslateFile(dir.Sub("mc-z.fits"), "LSSTCam");
  Expect(v[0], {.exposure = 2025060900578, .physical_filter = "z_20", .program = "BLOCK-417"});
  cards[14].value = T("20250425");
  WriteFits(dir.Sub("mc-t.fits"), cards);
  v = TranslateFile(dir.Sub("mc-t.fits"), "LSSTCam");
  Expect(v[0], {.physical_filter = "r_57", .program = "BLOCK-T417"});
  // A corner raft's wavefront sensor: R44_SW0 is 203.
  cards[19].value = T("R44");
  cards[18].value = T("SW0");
  WriteFits(dir.Sub("mc-w.fits"), cards);
  v = TranslateFile(dir.Sub("mc-w.fits"), "LSSTCam");
  CHECK(I(v[0], "detector") == 203);
}

TEST_CASE("LSSTComCam: one raft, detectors 0 to 8", "[ingest][builtin]") {
  TempDir dir;
  // comCam-CC_O_20241108_000266_R22_S00.yaml
  WriteFits(dir.Sub("cc.fits"), {{"IMGTYPE", T("OBJECT")},
                                 {"DATE-OBS", T("2024-11-09T06:34:41.323")},
                                 {"MJD-OBS", 60623.27408938669},
                                 {"OBSID", T("CC_O_20241108_000266")},
                                 {"DATE-BEG", T("2024-11-09T06:34:41.323")},
                                 {"MJD-BEG", 60623.27408938669},
                                 {"DATE-END", T("2024-11-09T06:35:11.754")},
                                 {"TIMESYS", T("TAI")},
                                 {"INSTRUME", T("ComCam")},
                                 {"TELESCOP", T("Simonyi Survey Telescope")},
                                 {"OBJECT", T("slew_icrs")},
                                 {"TESTTYPE", T("OBJECT")},
                                 {"CONTRLLR", T("O")},
                                 {"DAYOBS", T("20241108")},
                                 {"SEQNUM", 266LL},
                                 {"PROGRAM", T("PP-SURVEY")},
                                 {"REASON", T("science")},
                                 {"CCDSLOT", T("S00")},
                                 {"RAFTBAY", T("R22")},
                                 {"FILTER", T("g_01")},
                                 {"EXPTIME", 30.0},
                                 {"SHUTTIME", 30.0}});
  const auto v = TranslateFile(dir.Sub("cc.fits"), "LSSTComCam");
  Expect(v[0], {
                   .exposure = 2024110800266,
                   .detector = 0,  // S00
                   .full_name = "R22_S00",
                   .physical_filter = "g_01",
                   .obs_id = "CC_O_20241108_000266",
                   .observation_type = "science",  // OBJECT -> science
                   .observation_reason = "science",
                   .target = "slew_icrs",
                   .program = "PP-SURVEY",
                   .exposure_time = "30",
                   // (60623.27408938669 - 40587) * 86400 s: 2024-11-09T06:34:41.323010.
                   .begin = Iso("2024-11-09T06:34:41.323010016"),
                   .end = Iso("2024-11-09T06:35:11.754"),
                   .day_obs = 20241108,
                   .begin_within_ns = 2'000,
               });
}

TEST_CASE("LATISS: one CCD, the filter and the grating joined", "[ingest][builtin]") {
  TempDir dir;
  // latiss-AT_O_20240624_000106_R00_S00.yaml
  std::vector<Card> cards = {{"CCDSLOT", T("S00")},
                             {"RAFTBAY", T("R00")},
                             {"IMGTYPE", T("CWFS")},
                             {"DATE-OBS", T("2024-06-25T01:27:55.160")},
                             {"MJD-BEG", 60486.06105509261},
                             {"OBSID", T("AT_O_20240624_000106")},
                             {"DATE-END", T("2024-06-25T01:28:25.400")},
                             {"TIMESYS", T("TAI")},
                             {"INSTRUME", T("LATISS")},
                             {"TELESCOP", T("LSST AuxTelescope")},
                             {"OBJECT", T("HD 131586")},
                             {"TESTTYPE", T("CWFS")},
                             {"CONTRLLR", T("O")},
                             {"DAYOBS", T("20240624")},
                             {"SEQNUM", 106LL},
                             {"PROGRAM", T("cwfs")},
                             {"REASON", T("INTRA")},
                             {"GRATING", T("empty_1")},
                             {"FILTER", T("SDSSr_65mm")},
                             {"EXPTIME", 30.0},
                             {"SHUTTIME", 30.0}};
  WriteFits(dir.Sub("at.fits"), cards);
  const auto v = TranslateFile(dir.Sub("at.fits"), "LATISS");
  Expect(v[0], {
                   .exposure = 2024062400106,
                   .detector = 0,  // A single sensor
                   .full_name = "RXX_S00",
                   .physical_filter = "SDSSr_65mm~empty",  // empty_1 is an empty slot
                   .obs_id = "AT_O_20240624_000106",
                   .observation_type = "cwfs",
                   .observation_reason = "intra",  // REASON, lower case
                   .target = "HD 131586",
                   .program = "cwfs",
                   .exposure_time = "30",
                   // (60486.06105509261 - 40587) * 86400 s: 2024-06-25T01:27:55.160002.
                   .begin = Iso("2024-06-25T01:27:55.160001504"),
                   .end = Iso("2024-06-25T01:28:25.400"),
                   .day_obs = 20240624,
                   .begin_within_ns = 2'000,
               });
  // Without IMGTYPE, OBSTYPE or GRATING: a bias when EXPTIME is 0, and an
  // unknown grating.
  cards.erase(cards.begin() + 17);  // GRATING
  cards.erase(cards.begin() + 2);   // IMGTYPE
  cards[17].value = 0.0;            // EXPTIME
  WriteFits(dir.Sub("at-bias.fits"), cards);
  const auto bias = TranslateFile(dir.Sub("at-bias.fits"), "LATISS");
  CHECK(S(bias[0], "exposure.observation_type") == "bias");
  CHECK(S(bias[0], "physical_filter") == "SDSSr_65mm~unknown");
}

TEST_CASE("Ingest with the built-ins chooses each file's instrument by its header",
          "[ingest][builtin]") {
  IngestRepo r;
  WriteFits(r.In("sdss.fits"), {{"DATE-OBS", T("2006-09-20")},
                                {"TAIHMS", T("06:01:22.73")},
                                {"ORIGIN", T("SDSS")},
                                {"TELESCOP", T("2.5m")},
                                {"RUN", 6377LL},
                                {"FRAME", 407LL},
                                {"FLAVOR", T("science")},
                                {"OBJECT", T("82 S")},
                                {"EXPTIME", T("53.907456")},
                                {"CCDMODE", T("DRIFT")},
                                {"FILTER", T("g")},
                                {"CAMCOL", 4LL}});
  WriteFits(r.In("at.fits"), {{"INSTRUME", T("LATISS")},
                              {"DAYOBS", T("20240624")},
                              {"SEQNUM", 106LL},
                              {"CONTRLLR", T("O")},
                              {"FILTER", T("SDSSr_65mm")},
                              {"GRATING", T("empty_1")},
                              {"IMGTYPE", T("OBJECT")},
                              {"EXPTIME", 30.0},
                              {"DATE-BEG", T("2024-06-25T01:27:55.160")}});
  auto o = r.Options();
  o.run = "raw/all";
  o.translators = BuiltinTranslators().value();
  auto report = r.Run({r.dir.Sub("in")}, o);
  REQUIRE(report.ok());
  INFO((report->skipped.empty() ? "" : report->skipped[0].reason));
  CHECK(report->ingested == 2);
  auto view = r.store->View().value();
  CHECK(view.FindDataset("raw", r.RawId("SDSS", 6377, 15), {"raw/all"}).ok());
  CHECK(view.FindDataset("raw", r.RawId("LATISS", 2024062400106, 0), {"raw/all"}).ok());
}

TEST_CASE("The README's translator example parses and translates HSC's header",
          "[ingest][builtin]") {
  std::ifstream in(std::string(STARLOG_SOURCE_DIR) + "/README.md");
  const std::string readme((std::istreambuf_iterator<char>(in)), {});
  const size_t intro = readme.find("HSC's, shortened:");
  REQUIRE(intro != std::string::npos);
  const size_t open = readme.find("```\n", intro) + 4;
  const std::string example = readme.substr(open, readme.find("```", open) - open);
  auto t = ParseTranslator(example, "README.md");
  INFO(t.status().ToString());
  REQUIRE(t.ok());
  const FitsHeader header = {{"EXP-ID", {FitsCard::Kind::kString, "HSCA90402400", 0, 0}},
                             {"DET-ID", {FitsCard::Kind::kInt, "1", 1, 1}},
                             {"MJD", {FitsCard::Kind::kFloat, "56598.26", 0, 56598.26}},
                             {"FILTER01", {FitsCard::Kind::kString, "HSC-i", 0, 0}},
                             {"DATA-TYP", {FitsCard::Kind::kString, "OBJECT", 0, 0}},
                             {"EXPTIME", {FitsCard::Kind::kFloat, "30.0", 0, 30}},
                             {"DATE-OBS", {FitsCard::Kind::kString, "2013-11-02", 0, 0}},
                             {"UT-STR", {FitsCard::Kind::kString, "06:15:55.908", 0, 0}},
                             {"UT-END", {FitsCard::Kind::kString, "06:16:27.928", 0, 0}}};
  REQUIRE(t->Matches(header));
  auto v = t->Translate(header, engine::Universe::Default());
  INFO(v.status().ToString());
  REQUIRE(v.ok());
  Expect(*v, {.exposure = 904024,
              .detector = 1,
              .full_name = "1_54",
              .physical_filter = "HSC-I",
              .day_obs = 20131102});
}

// LATISS's fix_header on obs_lsst's early headers (tests/headers), the
// expected values those of obs_lsst's tests/test_translator.py.
TEST_CASE("LATISS: a 2019 file without DAYOBS and SEQNUM takes them from its id",
          "[ingest][builtin]") {
  TempDir dir;
  // latiss-AT_O_20190306_000014.yaml (IMGTYPE, FILTER and GRATING null).
  WriteFits(dir.Sub("at.fits"), {{"DATE", T("2019-03-06T19:37:57.244")},
                                 {"DATE-OBS", T("2019-03-06T19:37:54.309")},
                                 {"MJD", 58548.8180236578},
                                 {"MJD-OBS", 58548.8179896848},
                                 {"INSTRUME", T("LATISS")},
                                 {"IMGNAME", T("AT_O_20190306_000014")},
                                 {"EXPTIME", 1.06}});
  const auto v = TranslateFile(dir.Sub("at.fits"), "LATISS");
  Expect(v[0], {
                   .exposure = 2019030600014,
                   .physical_filter = "unknown~unknown",
                   .obs_id = "AT_O_20190306_000014",
                   .observation_type = "unknown",
                   // MJD-OBS, TAI: (58548.8179896848 - 40587) * 86400 s.
                   .begin = Iso("2019-03-06T19:37:54.308767"),
                   .day_obs = 20190306,
                   .begin_within_ns = 2'000,
               });
  CHECK(I(v[0], "exposure.timespan_end") - I(v[0], "exposure.timespan_begin") == 1'060'000'000);
}

TEST_CASE("LATISS: LSST_ATISS is LATISS, and the controller C adds 1000 years before 2023",
          "[ingest][builtin]") {
  TempDir dir;
  // latiss-2018-09-20-05700065-det000.yaml
  WriteFits(dir.Sub("at.fits"), {{"DATE", T("2018-09-21T06:12:22.390")},
                                 {"DATE-OBS", T("2018-09-21T06:12:18.210")},
                                 {"MJD", 58382.25859247707},
                                 {"MJD-OBS", 58382.25854409719},
                                 {"INSTRUME", T("LSST_ATISS")},
                                 {"EXPTIME", 27.0},
                                 {"OBSID", T("AT_C_20180920_000065")},
                                 {"TELCODE", T("AT")},
                                 {"CONTRLLR", T("C")},
                                 {"DAYOBS", T("20180920")},
                                 {"SEQNUM", 65LL}});
  const auto v = TranslateFile(dir.Sub("at.fits"), "LATISS");
  Expect(v[0], {.exposure = 3018092000065,
                .physical_filter = "unknown~unknown",
                .obs_id = "AT_C_20180920_000065",
                .observation_type = "unknown",
                .day_obs = 20180920});
}

TEST_CASE("LATISS: 1970 dates give way to DATE and MJD, and an OBJECT of 2019 is an engtest",
          "[ingest][builtin]") {
  TempDir dir;
  // latiss-AT_O_20191031_000004.yaml
  WriteFits(dir.Sub("at.fits"), {{"TIMESYS", T("TAI")},
                                 {"DATE", T("2019-11-01T02:45:33.770")},
                                 {"DATE-OBS", T("1970-01-01T00:00:08.000")},
                                 {"DATE-BEG", T("1970-01-01T00:00:08.000")},
                                 {"DATE-END", T("1970-01-01T00:00:08.000")},
                                 {"MJD", 58788.1149741856},
                                 {"MJD-OBS", 40587.0000925935},
                                 {"MJD-BEG", 40587.0000925935},
                                 {"MJD-END", 40587.0000925935},
                                 {"OBSID", T("AT_O_20191031_000004")},
                                 {"GROUPID", T("TEST01")},
                                 {"IMGTYPE", T("OBJECT")},
                                 {"INSTRUME", T("LATISS")},
                                 {"CONTRLLR", T("O")},
                                 {"DAYOBS", T("20191031")},
                                 {"SEQNUM", 4LL},
                                 {"EXPTIME", 3.0},
                                 {"SHUTTIME", 3.035}});
  const auto v = TranslateFile(dir.Sub("at.fits"), "LATISS");
  Expect(v[0], {
                   .exposure = 2019103100004,
                   .observation_type = "engtest",
                   .exposure_time = "3",
                   // MJD copied into MJD-BEG: (58788.1149741856 - 40587) * 86400 s.
                   .begin = Iso("2019-11-01T02:45:33.769636"),
                   .day_obs = 20191031,
                   .begin_within_ns = 2'000,
               });
  // DATE-END cleared: begin + EXPTIME.
  CHECK(I(v[0], "exposure.timespan_end") - I(v[0], "exposure.timespan_begin") == 3 * kSecond);
}

TEST_CASE("LATISS: before 2020-02 DATE-END is not trusted, and GROUPID gave the type in 2019",
          "[ingest][builtin]") {
  TempDir dir;
  // latiss-AT_O_20190915_000037.yaml: DATE-END before DATE-BEG.
  std::vector<Card> cards = {{"TIMESYS", T("TAI")},
                             {"DATE", T("2019-09-15T18:13:31.752")},
                             {"DATE-OBS", T("2019-09-15T18:13:32.400")},
                             {"DATE-BEG", T("2019-09-15T18:13:32.400")},
                             {"DATE-END", T("2019-09-15T18:13:27.435")},
                             {"MJD", 58741.7593952745},
                             {"MJD-OBS", 58741.7594027778},
                             {"MJD-BEG", 58741.7594027778},
                             {"MJD-END", 58741.7593453125},
                             {"OBSID", T("AT_O_20190915_000037")},
                             {"GROUPID", T("bias_0027_0100")},
                             {"INSTRUME", T("LATISS")},
                             {"CONTRLLR", T("O")},
                             {"DAYOBS", T("20190915")},
                             {"SEQNUM", 37LL},
                             {"EXPTIME", 0.0},
                             {"SHUTTIME", 59.449}};
  WriteFits(dir.Sub("at.fits"), cards);
  const auto v = TranslateFile(dir.Sub("at.fits"), "LATISS");
  Expect(v[0], {
                   .exposure = 2019091500037,
                   .physical_filter = "unknown~unknown",
                   .observation_type = "bias",
                   // MJD-BEG: (58741.7594027778 - 40587) * 86400 s.
                   .begin = Iso("2019-09-15T18:13:32.400002"),
                   .day_obs = 20190915,
                   .begin_within_ns = 2'000,
               });
  CHECK(I(v[0], "exposure.timespan_end") == I(v[0], "exposure.timespan_begin"));
  // The type comes from GROUPID even when EXPTIME would not say bias.
  cards[15].value = 2.0;
  WriteFits(dir.Sub("at2.fits"), cards);
  CHECK(S(TranslateFile(dir.Sub("at2.fits"), "LATISS")[0], "exposure.observation_type") == "bias");
}

TEST_CASE("LATISS: an empty filter slot is empty or empty_N, nothing longer", "[ingest][builtin]") {
  TempDir dir;
  std::vector<Card> cards = {{"INSTRUME", T("LATISS")},
                             {"DAYOBS", T("20240624")},
                             {"SEQNUM", 106LL},
                             {"MJD-BEG", 60486.06105509261},
                             {"OBSID", T("AT_O_20240624_000106")},
                             {"IMGTYPE", T("FLAT")},
                             {"EXPTIME", 30.0},
                             {"GRATING", T("empty_1")},
                             {"FILTER", T("EMPTY_3")}};
  WriteFits(dir.Sub("a.fits"), cards);
  CHECK(S(TranslateFile(dir.Sub("a.fits"), "LATISS")[0], "physical_filter") == "empty~empty");
  cards[8].value = T("empty_slot_b");  // _is_filter_empty: not an empty slot
  WriteFits(dir.Sub("b.fits"), cards);
  CHECK(S(TranslateFile(dir.Sub("b.fits"), "LATISS")[0], "physical_filter") ==
        "empty_slot_b~empty");
}

TEST_CASE("LSSTCam: a FILTER2 without FILTER is dropped", "[ingest][builtin]") {
  TempDir dir;
  // lsstCam-MC_C_20190322_000002_R10_S22.yaml without its FILTER (SDSSi):
  // obs_lsst's fix_header removes FILTER2 too, leaving no filter.
  WriteFits(dir.Sub("mc.fits"), {{"INSTRUME", T("lsstCam")},
                                 {"TELESCOP", T("LSST")},
                                 {"DATE-OBS", T("2019-03-22T15:31:01.904")},
                                 {"MJD-OBS", 58564.64654981485},
                                 {"DAYOBS", T("20190322")},
                                 {"SEQNUM", 2LL},
                                 {"CONTRLLR", T("C")},
                                 {"IMGTYPE", T("FLAT")},
                                 {"RAFTBAY", T("R10")},
                                 {"CCDSLOT", T("S22")},
                                 {"FILTER2", T("ND_OD0.5")},
                                 {"EXPTIME", 1.0}});
  const auto v = TranslateFile(dir.Sub("mc.fits"), "LSSTCam");
  Expect(v[0], {.exposure = 3019032200002,
                .detector = 35,
                .physical_filter = "unknown",
                .observation_type = "flat",
                .day_obs = 20190322});
}

TEST_CASE("LSSTComCam: FILTER r is r_03 in the lab, empty in Chile", "[ingest][builtin]") {
  TempDir dir;
  // comCam-CC_C_20190530_000001_R22_S00.yaml (lab, 2019) with FILTER "r".
  std::vector<Card> lab = {
      {"INSTRUME", T("comCam")}, {"TELESCOP", T("LSST")}, {"MJD-OBS", 58634.11015490722},
      {"DAYOBS", T("20190530")}, {"SEQNUM", 1LL},         {"CONTRLLR", T("C")},
      {"IMGTYPE", T("BIAS")},    {"RAFTBAY", T("R22")},   {"CCDSLOT", T("S00")},
      {"FILTER", T("r")},        {"EXPTIME", 0.0}};
  WriteFits(dir.Sub("lab.fits"), lab);
  Expect(TranslateFile(dir.Sub("lab.fits"), "LSSTComCam")[0],
         {.exposure = 3019053000001, .detector = 0, .physical_filter = "r_03"});
  // comCam-CC_O_20241108_000266_R22_S00.yaml (Chile) with FILTER "r".
  std::vector<Card> chile = {{"INSTRUME", T("ComCam")},
                             {"TELESCOP", T("Simonyi Survey Telescope")},
                             {"MJD-BEG", 60623.27408938669},
                             {"DAYOBS", T("20241108")},
                             {"SEQNUM", 266LL},
                             {"CONTRLLR", T("O")},
                             {"IMGTYPE", T("OBJECT")},
                             {"RAFTBAY", T("R22")},
                             {"CCDSLOT", T("S00")},
                             {"FILTER", T("r")},
                             {"EXPTIME", 30.0}};
  WriteFits(dir.Sub("chile.fits"), chile);
  Expect(TranslateFile(dir.Sub("chile.fits"), "LSSTComCam")[0],
         {.exposure = 2024110800266, .detector = 0, .physical_filter = "empty"});
}

TEST_CASE("LSSTCam: NONE is none in each part of the filter", "[ingest][builtin]") {
  TempDir dir;
  // lsstCam-MC_C_20190406_000643_R10_S00.yaml with both filter wheels NONE.
  WriteFits(dir.Sub("mc.fits"), {{"INSTRUME", T("lsstCam")},
                                 {"MJD-OBS", 58580.24908234971},
                                 {"DAYOBS", T("20190406")},
                                 {"SEQNUM", 643LL},
                                 {"CONTRLLR", T("C")},
                                 {"IMGTYPE", T("FLAT")},
                                 {"RAFTBAY", T("R10")},
                                 {"CCDSLOT", T("S00")},
                                 {"FILTER", T("NONE")},
                                 {"FILTER2", T("NONE")},
                                 {"EXPTIME", 999.99}});
  Expect(TranslateFile(dir.Sub("mc.fits"), "LSSTCam")[0],
         {.exposure = 3019040600643, .detector = 27, .physical_filter = "none~none"});
}

TEST_CASE("LATISS: without EXPTIME the exposure time is -1 s and the end is the begin",
          "[ingest][builtin]") {
  TempDir dir;
  // latiss-AT_C_20220426_000004_R00_S00.yaml (FILTER, GRATING, DATE-END null).
  WriteFits(dir.Sub("at.fits"), {{"INSTRUME", T("LATISS")},
                                 {"TIMESYS", T("TAI")},
                                 {"DATE-OBS", T("2022-04-26T23:36:20.879")},
                                 {"MJD-OBS", 59695.98357498832},
                                 {"DAYOBS", T("20220426")},
                                 {"SEQNUM", 4LL},
                                 {"CONTRLLR", T("C")},
                                 {"OBSID", T("AT_C_20220426_000004")},
                                 {"IMGTYPE", T("UNKNOWN")}});
  const auto v = TranslateFile(dir.Sub("at.fits"), "LATISS");
  Expect(v[0], {.exposure = 3022042600004,
                .physical_filter = "unknown~unknown",
                .observation_type = "unknown",
                .exposure_time = "-1",
                .day_obs = 20220426});
  CHECK(I(v[0], "exposure.timespan_end") == I(v[0], "exposure.timespan_begin"));
}

TEST_CASE("LATISS: 2019's fix-ups by GROUPID, OBS-NITE and OBSTYPE, with or without MJDs",
          "[ingest][builtin]") {
  TempDir dir;
  // latiss-AT_O_20190915_000037.yaml without its MJD keywords: the dates
  // compare as text, and DATE-END is still not trusted.
  std::vector<Card> cards = {{"TIMESYS", T("TAI")},
                             {"DATE-OBS", T("2019-09-15T18:13:32.400")},
                             {"DATE-BEG", T("2019-09-15T18:13:32.400")},
                             {"DATE-END", T("2019-09-15T18:13:27.435")},
                             {"OBSID", T("AT_O_20190915_000037")},
                             {"GROUPID", T("bias_0027_0100")},
                             {"INSTRUME", T("LATISS")},
                             {"CONTRLLR", T("O")},
                             {"DAYOBS", T("20190915")},
                             {"SEQNUM", 37LL},
                             {"EXPTIME", 2.0}};
  auto translate = [&](const std::vector<Card>& c, const std::string& name) {
    WriteFits(dir.Sub(name), c);
    return TranslateFile(dir.Sub(name), "LATISS")[0];
  };
  auto v = translate(cards, "iso.fits");
  CHECK(S(v, "exposure.observation_type") == "bias");
  CHECK(I(v, "exposure.timespan_end") - I(v, "exposure.timespan_begin") == 2 * kSecond);
  // GROUPID FOCUSxxx is a focus; one starting "test" says nothing.
  cards[5].value = T("FOCUS3");
  CHECK(S(translate(cards, "focus.fits"), "exposure.observation_type") == "focus");
  cards[5].value = T("test_run");
  CHECK(S(translate(cards, "test.fits"), "exposure.observation_type") == "unknown");
  // Without DAYOBS and an id that gives none, OBS-NITE.
  std::vector<Card> nite = cards;
  nite.erase(nite.begin() + 8);  // DAYOBS
  nite[4].value = T("AT_O_x_000037");
  nite.push_back({"OBS-NITE", T("20190915")});
  CHECK(I(translate(nite, "nite.fits"), "exposure") == 2019091500037);
  // An OBSTYPE object before 2020 was taken in the lab.
  cards.push_back({"OBSTYPE", T("OBJECT")});
  CHECK(S(translate(cards, "lab.fits"), "exposure.observation_type") == "labobject");
}

TEST_CASE("LSSTComCam: FILTER r by the begin's text when there is no MJD", "[ingest][builtin]") {
  TempDir dir;
  std::vector<Card> cards = {{"INSTRUME", T("ComCam")},
                             {"TELESCOP", T("LSST")},
                             {"DATE-OBS", T("2019-05-30T02:38:37.384")},
                             {"DAYOBS", T("20190530")},
                             {"SEQNUM", 1LL},
                             {"CONTRLLR", T("C")},
                             {"IMGTYPE", T("BIAS")},
                             {"RAFTBAY", T("R22")},
                             {"CCDSLOT", T("S00")},
                             {"FILTER", T("r")},
                             {"EXPTIME", 0.0}};
  WriteFits(dir.Sub("lab.fits"), cards);
  CHECK(S(TranslateFile(dir.Sub("lab.fits"), "LSSTComCam")[0], "physical_filter") == "r_03");
  cards[2].value = T("2024-11-09T06:34:41.323");
  WriteFits(dir.Sub("chile.fits"), cards);
  CHECK(S(TranslateFile(dir.Sub("chile.fits"), "LSSTComCam")[0], "physical_filter") == "empty");
}

TEST_CASE("'' is not a card without a value: ComCam's FILTER, LATISS's GRATING",
          "[ingest][builtin]") {
  TempDir dir;
  // comCam-CC_C_20190526_000223_R22_S01.yaml (lab, 2019): FILTER '' is
  // r_03 (fix_header), a FILTER without a value unknown.
  std::vector<Card> cc = {
      {"INSTRUME", T("comCam")}, {"TELESCOP", T("LSST")}, {"MJD-OBS", 58629.33899871539},
      {"DAYOBS", T("20190526")}, {"SEQNUM", 223LL},       {"CONTRLLR", T("C")},
      {"IMGTYPE", T("BIAS")},    {"RAFTBAY", T("R22")},   {"CCDSLOT", T("S01")},
      {"FILTER", T("")},         {"EXPTIME", 0.0}};
  WriteFits(dir.Sub("blank.fits"), cc);
  Expect(TranslateFile(dir.Sub("blank.fits"), "LSSTComCam")[0],
         {.exposure = 3019052600223, .detector = 1, .physical_filter = "r_03"});
  cc[9].value = std::monostate{};
  WriteFits(dir.Sub("null.fits"), cc);
  CHECK(S(TranslateFile(dir.Sub("null.fits"), "LSSTComCam")[0], "physical_filter") == "unknown");
  // LATISS: a GRATING of '' is an empty slot; one without a value unknown.
  std::vector<Card> at = {{"INSTRUME", T("LATISS")},
                          {"DAYOBS", T("20240624")},
                          {"SEQNUM", 106LL},
                          {"MJD-BEG", 60486.06105509261},
                          {"OBSID", T("AT_O_20240624_000106")},
                          {"IMGTYPE", T("FLAT")},
                          {"EXPTIME", 30.0},
                          {"FILTER", T("SDSSr_65mm")},
                          {"GRATING", T("")}};
  WriteFits(dir.Sub("at-blank.fits"), at);
  CHECK(S(TranslateFile(dir.Sub("at-blank.fits"), "LATISS")[0], "physical_filter") ==
        "SDSSr_65mm~empty");
  at[8].value = std::monostate{};
  WriteFits(dir.Sub("at-null.fits"), at);
  CHECK(S(TranslateFile(dir.Sub("at-null.fits"), "LATISS")[0], "physical_filter") ==
        "SDSSr_65mm~unknown");
}

TEST_CASE("LATISS: before 2022-07-10 a target spec:NAME is NAME", "[ingest][builtin]") {
  TempDir dir;
  // latiss-AT_O_20220405_000348.yaml with a spectrograph's target name.
  std::vector<Card> cards = {{"INSTRUME", T("LATISS")},
                             {"TIMESYS", T("TAI")},
                             {"MJD-BEG", 59675.1246418629},
                             {"DAYOBS", T("20220405")},
                             {"SEQNUM", 348LL},
                             {"CONTRLLR", T("O")},
                             {"OBSID", T("AT_O_20220405_000348")},
                             {"IMGTYPE", T("OBJECT")},
                             {"EXPTIME", 30.0},
                             {"OBJECT", T("spec:HD 60753")}};
  WriteFits(dir.Sub("a.fits"), cards);
  CHECK(S(TranslateFile(dir.Sub("a.fits"), "LATISS")[0], "exposure.target_name") == "HD 60753");
  cards[2].value = 59771.0;  // 2022-07-11: kept as written
  WriteFits(dir.Sub("b.fits"), cards);
  CHECK(S(TranslateFile(dir.Sub("b.fits"), "LATISS")[0], "exposure.target_name") ==
        "spec:HD 60753");
}
