"""A Gen3-butler-shaped facade over a starlog Repository.

``Registry`` answers to the names pipeline code already calls on
``butler.registry`` (daf_butler's ``Registry``), with the same arguments and
the same results where starlog has the concept, so that moving code is a
rename, not a rewrite. It is a subset: the calls listed in ``__all__``'s
classes below and nothing else (no ``queryDatasetAssociations``, no
dimension-record objects: records and data IDs are plain dicts, refs carry
``dataId`` as a dict).

Differences from daf_butler, all deliberate:

- times are ``starlog.Timespan`` (or a ``(begin, end)`` tuple of aware
  datetimes or TAI ns), not astropy ``Time``;
- errors are the butler's classes where it has one (``MissingCollectionError``,
  ``CalibrationLookupError``, ``CollectionTypeError``, ... below), each also
  the ``starlog.Error`` subclass starlog raises (``MissingCollectionError`` is
  a ``starlog.NotFoundError``), so handlers written for either work;
- every write is one atomic edit of the repository, through its service when
  one runs.
"""

from __future__ import annotations

import contextlib
import enum
import functools
import inspect
from typing import Any, Iterable, Iterator, Mapping, Optional, Sequence, Union

import starlog

__all__ = [
    "ArgumentError",
    "ButlerUserError",
    "CalibrationLookupError",
    "DatasetTypeExpressionError",
    "CollectionCycleError",
    "CollectionError",
    "CollectionType",
    "CollectionTypeError",
    "ConflictingDefinitionError",
    "DataIdError",
    "DataIdValueError",
    "DatasetIdGenEnum",
    "DatasetRef",
    "DatasetType",
    "DatasetTypeError",
    "DimensionNameError",
    "InconsistentDataIdError",
    "InvalidQueryError",
    "MissingCollectionError",
    "MissingDatasetTypeError",
    "NoDefaultCollectionError",
    "OrphanedRecordError",
    "Registry",
    "RegistryError",
]


# The butler's exceptions (daf_butler's _exceptions.py and registry's), by
# the same names and with the same built-in bases, so that `except
# LookupError` and `except MissingCollectionError` both work; each concrete
# one is also the starlog error the engine's answer maps to.


class RegistryError(Exception):
    """The butler's base of registry errors."""


class ButlerUserError(Exception):
    """The butler's base of errors a user's request caused."""


class DataIdError(RegistryError):
    pass


class DatasetTypeError(RegistryError):
    pass


class CollectionError(RegistryError):
    pass


class ArgumentError(starlog.InvalidArgumentError, RegistryError):
    """Arguments that do not go together (collections without datasets)."""


class NoDefaultCollectionError(starlog.InvalidArgumentError, CollectionError):
    pass


class ConflictingDefinitionError(starlog.ConflictError, RegistryError):
    pass


class IntegrityError(starlog.ConflictError, RegistryError):
    """A dimension record inserted again without skip_existing or replace:
    what the butler's database raises (sqlalchemy's IntegrityError)."""


class OrphanedRecordError(starlog.ConflictError, RegistryError):
    """Removing what datasets still use (a dataset type with datasets)."""


class CalibrationLookupError(starlog.ConflictError, LookupError, ButlerUserError):
    """A calibration lookup that more than one validity range answers."""


class CollectionCycleError(starlog.ConflictError, ValueError, ButlerUserError):
    pass


class CollectionTypeError(starlog.ConflictError, CollectionError, ButlerUserError):
    """An operation on a collection of the wrong type (associate into a
    CALIBRATION collection)."""


class CollectionWildcardError(starlog.InvalidArgumentError, TypeError):
    """A find-first search over a glob, whose matches have no order (the
    butler raises TypeError)."""


class DataIdValueError(starlog.NotFoundError, DataIdError, ButlerUserError):
    """A data ID value no record has."""


class InconsistentDataIdError(starlog.NotFoundError, DataIdError, ButlerUserError):
    """Data ID values whose records exist but do not go together."""


class DimensionNameError(starlog.InvalidArgumentError, KeyError, DataIdError, ButlerUserError):
    """A data ID that lacks a key (or names one that is no dimension)."""


class InvalidQueryError(starlog.InvalidArgumentError, ButlerUserError):
    """A where clause that names nothing known."""


class MissingCollectionError(starlog.NotFoundError, CollectionError, ButlerUserError):
    pass


class MissingDatasetTypeError(starlog.NotFoundError, DatasetTypeError, KeyError, ButlerUserError):
    pass


class DatasetTypeExpressionError(starlog.InvalidArgumentError, ValueError, ButlerUserError):
    """A dataset type pattern where the butler takes only names
    (queryDataIds' and queryDimensionRecords' ``datasets``)."""


class ComponentLookupError(starlog.InvalidArgumentError, DatasetTypeError):
    """A component asked of the registry, which finds parents only (the
    butler's registry no longer finds components)."""


# (starlog class, words in its message) -> the butler's class. The first
# that matches wins; messages are the engine's own (engine/model, query).
_TRANSLATIONS = [
    (starlog.ConflictError, "more than one validity range", CalibrationLookupError),
    (starlog.ConflictError, "would form a cycle", CollectionCycleError),
    (starlog.ConflictError, "cannot contain itself", CollectionCycleError),
    (starlog.ConflictError, "still has datasets", OrphanedRecordError),
    (starlog.ConflictError, " collection; '", CollectionTypeError),
    (starlog.ConflictError, "already registered as", ConflictingDefinitionError),
    # A data ID taken in a RUN or TAGGED collection, a dataset id held with
    # other content, a validity range overlapping another (the butler's
    # testDataset, testCollections, testCalibrationCollections).
    (starlog.ConflictError, "already holds", ConflictingDefinitionError),
    (starlog.ConflictError, "already exists as", ConflictingDefinitionError),
    (starlog.ConflictError, " overlaps dataset ", ConflictingDefinitionError),
    (starlog.InvalidArgumentError, "needs an ordered list of collections", CollectionWildcardError),
    (starlog.InvalidArgumentError, "no default collections", NoDefaultCollectionError),
    (starlog.InvalidArgumentError, "is missing '", DimensionNameError),
    (starlog.InvalidArgumentError, "names nothing known", InvalidQueryError),
    (starlog.NotFoundError, "no collection '", MissingCollectionError),
    (starlog.NotFoundError, "no dataset type '", MissingDatasetTypeError),
]


def _translated(error: starlog.Error) -> starlog.Error:
    if isinstance(error, RegistryError) or isinstance(error, ButlerUserError):
        return error
    text = str(error)
    for starlog_class, words, butler_class in _TRANSLATIONS:
        if isinstance(error, starlog_class) and words in text:
            return butler_class(text)
    return error


@contextlib.contextmanager
def _butler_errors() -> Iterator[None]:
    try:
        yield
    except starlog.Error as e:
        translated = _translated(e)
        if translated is e:
            raise
        raise translated from e


def _raises_butler_errors(method: Any) -> Any:
    @functools.wraps(method)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        with _butler_errors():
            return method(*args, **kwargs)

    return wrapper




class CollectionType(enum.IntEnum):
    """The butler's collection types, with its values."""

    RUN = 1
    TAGGED = 2
    CHAINED = 3
    CALIBRATION = 4

    @classmethod
    def all(cls) -> frozenset["CollectionType"]:
        return frozenset(cls)


class DatasetIdGenEnum(enum.Enum):
    """How insertDatasets makes ids: random, or the butler's UUID v5."""

    UNIQUE = "unique"
    DATAID_TYPE = "datatype"
    DATAID_TYPE_RUN = "datatype-run"


class DatasetType:
    """A dataset type as the butler spells it: name, dimensions, storage class."""

    def __init__(
        self,
        name: str,
        dimensions: Iterable[str],
        storageClass: str,
        isCalibration: bool = False,
    ) -> None:
        self.name = name
        self.dimensions = tuple(sorted(dimensions))
        self.storageClass_name = storageClass
        self._is_calibration = isCalibration

    @classmethod
    def _from_starlog(cls, t: starlog.DatasetType) -> "DatasetType":
        return cls(t.name, t.dimensions, t.storage_class, t.is_calibration)

    def isCalibration(self) -> bool:
        return self._is_calibration

    def __eq__(self, other: object) -> bool:
        return isinstance(other, DatasetType) and (
            self.name, self.dimensions, self.storageClass_name, self._is_calibration
        ) == (other.name, other.dimensions, other.storageClass_name, other._is_calibration)

    def __hash__(self) -> int:
        return hash(self.name)

    def __repr__(self) -> str:
        return f"DatasetType({self.name!r}, {self.dimensions}, {self.storageClass_name})"


class DatasetRef:
    """A dataset as the butler's DatasetRef spells it (``datasetType``,
    ``dataId``, ``run``, ``id``); ``ref`` is the starlog.DatasetRef."""

    __slots__ = ("ref", "datasetType")

    def __init__(self, ref: starlog.DatasetRef, datasetType: DatasetType) -> None:
        self.ref = ref
        self.datasetType = datasetType

    @property
    def id(self) -> Any:
        return self.ref.id

    @property
    def dataId(self) -> dict[str, Union[int, str]]:
        # Expanded, as the butler's refs from queries: the implied values too.
        return self.ref.full_data_id

    @property
    def run(self) -> str:
        return self.ref.run

    def __eq__(self, other: object) -> bool:
        return isinstance(other, DatasetRef) and self.ref == other.ref

    def __hash__(self) -> int:
        return hash(self.ref)

    def __repr__(self) -> str:
        return f"DatasetRef({self.datasetType.name}, {self.dataId}, run={self.run!r}, id={self.id})"


def _type_name(datasetType: Any) -> str:
    return datasetType if isinstance(datasetType, str) else datasetType.name


def _as_list(names: Any) -> list[str]:
    if isinstance(names, str):
        return [names]
    return list(names)


def _dataset_type_names(datasets: Any) -> list[str]:
    """``datasets`` of queryDataIds / queryDimensionRecords: names or
    DatasetTypes, one or several; a pattern is refused, as the butler's."""
    if isinstance(datasets, str) or hasattr(datasets, "name"):
        datasets = [datasets]
    names = []
    for d in datasets:
        if not isinstance(d, str) and not hasattr(d, "name"):
            raise DatasetTypeExpressionError(f"Invalid argument: not a dataset type name: {d!r}")
        name = _type_name(d)
        if _is_glob(name):
            raise DatasetTypeExpressionError(
                f"Invalid argument: a dataset type pattern ({name!r}) where names are expected"
            )
        names.append(name)
    return names


def _data_ids_with_all(view: starlog.View, dimensions: list[str], where: str, bind: Any,
                       types: list[str], search: list[str], order_by: Optional[list[str]] = None,
                       limit: int = 0) -> list[dict[str, Any]]:
    """Data IDs for which each of ``types`` has a dataset in ``search``: the
    rows of the first type's query (in ``order_by``'s order) kept when every
    other type's has them; at most ``limit`` (0: all)."""
    single = len(types) == 1
    rows = view.query_data_ids(dimensions, where, bind, types[0], search, False, None, order_by,
                               limit if single else 0)
    for t in types[1:]:
        others = {tuple(sorted(r.items())) for r in view.query_data_ids(dimensions, where, bind, t,
                                                                         search, False)}
        rows = [r for r in rows if tuple(sorted(r.items())) in others]
    return rows if single or not limit else rows[:limit]


def _data_id(dataId: Optional[Mapping[str, Any]], kwargs: Mapping[str, Any]) -> dict[str, Any]:
    merged = dict(dataId or {})
    merged.update(kwargs)
    return merged


def _where_with(where: str, bind: Optional[Mapping[str, Any]], equal: Mapping[str, Any]):
    """``where`` AND key = value for each of ``equal``, through bind names."""
    bind = dict(bind or {})
    if not equal:
        return where, bind  # As given: its error columns stay the user's.
    terms = [f"({where})"] if where.strip() else []
    for key, value in equal.items():
        name = f"_starlog_data_id_{key}"
        bind[name] = value
        terms.append(f"{key} = {name}")
    return " AND ".join(terms), bind


def _no_results_reasons(collections: Optional[list[str]], found: bool) -> list[str]:
    if found:
        return []
    if collections is not None and not collections:
        return ["No datasets can be found because collection list is empty."]
    return ["No rows match the query (starlog does not say which constraint excluded them)."]


class _RowResults(list):
    """Rows of queryDataIds / queryDimensionRecords: a list (as before), with
    the butler's results methods. ``rerun(order_by, limit)`` asks the same
    query again, ordered and limited by the engine (order_by, limit)."""

    def __init__(self, rows: Iterable[Any], collections: Optional[list[str]] = None,
                 rerun: Any = None, order: Optional[list[str]] = None,
                 window: tuple[int, int] = (0, 0)) -> None:
        super().__init__(rows)
        self._collections = collections
        self._rerun = rerun
        self._order = order
        self._window = window  # (limit, offset); limit 0: all.

    def _again(self, order: Optional[list[str]], window: tuple[int, int]) -> "_RowResults":
        limit, offset = window
        rows = self._rerun(order, limit + offset if limit else 0)
        return _RowResults(rows[offset:], self._collections, self._rerun, order, window)

    def order_by(self, *args: str) -> "_RowResults":
        """The rows in the order of ``args`` (keys, implied dimensions,
        record fields; "-" before one for descending), as the butler's."""
        order: list[str] = []
        for a in args:
            order.extend(_as_list(a))
        return self._again(order or None, self._window)

    def limit(self, limit: int, offset: Optional[int] = 0) -> "_RowResults":
        """At most ``limit`` rows, after the first ``offset``."""
        if limit <= 0:
            raise ValueError(f"limit must be positive, not {limit}")
        return self._again(self._order, (limit, offset or 0))

    @contextlib.contextmanager
    def materialize(self) -> Iterator["_RowResults"]:
        """The rows are held already: themselves, for a ``with`` block."""
        yield self

    def count(self, *args: Any, exact: bool = True, discard: bool = False) -> int:  # type: ignore[override]
        if args:  # list.count(value), for code that counts a row.
            return super().count(*args)
        return len(self)

    def any(self, *, execute: bool = True, exact: bool = True) -> bool:
        return bool(self)

    def explain_no_results(self, execute: bool = True) -> list[str]:
        return _no_results_reasons(self._collections, bool(self))

    def expanded(self) -> "_RowResults":
        return self  # Rows carry their implied values already.


def _is_glob(text: str) -> bool:
    return any(c in text for c in "*?[")


def _explain_datasets(
    view: starlog.View, types: Any, collections: list[str], dropped: list[str]
) -> list[str]:
    """Why a dataset query found nothing, as the butler's explain_no_results
    says it: the collection list is empty, a collection pattern matches
    nothing, a type is not registered or matches nothing, or the collections
    hold no dataset of the type (from their summaries, a seek each); else the
    constraints excluded every dataset."""
    if not collections:
        return ["No datasets can be found because collection list is empty."]
    messages = [f"Dataset type {name!r} is not registered." for name in dropped]
    for pattern in collections:
        if _is_glob(pattern) and not view.query_collections([pattern]):
            messages.append(f"No collection matches the expression {pattern!r}.")
    if types is None:
        names = [t.name for t in view.query_dataset_types()]
    else:
        names = []
        for name in _as_list(types):
            if _is_glob(name):
                matched = [t.name for t in view.query_dataset_types([name])]
                if not matched:
                    messages.append(f"No registered dataset type matches {name!r}.")
                names.extend(matched)
            else:
                names.append(name)
    if messages:
        return messages
    held = set(view.dataset_types_in(collections))
    searched = ", ".join(repr(c) for c in collections)
    for name in names:
        if name.split(".")[0] not in held:
            messages.append(f"No datasets of type {name!r} in collection(s) {searched}.")
    if len(messages) < len(names) or not names:
        messages.append(
            f"Datasets of the types asked are in {searched}, but none match the query's data ID, "
            "where and time constraints."
        )
    return messages


class DatasetQueryResults:
    """What queryDatasets answers: iterable (again and again: each pass asks
    the repository as it stands), with the butler's results methods."""

    def __init__(self, run: Any, collections: Optional[list[str]], explain: Any = None) -> None:
        self._run = run
        self._collections = collections
        self._explain = explain
        self._first: Optional[Iterator["DatasetRef"]] = run()  # Errors in the call, as before.

    def __iter__(self) -> Iterator["DatasetRef"]:
        first, self._first = self._first, None
        with _butler_errors():
            yield from first if first is not None else self._run()

    def count(self, *, exact: bool = True, discard: bool = False) -> int:
        return sum(1 for _ in self)

    def any(self, *, execute: bool = True, exact: bool = True) -> bool:
        return next(iter(self), None) is not None

    def explain_no_results(self, execute: bool = True) -> list[str]:
        if self.any():
            return []
        if self._explain is not None:
            return self._explain()
        return _no_results_reasons(self._collections, False)

    def expanded(self) -> "DatasetQueryResults":
        return self


# The governor dimensions of the butler's default universe: the values a
# collection summary records for the datasets a collection holds.
_GOVERNORS = ("instrument", "skymap")


class _DatasetTypeSet(set):
    """A set of DatasetType with the ``names`` of the butler's NamedValueSet."""

    @property
    def names(self) -> set[str]:
        return {t.name for t in self}


class CollectionSummary:
    """What a collection holds, as the butler's summary says it: its dataset
    types and, per governor dimension (instrument, skymap), the values of its
    datasets' data IDs. Both are exact in starlog, where the butler's
    summary keeps what a collection once held until it is refreshed."""

    def __init__(
        self,
        dataset_types: Iterable[DatasetType] = (),
        governors: Optional[Mapping[str, set[str]]] = None,
    ) -> None:
        self.dataset_types = _DatasetTypeSet(dataset_types)
        self.governors: dict[str, set[str]] = {k: set(v) for k, v in (governors or {}).items()}

    @property
    def dataset_type_names(self) -> set[str]:
        return self.dataset_types.names

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, CollectionSummary):
            return NotImplemented
        return self.dataset_types == other.dataset_types and self.governors == other.governors

    def __repr__(self) -> str:
        return f"CollectionSummary({sorted(self.dataset_types.names)}, {self.governors})"


class Registry:
    """The butler's Registry calls over a starlog.Repository.

    ``collections`` and ``run`` are the defaults the butler keeps in its
    RegistryDefaults: the search path of lookups and queries given none, and
    the run of insertDatasets given none.
    """

    def __init__(
        self,
        repository: starlog.Repository,
        *,
        collections: Optional[Union[str, Sequence[str]]] = None,
        run: Optional[str] = None,
    ) -> None:
        self.repository = repository
        self._collections = _as_list(collections) if collections is not None else None
        self._run = run

    @classmethod
    def open(
        cls,
        path: str,
        *,
        writeable: bool = True,
        collections: Optional[Union[str, Sequence[str]]] = None,
        run: Optional[str] = None,
    ) -> "Registry":
        """Opens the repository at ``path`` (read-only unless ``writeable``)."""
        repo = starlog.Repository.open(path, read_only=not writeable)
        return cls(repo, collections=collections, run=run)

    def isWriteable(self) -> bool:
        return not self.repository.read_only

    # --- helpers

    def _search(self, collections: Any, ordered: bool = False) -> list[str]:
        """The collections to search: those given, else the defaults; ``...``
        is every collection: a glob, or (``ordered``, for find-first) every
        collection that is no chain, by name."""
        if collections is None:
            if self._collections is None:
                raise NoDefaultCollectionError(
                    "Invalid argument: no collections given, and no default collections"
                )
            return self._collections
        if collections is ...:
            if not ordered:
                return ["*"]
            view = self.repository.view()
            return sorted(c.name for c in view.query_collections(None) if c.type != "CHAINED")
        return _as_list(collections)

    def _wrap(self, view: starlog.View, refs: Iterable[starlog.DatasetRef]) -> Iterator[DatasetRef]:
        types: dict[str, DatasetType] = {}
        for ref in refs:
            t = types.get(ref.type)
            if t is None:
                t = types[ref.type] = DatasetType._from_starlog(view.get_dataset_type(ref.type))
            yield DatasetRef(ref, t)

    # --- dataset types

    def registerDatasetType(self, datasetType: Any) -> bool:
        """Registers ``datasetType`` (this module's DatasetType, or anything with
        the butler's ``name``, ``dimensions``, ``storageClass_name`` and
        ``isCalibration()``); True if it was new."""
        dimensions = getattr(datasetType.dimensions, "names", datasetType.dimensions)
        storage_class = getattr(datasetType, "storageClass_name", None)
        if storage_class is None:
            sc = datasetType.storageClass
            storage_class = sc if isinstance(sc, str) else sc.name
        return self.repository.register_dataset_type(
            datasetType.name, list(dimensions), storage_class, bool(datasetType.isCalibration())
        )

    def removeDatasetType(self, name: Union[str, tuple[str, ...]]) -> None:
        """Removes dataset types (names or globs) without datasets; one that
        does not exist is passed over, as the butler's."""
        names = [name] if isinstance(name, str) else list(name)
        for n in names:
            if "." in n:
                raise ComponentLookupError(
                    f"Invalid argument: '{n}' is a component; components cannot be removed on their own"
                )
        view = self.repository.view()
        for t in view.query_dataset_types(names):
            self.repository.remove_dataset_type(t.name)

    def getDatasetType(self, name: str) -> DatasetType:
        return DatasetType._from_starlog(self.repository.view().get_dataset_type(name))

    def queryDatasetTypes(
        self, expression: Any = ..., *, components: bool = False, missing: Optional[list[str]] = None
    ) -> list[DatasetType]:
        """The dataset types matching ``expression`` (names, globs, ``...``);
        names that match none are appended to ``missing``, as the butler's."""
        patterns = None if expression is ... else [_type_name(e) for e in _as_list(expression)]
        view = self.repository.view()
        found = [DatasetType._from_starlog(t) for t in view.query_dataset_types(patterns, components)]
        if missing is not None and patterns is not None:
            names = {t.name for t in found}
            missing.extend(p for p in patterns if not _is_glob(p) and p not in names)
        return found

    # --- dimensions

    def insertDimensionData(
        self, element: str, *data: Mapping[str, Any], replace: bool = False, skip_existing: bool = False
    ) -> None:
        """Inserts records (dicts) of ``element``, all or none. skip_existing
        leaves out records already there (compared by key, as the butler's)."""
        # A None field is the butler's NULL: a field without a value.
        rows = [{k: v for k, v in dict(d).items() if v is not None} for d in data]
        if not replace:
            view = self.repository.view()
            there = [r for r in rows if view.get_dimension_record(element, r) is not None]
            if there and not skip_existing:
                raise IntegrityError(
                    f"{element} record {there[0]} is already there; pass skip_existing to leave "
                    "it, or replace to overwrite it"
                )
            rows = [r for r in rows if r not in there]
            if not rows:
                return
        self.repository.insert_dimension_records(element, rows, replace=replace)

    def syncDimensionData(
        self, element: str, row: Mapping[str, Any], update: bool = False
    ) -> Union[bool, dict[str, Any]]:
        """Inserts ``row`` unless a record with its keys exists: True if
        inserted, False if the same record was there. A record there that
        differs is ConflictError, or with ``update`` is replaced, returning the
        old values of the fields that changed (as the butler's)."""
        record = dict(row)
        existing = self.repository.view().get_dimension_record(element, record)
        if existing is None:
            self.repository.insert_dimension_records(element, [record])
            return True
        changed = {k: existing.get(k) for k, v in record.items() if existing.get(k) != v}
        if not changed:
            return False
        if not update:
            raise ConflictingDefinitionError(
                f"Conflict: {element} record {record} differs from the one there in "
                + ", ".join(sorted(changed))
            )
        self.repository.insert_dimension_records(element, [{**existing, **record}], replace=True)
        return changed

    def expandDataId(self, dataId: Optional[Mapping[str, Any]] = None, **kwargs: Any) -> dict[str, Any]:
        """The data ID with the values its records imply (an exposure's band
        and physical_filter); a given value the records contradict, or a
        record missing, is NotFoundError naming the data ID."""
        given = _data_id(dataId, kwargs)
        where, bind = _where_with("", None, given)
        view = self.repository.view()
        rows = view.query_data_ids(list(given), where, bind, None, None, False)
        if not rows:
            # Each value has its record, but together they do not go (a
            # visit and an exposure it does not hold): inconsistent, as the
            # butler says; else a value no record has.
            for key, value in given.items():
                alone_where, alone_bind = _where_with("", None, {key: value})
                if not view.query_data_ids([key], alone_where, alone_bind, None, None, False):
                    raise DataIdValueError(f"Not found: no {key} record for {key}={value!r} in {given}")
            raise InconsistentDataIdError(
                f"Not found: no dimension records match the data ID {given} together"
            )
        return dict(rows[0])

    def queryDimensionRecords(
        self,
        element: str,
        *,
        dataId: Optional[Mapping[str, Any]] = None,
        datasets: Any = None,
        collections: Any = None,
        where: str = "",
        bind: Optional[Mapping[str, Any]] = None,
        **kwargs: Any,
    ) -> list[dict[str, Any]]:
        """Records of ``element`` satisfying ``where``; with ``datasets``,
        those of the data IDs of datasets of that type in ``collections``."""
        where, bind = _where_with(where, bind, _data_id(dataId, kwargs))
        view = self.repository.view()
        if datasets is None:
            if collections is not None:
                raise ArgumentError("Invalid argument: collections without datasets constrain nothing")
            def records_of(order: Optional[list[str]], limit: int) -> list[dict[str, Any]]:
                return view.query_dimension_records(element, where, bind, order, limit)

            return _RowResults(records_of(None, 0), rerun=records_of)
        search = self._search(collections)
        types = _dataset_type_names(datasets)

        def records_with(order: Optional[list[str]], limit: int) -> list[dict[str, Any]]:
            records = []
            for data_id in _data_ids_with_all(view, [element], where, bind, types, search, order, limit):
                record = view.get_dimension_record(element, data_id)
                if record is not None:
                    records.append(record)
            return records

        return _RowResults(records_with(None, 0), search, records_with)

    def queryDataIds(
        self,
        dimensions: Union[str, Iterable[str]],
        *,
        dataId: Optional[Mapping[str, Any]] = None,
        datasets: Any = None,
        collections: Any = None,
        where: str = "",
        bind: Optional[Mapping[str, Any]] = None,
        **kwargs: Any,
    ) -> list[dict[str, Any]]:
        where, bind = _where_with(where, bind, _data_id(dataId, kwargs))
        if datasets is None and collections is not None:
            # As the butler's: collections constrain data IDs only through
            # the datasets in them.
            raise ArgumentError("Invalid argument: collections without datasets constrain nothing")
        view = self.repository.view()
        dims = _as_list(dimensions)
        if datasets is None:
            def ids_of(order: Optional[list[str]], limit: int) -> list[dict[str, Any]]:
                return view.query_data_ids(dims, where, bind, None, None, False, None, order, limit)

            return _RowResults(ids_of(None, 0), rerun=ids_of)
        search = self._search(collections)
        types = _dataset_type_names(datasets)

        def ids_with(order: Optional[list[str]], limit: int) -> list[dict[str, Any]]:
            return _data_ids_with_all(view, dims, where, bind, types, search, order, limit)

        return _RowResults(ids_with(None, 0), search, ids_with)

    # --- collections

    def registerRun(self, name: str, doc: Optional[str] = None) -> bool:
        """Creates RUN ``name`` if missing; True if anything changed."""
        return self.repository.create_collection(name, "RUN", doc)

    def registerCollection(
        self, name: str, type: CollectionType = CollectionType.TAGGED, doc: Optional[str] = None
    ) -> bool:
        """Creates collection ``name`` of ``type`` (default TAGGED, as the butler's)."""
        return self.repository.create_collection(name, CollectionType(type).name, doc)

    def removeCollection(self, name: str) -> None:
        """Removes collection ``name``; a RUN with its datasets, as the
        butler's registry does (the CLI's remove-collections keeps RUNs for
        remove-runs, as the butler's CLI)."""
        c = self.repository.view().get_collection(name)
        if c is None:
            raise MissingCollectionError(f"Not found: no collection '{name}'")
        if c.type == "RUN":
            self.repository.remove_runs([name])
        else:
            self.repository.remove_collection(name)

    def getCollectionType(self, name: str) -> CollectionType:
        c = self.repository.view().get_collection(name)
        if c is None:
            raise MissingCollectionError(f"Not found: no collection '{name}'")
        return CollectionType[c.type]

    def getCollectionChain(self, parent: str) -> tuple[str, ...]:
        c = self.repository.view().get_collection(parent)
        if c is None:
            raise MissingCollectionError(f"Not found: no collection '{parent}'")
        if c.type != "CHAINED":
            raise CollectionTypeError(f"Conflict: collection '{parent}' is {c.type}, not CHAINED")
        return tuple(c.children)

    def setCollectionChain(self, parent: str, children: Any, *, flatten: bool = False) -> None:
        """Redefines CHAINED ``parent`` (which must exist, as the butler
        requires) to search ``children``, atomically."""
        self.getCollectionChain(parent)
        self.repository.set_chain(parent, _as_list(children), flatten=flatten)

    def getCollectionParentChains(self, collection: str) -> set[str]:
        """The CHAINED collections that list ``collection`` directly."""
        view = self.repository.view()
        if view.get_collection(collection) is None:
            raise MissingCollectionError(f"Not found: no collection '{collection}'")
        return {c.name for c in view.query_collections(None, ["CHAINED"]) if collection in c.children}

    def getCollectionDocumentation(self, collection: str) -> Optional[str]:
        c = self.repository.view().get_collection(collection)
        if c is None:
            raise MissingCollectionError(f"Not found: no collection '{collection}'")
        return c.doc or None

    def setCollectionDocumentation(self, collection: str, doc: Optional[str]) -> None:
        """Sets (or, with None, clears) ``collection``'s documentation; its
        type and contents stay."""
        c = self.repository.view().get_collection(collection)
        if c is None:
            raise MissingCollectionError(f"Not found: no collection '{collection}'")
        if c.type == "CHAINED":
            self.repository.set_chain(collection, list(c.children), doc=doc or "")
        else:
            self.repository.create_collection(collection, c.type, doc or "")

    def getCollectionSummary(self, collection: str) -> "CollectionSummary":
        """The dataset types ``collection`` holds (a chain: what it searches)
        and the governor values (instrument, skymap) of its datasets' data
        IDs. The governors are read from the datasets of the types that have
        them: a walk over the collection's datasets, not a seek."""
        view = self.repository.view()
        names = view.dataset_types_in([collection])
        types = [view.get_dataset_type(n) for n in names]
        governors: dict[str, set[str]] = {}
        for t in types:
            keys = [g for g in _GOVERNORS if g in t.dimensions]
            if not keys:
                continue
            for ref in view.query_datasets(t.name, [collection], find_first=False):
                data_id = ref.data_id
                for g in keys:
                    governors.setdefault(g, set()).add(str(data_id[g]))
        return CollectionSummary({DatasetType._from_starlog(t) for t in types}, governors)

    def queryCollections(
        self,
        expression: Any = ...,
        datasetType: Any = None,
        collectionTypes: Union[CollectionType, Iterable[CollectionType]] = CollectionType.all(),
        flattenChains: bool = False,
        includeChains: Optional[bool] = None,
    ) -> list[str]:
        """Names of the collections matching ``expression`` (names or globs;
        ``...`` for all) of ``collectionTypes``; with flattenChains, chains
        stand for what they search (and are listed too only with
        includeChains). With ``datasetType``, only the collections holding
        datasets of it (a chain: in what it searches), as the butler's summaries
        answer, but exact."""
        if isinstance(collectionTypes, CollectionType):
            collectionTypes = {collectionTypes}
        wanted = {CollectionType(t).name for t in collectionTypes}
        if includeChains is None:
            includeChains = not flattenChains
        view = self.repository.view()
        patterns = None if expression is ... else _as_list(expression)
        out: list[str] = []
        seen: set[str] = set()

        def add(name: str, type_name: str) -> None:
            if name not in seen and type_name in wanted:
                seen.add(name)
                out.append(name)

        type_name = None if datasetType is None else _type_name(datasetType)

        def holds(name: str) -> bool:
            return type_name is None or type_name in view.dataset_types_in([name])

        def flatten(chain: Any, path: set[str]) -> None:
            # Depth first in search order; nested chains listed (with
            # includeChains) before what they search, as the butler's.
            for child_name in chain.children:
                child = view.get_collection(child_name)
                if child is None or child_name in path:
                    continue
                if child.type == "CHAINED":
                    if includeChains and holds(child_name):
                        add(child_name, child.type)
                    flatten(child, path | {child_name})
                elif holds(child_name):
                    add(child_name, child.type)

        for c in view.query_collections(patterns):
            if not holds(c.name):
                continue
            if c.type == "CHAINED" and flattenChains:
                if includeChains:
                    add(c.name, c.type)
                flatten(c, {c.name})
            elif c.type != "CHAINED" or includeChains:
                add(c.name, c.type)
        return out

    # --- datasets

    def insertDatasets(
        self,
        datasetType: Any,
        dataIds: Iterable[Mapping[str, Any]],
        run: Optional[str] = None,
        idGenerationMode: DatasetIdGenEnum = DatasetIdGenEnum.UNIQUE,
    ) -> list[DatasetRef]:
        run = run if run is not None else self._run
        if run is None:
            raise starlog.InvalidArgumentError("Invalid argument: no run given, and no default run")
        refs = self.repository.register_datasets(
            _type_name(datasetType), run, [dict(d) for d in dataIds], id_mode=idGenerationMode.value
        )
        return list(self._wrap(self.repository.view(), refs))

    def getDataset(self, id: Any) -> Optional[DatasetRef]:
        view = self.repository.view()
        ref = view.get_dataset(id)
        return None if ref is None else next(self._wrap(view, [ref]))

    def findDataset(
        self,
        datasetType: Any,
        dataId: Optional[Mapping[str, Any]] = None,
        *,
        collections: Any = None,
        timespan: Any = None,
        **kwargs: Any,
    ) -> Optional[DatasetRef]:
        """The first dataset along ``collections`` (default: the registry's),
        or None. Without ``timespan`` CALIBRATION collections are passed over,
        as the butler's. An unknown dataset type or collection is
        NotFoundError."""
        view = self.repository.view()
        name = _type_name(datasetType)
        if "." in name:
            raise ComponentLookupError(
                f"Invalid argument: '{name}' is a component; the registry finds its parent "
                f"'{name.split('.')[0]}' (the butler's registry finds no components)"
            )
        search = self._search(collections, ordered=True)
        given = _data_id(dataId, kwargs)
        try:
            try:
                ref = view.find_dataset(name, given, search, timespan)
            except starlog.InvalidArgumentError:
                # As the butler's: values past the type's own dimensions (an
                # implied band, even one its records contradict) are ignored.
                dims = set(view.get_dataset_type(name).dimensions)
                own = {k: v for k, v in given.items() if k in dims}
                if own == given:
                    raise
                ref = view.find_dataset(name, own, search, timespan)
        except starlog.NotFoundError:
            view.get_dataset_type(name)  # Raises for an unknown type...
            view.resolve_search_path(search)  # ...or collection, as the butler does.
            return None
        return next(self._wrap(view, [ref]))

    def queryDatasets(
        self,
        datasetType: Any,
        *,
        collections: Any = None,
        dataId: Optional[Mapping[str, Any]] = None,
        where: str = "",
        findFirst: bool = False,
        bind: Optional[Mapping[str, Any]] = None,
        timespan: Any = None,
        **kwargs: Any,
    ) -> DatasetQueryResults:
        """Datasets of ``datasetType`` in ``collections`` satisfying ``where``
        and the data ID's values; every match unless findFirst (the butler's
        default), re-iterable, with the butler's count(), any() and
        explain_no_results(). ``datasetType`` may be a name, a DatasetType,
        a glob pattern, a list of them, or ``...`` (or None) for every type,
        as the butler's; the rows of each type come together, the types by
        name."""
        where, bind = _where_with(where, bind, _data_id(dataId, kwargs))
        if datasetType is ... or datasetType is None:
            types: Any = None
        elif isinstance(datasetType, str) or hasattr(datasetType, "name"):
            types = _type_name(datasetType)
        else:
            types = [_type_name(t) for t in datasetType]
        search = self._search(collections, ordered=findFirst)
        # A named type that is not registered finds nothing and says so in
        # explain_no_results, as the butler's query does (queryDataIds with
        # such a type raises, there as here).
        dropped: list[str] = []
        if types is not None:
            known = {t.name for t in self.repository.view().query_dataset_types()}
            named = _as_list(types)
            dropped = [n for n in named if not _is_glob(n) and n.split(".")[0] not in known]
            if dropped:
                types = [n for n in named if n not in dropped]

        def run() -> Iterator[DatasetRef]:
            if types is not None and not types:
                return iter(())
            view = self.repository.view()
            refs = view.query_datasets(types, search, where, bind, findFirst, timespan)
            return self._wrap(view, refs)

        def explain() -> list[str]:
            return _explain_datasets(self.repository.view(), types, search, dropped)

        return DatasetQueryResults(run, search, explain)

    def removeDatasets(self, refs: Iterable[Any]) -> None:
        """Removes datasets from the registry, all or none, from every
        collection that holds them; their files are left (the datastore's)."""
        self.repository.prune_datasets(list(refs), "forget")

    def associate(self, collection: str, refs: Iterable[Any]) -> None:
        self.repository.associate(collection, list(refs))

    def disassociate(self, collection: str, refs: Iterable[Any]) -> None:
        self.repository.disassociate(collection, list(refs))

    def certify(self, collection: str, refs: Iterable[Any], timespan: Any) -> None:
        """Certifies calibration ``refs`` into ``collection`` over ``timespan``."""
        self.repository.certify(collection, [r.ref if isinstance(r, DatasetRef) else r for r in refs], timespan)

    def decertify(
        self,
        collection: str,
        datasetType: Any,
        timespan: Any,
        *,
        dataIds: Optional[Iterable[Mapping[str, Any]]] = None,
    ) -> None:
        ids = None if dataIds is None else [dict(d) for d in dataIds]
        self.repository.decertify(collection, _type_name(datasetType), timespan, ids)


# Every call of the Registry answers with the butler's exception classes.
for _name, _member in list(vars(Registry).items()):
    if not _name.startswith("_") and inspect.isfunction(_member):
        setattr(Registry, _name, _raises_butler_errors(_member))
del _name, _member
