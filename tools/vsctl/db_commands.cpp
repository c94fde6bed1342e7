// The generic database commands (ovs-vsctl's db-ctl-base): get, set, add,
// remove, clear, list, find, create, destroy, wait-until, comment.
#include <cstdint>

#include "tools/vsctl/command.h"
#include "tools/vsctl/db_args.h"
#include "tools/vsctl/fatal.h"
#include "tools/vsctl/value_parser.h"
#include "util/vlog.h"

namespace xvs::vsctl {

namespace {

VlogModule vlog("db_ctl_base");

// TABLE RECORD, the first two arguments of most commands: the record's
// row, or nullptr when it does not exist and --if-exists was given.
Row* record_arg(Context& ctx, const Command& cmd, std::string& table) {
    table = match_table(ctx.schema(), cmd.args[0]);
    std::string u = lookup_row(ctx, table, cmd.args[1], !cmd.has("--if-exists"));
    return u.empty() ? nullptr : ctx.db.find_row(table, u);
}

// One map key of a "get" COLUMN:KEY.
void get_key(Context& ctx, Command& cmd, const std::string& table, const Setting& s, const Datum& d) {
    const ColumnType& ct = ctx.db.column(table, s.column);
    if (!ct.is_map()) fatal("cannot specify key to get for non-map column {}", s.column);
    Lexer lx{s.key};
    Json k = parse_atom(lx, ct.key, "", ctx.symbols);
    bool found = false;
    for (size_t j = 0; j < d.keys.size(); j++) {
        if (d.keys[j] == k) {
            cmd.output += atom_to_string(d.vals[j], *ct.value) + "\n";
            found = true;
        }
    }
    if (found) return;
    if (!cmd.has("--if-exists"))
        fatal("no key \"{}\" in {} record \"{}\" column {}", s.key, table, cmd.args[1], s.column);
    cmd.output += "\n";
}

void cmd_get(Context& ctx, Command& cmd) {
    std::string t;
    Row* r = record_arg(ctx, cmd, t);
    if (!r) return;
    if (cmd.has("--id")) ctx.symbols.bind(cmd.opts.at("--id"), r->uuid);
    for (size_t i = 2; i < cmd.args.size(); i++) {
        Setting s = parse_setting(ctx, t, cmd.args[i], false);
        Datum d = col_value(*r, s.column);
        if (s.has_key)
            get_key(ctx, cmd, t, s, d);
        else
            cmd.output += datum_to_string(d, ctx.db.column(t, s.column)) + "\n";
    }
}

void cmd_set(Context& ctx, Command& cmd) {
    std::string t;
    Row* r = record_arg(ctx, cmd, t);
    if (!r) return;
    for (size_t i = 2; i < cmd.args.size(); i++) apply_set(ctx, t, *r, cmd.args[i]);
}

void cmd_clear(Context& ctx, Command& cmd) {
    std::string t;
    Row* r = record_arg(ctx, cmd, t);
    if (!r) return;
    for (size_t i = 2; i < cmd.args.size(); i++) {
        std::string c = match_column(ctx.schema(), t, cmd.args[i]);
        if (c == "_uuid" || ctx.schema().table(t).immutable.count(c))
            fatal("cannot modify read-only column {} in table {}", c, t);
        if (ctx.db.column(t, c).min > 0)
            fatal("\"clear\" operation cannot be applied to column {} of table {}, which is not allowed to be empty", c,
                  t);
        ctx.db.set_col(t, *r, c, Datum{});
    }
}

// add: the elements of x not in d yet (add never replaces a map value).
void add_elements(Datum& d, const Datum& x, const ColumnType& ct) {
    for (size_t j = 0; j < x.keys.size(); j++) {
        bool present = false;
        for (auto& k : d.keys) present |= k == x.keys[j];
        if (present) continue;
        d.keys.push_back(x.keys[j]);
        if (ct.is_map()) d.vals.push_back(x.vals[j]);
    }
}

// remove: a map's elements go by key=value pairs or by bare keys.
void remove_elements(Context& ctx, Datum& d, const std::string& text, const ColumnType& ct) {
    bool keys_only = false;
    ColumnType xt = ct;
    if (ct.is_map()) {
        bool has_eq = false, quoted = false;
        for (char ch : text) {
            if (ch == '"') quoted = !quoted;
            if (ch == '=' && !quoted) has_eq = true;
        }
        if (!has_eq) {
            xt = ColumnType{};
            xt.key = ct.key;
            xt.max = -1;
            keys_only = true;
        }
    }
    xt.min = 0;
    Datum x = parse_datum(text, xt, ctx.symbols);
    for (size_t j = 0; j < x.keys.size(); j++) {
        for (size_t m = 0; m < d.keys.size(); m++) {
            if (d.keys[m] == x.keys[j] && (!ct.is_map() || keys_only || d.vals[m] == x.vals[j])) {
                d.keys.erase(d.keys.begin() + m);
                if (ct.is_map()) d.vals.erase(d.vals.begin() + m);
                break;
            }
        }
    }
}

// add TABLE RECORD COLUMN VALUE..., remove TABLE RECORD COLUMN VALUE...
void cmd_add_remove(Context& ctx, Command& cmd) {
    std::string t;
    Row* r = record_arg(ctx, cmd, t);
    if (!r) return;
    std::string c = match_column(ctx.schema(), t, cmd.args[2]);
    const ColumnType& ct = ctx.db.column(t, c);
    Datum d = r->cols[c];
    for (size_t i = 3; i < cmd.args.size(); i++) {
        if (cmd.name == "add")
            add_elements(d, parse_datum(cmd.args[i], ct, ctx.symbols), ct);
        else
            remove_elements(ctx, d, cmd.args[i], ct);
    }
    datum_sort(d, ct.is_map());
    auto n = static_cast<long>(d.keys.size());
    if (ct.max != -1 && n > ct.max)
        fatal("\"{}\" operation would put {} values in column {} of table {} but the maximum number is {}", cmd.name, n,
              c, t, ct.max);
    if (n < ct.min)
        fatal("\"{}\" operation would put {} values in column {} of table {} but the minimum number is {}", cmd.name, n,
              c, t, ct.min);
    ctx.db.set_col(t, *r, c, d);
}

// --columns=a,b,... or every column, _uuid first.
std::vector<std::string> columns_to_print(const Schema& schema, const std::string& table, const Command& cmd) {
    std::vector<std::string> cols;
    if (cmd.has("--columns")) {
        const std::string& s = cmd.opts.at("--columns");
        size_t p = 0;
        while (p <= s.size()) {
            size_t q = s.find(',', p);
            if (q == std::string::npos) q = s.size();
            cols.push_back(match_column(schema, table, s.substr(p, q - p)));
            p = q + 1;
        }
        return cols;
    }
    cols.push_back("_uuid");
    for (auto& [c, t] : schema.table(table).columns)
        if (c != "_uuid") cols.push_back(c);
    return cols;
}

void print_rows(Context& ctx, Command& cmd, const std::string& table, const std::vector<std::string>& uuids) {
    std::vector<OutputColumn> columns;
    for (auto& c : columns_to_print(ctx.schema(), table, cmd)) columns.push_back({c, &ctx.db.column(table, c)});
    std::vector<std::vector<Datum>> rows;
    for (auto& u : uuids) {
        Row* r = ctx.db.find_row(table, u);
        std::vector<Datum> row;
        for (auto& c : columns) row.push_back(col_value(*r, c.name));
        rows.push_back(std::move(row));
    }
    cmd.output += format_rows(ctx.format, columns, rows);
}

void cmd_list(Context& ctx, Command& cmd) {
    auto& a = cmd.args;
    std::string t = match_table(ctx.schema(), a[0]);
    std::vector<std::string> us;
    if (a.size() == 1) {
        for (auto& [u, r] : ctx.db.rows(t)) us.push_back(u);
    } else {
        for (size_t i = 1; i < a.size(); i++) {
            std::string u = lookup_row(ctx, t, a[i], !cmd.has("--if-exists"));
            if (!u.empty()) us.push_back(u);
        }
    }
    print_rows(ctx, cmd, t, us);
}

void cmd_find(Context& ctx, Command& cmd) {
    auto& a = cmd.args;
    std::string t = match_table(ctx.schema(), a[0]);
    std::vector<std::string> us;
    for (auto& [u, r] : ctx.db.rows(t)) {
        bool ok = true;
        for (size_t i = 1; i < a.size() && ok; i++) ok = row_matches(ctx, t, r, a[i]);
        if (ok) us.push_back(u);
    }
    print_rows(ctx, cmd, t, us);
}

// The placeholder of the row --id=@name names, "" without --id.
std::string create_symbol(Context& ctx, const Command& cmd, const std::string& table) {
    if (!cmd.has("--id")) return "";
    const std::string& id = cmd.opts.at("--id");
    if (id.empty() || id[0] != '@') fatal("row id \"{}\" does not begin with \"@\"", id);
    if (const std::string* known = ctx.symbols.find(id); known && ctx.db.find_row(table, *known))
        fatal("row id \"{}\" may only be specified on one --id option", id);
    return ctx.symbols.resolve(id);
}

void cmd_create(Context& ctx, Command& cmd) {
    std::string t = match_table(ctx.schema(), cmd.args[0]);
    std::string sym = create_symbol(ctx, cmd, t);
    if (sym.empty() && !ctx.schema().table(t).is_root)
        vlog.warn("applying \"create\" command to table {} without --id option will have no effect", t);
    std::string u = ctx.db.insert_row(t, sym);
    Row& r = *ctx.db.find_row(t, u);
    for (size_t i = 1; i < cmd.args.size(); i++) apply_set(ctx, t, r, cmd.args[i]);
    cmd.output = "\x01" + u;
}

void cmd_destroy(Context& ctx, Command& cmd) {
    std::string t = match_table(ctx.schema(), cmd.args[0]);
    if (cmd.has("--all")) {
        std::vector<std::string> us;
        for (auto& [u, r] : ctx.db.rows(t)) us.push_back(u);
        for (auto& u : us) ctx.db.delete_row(t, u);
        return;
    }
    // One at a time: a record named twice is gone the second time.
    for (size_t i = 1; i < cmd.args.size(); i++) {
        std::string u = lookup_row(ctx, t, cmd.args[i], !cmd.has("--if-exists"));
        if (!u.empty()) ctx.db.delete_row(t, u);
    }
}

void cmd_wait_until(Context& ctx, Command& cmd) {
    auto& a = cmd.args;
    std::string t = match_table(ctx.schema(), a[0]);
    std::string u = lookup_row(ctx, t, a[1], false);
    if (u.empty()) {
        ctx.wait_unmet = true;
        return;
    }
    for (size_t i = 2; i < a.size(); i++)
        if (!row_matches(ctx, t, *ctx.db.find_row(t, u), a[i])) ctx.wait_unmet = true;
}

void cmd_comment(Context&, Command&) {}

const CommandSpec kCommands[] = {
    {"get", 2, kManyArgs, {"--if-exists", "--id"}, Access::RO, cmd_get},
    {"list", 1, kManyArgs, {"--if-exists", "--columns"}, Access::RO, cmd_list},
    {"find", 1, kManyArgs, {"--columns"}, Access::RO, cmd_find},
    {"set", 3, kManyArgs, {"--if-exists"}, Access::RW, cmd_set},
    {"add", 4, kManyArgs, {"--if-exists"}, Access::RW, cmd_add_remove},
    {"remove", 4, kManyArgs, {"--if-exists"}, Access::RW, cmd_add_remove},
    {"clear", 3, kManyArgs, {"--if-exists"}, Access::RW, cmd_clear},
    {"create", 1, kManyArgs, {"--id"}, Access::RW, cmd_create},
    {"destroy", 1, kManyArgs, {"--if-exists", "--all"}, Access::RW, cmd_destroy},
    {"wait-until", 2, kManyArgs, {}, Access::RO, cmd_wait_until},
    {"comment", 0, SIZE_MAX, {}, Access::RO, cmd_comment},
};

}  // namespace

std::span<const CommandSpec> db_commands() {
    return kCommands;
}

}  // namespace xvs::vsctl
