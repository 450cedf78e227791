#pragma once

// What starlog knows of the butler's storage classes: which have components
// (parts a dataset can be read by, addressed as "type.component") and the
// storage class of each, as daf_butler's storageClasses configuration
// declares them. A storage class not listed here has no components.

#include <optional>
#include <string_view>
#include <vector>

namespace starlog::engine {

struct StorageClassComponent {
  std::string_view name;           // "wcs"
  std::string_view storage_class;  // "Wcs"
  bool derived = false;            // Computed from the parent (bbox), not stored apart.
};

// The components of "storage_class", in the butler's order; empty if it has
// none or is not one starlog knows.
const std::vector<StorageClassComponent>& ComponentsOf(std::string_view storage_class);

// The component "component" of "storage_class", if it has one by that name.
std::optional<StorageClassComponent> FindComponent(std::string_view storage_class,
                                                   std::string_view component);

}  // namespace starlog::engine
