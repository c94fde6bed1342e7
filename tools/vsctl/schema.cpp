#include "tools/vsctl/schema.h"

#include <algorithm>

#include "tools/vsctl/datum.h"

namespace xvs::vsctl {

namespace {

AtomicType atomic_type(const std::string& s) {
    if (s == "integer") return AtomicType::Integer;
    if (s == "real") return AtomicType::Real;
    if (s == "boolean") return AtomicType::Boolean;
    if (s == "uuid") return AtomicType::Uuid;
    return AtomicType::String;
}

BaseType base_type(const Json& j) {
    BaseType b;
    if (j.is_string()) {
        b.type = atomic_type(j);
        return b;
    }
    b.type = atomic_type(j["type"]);
    if (j.contains("refTable")) b.ref_table = j["refTable"];
    if (j.contains("minInteger")) b.min_int = j["minInteger"].get<long long>();
    if (j.contains("maxInteger")) b.max_int = j["maxInteger"].get<long long>();
    if (j.contains("enum")) {
        const Json& e = j["enum"];
        if (e.is_array() && e.size() == 2 && e[0] == "set")
            for (auto& a : e[1]) b.enums.push_back(a);
        else
            b.enums.push_back(e);
        std::sort(b.enums.begin(), b.enums.end(), atom_less);
    }
    return b;
}

ColumnType column_type(const Json& ty) {
    ColumnType ct;
    if (ty.is_string()) {
        ct.key.type = atomic_type(ty);
        return ct;
    }
    ct.key = base_type(ty["key"]);
    if (ty.contains("value")) ct.value = base_type(ty["value"]);
    ct.min = ty.value("min", 1);
    if (ty.contains("max")) ct.max = ty["max"].is_string() ? -1 : ty["max"].get<long>();
    return ct;
}

}  // namespace

Schema Schema::from_json(const Json& s) {
    Schema schema;
    for (auto& [tname, t] : s["tables"].items()) {
        TableSchema ts;
        ts.is_root = t.value("isRoot", false);
        for (auto& [cname, c] : t["columns"].items()) {
            ts.columns[cname] = column_type(c["type"]);
            if (!c.value("mutable", true)) ts.immutable.insert(cname);
        }
        ColumnType uuid;
        uuid.key.type = AtomicType::Uuid;
        ts.columns["_uuid"] = uuid;
        schema.tables_[tname] = ts;
    }
    return schema;
}

}  // namespace xvs::vsctl
