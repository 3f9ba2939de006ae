"""Readers: files, directories and stdin to Documents (one reader per format).

    iter_inputs(paths, stdin)  every input in order; ``-`` is stdin
    read_path(path)            one file or directory
    text.py   .txt .md        decoded text unchanged, headline line as title
    html.py   .html .htm      trafilatura main text and metadata
    jsonl.py  .jsonl .json    one record per article
    warc.py   .warc .warc.gz  HTML response records, main text by trafilatura

Bad inputs never raise: they come out of the stream as ``Skipped``.
"""

from claimgraph.ingest.readers import READERS, iter_inputs, read_path, read_stdin, reader_for

__all__ = ["READERS", "iter_inputs", "read_path", "read_stdin", "reader_for"]
