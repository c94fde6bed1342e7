#include "tools/vsctl/output.h"

#include <fmt/format.h>

#include <algorithm>

namespace xvs::vsctl {

namespace {

using Cells = std::vector<std::vector<std::string>>;

std::string cell_text(const OutputFormat& fmt, const Datum& d, const ColumnType& t) {
    if (fmt.data == "bare") return datum_to_bare(d, t);
    if (fmt.data == "json") return datum_to_wire(d, t).dump();
    return datum_to_string(d, t);
}

std::string csv_quote(const std::string& s) {
    if (s.find_first_of(",\"\r\n") == std::string::npos) return s;
    std::string o = "\"";
    for (char c : s) o += c == '"' ? std::string("\"\"") : std::string(1, c);
    return o + "\"";
}

std::string format_json(const std::vector<std::string>& headings, const std::vector<OutputColumn>& columns,
                        const std::vector<std::vector<Datum>>& rows) {
    Json data = Json::array();
    for (auto& row : rows) {
        Json line = Json::array();
        for (size_t i = 0; i < columns.size(); i++) line.push_back(datum_to_wire(row[i], *columns[i].type));
        data.push_back(line);
    }
    return Json{{"data", data}, {"headings", headings}}.dump() + "\n";
}

std::string format_csv(const OutputFormat& fmt, const std::vector<std::string>& headings, const Cells& cells) {
    std::string out;
    auto emit = [&out](const std::vector<std::string>& line) {
        for (size_t i = 0; i < line.size(); i++) out += (i ? "," : "") + csv_quote(line[i]);
        out += "\n";
    };
    if (fmt.headings) emit(headings);
    for (auto& line : cells) emit(line);
    return out;
}

// Columns padded to their widest cell, trailing spaces dropped.
std::string format_table(const OutputFormat& fmt, const std::vector<std::string>& headings, const Cells& cells) {
    std::vector<size_t> w(headings.size(), 0);
    for (size_t i = 0; i < headings.size(); i++) {
        if (fmt.headings) w[i] = headings[i].size();
        for (auto& line : cells) w[i] = std::max(w[i], line[i].size());
    }
    std::string out;
    auto emit = [&](const std::vector<std::string>& line) {
        std::string l;
        for (size_t i = 0; i < line.size(); i++) {
            if (i) l += " ";
            l += line[i] + std::string(w[i] - line[i].size(), ' ');
        }
        while (!l.empty() && l.back() == ' ') l.pop_back();
        out += l + "\n";
    };
    if (fmt.headings) {
        emit(headings);
        std::vector<std::string> dashes;
        for (size_t i = 0; i < headings.size(); i++) dashes.push_back(std::string(w[i], '-'));
        emit(dashes);
    }
    for (auto& line : cells) emit(line);
    return out;
}

// "heading : value" per column, a blank line between records.
std::string format_list(const OutputFormat& fmt, const std::vector<std::string>& headings, const Cells& cells) {
    std::string out;
    bool first = true;
    for (auto& line : cells) {
        if (!first) out += "\n";
        first = false;
        for (size_t i = 0; i < headings.size(); i++) {
            if (fmt.headings) out += fmt::format("{:<20}: ", headings[i]);
            out += line[i] + "\n";
        }
    }
    return out;
}

}  // namespace

std::string format_rows(const OutputFormat& fmt, const std::vector<OutputColumn>& columns,
                        const std::vector<std::vector<Datum>>& rows) {
    std::vector<std::string> headings;
    for (auto& c : columns) headings.push_back(c.name);
    if (fmt.format == "json") return format_json(headings, columns, rows);
    Cells cells;
    for (auto& row : rows) {
        std::vector<std::string> line;
        for (size_t i = 0; i < columns.size(); i++) line.push_back(cell_text(fmt, row[i], *columns[i].type));
        cells.push_back(std::move(line));
    }
    if (fmt.format == "csv") return format_csv(fmt, headings, cells);
    if (fmt.format == "table") return format_table(fmt, headings, cells);
    return format_list(fmt, headings, cells);
}

std::string oneline(std::string out) {
    while (!out.empty() && out.back() == '\n') out.pop_back();
    std::string o;
    for (char ch : out) {
        if (ch == '\n')
            o += "\\n";
        else if (ch == '\\')
            o += "\\\\";
        else
            o += ch;
    }
    return o;
}

}  // namespace xvs::vsctl
