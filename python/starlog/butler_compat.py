"""A Gen3-butler-shaped facade over a starlog Repository.

``Registry`` answers to the names pipeline code already calls on
``butler.registry`` (daf_butler's ``Registry``), with the same arguments and
the same results where starlog has the concept, so that moving code is a
rename, not a rewrite. It is a subset: the calls listed in ``__all__``'s
classes below and nothing else (no ``queryDatasetAssociations``, no
``expandDataId``, no dimension-record objects: records and data IDs are
plain dicts, refs carry ``dataId`` as a dict).

Differences from daf_butler, all deliberate:

- times are ``starlog.Timespan`` (or a ``(begin, end)`` tuple of aware
  datetimes or TAI ns), not astropy ``Time``;
- errors are ``starlog.Error`` subclasses (``NotFoundError`` where the butler
  raises ``MissingCollectionError``/``MissingDatasetTypeError``,
  ``ConflictError`` for a conflicting definition);
- every write is one atomic edit of the repository, through its service when
  one runs.
"""

from __future__ import annotations

import enum
from typing import Any, Iterable, Iterator, Mapping, Optional, Sequence, Union

import starlog

__all__ = ["CollectionType", "DatasetIdGenEnum", "DatasetRef", "DatasetType", "Registry"]


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


def _data_id(dataId: Optional[Mapping[str, Any]], kwargs: Mapping[str, Any]) -> dict[str, Any]:
    merged = dict(dataId or {})
    merged.update(kwargs)
    return merged


def _where_with(where: str, bind: Optional[Mapping[str, Any]], equal: Mapping[str, Any]):
    """``where`` AND key = value for each of ``equal``, through bind names."""
    bind = dict(bind or {})
    terms = [f"({where})"] if where.strip() else []
    for key, value in equal.items():
        name = f"_starlog_data_id_{key}"
        bind[name] = value
        terms.append(f"{key} = {name}")
    return " AND ".join(terms), bind


class CollectionSummary:
    """What a collection holds, as the butler's summary says it: its dataset
    types (exact in starlog)."""

    def __init__(self, dataset_types: set[DatasetType]) -> None:
        self.dataset_types = dataset_types

    @property
    def dataset_type_names(self) -> set[str]:
        return {t.name for t in self.dataset_types}


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

    def _search(self, collections: Any) -> list[str]:
        if collections is None:
            if self._collections is None:
                raise starlog.InvalidArgumentError(
                    "Invalid argument: no collections given, and no default collections"
                )
            return self._collections
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
        view = self.repository.view()
        for t in view.query_dataset_types(names):
            self.repository.remove_dataset_type(t.name)

    def getDatasetType(self, name: str) -> DatasetType:
        return DatasetType._from_starlog(self.repository.view().get_dataset_type(name))

    def queryDatasetTypes(self, expression: Any = ..., *, components: bool = False) -> list[DatasetType]:
        patterns = None if expression is ... else _as_list(expression)
        view = self.repository.view()
        return [DatasetType._from_starlog(t) for t in view.query_dataset_types(patterns, components)]

    # --- dimensions

    def insertDimensionData(
        self, element: str, *data: Mapping[str, Any], replace: bool = False, skip_existing: bool = False
    ) -> None:
        """Inserts records (dicts) of ``element``, all or none. skip_existing
        leaves out records already there (compared by key, as the butler's)."""
        rows = [dict(d) for d in data]
        if skip_existing:
            view = self.repository.view()
            rows = [r for r in rows if view.get_dimension_record(element, r) is None]
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
            raise starlog.ConflictError(
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
        rows = self.repository.view().query_data_ids(list(given), where, bind, None, None, False)
        if not rows:
            raise starlog.NotFoundError(f"Not found: no dimension records match the data ID {given}")
        return dict(rows[0])

    def queryDimensionRecords(
        self,
        element: str,
        *,
        dataId: Optional[Mapping[str, Any]] = None,
        where: str = "",
        bind: Optional[Mapping[str, Any]] = None,
        **kwargs: Any,
    ) -> list[dict[str, Any]]:
        where, bind = _where_with(where, bind, _data_id(dataId, kwargs))
        return self.repository.view().query_dimension_records(element, where, bind)

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
        dataset_type = None if datasets is None else _type_name(datasets)
        search = self._search(collections) if dataset_type is not None else None
        return self.repository.view().query_data_ids(
            _as_list(dimensions), where, bind, dataset_type, search, False
        )

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
        self.repository.remove_collection(name)

    def getCollectionType(self, name: str) -> CollectionType:
        c = self.repository.view().get_collection(name)
        if c is None:
            raise starlog.NotFoundError(f"Not found: no collection '{name}'")
        return CollectionType[c.type]

    def getCollectionChain(self, parent: str) -> tuple[str, ...]:
        c = self.repository.view().get_collection(parent)
        if c is None:
            raise starlog.NotFoundError(f"Not found: no collection '{parent}'")
        if c.type != "CHAINED":
            raise starlog.InvalidArgumentError(
                f"Invalid argument: collection '{parent}' is {c.type}, not CHAINED"
            )
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
            raise starlog.NotFoundError(f"Not found: no collection '{collection}'")
        return {c.name for c in view.query_collections(None, ["CHAINED"]) if collection in c.children}

    def getCollectionDocumentation(self, collection: str) -> Optional[str]:
        c = self.repository.view().get_collection(collection)
        if c is None:
            raise starlog.NotFoundError(f"Not found: no collection '{collection}'")
        return c.doc or None

    def setCollectionDocumentation(self, collection: str, doc: Optional[str]) -> None:
        """Sets (or, with None, clears) ``collection``'s documentation; its
        type and contents stay."""
        c = self.repository.view().get_collection(collection)
        if c is None:
            raise starlog.NotFoundError(f"Not found: no collection '{collection}'")
        if c.type == "CHAINED":
            self.repository.set_chain(collection, list(c.children), doc=doc or "")
        else:
            self.repository.create_collection(collection, c.type, doc or "")

    def getCollectionSummary(self, collection: str) -> "CollectionSummary":
        """The dataset types ``collection`` holds (a chain: what it searches)."""
        view = self.repository.view()
        names = view.dataset_types_in([collection])
        return CollectionSummary({DatasetType._from_starlog(view.get_dataset_type(n)) for n in names})

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

        for c in view.query_collections(patterns):
            if not holds(c.name):
                continue
            if c.type == "CHAINED" and flattenChains:
                if includeChains:
                    add(c.name, c.type)
                for child in view.resolve_search_path([c.name]):
                    if holds(child):
                        add(child, view.get_collection(child).type)
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
        search = self._search(collections)
        try:
            ref = view.find_dataset(name, _data_id(dataId, kwargs), search, timespan)
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
    ) -> Iterator[DatasetRef]:
        """Datasets of ``datasetType`` in ``collections`` satisfying ``where``
        and the data ID's values; every match unless findFirst (the butler's
        default), an iterator. ``datasetType`` may be a name, a DatasetType,
        a glob pattern, a list of them, or ``...`` (or None) for every type,
        as the butler's; the rows of each type come together, the types by
        name."""
        where, bind = _where_with(where, bind, _data_id(dataId, kwargs))
        view = self.repository.view()
        if datasetType is ... or datasetType is None:
            types: Any = None
        elif isinstance(datasetType, str) or hasattr(datasetType, "name"):
            types = _type_name(datasetType)
        else:
            types = [_type_name(t) for t in datasetType]
        refs = view.query_datasets(types, self._search(collections), where, bind, findFirst, timespan)
        return self._wrap(view, refs)

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
