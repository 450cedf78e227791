# Finds the Python the module is built for and pybind11, and sets the option
# STARLOG_BUILD_PYTHON (default: ON when both are found).
#
# The interpreter is Debian's /usr/bin/python3 unless -DPython_EXECUTABLE
# names another: the one python3-numpy and python3-pytest belong to, whatever
# comes first on PATH (a pyenv shim, say).
if(NOT DEFINED Python_EXECUTABLE AND EXISTS /usr/bin/python3)
  set(Python_EXECUTABLE /usr/bin/python3 CACHE FILEPATH "The Python the module is built for")
endif()
find_package(Python 3.9 QUIET COMPONENTS Interpreter Development.Module)
if(Python_FOUND)
  find_package(pybind11 2.6 CONFIG QUIET)
endif()
set(starlog_python_found OFF)
# Not under the sanitizers: an extension built with them cannot be loaded
# into an uninstrumented python3 (their runtime must come first).
if(Python_FOUND AND pybind11_FOUND AND NOT STARLOG_SANITIZE AND NOT STARLOG_BUILD_FUZZERS)
  set(starlog_python_found ON)
endif()
option(STARLOG_BUILD_PYTHON "Build the Python module starlog (pybind11)" ${starlog_python_found})
if(STARLOG_BUILD_PYTHON AND (STARLOG_SANITIZE OR STARLOG_BUILD_FUZZERS))
  message(FATAL_ERROR "STARLOG_BUILD_PYTHON does not go with STARLOG_SANITIZE or STARLOG_BUILD_FUZZERS")
endif()
if(STARLOG_BUILD_PYTHON AND NOT starlog_python_found)
  message(FATAL_ERROR "STARLOG_BUILD_PYTHON needs Python 3 with its headers and pybind11 "
                      "(Debian: python3-dev pybind11-dev)")
endif()
# Where `cmake --install` puts the package, relative to the prefix: the
# folder Debian's python3 searches under /usr/local.
set(STARLOG_PYTHON_INSTALL_DIR
    "lib/python${Python_VERSION_MAJOR}.${Python_VERSION_MINOR}/dist-packages"
    CACHE STRING "Install folder of the Python package, relative to the prefix")
