#pragma once

// What the files of the extension module starlog._starlog share: each
// concept registers its Python classes (Register*), and every call into the
// libraries goes through NoGil (the GIL released while C++ works) and
// Unwrap/Check (a failed Status raised as the starlog exception of its code).

#include <pybind11/pybind11.h>

#include <utility>

#include "starlog/result.h"

namespace starlog::python {

namespace py = pybind11;

class Repository;
struct View;

void RegisterErrors(py::module_& m);
void RegisterValues(py::module_& m);
void RegisterRepository(py::module_& m);
void RegisterView(py::module_& m);
void RegisterWrites(py::class_<Repository, std::shared_ptr<Repository>>& repository);
void RegisterPacker(py::module_& m);
// View.packer: a Packer for data IDs over "dimensions" (packer.cc).
py::object MakePacker(const View& view, py::handle dimensions, py::handle fixed);

// Raises "status" as the exception class of its code, str() of which is
// status.ToString() (as the CLI prints it after "starlog COMMAND: ").
// REQUIRES: the GIL is held; "status" is not OK.
[[noreturn]] void ThrowStatus(const Status& status);

inline void Check(const Status& status) {
  if (!status.ok()) ThrowStatus(status);
}

template <typename T>
T Unwrap(Result<T> result) {
  if (!result.ok()) ThrowStatus(result.status());
  return std::move(result).value();
}

// Runs "f" with the GIL released and returns what it returns. "f" must not
// touch Python objects.
template <typename F>
auto NoGil(F&& f) {
  py::gil_scoped_release release;
  return std::forward<F>(f)();
}

}  // namespace starlog::python
