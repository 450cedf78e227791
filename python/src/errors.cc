// One Python exception class per Status code, all deriving from
// starlog.Error, and each also from the built-in exception a Python caller
// would reach for (NotFoundError is a LookupError, InvalidArgumentError a
// ValueError, TimedOutError a TimeoutError), so that generic handlers work.

#include <Python.h>

#include <string>

#include "python/src/bindings.h"
#include "starlog/status.h"

namespace starlog::python {

namespace {

struct ErrorClass {
  Status::Code code;
  const char* name;
  PyObject* builtin;  // A second base, or null.
  bool retryable;
  const char* doc;
};

// Filled at module init; the module keeps a reference to each class.
PyObject* g_error = nullptr;
PyObject* g_classes[static_cast<int>(Status::Code::kTimedOut) + 1] = {};

const ErrorClass* Classes(size_t* count) {
  static const ErrorClass kClasses[] = {
      {Status::Code::kNotFound, "NotFoundError", PyExc_LookupError, false,
       "A collection, dataset type, dataset or repository that does not exist."},
      {Status::Code::kInvalidArgument, "InvalidArgumentError", PyExc_ValueError, false,
       "Bad input: a malformed name, data ID, where clause or value."},
      {Status::Code::kConflict, "ConflictError", nullptr, false,
       "An illegal transition: a different definition, a cycle, an overlap."},
      {Status::Code::kPermissionDenied, "PermissionDeniedError", nullptr, false,
       "The access policy or a read-only repository refused the write."},
      {Status::Code::kCorruption, "CorruptionError", nullptr, false,
       "Bytes on disk or on the wire failed a check."},
      {Status::Code::kIOError, "IOError", PyExc_OSError, false,
       "The operating system failed a read or write."},
      {Status::Code::kUnavailable, "UnavailableError", nullptr, true,
       "A peer or resource is not reachable now (another writer holds the "
       "repository, the service is gone); retrying may help."},
      {Status::Code::kNotSupported, "NotSupportedError", nullptr, false,
       "Not possible with this repository or this open (another format, a wait on a "
       "plain read-only open)."},
      {Status::Code::kTimedOut, "TimedOutError", PyExc_TimeoutError, false,
       "A wait ran out of time."},
  };
  *count = sizeof(kClasses) / sizeof(kClasses[0]);
  return kClasses;
}

}  // namespace

void ThrowStatus(const Status& status) {
  PyObject* cls = g_classes[static_cast<int>(status.code())];
  if (cls == nullptr) cls = g_error;
  py::object exc = py::reinterpret_borrow<py::object>(cls)(status.ToString());
  exc.attr("message") = std::string(status.message());
  PyErr_SetObject(cls, exc.ptr());
  throw py::error_already_set();
}

void RegisterErrors(py::module_& m) {
  py::dict attrs;
  attrs["retryable"] = false;
  attrs["code"] = "Unknown";
  attrs["message"] = "";
  g_error = PyErr_NewExceptionWithDoc(
      "starlog.Error",
      "Base of every starlog error. str() is the message as the starlog CLI prints it "
      "(\"Not found: ...\"); .message is the part after the code's name, .code the code's "
      "name, and .retryable whether trying again may succeed.",
      PyExc_Exception, attrs.ptr());
  if (g_error == nullptr) throw py::error_already_set();
  m.add_object("Error", py::reinterpret_borrow<py::object>(g_error));
  size_t count = 0;
  const ErrorClass* classes = Classes(&count);
  for (size_t i = 0; i < count; ++i) {
    const ErrorClass& c = classes[i];
    py::tuple bases = c.builtin != nullptr
                          ? py::make_tuple(py::handle(g_error), py::handle(c.builtin))
                          : py::make_tuple(py::handle(g_error));
    py::dict class_attrs;
    class_attrs["retryable"] = c.retryable;
    class_attrs["code"] = std::string(CodeName(c.code));
    const std::string qualified = std::string("starlog.") + c.name;
    PyObject* cls =
        PyErr_NewExceptionWithDoc(qualified.c_str(), c.doc, bases.ptr(), class_attrs.ptr());
    if (cls == nullptr) throw py::error_already_set();
    g_classes[static_cast<int>(c.code)] = cls;
    m.add_object(c.name, py::reinterpret_borrow<py::object>(cls));
  }
}

}  // namespace starlog::python
