// Schema conversion (ovsdb-client convert, ovsdb-tool convert): the data of
// a database under a new schema.
#pragma once

#include <memory>

#include "ovsdb/database.h"

namespace xvs::ovsdb {

// A new database with 'schema' holding 'src''s rows: tables and columns
// present in both keep their data (rows keep their UUIDs), values convert
// where the new type accepts them, and everything else takes defaults.
// The result passes the usual commit checks (references, garbage
// collection, constraints, indexes); a value the new type rejects, or a
// check that fails, is an error naming the table and column.
DbResult<std::unique_ptr<Database>> convert_database(const Database& src, const Schema& schema);

}  // namespace xvs::ovsdb
