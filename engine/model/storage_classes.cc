#include "engine/model/storage_classes.h"

#include <algorithm>
#include <map>
#include <string>

namespace starlog::engine {

namespace {

using Components = std::vector<StorageClassComponent>;

// An afw Exposure's components; ExposureF, ExposureI and ExposureU differ in
// the classes of their pixel planes.
Components ExposureComponents(std::string_view image, std::string_view mask,
                              std::string_view variance) {
  return {
      {"image", image},
      {"mask", mask},
      {"variance", variance},
      {"wcs", "Wcs"},
      {"psf", "Psf"},
      {"photoCalib", "PhotoCalib"},
      {"visitInfo", "VisitInfo"},
      {"apCorrMap", "ApCorr"},
      {"coaddInputs", "CoaddInputs"},
      {"transmissionCurve", "TransmissionCurve"},
      {"metadata", "PropertyList"},
      {"filter", "FilterLabel"},
      {"detector", "Detector"},
      {"validPolygon", "Polygon"},
      {"summaryStats", "ExposureSummaryStats"},
      {"id", "int"},
      {"bbox", "Box2I", true},
      {"dimensions", "Extent2I", true},
      {"xy0", "Point2I", true},
      {"filterLabel", "FilterLabel", true},
  };
}

const std::map<std::string, Components, std::less<>>& Table() {
  static const auto* table = new std::map<std::string, Components, std::less<>>{
      {"Exposure", ExposureComponents("Image", "Mask", "Image")},
      {"ExposureF", ExposureComponents("ImageF", "MaskX", "ImageF")},
      {"ExposureI", ExposureComponents("ImageI", "MaskX", "ImageF")},
      {"ExposureU", ExposureComponents("ImageU", "MaskX", "ImageF")},
      {"DataFrame", {{"columns", "DataFrameIndex", true}}},
      {"HealSparseMap", {{"coverage", "HealSparseCoverage", true}}},
  };
  return *table;
}

}  // namespace

const std::vector<StorageClassComponent>& ComponentsOf(std::string_view storage_class) {
  static const Components kNone;
  auto it = Table().find(storage_class);
  return it == Table().end() ? kNone : it->second;
}

std::optional<StorageClassComponent> FindComponent(std::string_view storage_class,
                                                   std::string_view component) {
  const Components& all = ComponentsOf(storage_class);
  auto it = std::find_if(all.begin(), all.end(),
                         [&](const StorageClassComponent& c) { return c.name == component; });
  if (it == all.end()) return std::nullopt;
  return *it;
}

}  // namespace starlog::engine
