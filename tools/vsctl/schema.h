// The database schema as xvs-vsctl needs it: each table's columns with
// their types and constraints (checked before anything is sent, as
// ovs-vsctl checks them), which columns are immutable, which tables are
// roots. Read from the server's get_schema reply.
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace xvs::vsctl {

using Json = nlohmann::json;

enum class AtomicType { Integer, Real, Boolean, String, Uuid };

struct BaseType {
    AtomicType type = AtomicType::String;
    std::string ref_table;
    std::vector<Json> enums;  // the allowed values, sorted; empty: any
    std::optional<long long> min_int, max_int;
};

struct ColumnType {
    BaseType key;
    std::optional<BaseType> value;  // maps only
    long min = 1, max = 1;          // max -1: unlimited
    bool is_map() const { return value.has_value(); }
    bool is_scalar() const { return min == 1 && max == 1 && !value; }
};

struct TableSchema {
    std::map<std::string, ColumnType> columns;  // including "_uuid"
    std::set<std::string> immutable;
    bool is_root = false;
};

class Schema {
public:
    static Schema from_json(const Json& schema);

    const std::map<std::string, TableSchema>& tables() const { return tables_; }
    bool has_table(const std::string& name) const { return tables_.count(name) > 0; }
    const TableSchema& table(const std::string& name) const { return tables_.at(name); }
    const ColumnType& column(const std::string& table, const std::string& column) const {
        return tables_.at(table).columns.at(column);
    }

private:
    std::map<std::string, TableSchema> tables_;
};

}  // namespace xvs::vsctl
