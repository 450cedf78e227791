#pragma once

// Translator rules: how one instrument's FITS headers become a data ID and
// dimension records. One small config file per instrument, one rule a line
// ("#" starts a comment; a word in double quotes may hold spaces):
//
//   instrument FakeCam                  # the instrument key of what it reads
//   match INSTRUME FakeCam              # files whose INSTRUME is this (case-insensitive)
//   dataset_type raw                    # what its files are (default raw)
//   dataset_type bias when IMGTYPE = bias   # or by the header, the first that holds
//   value exposure EXPNUM               # a key or record field from a keyword
//   value detector CCDNUM
//   value physical_filter FILTER
//   value band FILTER map=FakeCam-R:r,FakeCam-I:i
//   value exposure.observation_type IMGTYPE lower
//   value exposure.target_name OBJECT optional
//   constant instrument.class_name fake.FakeCam
//   timespan exposure DATE-OBS EXPTIME  # exposure.timespan_begin/end, TAI ns
//   day_obs DATE-OBS -12                # day_obs: the date of DATE-OBS shifted by hours
//
// and, for instruments that need more (the README has the whole grammar):
//
//   match COND                          # COND: KEY OP VALUE [and|or ...] (header_condition.h);
//                                       #   every match line must hold
//   time_scale utc|tai|tt [always]      # header times' scale without TIMESYS (always: despite it)
//   set KEY VALUE [when COND]           # a working keyword; {KEY} in VALUE is KEY's value
//   join KEY SEP KEY1 KEY2 ... [when COND]       # the present values joined by SEP
//   pattern KEY REGEX OUT1 ... [when COND]       # REGEX's captures into OUT1 ...
//   compute KEY EXPR [when COND]        # integer arithmetic (int_expression.h)
//   table NAME FROM TO [FROM TO ...]    # lookup tables, several lines add up
//   lookup KEY TABLE FROM_KEY [or_keep] [when COND]   # or_keep: not there, kept as is
//   value NAME KEY[|KEY2...] [optional] [lower] [upper] [float] [default=V] [map=A:B,...]
//                                       # lower/upper apply before map
//   timespan ELEMENT                    # with:
//   begin TIME[|TIME...]                #   TIME: KEY (ISO, or an MJD number) or DATE+TIME
//   end TIME[|TIME...][|+EXPTIME] [at_least +EXPTIME]
//   day_obs begin HOURS | day_obs KEY HOURS | day_obs KEY
//   per_hdu inherit|alone [when COND]   # one dataset per extension HDU
//
// The working rules (set, join, pattern, compute, lookup) run in the order
// written, on a copy of the header, before values are read; what they write
// is read as any keyword. A bare name is a dimension's key; "element.field"
// a record field. Values are typed by the universe. A keyword a
// non-optional rule needs and the header lacks makes the file's translation
// fail, naming the file's translator, the line and the rule.

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "starlog/codec/data_id.h"
#include "starlog/engine/universe.h"
#include "starlog/ingest/fits_header.h"
#include "starlog/result.h"

namespace starlog::ingest {

struct TranslatorRules;  // translator_rules.h

struct Translator {
  std::string source;  // The file it came from, for messages.
  std::string instrument;
  std::string dataset_type = "raw";
  std::shared_ptr<const TranslatorRules> rules;

  // Whether "header" (the primary's, with the first extension's) is this
  // instrument's.
  bool Matches(const FitsHeader& header) const;
  // The dataset type of a file with "header": the first "dataset_type NAME
  // when COND" that holds (bias, flat, ... by IMGTYPE), else dataset_type.
  const std::string& DatasetTypeFor(const FitsHeader& header) const;
  // Whether each extension HDU is a dataset of its own (DECam, MegaPrime).
  bool PerHdu() const;
  // For a per-HDU translator: the headers of the file's datasets, by HDU
  // number (1 = first extension), each merged with the primary's if the
  // rules say "inherit", only the HDUs "per_hdu ... when" accepts.
  std::vector<std::pair<int, FitsHeader>> DatasetHeaders(const std::vector<FitsHeader>& hdus) const;
  // Every named value (keys and "element.field"s) of one file, typed by
  // "universe". InvalidArgument names the line and rule that failed and why.
  Result<codec::FieldMap> Translate(const FitsHeader& header,
                                    const engine::Universe& universe) const;
};

// Parses a translator config ("source" names it in errors). InvalidArgument
// names the line of an error.
Result<Translator> ParseTranslator(std::string_view text, const std::string& source);

}  // namespace starlog::ingest
