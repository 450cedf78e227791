# Type stubs of the package starlog: what it re-exports from starlog._starlog.

from starlog._starlog import (
    CollectionInfo as CollectionInfo,
    ConflictError as ConflictError,
    CorruptionError as CorruptionError,
    DatasetIterator as DatasetIterator,
    DatasetRef as DatasetRef,
    DatasetType as DatasetType,
    Error as Error,
    Head as Head,
    InvalidArgumentError as InvalidArgumentError,
    IOError as IOError,
    NotFoundError as NotFoundError,
    NotSupportedError as NotSupportedError,
    Packer as Packer,
    PermissionDeniedError as PermissionDeniedError,
    Repository as Repository,
    TimedOutError as TimedOutError,
    Timespan as Timespan,
    UnavailableError as UnavailableError,
    View as View,
    datetime_from_tai_ns as datetime_from_tai_ns,
    tai_ns as tai_ns,
)

__all__: list[str]
