#pragma once
/// The store's faults: why the database could not do what was asked, when the cause is the database's state
/// rather than the request (a full disk, a read-only file, another writer holding the lock, a server that
/// cannot be reached). A store `Error` of code `io_error` carries one of these ids in `Error::rule`, set
/// where the backend's failure is classified (src/store/sqlite, src/store/postgres), so a face names the
/// cause as data — the API's 503 message (src/server/api.cpp), the CLI's hint — without reading the message,
/// which may hold SQL or a file name. An `io_error` with no id is a failure of another kind.

#include <string_view>

namespace needlework::store::faults {

/// The file system holding the database has no space left (SQLITE_FULL, ENOSPC; PostgreSQL SQLSTATE 53100):
/// nothing of the write was kept; reads go on; writes work again once space is freed.
inline constexpr std::string_view disk_full = "STORE.disk_full";
/// The database file, or its file system, does not allow writing (SQLITE_READONLY; PostgreSQL 25006): reads
/// go on, writes are refused.
inline constexpr std::string_view read_only = "STORE.read_only";
/// Another writer held the write lock longer than the busy timeout (SQLite's 10 s busy timeout, PostgreSQL's
/// lock_timeout): nothing was written; try again.
inline constexpr std::string_view busy = "STORE.busy";
/// The database server cannot be reached, or the connection to it broke (PostgreSQL): nothing of an
/// unacknowledged write is kept half; the next transaction connects again.
inline constexpr std::string_view unreachable = "STORE.unreachable";

}  // namespace needlework::store::faults
