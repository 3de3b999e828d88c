"""The Import events page: uploaded event datasets (ACLED, UCDP GED, GDELT, any CSV or
GeoJSON of incidents) go through the library's one import path (``import_file``), as
``conflictmap import`` does: bad rows reported, the rest kept, a second import changes nothing."""

from __future__ import annotations

import streamlit as st

import app_state
from app_state import plain
from geo.errors import ConflictmapError
from geo.export.datasets import FORMATS, ImportOptions, ImportReport, RawDataset, import_file

SHOWN_PROBLEMS = 20
DETECT = "detect"

st.write("Upload event data you already have: ACLED exports (any generation of their columns), UCDP GED, "
         "GDELT 2.0 event files, or any CSV or GeoJSON of geolocated incidents. The events go on the map beside "
         "those read from articles; the Dataset filter tells them apart. Importing a file again changes nothing.")  # fmt: skip
uploads = st.file_uploader("Event files", type=["csv", "tsv", "txt", "geojson", "json"], accept_multiple_files=True,
                           key="dataset_uploads")  # fmt: skip
fmt = st.selectbox("Format", [DETECT, *FORMATS], key="dataset_format",
                   help="Detected from the header or the first row unless you choose")  # fmt: skip
with st.expander("Columns (when a CSV's are not found by name)"):
    col_lat, col_lon, col_date, col_text = st.columns(4)
    columns = {
        "lat": col_lat.text_input("Latitude", key="dataset_lat"),
        "lon": col_lon.text_input("Longitude", key="dataset_lon"),
        "date": col_date.text_input("Date", key="dataset_date"),
        "text": col_text.text_input("Text", key="dataset_text"),
    }


def show(report: ImportReport) -> None:
    """The summary, then the first bad rows, as plain text (file names and rows are data)."""
    st.success(plain(report.summary()))
    if report.bad:
        st.warning(plain(f"{report.path.name}: {report.bad:,} bad row(s) left out:"))
        st.text("\n".join(report.problem_lines(SHOWN_PROBLEMS)))
    if report.repeated:
        st.info(plain(f"{report.path.name}: {report.repeated:,} row(s) repeat an earlier row's id with other values, "
                      "each kept as an event of its own:"))  # fmt: skip
        st.text("\n".join(report.repeat_lines(SHOWN_PROBLEMS)))


if st.button("Import", key="dataset_import"):
    if not uploads:
        st.warning("Nothing to import: upload an event file first.")
    options = ImportOptions(format=None if fmt == DETECT else fmt,
                            **{role: name.strip() or None for role, name in columns.items()})  # fmt: skip
    for upload in uploads or []:
        bar = st.progress(0.0, text=plain(f"Importing {upload.name}..."))

        def progress(done: int, total: int, label: str, bar=bar, name=upload.name) -> None:
            bar.progress(min(1.0, done / max(total, 1)), text=plain(f"{name}: {label}"))

        try:
            report = import_file(RawDataset(upload.getvalue(), upload.name), app_state.store(), options,
                                 progress=progress)  # fmt: skip
        except ConflictmapError as err:
            bar.empty()
            st.error(plain(str(err) if upload.name in str(err) else f"{upload.name}: {err}"))
        else:
            show(report)
