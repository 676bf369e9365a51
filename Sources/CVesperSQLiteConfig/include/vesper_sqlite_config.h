#ifndef VESPER_SQLITE_CONFIG_H
#define VESPER_SQLITE_CONFIG_H

/// Turns off SQLite's memory statistics, which take a process-wide mutex on every allocation and
/// free. Swift cannot call the variadic `sqlite3_config`, hence this C file.
///
/// Call it before any connection opens. Returns `SQLITE_OK`, or `SQLITE_MISUSE` when SQLite was
/// already initialised in this process, in which case nothing changed.
int vesper_sqlite_disable_memory_statistics(void);

#endif
