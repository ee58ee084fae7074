"""Where the data flow reads the SSD tables from: OpenCSC's own SSD export (opencsc/returns/ssd/export.py), the
same tables an authority's SSD extract holds, so the records are built as Data to Insight's tool builds them."""

from opencsc.dataflow.payload import Tables


class SourceUnavailable(Exception):
    pass


def ssd_source_tables() -> Tables:
    try:
        from opencsc.returns.ssd.export import ssd_tables
    except ImportError as error:
        raise SourceUnavailable("The SSD export (opencsc.returns.ssd.export) is not in this build") from error
    return ssd_tables()
