// The copy of the database one attempt at the commands works on, and the
// transaction that commits what they changed.
//
// Every table is read with one transact. Commands change rows in place
// through set_col/insert_row/delete_row, which record what changed; verify
// records a column a command read to decide what to do. commit_ops builds
// the transaction: first "wait" operations asserting that every verified
// or changed column of every row still holds what was read (if another
// client changed one meanwhile, the wait fails at once and the commands
// start over), then the inserts, updates and deletes.
#pragma once

#include <map>
#include <set>
#include <string>
#include <vector>

#include "tools/vsctl/datum.h"
#include "tools/vsctl/schema.h"
#include "tools/vsctl/symbols.h"

namespace xvs::vsctl {

struct Row {
    std::string uuid;  // or a placeholder for an inserted row
    std::map<std::string, Datum> cols;
};

class DbCopy {
public:
    DbCopy(const Schema& schema, Symbols& symbols) : schema_(schema), symbols_(symbols) {}

    // The transact params that read every table of the schema.
    Json read_request() const;
    // Takes the reply to read_request().
    void load(const Json& result);

    const Schema& schema() const { return schema_; }
    const ColumnType& column(const std::string& table, const std::string& col) const {
        return schema_.column(table, col);
    }
    // The rows of a table, by uuid.
    std::map<std::string, Row>& rows(const std::string& table) { return tables_[table]; }
    Row* find_row(const std::string& table, const std::string& uuid);
    // The row was read or inserted (even if deleted since).
    bool known(const std::string& uuid) const { return row_table_.count(uuid) > 0; }
    bool inserted(const std::string& uuid) const { return inserted_.count(uuid) > 0; }

    // Fails on a read-only column of a row that is not new.
    void set_col(const std::string& table, Row& r, const std::string& col, Datum d);
    // A new row with every column at its default; symbol is its id when
    // given (the placeholder of an "@name"), else a fresh placeholder.
    std::string insert_row(const std::string& table, const std::string& symbol = "");
    void delete_row(const std::string& table, const std::string& uuid);
    // The commit asserts that this column of this row is unchanged.
    void verify(const std::string& uuid, const std::string& col) { verify_[uuid].insert(col); }

    // The transact params that commit the changes; insert_order gets the
    // placeholder of each "insert" operation, in order.
    Json commit_ops(std::vector<std::string>& insert_order) const;

private:
    void add_guards(Json& ops) const;
    Json insert_op(const std::string& uuid) const;
    Json update_op(const std::string& uuid, const std::set<std::string>& cols) const;

    const Schema& schema_;
    Symbols& symbols_;
    std::map<std::string, std::map<std::string, Row>> tables_;
    std::map<std::string, std::map<std::string, Datum>> orig_;  // uuid -> columns as read
    std::map<std::string, std::string> row_table_;              // uuid -> table
    std::set<std::string> inserted_, deleted_;
    std::map<std::string, std::set<std::string>> modified_;  // uuid -> columns set
    std::map<std::string, std::set<std::string>> verify_;    // uuid -> columns read
};

}  // namespace xvs::vsctl
