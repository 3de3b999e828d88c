"""Regional layers: GeoNames country files the user imports into the gazetteer.

``import_geonames`` checks a dump (UA.txt, UA.zip, allCountries.txt), keeps a gzipped copy
of its good rows in the layers folder (``config.geonames_layers_dir``, in the data
directory beside your own places) and adds its places to the index at once, without a
rebuild. Every later build applies the layers again, so they outlive ``gazetteer build
--force``. The places are ranked like the built-in GeoNames places (source ``geonames``),
not as your own places: they do not win by being yours.

>>> report = import_geonames([Path("UA.txt")])        # doctest: +SKIP
>>> report.imports[0].summary()                       # doctest: +SKIP
'UA.txt (layer UA): added 29,403 places and 203,118 names; 5,480 already known were skipped.'
"""

from __future__ import annotations

import gzip
import json
import os
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from geo import config
from geo.errors import ConflictmapError, GeoNamesFileError
from geo.gazetteer.build import add_layer, build_index, build_lock, is_fresh
from geo.gazetteer.geonames_file import DumpStats, as_stream, check_layer_name, layer_name, read_rows
from geo.gazetteer.sources import LAYER_SUFFIX, Sources

MANIFEST = "layers.json"  # what each layer was imported from, and when


@dataclass(frozen=True)
class RawDump:
    """A dump in memory (an upload in the app), named as its file was."""

    data: bytes
    name: str


@dataclass
class LayerImport:
    """What importing one file did."""

    file: str
    layer: str
    rows: int  # good rows in the file
    added: int  # places new to the index
    names: int  # names of the added places
    known: int  # rows the index already had (same GeoNames id), skipped
    bad: int = 0  # lines that are not GeoNames rows, skipped
    bad_lines: list[str] = field(default_factory=list)  # the first few, described
    rebuilt: bool = False  # the index was built again (it was stale, or a layer was replaced)
    seconds: float = 0.0

    def summary(self) -> str:
        text = (
            f"{self.file} (layer {self.layer}): added {self.added:,} places and {self.names:,} names; "
            f"{self.known:,} already known were skipped"
        )
        if self.bad:
            text += (
                f"; {self.bad:,} bad line{'s' if self.bad != 1 else ''} skipped ({'; '.join(self.bad_lines)}"
            )
            text += ", ...)" if self.bad > len(self.bad_lines) else ")"
        if self.rebuilt:
            text += "; the index was rebuilt"
        return text + "."


@dataclass
class ImportReport:
    """Every file's import, and the files that could not be imported (one line each)."""

    imports: list[LayerImport] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Layer:
    """An imported layer as stored: its copy, and what it came from."""

    name: str
    path: Path
    rows: int | None
    source_file: str | None
    imported: str | None
    bytes: int

    def to_record(self) -> dict:
        return {"name": self.name, "path": str(self.path), "rows": self.rows, "source_file": self.source_file,
                "imported": self.imported, "bytes": self.bytes}  # fmt: skip


def import_geonames(
    dumps: Sequence[Path | RawDump],
    *,
    index_path: Path | None = None,
    data_dir: Path | None = None,
    layer: str | None = None,
    sources: Sources | None = None,
    progress: Callable[[str], None] | None = None,
) -> ImportReport:
    """Import GeoNames dump files as regional layers, one layer per file (named after the
    file: UA.txt -> UA, or ``layer`` for a single file). A file that cannot be imported is
    reported in ``failures`` and changes nothing; the others are imported."""
    if layer is not None and len(dumps) != 1:
        raise GeoNamesFileError("A layer name can be given for one file only.")
    path = index_path or config.index_path()
    sources = sources or Sources(layers_dir=config.geonames_layers_dir(data_dir))
    say = progress or (lambda message: None)
    report = ImportReport()
    for dump in dumps:
        name = dump.name
        try:
            report.imports.append(_import_one(dump, layer, path, sources, say))
        except ConflictmapError as err:
            report.failures.append(str(err) if name in str(err) else f"{name}: {err}")
    return report


def _import_one(dump: Path | RawDump, layer: str | None, path: Path, sources: Sources, say) -> LayerImport:
    start = time.perf_counter()
    name = dump.name
    layer = check_layer_name(layer or layer_name(name))
    folder = sources.layers_dir
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise GeoNamesFileError(
            f"Cannot create the layers folder {folder}: {err.strerror}. Choose another data directory "
            "(--data-dir or CONFLICTMAP_DATA_DIR)."
        ) from err
    target = folder / f"{layer}{LAYER_SUFFIX}"
    with build_lock(path):
        fresh = path.exists() and is_fresh(path, sources)  # before the layer joins the sources
        say(f"reading {name}")
        tmp, stats = _write_copy(dump, target)
        try:
            replaced = target.exists() and target.read_bytes() != tmp.read_bytes()
            if target.exists() and not replaced:
                tmp.unlink()  # the same rows again: the index has them
            else:
                os.replace(tmp, target)
        finally:
            tmp.unlink(missing_ok=True)
        _note(folder, layer, name, stats.rows)
        if replaced or not fresh:
            # Rows of the earlier layer of that name may be gone from this one: build again.
            say("building the index with the layer (about a minute)")
            counts = build_index(path, sources, progress=lambda m: say(f"  {m}"))
            added = counts["layers"][layer]
            rebuilt = True
        else:
            say(f"adding {stats.rows:,} rows to the index")
            added = add_layer(path, target, sources, layer=layer)
            rebuilt = False
    return LayerImport(
        file=name, layer=layer, rows=stats.rows, added=added["added"], names=added["names"],
        known=added["known"], bad=stats.bad, bad_lines=stats.bad_lines, rebuilt=rebuilt,
        seconds=round(time.perf_counter() - start, 2),
    )  # fmt: skip


def _write_copy(dump: Path | RawDump, target: Path) -> tuple[Path, DumpStats]:
    """Check the dump and write its good rows, gzipped, beside ``target``. Nothing is left
    behind when the file is refused."""
    stats = DumpStats()
    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    try:
        source = as_stream(dump.data) if isinstance(dump, RawDump) else open(dump, "rb")  # noqa: SIM115
    except OSError as err:
        raise GeoNamesFileError(f"Cannot read {dump}: {err.strerror}.") from err
    try:
        with (
            source,
            open(tmp, "wb") as raw,
            gzip.GzipFile(fileobj=raw, mode="wb", compresslevel=6, mtime=0) as out,
        ):
            for row in read_rows(source, dump.name, stats):
                out.write(row.line.encode("utf-8") + b"\n")
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return tmp, stats


def _note(folder: Path, layer: str, file_name: str, rows: int) -> None:
    manifest = _manifest(folder)
    manifest[layer] = {"file": Path(file_name).name, "rows": rows,
                       "imported": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}  # fmt: skip
    _write_manifest(folder, manifest)


def _manifest(folder: Path) -> dict:
    try:
        data = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}  # only descriptions: the layer files themselves are what the index uses
    return data if isinstance(data, dict) else {}


def _write_manifest(folder: Path, manifest: dict) -> None:
    tmp = folder / f".{MANIFEST}.{os.getpid()}.tmp"
    tmp.write_text(
        json.dumps(manifest, indent=1, sort_keys=True, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    os.replace(tmp, folder / MANIFEST)


def list_layers(data_dir: Path | None = None, *, sources: Sources | None = None) -> list[Layer]:
    """The imported layers, by name."""
    sources = sources or Sources(layers_dir=config.geonames_layers_dir(data_dir))
    manifest = _manifest(sources.layers_dir)
    layers = []
    for path in sources.layer_files():
        name = path.name[: -len(LAYER_SUFFIX)]
        about = manifest.get(name) or {}
        layers.append(Layer(name, path, about.get("rows"), about.get("file"), about.get("imported"),
                            path.stat().st_size))  # fmt: skip
    return layers


def remove_layer(
    name: str,
    *,
    index_path: Path | None = None,
    data_dir: Path | None = None,
    sources: Sources | None = None,
    progress: Callable[[str], None] | None = None,
) -> Layer:
    """Remove an imported layer and build the index again without it (about a minute)."""
    sources = sources or Sources(layers_dir=config.geonames_layers_dir(data_dir))
    path = index_path or config.index_path()
    found = {layer.name: layer for layer in list_layers(sources=sources)}
    if name not in found:
        known = ", ".join(found) or "none yet"
        raise GeoNamesFileError(
            f"No GeoNames layer named {name!r} (layers: {known}). See: conflictmap gazetteer layers"
        )
    with build_lock(path):
        found[name].path.unlink()
        manifest = _manifest(sources.layers_dir)
        manifest.pop(name, None)
        _write_manifest(sources.layers_dir, manifest)
        build_index(path, sources, progress=progress)
    return found[name]
