"""An authority's SSD extract read from its CSV files, one per table (`ssd_person.csv`, `ssd_cin_episodes.csv`,
...), as the data flow's source when OpenCSC is not the system of record (`opencsc dataflow send --ssd-dir DIR`).

Rules: the table is the file's name without `.csv`, lower-cased; the first row names the columns; an empty cell is
absent (None). A folder that is missing, has no ssd_person.csv, or holds a file that is not UTF-8 text is refused
naming the file, and nothing is queued."""

import csv
from pathlib import Path

from opencsc.dataflow.payload import Tables


class ExtractUnreadable(Exception):
    pass


def read_ssd_extract(folder: str | Path) -> Tables:
    folder = Path(folder)
    if not folder.is_dir():
        raise ExtractUnreadable(f"{folder}: no such folder")
    files = sorted(folder.glob("*.csv"))
    if not any(path.stem.lower() == "ssd_person" for path in files):
        raise ExtractUnreadable(f"{folder}: no ssd_person.csv, so no children to send")
    return {path.stem.lower(): _rows(path) for path in files if path.stem.lower().startswith("ssd_")}


def _rows(path: Path) -> list[dict]:
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            return [
                {column.strip(): (value if value != "" else None) for column, value in row.items() if column}
                for row in csv.DictReader(handle)
            ]
    except (UnicodeDecodeError, csv.Error) as error:
        raise ExtractUnreadable(f"{path.name}: not a readable CSV file ({error})") from None
