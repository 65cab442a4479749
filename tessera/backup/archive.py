"""Back up and restore the whole portal: the database as portable JSON lines, plus the stored files.

One ``.tar.gz`` archive holds, in this order:

``data/NNN_<app>.<model>.jsonl``
    Every row of one model (or of an automatic many-to-many table), one JSON object a line, in the
    format of Django's serializers. Models come in dependency order. Primary keys are kept (URLs and
    references stay valid); content types and permissions, which ``migrate`` creates with ids of its
    own, are referred to by natural key.
``files/<storage name>``
    Every file of ``default_storage`` a row refers to (the attachments), read through the storage
    API, so S3 and the like work as well as local disks.
``manifest.json``
    Versions, database vendor, migration state, row counts, and the SHA-256 of every other member.
    It comes last because only then are all checksums known.

Memory stays bounded by one batch of rows: tables are read with ``.iterator()`` and each member is
written to a temporary file before it goes into the archive (a tar header needs the size). Only the
names and checksums of the files are kept in memory (a couple of hundred bytes each).

A restore reads the archive twice: once to verify every checksum before the database is touched,
then to load the rows and files inside one transaction. See docs/backup.md.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import os
import platform
import posixpath
import shutil
import tarfile
import tempfile
import tomllib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import django
from django.apps import apps
from django.conf import settings
from django.core.files import File
from django.core.files.storage import default_storage
from django.core.management.color import no_style
from django.core.serializers import python as python_serializer
from django.core.serializers.json import DjangoJSONEncoder
from django.core.serializers.jsonl import Serializer as JSONLSerializer
from django.db import DEFAULT_DB_ALIAS, connections, models, transaction
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone

FORMAT = "tessera-backup"
FORMAT_VERSION = 1
MANIFEST_NAME = "manifest.json"
DATA_DIR = "data/"
FILES_DIR = "files/"

#: Not backed up: ``migrate`` recreates content types and permissions (rows refer to them by
#: natural key), login sessions are credentials that must not travel in a backup file, and who has a
#: ticket open in the desk (``TicketPresence``) is gone within seconds.
EXCLUDED_MODELS = frozenset({"contenttypes.contenttype", "auth.permission", "sessions.session",
                             "tickets.ticketpresence"})
#: Models referred to by natural key instead of id: their ids differ from one database to another.
NATURAL_KEY_MODELS = frozenset({"contenttypes.contenttype", "auth.permission"})
#: Tables emptied by a restore besides the restored ones.
FLUSHED_ONLY_MODELS = frozenset({"sessions.session", "tickets.ticketpresence"})

COPY_CHUNK = 1024 * 1024
SPOOL_MAX = 8 * 1024 * 1024


class BackupError(Exception):
    """A backup or restore that cannot go on; the message says why and what to do."""


Log = Callable[[str], None]


def _no_log(message: str) -> None:
    pass


def _chunk_size() -> int:
    return max(1, getattr(settings, "TESSERA_BACKUP_CHUNK_SIZE", 2000))


# --------------------------------------------------------------------------------------------
# What is backed up


def backed_up_models(using: str = DEFAULT_DB_ALIAS) -> list[type[models.Model]]:
    """Every concrete model with a table, automatic many-to-many tables included, in dependency order.

    A model whose table does not exist (its migration is not written or not applied yet) holds no
    data; the migration state recorded in the manifest tells such databases apart.
    """
    tables = set(connections[using].introspection.table_names())
    candidates = {
        model._meta.label_lower: model
        for model in apps.get_models(include_auto_created=True)
        if model._meta.managed and not model._meta.proxy and not model._meta.swapped
        and model._meta.label_lower not in EXCLUDED_MODELS and model._meta.db_table in tables
    }
    return _dependency_order(candidates)


def _dependency_order(candidates: dict[str, type[models.Model]]) -> list[type[models.Model]]:
    """Models after the models their foreign keys point to (cycles and self-references are broken)."""
    dependencies = {}
    for label, model in candidates.items():
        targets = {
            _concrete_label(f.remote_field.model) for f in model._meta.local_fields if f.remote_field is not None
        }
        dependencies[label] = sorted(targets & candidates.keys() - {label})
    ordered: list[str] = []
    state: dict[str, str] = {}

    def visit(label: str) -> None:
        if state.get(label):
            return  # done, or on the current path (a cycle: deferred constraints take care of it)
        state[label] = "visiting"
        for dependency in dependencies[label]:
            visit(dependency)
        state[label] = "done"
        ordered.append(label)

    for label in sorted(candidates):
        visit(label)
    return [candidates[label] for label in ordered]


def _concrete_label(model: type[models.Model]) -> str:
    # Options.concrete_model is None only while a model class is being built, never for a registered model.
    return (model._meta.concrete_model or model)._meta.label_lower


def migration_state(using: str = DEFAULT_DB_ALIAS) -> dict[str, str]:
    """The latest applied migration of every app (by name: migration names start with their number)."""
    latest: dict[str, str] = {}
    for app_label, name in MigrationRecorder(connections[using]).applied_migrations():
        if name > latest.get(app_label, ""):
            latest[app_label] = name
    return dict(sorted(latest.items()))


def tessera_version() -> str:
    try:
        from importlib.metadata import PackageNotFoundError, version

        return version("tessera")
    except PackageNotFoundError:
        pass
    try:
        with open(Path(settings.BASE_DIR) / "pyproject.toml", "rb") as pyproject:
            return tomllib.load(pyproject)["project"]["version"]
    except (OSError, KeyError, tomllib.TOMLDecodeError):
        return "unknown"


def _database_info(using: str) -> dict[str, str]:
    connection = connections[using]
    info = {"vendor": connection.vendor, "engine": connection.settings_dict["ENGINE"]}
    connection.ensure_connection()
    # pg_version and Database are attributes of the PostgreSQL and SQLite backends' wrappers only.
    if connection.vendor == "postgresql":
        info["server_version"] = str(connection.pg_version)  # type: ignore[attr-defined]
    elif connection.vendor == "sqlite":
        info["server_version"] = connection.Database.sqlite_version  # type: ignore[attr-defined]
    return info


# --------------------------------------------------------------------------------------------
# Serialization


class _Encoder(DjangoJSONEncoder):
    """DjangoJSONEncoder cuts datetimes to milliseconds; a backup keeps the microseconds."""

    def default(self, o):
        import datetime

        if isinstance(o, datetime.datetime):
            text = o.isoformat()
            return text[:-6] + "Z" if text.endswith("+00:00") else text
        if isinstance(o, datetime.time):
            return o.isoformat()
        return super().default(o)


class _Serializer(JSONLSerializer):
    """JSON lines; foreign keys by id except to content types and permissions (by natural key).

    Many-to-many values are left out: their automatic tables are backed up as models of their own,
    which needs no query per row. File names in default_storage are collected on the way.
    """

    def __init__(self, file_names: set[str]):
        super().__init__()
        self.file_names = file_names
        self._natural_keys: dict[tuple[str, object], list] = {}

    def handle_field(self, obj, field):
        super().handle_field(obj, field)
        if isinstance(field, models.FileField) and field.storage is default_storage:
            name = self._row()[field.name]
            if name:
                self.file_names.add(name)

    def handle_fk_field(self, obj, field):
        related = field.remote_field.model
        if related._meta.label_lower in NATURAL_KEY_MODELS:
            value = getattr(obj, field.attname)
            self._row()[field.name] = None if value is None else self._natural_key(related, value)
        else:
            super().handle_fk_field(obj, field)

    def handle_m2m_field(self, obj, field):
        pass

    def _row(self) -> dict[str, Any]:
        """The fields of the object being serialized (start_object sets them, end_object clears them)."""
        assert self._current is not None
        return self._current

    def _natural_key(self, model, pk) -> list:
        key = (model._meta.label_lower, pk)
        if key not in self._natural_keys:
            self._natural_keys[key] = list(model._base_manager.get(pk=pk).natural_key())
        return self._natural_keys[key]

    def end_object(self, obj):
        self.stream.write(json.dumps(self.get_dump_object(obj), cls=_Encoder, separators=(",", ":")))
        self.stream.write("\n")
        self._current = None


class _HashingReader:
    """A file object that hashes what is read through it."""

    def __init__(self, fileobj):
        self.fileobj = fileobj
        self.sha256 = hashlib.sha256()
        self.size = 0

    def read(self, size=-1):
        data = self.fileobj.read(size)
        self.sha256.update(data)
        self.size += len(data)
        return data


def _spool_copy(source) -> tuple[tempfile.SpooledTemporaryFile, str, int]:
    """Copy a file object to a temporary file; return it (at position 0), its SHA-256 and size."""
    spool = tempfile.SpooledTemporaryFile(max_size=SPOOL_MAX)  # noqa: SIM115 - the caller closes it
    digest = hashlib.sha256()
    size = 0
    while chunk := source.read(COPY_CHUNK):
        digest.update(chunk)
        spool.write(chunk)
        size += len(chunk)
    spool.seek(0)
    return spool, digest.hexdigest(), size


def _add_member(tar: tarfile.TarFile, name: str, fileobj, size: int) -> str:
    """Add ``size`` bytes of ``fileobj`` as ``name``; return their SHA-256."""
    info = tarfile.TarInfo(name)
    info.size = size
    info.mtime = int(timezone.now().timestamp())
    info.mode = 0o600
    reader = _HashingReader(fileobj)
    tar.addfile(info, reader)
    return reader.sha256.hexdigest()


# --------------------------------------------------------------------------------------------
# Backup


@dataclass
class BackupResult:
    path: Path
    rows: int = 0
    tables: int = 0
    files: int = 0
    file_bytes: int = 0
    missing_files: list[str] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)


def backup(output: str | os.PathLike, *, using: str = DEFAULT_DB_ALIAS, log: Log = _no_log) -> BackupResult:
    """Write the database and the stored files to the archive ``output`` (which must not exist)."""
    output = Path(output)
    if output.exists():
        raise BackupError(f"{output} already exists; choose another file name.")
    if not output.parent.is_dir():
        raise BackupError(f"The directory {output.parent} does not exist.")
    partial = output.with_name(output.name + ".partial")
    partial.unlink(missing_ok=True)  # left by an interrupted run; recreated below with the right mode
    # The archive holds personal data and password hashes: readable by its owner only.
    descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    result = BackupResult(path=output)
    try:
        with os.fdopen(descriptor, "wb") as raw, tarfile.open(
            fileobj=raw, mode="w:gz", format=tarfile.PAX_FORMAT, compresslevel=6
        ) as tar:
            manifest = _write_archive(tar, using=using, log=log, result=result)
            body = json.dumps(manifest, indent=2, ensure_ascii=False).encode()
            _add_member(tar, MANIFEST_NAME, io.BytesIO(body), len(body))
        os.replace(partial, output)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return result


def _write_archive(tar: tarfile.TarFile, *, using: str, log: Log, result: BackupResult) -> dict[str, Any]:
    manifest: dict[str, Any] = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "created_at": timezone.now().isoformat(),
        "tessera_version": tessera_version(),
        "django_version": django.get_version(),
        "python_version": platform.python_version(),
        "database": _database_info(using),
        "migrations": migration_state(using),
        "models": [],
        "files": [],
        "missing_files": [],
    }
    file_names: set[str] = set()
    with _snapshot(using):
        for position, model in enumerate(backed_up_models(using), start=1):
            label = model._meta.label_lower
            member = f"{DATA_DIR}{position:03d}_{label}.jsonl"
            with tempfile.TemporaryFile() as dump:
                text = io.TextIOWrapper(dump, encoding="utf-8", newline="\n", write_through=True)
                rows = model._base_manager.using(using).order_by("pk").iterator(chunk_size=_chunk_size())
                counter = _Counter(rows)
                _Serializer(file_names).serialize(counter, stream=text)
                text.flush()
                size = dump.tell()
                dump.seek(0)
                digest = _add_member(tar, member, dump, size)
                text.detach()
            manifest["models"].append(
                {"model": label, "table": model._meta.db_table, "member": member, "count": counter.count,
                 "sha256": digest}
            )
            result.counts[label] = counter.count
            result.rows += counter.count
            result.tables += 1
            if counter.count:
                log(f"  {label}: {counter.count:,} rows")

    for name in sorted(file_names):
        if not _is_safe_storage_name(name) or not default_storage.exists(name):
            manifest["missing_files"].append(name)
            result.missing_files.append(name)
            continue
        with default_storage.open(name, "rb") as stored:
            spool, digest, size = _spool_copy(stored)
        with spool:
            _add_member(tar, FILES_DIR + name, spool, size)
        manifest["files"].append({"name": name, "member": FILES_DIR + name, "size": size, "sha256": digest})
        result.files += 1
        result.file_bytes += size
    return manifest


class _Counter:
    def __init__(self, iterable: Iterable):
        self.iterable = iterable
        self.count = 0

    def __iter__(self) -> Iterator:
        for item in self.iterable:
            self.count += 1
            yield item


class _snapshot:
    """One read-only transaction, so that every table is read as of the same moment.

    PostgreSQL: REPEATABLE READ. SQLite (WAL): a deferred transaction reads a snapshot without
    taking the write lock, so the portal keeps working during the backup.
    """

    def __init__(self, using: str):
        self.using = using
        self.atomic = transaction.atomic(using=using)

    def __enter__(self):
        connection = connections[self.using]
        outermost = not connection.in_atomic_block
        self.saved_mode = getattr(connection, "transaction_mode", None)
        if outermost and connection.vendor == "sqlite":
            # The SQLite backend's own attribute (settings.py sets IMMEDIATE); a snapshot only reads.
            connection.transaction_mode = "DEFERRED"  # type: ignore[attr-defined]
        self.atomic.__enter__()
        if outermost and connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        return self

    def __exit__(self, *exc_info):
        connection = connections[self.using]
        try:
            return self.atomic.__exit__(*exc_info)
        finally:
            if connection.vendor == "sqlite":
                connection.transaction_mode = self.saved_mode  # type: ignore[attr-defined]


def _is_safe_storage_name(name: str) -> bool:
    """A relative, normalized name that stays inside the storage (what FileField generates)."""
    normalized = posixpath.normpath(name)
    return not (name.startswith("/") or normalized != name or normalized.startswith("..") or "\x00" in name)


def _check_storage_name(name: str) -> None:
    if not _is_safe_storage_name(name):
        raise BackupError(f"Unsafe file name in the backup: {name!r}.")


# --------------------------------------------------------------------------------------------
# Restore


@dataclass
class RestoreResult:
    rows: int = 0
    tables: int = 0
    files: int = 0
    files_already_present: int = 0
    file_bytes: int = 0
    requeued_tasks: int = 0
    counts: dict[str, int] = field(default_factory=dict)
    manifest: dict = field(default_factory=dict)


def read_manifest(path: str | os.PathLike) -> tuple[dict, dict[str, tuple[str, int]]]:
    """Read the whole archive once: its manifest and the SHA-256 and size of every member."""
    digests: dict[str, tuple[str, int]] = {}
    manifest_bytes = None
    try:
        with tarfile.open(path, mode="r|gz") as tar:
            for member in tar:
                if member.isdir():
                    continue
                if not member.isfile():
                    raise BackupError(f"The backup contains {member.name}, which is not a regular file.")
                if member.name in digests:
                    raise BackupError(f"The backup contains {member.name} twice.")
                source = tar.extractfile(member)
                assert source is not None  # a regular file, checked above
                if member.name == MANIFEST_NAME:
                    manifest_bytes = source.read()
                    continue
                reader = _HashingReader(source)
                while reader.read(COPY_CHUNK):
                    pass
                digests[member.name] = (reader.sha256.hexdigest(), reader.size)
    except FileNotFoundError:
        raise BackupError(f"{path} does not exist.") from None
    except (tarfile.TarError, EOFError, OSError, ValueError) as error:
        raise BackupError(f"{path} is not a readable backup archive ({error}).") from None
    if manifest_bytes is None:
        raise BackupError(f"{path} has no {MANIFEST_NAME}: it is not a complete Tessera backup.")
    try:
        manifest = json.loads(manifest_bytes)
    except ValueError:
        raise BackupError(f"The {MANIFEST_NAME} of {path} is not valid JSON.") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupError(f"{path} is not a Tessera backup.")
    if manifest.get("format_version") != FORMAT_VERSION:
        raise BackupError(
            f"{path} has backup format {manifest.get('format_version')}; this version of Tessera reads "
            f"format {FORMAT_VERSION}."
        )
    return manifest, digests


def verify_archive(path: str | os.PathLike) -> dict:
    """Check every member against the checksums of the manifest; return the manifest."""
    manifest, digests = read_manifest(path)
    expected: dict[str, str] = {}
    for entry in manifest["models"]:
        expected[entry["member"]] = entry["sha256"]
    for entry in manifest["files"]:
        _check_storage_name(entry["name"])
        if entry["member"] != FILES_DIR + entry["name"]:
            raise BackupError(f"The manifest names {entry['member']} for the file {entry['name']}.")
        expected[entry["member"]] = entry["sha256"]
    for member, sha256 in expected.items():
        if member not in digests:
            raise BackupError(f"The backup is incomplete: {member} is missing. Nothing was restored.")
        actual = digests[member][0]
        if actual != sha256:
            raise BackupError(
                f"The backup is damaged: the SHA-256 of {member} is {actual}, but the manifest records "
                f"{sha256}. Nothing was restored."
            )
    unexpected = sorted(digests.keys() - expected.keys())
    if unexpected:
        raise BackupError(f"The backup contains files its manifest does not list: {', '.join(unexpected[:5])}.")
    return manifest


def database_is_empty(using: str = DEFAULT_DB_ALIAS) -> tuple[bool, str]:
    from django.contrib.auth import get_user_model

    from tessera.tickets.models import Ticket

    users = get_user_model()._base_manager.using(using).count()
    tickets = Ticket._base_manager.using(using).count()
    return users == 0 and tickets == 0, f"{users:,} users and {tickets:,} tickets"


def check_compatible(manifest: dict, using: str = DEFAULT_DB_ALIAS) -> None:
    """Refuse a database whose migration state differs from the backup's."""
    current = migration_state(using)
    recorded = manifest.get("migrations", {})
    if current == recorded:
        return
    differences = [
        f"{app}: backup {recorded.get(app, '(none)')}, database {current.get(app, '(none)')}"
        for app in sorted(recorded.keys() | current.keys())
        if recorded.get(app) != current.get(app)
    ]
    raise BackupError(
        "The database is not at the migration state of the backup (Tessera "
        f"{manifest.get('tessera_version', '?')}):\n  " + "\n  ".join(differences) + "\n"
        "Create the database with the Tessera version the backup was made with and run "
        "'manage.py migrate' first; upgrade after the restore."
    )


def restore(
    path: str | os.PathLike, *, force: bool = False, using: str = DEFAULT_DB_ALIAS, log: Log = _no_log
) -> RestoreResult:
    """Replace the database's content and the stored files with those of the backup at ``path``."""
    log("Verifying the archive…")
    manifest = verify_archive(path)
    check_compatible(manifest, using)
    empty, content = database_is_empty(using)
    if not empty and not force:
        raise BackupError(
            f"The database is not empty: it holds {content}. A restore replaces everything in it; "
            "run the command again with --force to do that."
        )
    models_by_member = {}
    for entry in manifest["models"]:
        try:
            model = apps.get_model(entry["model"])
        except (LookupError, ValueError):
            raise BackupError(f"The backup has rows of {entry['model']}, a model this Tessera does not have.") from None
        models_by_member[entry["member"]] = (model, entry)
    missing = {model._meta.label_lower for model in backed_up_models(using)} - {
        entry["model"] for entry in manifest["models"]
    }
    if missing:
        raise BackupError(f"The backup has no data for {', '.join(sorted(missing))}.")

    files_by_name = {entry["name"]: entry for entry in manifest["files"]}
    result = RestoreResult(manifest=manifest)
    created_files: list[str] = []
    try:
        with transaction.atomic(using=using):
            _flush(models_by_member, using)
            log("Loading the database…")
            with tarfile.open(path, mode="r|gz") as tar:
                loader = _Loader(using)
                checked = False
                for member in tar:
                    if member.name in models_by_member:
                        model, entry = models_by_member[member.name]
                        count = loader.load(model, tar.extractfile(member), entry)
                        result.counts[entry["model"]] = count
                        result.rows += count
                        result.tables += 1
                        if count:
                            log(f"  {entry['model']}: {count:,} rows")
                    elif member.name.startswith(FILES_DIR):
                        if not checked:
                            _finish_database(models_by_member, using, result)
                            checked = True
                            log("Restoring the files…")
                        _restore_file(member, tar.extractfile(member), files_by_name, created_files, result)
                if not checked:
                    _finish_database(models_by_member, using, result)
    except BaseException:
        for name in created_files:
            with contextlib.suppress(Exception):  # best effort: the original error is what matters
                default_storage.delete(name)
        raise
    return result


def _flush(models_by_member: dict, using: str) -> None:
    connection = connections[using]
    tables = [model._meta.db_table for model, _entry in models_by_member.values()]
    tables += [apps.get_model(label)._meta.db_table for label in FLUSHED_ONLY_MODELS if _has_model(label)]
    existing = set(connection.introspection.table_names())
    statements = connection.ops.sql_flush(
        no_style(), [table for table in tables if table in existing], reset_sequences=True
    )
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


def _has_model(label: str) -> bool:
    try:
        apps.get_model(label)
    except LookupError:
        return False
    return True


def _finish_database(models_by_member: dict, using: str, result: RestoreResult) -> None:
    """Check the counts and the references, move the sequences past the restored ids, requeue tasks."""
    for _model, entry in models_by_member.values():
        if result.counts.get(entry["model"]) != entry["count"]:
            raise BackupError(
                f"{entry['model']}: the manifest records {entry['count']:,} rows, the archive holds "
                f"{result.counts.get(entry['model'], 0):,}."
            )
    connection = connections[using]
    restored_models = [model for model, _entry in models_by_member.values()]
    with connection.cursor() as cursor:
        for statement in connection.ops.sequence_reset_sql(no_style(), restored_models):
            cursor.execute(statement)
    connection.check_constraints(table_names=[model._meta.db_table for model in restored_models])
    result.requeued_tasks = _requeue_running_tasks(using)


def _requeue_running_tasks(using: str) -> int:
    """A task that was running when the backup was taken never finished as far as the backup knows."""
    if not apps.is_installed("django_tasks_db"):
        return 0
    from django_tasks_db.models import DBTaskResult

    return DBTaskResult._base_manager.using(using).filter(status="RUNNING").update(status="READY", started_at=None)


class _Loader:
    """Insert the rows of a JSON-lines member in batches, with ids, as loaddata would (raw)."""

    def __init__(self, using: str):
        self.using = using
        self.natural_keys: dict[tuple[str, tuple], object] = {}

    def load(self, model, source, entry: dict) -> int:
        digest = hashlib.sha256()
        natural_fields = {
            f.name: f.remote_field.model for f in model._meta.local_fields
            if f.remote_field is not None and f.remote_field.model._meta.label_lower in NATURAL_KEY_MODELS
        }
        count = 0
        batch: list[dict] = []
        for line in source:  # a buffered reader yields the lines as bytes
            digest.update(line)
            if not line.strip():
                continue
            try:
                data = json.loads(line)
            except ValueError:
                raise BackupError(f"{entry['member']}: line {count + len(batch) + 1} is not valid JSON.") from None
            if data.get("model") != entry["model"]:
                raise BackupError(f"{entry['member']} holds a row of {data.get('model')}.")
            for name, related in natural_fields.items():
                value = data["fields"].get(name)
                if isinstance(value, list):
                    data["fields"][name] = self._resolve(related, value)
            batch.append(data)
            if len(batch) >= _chunk_size():
                count += self._insert(model, batch)
                batch = []
        if batch:
            count += self._insert(model, batch)
        if digest.hexdigest() != entry["sha256"]:
            raise BackupError(f"The backup changed while it was being restored: {entry['member']}.")
        return count

    def _resolve(self, model, natural_key: list):
        key = (model._meta.label_lower, tuple(natural_key))
        if key not in self.natural_keys:
            manager = model._default_manager.db_manager(self.using)
            if model._meta.label_lower == "contenttypes.contenttype":
                # A content type of a model removed since: admin log entries may still refer to it.
                self.natural_keys[key] = manager.get_or_create(app_label=natural_key[0], model=natural_key[1])[0].pk
            else:
                try:
                    self.natural_keys[key] = manager.get_by_natural_key(*natural_key).pk
                except model.DoesNotExist:
                    raise BackupError(
                        f"The backup refers to {model._meta.verbose_name} {natural_key}, which this database "
                        "does not have. Run 'manage.py migrate' first."
                    ) from None
        return self.natural_keys[key]

    def _insert(self, model, batch: list[dict]) -> int:
        try:
            objects = [
                deserialized.object
                for deserialized in python_serializer.Deserializer(batch, using=self.using)
            ]
        except Exception as error:  # DeserializationError wraps what went wrong
            raise BackupError(f"Rows of {model._meta.label_lower} cannot be read: {error}") from None
        fields = list(model._meta.local_concrete_fields)
        connection = connections[self.using]
        size = max(1, connection.ops.bulk_batch_size(fields, objects))
        queryset = model._base_manager.using(self.using)
        for start in range(0, len(objects), size):
            # raw=True keeps stored values as they are (auto_now fields included), as loaddata does.
            queryset._insert(objects[start:start + size], fields=fields, raw=True, using=self.using)
        if not connection.force_debug_cursor:
            connection.queries_log.clear()  # with DEBUG on, the logged INSERTs would fill the memory
        return len(objects)


def _restore_file(
    member: tarfile.TarInfo, source, files_by_name: dict[str, dict], created: list[str], result: RestoreResult
) -> None:
    name = member.name[len(FILES_DIR):]
    entry = files_by_name.get(name)
    if entry is None:
        raise BackupError(f"The backup contains {member.name}, which its manifest does not list.")
    spool, digest, size = _spool_copy(source)
    with spool:
        if digest != entry["sha256"]:
            raise BackupError(
                f"The backup is damaged: the SHA-256 of {member.name} is {digest}, but the manifest records "
                f"{entry['sha256']}. Nothing was restored."
            )
        if default_storage.exists(name):
            if _stored_sha256(name) == digest:
                result.files_already_present += 1
                result.files += 1
                return
            default_storage.delete(name)
        saved = default_storage.save(name, File(spool, name=posixpath.basename(name)))
        created.append(saved)
        if saved != name:
            raise BackupError(f"The storage saved {name} as {saved}; the database refers to {name}.")
    stored = _stored_sha256(name)
    if stored != digest:
        raise BackupError(
            f"{name} reads back from the storage with SHA-256 {stored} instead of {digest}. Nothing was restored."
        )
    result.files += 1
    result.file_bytes += size


def _stored_sha256(name: str) -> str:
    digest = hashlib.sha256()
    with default_storage.open(name, "rb") as stored:
        while chunk := stored.read(COPY_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


#: Where ``backup --to-storage`` keeps archives in the file storage (never swept: only attachments/ is).
BACKUPS_DIR = "backups"


def archive_to_storage(path: Path) -> str:
    """Copy the archive at ``path`` into the file storage (the S3 bucket when configured); its storage name."""
    with open(path, "rb") as handle:
        return default_storage.save(f"{BACKUPS_DIR}/{path.name}", File(handle, name=path.name))


@contextlib.contextmanager
def archive_from_storage(name: str) -> Iterator[Path]:
    """The archive ``name`` of the file storage, copied to a private temporary file for the time of the block."""
    if not _is_safe_storage_name(name):
        raise FileNotFoundError(name)
    with tempfile.TemporaryDirectory(prefix="tessera-restore-") as folder:
        local = Path(folder) / posixpath.basename(name)
        with default_storage.open(name, "rb") as stored, open(local, "wb") as copy:
            shutil.copyfileobj(stored, copy, 1024 * 1024)
        yield local

