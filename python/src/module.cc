// The extension module starlog._starlog; the package starlog (python/starlog)
// re-exports it. Each concept registers itself from its own file.

#include "python/src/bindings.h"

PYBIND11_MODULE(_starlog, m) {
  namespace python = starlog::python;
  m.doc() = "starlog's registry, embedded: the C++ engine through pybind11.";
  python::RegisterErrors(m);
  python::RegisterValues(m);
  python::RegisterView(m);
  python::RegisterPacker(m);
  python::RegisterRepository(m);
}
