"""The Add articles page: uploaded files and a pasted text go through the library's one
ingest path (``ingest_many``), with the same metadata rule as the CLI: what an article says
wins, the date and source typed here only fill what it leaves out."""

from __future__ import annotations

import streamlit as st

import app_state
from app_state import plain
from geo.errors import ConflictmapError
from geo.events.ingest import IngestReport, RawArticle, ingest_many

HTML_SUFFIXES = (".html", ".htm")

st.write("Upload article files (text, Markdown, HTML) or paste a text. They are read, their places and "
         "events found, and stored; they appear on the map.")  # fmt: skip
uploads = st.file_uploader(
    "Files", type=["txt", "md", "html", "htm"], accept_multiple_files=True, key="uploads"
)
pasted = st.text_area("Or paste an article", key="pasted")
col_date, col_source = st.columns(2)
given_date = col_date.date_input("Date", value=None, key="pasted_date",
                                 help="For articles that do not give their own date")  # fmt: skip
given_source = col_source.text_input("Source (publisher)", key="pasted_source",
                                     help="For articles that do not name their publisher")  # fmt: skip


def sources() -> list[RawArticle]:
    """The uploads and the pasted text, as the library's in-memory sources."""
    found = [RawArticle(u.getvalue(), u.name, "html" if u.name.lower().endswith(HTML_SUFFIXES) else "text")
             for u in uploads or []]  # fmt: skip
    if pasted.strip():
        found.append(RawArticle(pasted, "pasted text"))
    return found


def show(report: IngestReport) -> None:
    """The totals, then each source that failed, as plain text (file names and messages are data)."""
    if report.new or report.seen:
        st.success(report.summary())
    for failure in report.failures:
        st.error(plain(failure), icon=":material/error:")


if st.button("Add to the map", key="ingest"):
    todo = sources()
    if not todo:
        st.warning("Nothing to add: upload a file or paste a text.")
    else:
        bar = st.progress(0.0, text="Reading...")

        def progress(done: int, total: int, label: str) -> None:
            bar.progress(done / total, text=plain(f"{done} of {total}: {label}"))

        given = {
            "date": given_date.isoformat() if given_date else None,
            "source": given_source.strip() or None,
        }
        try:
            report = ingest_many(
                todo, app_state.store(), app_state.extractor(), given=given, progress=progress
            )
        except ConflictmapError as err:
            st.error(plain(str(err)))
        else:
            show(report)
