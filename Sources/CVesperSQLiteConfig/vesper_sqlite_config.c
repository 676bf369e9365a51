#include <sqlite3.h>

#include "vesper_sqlite_config.h"

int vesper_sqlite_disable_memory_statistics(void) {
    return sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}
