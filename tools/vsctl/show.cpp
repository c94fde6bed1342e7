// "show": an overview of the database in ovs-vsctl's layout (managers,
// bridges with their controllers, ports and interfaces, the version).
#include <utility>
#include <vector>

#include "tools/vsctl/command.h"
#include "tools/vsctl/vswitch.h"

namespace xvs::vsctl {

namespace {

class ShowPrinter {
public:
    ShowPrinter(DbCopy& db, std::string& out) : db_(db), out_(out) {}

    void line(int indent, const std::string& s) { out_ += std::string(indent * 4, ' ') + s + "\n"; }

    // "column: value", unless the column is empty (or an empty string).
    void column(int indent, const std::string& table, Row& r, const std::string& col) {
        const ColumnType& ct = db_.column(table, col);
        Datum& d = r.cols[col];
        if (d.keys.empty()) return;
        if (ct.key.type == AtomicType::String && !ct.is_map() && d.keys.size() == 1 && str_col(r, col).empty()) return;
        line(indent, col + ": " + datum_to_string(d, ct));
    }

    void connected(int indent, Row& r) {
        auto& c = r.cols["is_connected"];
        if (!c.keys.empty() && c.keys[0] == true) line(indent, "is_connected: true");
    }

    // The rows a uuid column points to, with their names, in its order.
    std::vector<std::pair<std::string, Row*>> named(Row& r, const std::string& col, const std::string& table) {
        std::vector<std::pair<std::string, Row*>> rows;
        for (auto& u : r.cols[col].keys)
            if (Row* x = db_.find_row(table, u)) rows.emplace_back(str_col(*x, "name"), x);
        return rows;
    }

    void port(const std::string& name, Row& p) {
        line(2, "Port " + atom_to_string(Json(name), BaseType{}));
        column(3, "Port", p, "tag");
        column(3, "Port", p, "trunks");
        column(3, "Port", p, "vlan_mode");
        for (auto& [in, i] : named(p, "interfaces", "Interface")) {
            line(3, "Interface " + atom_to_string(Json(in), BaseType{}));
            for (const char* col : {"type", "options", "bfd_status", "error"}) column(4, "Interface", *i, col);
        }
    }

    void bridge(const std::string& name, Row& b) {
        line(1, "Bridge " + atom_to_string(Json(name), BaseType{}));
        for (auto& cu : b.cols["controller"].keys)
            if (Row* ctl = db_.find_row("Controller", cu)) {
                line(2, "Controller \"" + str_col(*ctl, "target") + "\"");
                connected(3, *ctl);
            }
        column(2, "Bridge", b, "fail_mode");
        column(2, "Bridge", b, "datapath_type");
        for (auto& [pn, p] : named(b, "ports", "Port")) port(pn, *p);
    }

    void show() {
        Row& ovs = ovs_row(db_);
        out_ += ovs.uuid + "\n";
        std::map<std::string, Row*> managers;
        for (auto& mu : ovs.cols["manager_options"].keys)
            if (Row* m = db_.find_row("Manager", mu)) managers[str_col(*m, "target")] = m;
        for (auto& [target, m] : managers) {
            line(1, "Manager \"" + target + "\"");
            connected(2, *m);
        }
        for (auto& [bn, b] : named(ovs, "bridges", "Bridge")) bridge(bn, *b);
        column(1, "Open_vSwitch", ovs, "ovs_version");
    }

private:
    DbCopy& db_;
    std::string& out_;
};

void cmd_show(Context& ctx, Command& cmd) {
    ShowPrinter(ctx.db, cmd.output).show();
}

const CommandSpec kCommands[] = {
    {"show", 0, 0, {}, Access::RO, cmd_show},
};

}  // namespace

std::span<const CommandSpec> show_commands() {
    return kCommands;
}

}  // namespace xvs::vsctl
