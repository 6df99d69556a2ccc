"""The benchmarks' own databases: named after DATABASE_URL, dropped and made afresh for each run.

Imported before Django is set up, and changes no environment: each benchmark sets its own.
"""

import os
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit


def own_database_url(suffix: str, sqlite_file: Path) -> str:
    """DATABASE_URL's PostgreSQL database with `suffix` appended, or else the SQLite file `sqlite_file`."""
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith("postgres"):
        parts = urlsplit(url)
        return urlunsplit(parts._replace(path=parts.path + suffix))
    return f"sqlite:///{sqlite_file}"


def reset(url: str) -> None:
    """An empty database at `url`: the SQLite file (and its journals) removed, or the PostgreSQL database made again."""
    if url.startswith("sqlite"):
        for suffix in ("", "-journal", "-wal", "-shm"):
            Path(urlsplit(url).path + suffix).unlink(missing_ok=True)
        return
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    with psycopg.connect(urlunsplit(parts._replace(path="/postgres")), autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
        admin.execute(f'CREATE DATABASE "{name}"')
