#pragma once

// The translators starlog ships for real instruments: DECam, HSC,
// SuprimeCam, MegaPrime, SDSS, LSSTCam, LSSTComCam and LATISS, each written
// after its astro_metadata_translator or obs_lsst translator. Their rules
// are the text files in ingest/instruments/, compiled into the library, so
// "starlog ingest --instrument HSC" needs no file beside the binary; the
// README says how to add one.

#include <string>
#include <vector>

#include "starlog/ingest/translator.h"
#include "starlog/result.h"

namespace starlog::ingest {

// The built-in instruments' names, in the order they are tried.
std::vector<std::string> BuiltinInstruments();

// The rules of the built-in translator for "instrument" (any case), as text.
// NotFound lists the names there are.
Result<std::string> BuiltinTranslatorText(const std::string& instrument);

// The built-in translator for "instrument" (any case); NotFound as above.
Result<Translator> BuiltinTranslator(const std::string& instrument);

// All of them, in order: what ingest tries when given no translator.
Result<std::vector<Translator>> BuiltinTranslators();

}  // namespace starlog::ingest
