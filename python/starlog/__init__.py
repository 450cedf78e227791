"""starlog: the registry of an astronomical data repository, from Python.

The C++ engine is embedded (the module ``starlog._starlog``): a Repository
opened here reads the repository's RocksDB database in this process, and its
writes go to the repository's service when one runs, else to this process.
See the README's "Python" section.
"""

from starlog._starlog import (
    CollectionInfo,
    ConflictError,
    CorruptionError,
    DatasetIterator,
    DatasetRef,
    DatasetType,
    Error,
    Head,
    InvalidArgumentError,
    IOError,
    NotFoundError,
    NotSupportedError,
    Packer,
    PermissionDeniedError,
    Repository,
    TimedOutError,
    Timespan,
    UnavailableError,
    View,
    datetime_from_tai_ns,
    tai_ns,
)

__all__ = [
    "CollectionInfo",
    "ConflictError",
    "CorruptionError",
    "DatasetIterator",
    "DatasetRef",
    "DatasetType",
    "Error",
    "Head",
    "InvalidArgumentError",
    "NotFoundError",
    "NotSupportedError",
    "Packer",
    "PermissionDeniedError",
    "Repository",
    "TimedOutError",
    "Timespan",
    "UnavailableError",
    "View",
    "datetime_from_tai_ns",
    "tai_ns",
]
# starlog.IOError is left out of __all__: a star import must not shadow the
# built-in IOError.
