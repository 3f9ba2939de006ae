"""Long runs over many inputs, in this process or on a Ray cluster (``claimgraph run``).

    driver.py      run_documents: inputs -> engine -> sink, in order, with progress and failures
    ray_engine.py  RayEngine: one BatchAnalyzer actor (one loaded Pipeline) per worker
    parquet.py     ParquetSink: one row per document, contract JSON, written in parts

An engine is anything with the signature of ``Pipeline.analyze_many``: the local
pipeline's own method, or ``RayEngine.analyze_many``, which runs that same method in
each worker. Ray and pyarrow are imported only when those engines and sinks are used
(the ``ray`` extra), never at import.
"""

from claimgraph.distributed.driver import StoreSink, run_documents

__all__ = ["StoreSink", "run_documents"]
