// The record format of OVS database files: encoding, reading, and the
// transaction records themselves (see storage.h).
#include <fcntl.h>
#include <openssl/evp.h>
#include <sys/stat.h>

#include <cctype>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <ctime>
#include <map>
#include <memory>
#include <variant>

#include "ovsdb/storage.h"

namespace xvs::ovsdb {

std::string sha1_hex(std::string_view data) {
    // Every commit is hashed: the algorithm is looked up once (EVP_sha1()
    // in EVP_Digest() has OpenSSL look it up on every call) and each thread
    // keeps its digest context.
    static EVP_MD* const sha1 = EVP_MD_fetch(nullptr, "SHA1", nullptr);
    thread_local std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    if (!sha1 || !ctx || !EVP_DigestInit_ex2(ctx.get(), sha1, nullptr) ||
        !EVP_DigestUpdate(ctx.get(), data.data(), data.size()) || !EVP_DigestFinal_ex(ctx.get(), md, &len))
        len = 0;  // not expected; the empty hash matches no record
    static const char digits[] = "0123456789abcdef";
    std::string s(size_t{2} * len, '0');
    for (unsigned int i = 0; i < len; i++) {
        s[2 * i] = digits[md[i] >> 4];
        s[2 * i + 1] = digits[md[i] & 0xf];
    }
    return s;
}

namespace {

// "OVSDB JSON <length> <40 hex digits>": the data length, or nullopt.
std::optional<std::pair<uint64_t, std::string>> parse_header(std::string_view h) {
    constexpr std::string_view lead = "OVSDB JSON ";
    if (h.substr(0, lead.size()) != lead) return std::nullopt;
    h.remove_prefix(lead.size());
    size_t sp = h.find(' ');
    if (sp == 0 || sp == std::string_view::npos || sp > 19) return std::nullopt;
    uint64_t length = 0;
    for (char c : h.substr(0, sp)) {
        if (c < '0' || c > '9') return std::nullopt;
        length = length * 10 + uint64_t(c - '0');
    }
    std::string_view hash = h.substr(sp + 1);
    if (length == 0 || hash.size() != 40) return std::nullopt;
    std::string lower;
    for (char c : hash) {
        if (!std::isxdigit(static_cast<unsigned char>(c))) return std::nullopt;
        lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    return std::make_pair(length, lower);
}

Result<std::string> read_file(const std::string& path, uint64_t& size) {
    UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (!fd.valid()) return make_error("{}: cannot open: {}", path, std::strerror(errno));
    std::string data;
    char buf[1 << 16];
    for (;;) {
        ssize_t n = ::read(fd.get(), buf, sizeof buf);
        if (n < 0) {
            if (errno == EINTR) continue;
            return make_error("{}: read failed: {}", path, std::strerror(errno));
        }
        if (n == 0) break;
        data.append(buf, static_cast<size_t>(n));
    }
    size = data.size();
    return data;
}

// One record at 'pos', or why there is none.
std::variant<LogRecord, std::string> parse_record(const std::string& data, size_t pos) {
    size_t nl = data.find('\n', pos);
    // OVS reads headers into a 128-byte buffer; a longer line is not one.
    if (nl == std::string::npos || nl - pos >= 128) {
        if (nl == std::string::npos && data.size() - pos < 128)
            return fmt::format("offset {}: header line cut short", pos);
        return fmt::format("offset {}: no header line", pos);
    }
    std::string_view header(data.data() + pos, nl - pos);
    auto parsed = parse_header(header);
    if (!parsed) return fmt::format("offset {}: parse error in header line \"{}\"", pos, header);
    auto [length, hash] = *parsed;
    size_t start = nl + 1;
    if (length > data.size() - start)
        return fmt::format("offset {}: record has {} of its {} bytes", pos, data.size() - start, length);
    std::string_view body(data.data() + start, length);
    if (std::string actual = sha1_hex(body); actual != hash)
        return fmt::format("offset {}: {} bytes starting at offset {} have SHA-1 hash {} but should have hash {}", pos,
                           length, start, actual, hash);
    Json json = Json::parse(body.begin(), body.end(), nullptr, false);
    if (json.is_discarded()) return fmt::format("offset {}: {} bytes are not valid JSON", pos, length);
    if (!json.is_object()) return fmt::format("offset {}: {} bytes are not a JSON object", pos, length);
    return LogRecord{pos, start + length - pos, std::move(json)};
}

}  // namespace

std::string encode_record(const Json& json) {
    // Compact JSON never contains a raw new-line (strings escape it), so
    // the data is one line, as OVS writes it.
    std::string data = json.dump();
    data += '\n';
    std::string out = fmt::format("OVSDB JSON {} {}\n", data.size(), sha1_hex(data));
    out += data;
    return out;
}

Result<LogContents> read_log(const std::string& path) {
    LogContents log;
    auto data = read_file(path, log.file_size);
    if (!data) return data.error();
    size_t pos = 0;
    while (pos < data->size()) {
        auto r = parse_record(*data, pos);
        if (auto* error = std::get_if<std::string>(&r)) {
            log.tail_error = *error;
            break;
        }
        auto& record = std::get<LogRecord>(r);
        pos += record.size;
        log.records.push_back(std::move(record));
    }
    log.valid_bytes = pos;
    return log;
}

namespace {

// A modified row's set and map columns are written as diffs (the elements
// that changed, see datum_diff), as OVS writes them in "_is_diff" records:
// adding a port to a bridge with thousands writes one reference, not all.
Json row_record(const TableSchema& ts, const RowChange& rc) {
    if (!rc.new_row) return nullptr;
    Json row = Json::object();
    for (size_t c = kFirstUserColumn; c < ts.columns.size(); c++) {
        const ColumnSchema& column = ts.columns[c];
        if (!column.persistent) continue;
        const Datum& d = rc.new_row->fields[c];
        if (!rc.old_row) {
            if (!datum_is_default(d, column.type)) row[column.name] = datum_to_json(d, column.type);
        } else if (rc.changed[c]) {
            row[column.name] = column.type.is_composite()
                                   ? datum_to_json(datum_diff(rc.old_row->fields[c], d, column.type), column.type)
                                   : datum_to_json(d, column.type);
        }
    }
    return row;
}

}  // namespace

std::optional<Json> txn_record(const TxnChanges& changes) {
    Json record = Json::object();
    bool modified = false;
    for (const TableChanges& tc : changes.tables) {
        const TableSchema& ts = changes.schema->tables[tc.table];
        Json rows = Json::object();
        for (const auto& [uuid, rc] : tc.rows) {
            Json row = row_record(ts, rc);
            // A modification of ephemeral columns only has nothing to write.
            if (rc.kind() == RowChange::Kind::Modify && row.empty()) continue;
            modified |= rc.kind() == RowChange::Kind::Modify;
            rows[uuid.to_string()] = std::move(row);
        }
        if (!rows.empty()) record[ts.name] = std::move(rows);
    }
    if (record.empty()) return std::nullopt;
    if (modified) record["_is_diff"] = true;
    record["_date"] = changes.date_ms;
    if (!changes.comment.empty()) record["_comment"] = changes.comment;
    return record;
}

Json snapshot_record(const Database& db, const std::string& comment) {
    using namespace std::chrono;
    Json record = Json::object();
    const Schema& schema = db.schema();
    for (size_t t = 0; t < schema.tables.size(); t++) {
        Json rows = Json::object();
        for (const auto& [uuid, row] : db.table(t).rows)
            rows[uuid.to_string()] = row_record(schema.tables[t], RowChange{nullptr, row, {}});
        if (!rows.empty()) record[schema.tables[t].name] = std::move(rows);
    }
    record["_date"] = duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
    if (!comment.empty()) record["_comment"] = comment;
    return record;
}

namespace {

std::string format_date(int64_t ms) {
    // Early OVS versions wrote seconds.
    if (ms < INT32_MAX) ms *= 1000;
    time_t secs = static_cast<time_t>(ms / 1000);
    struct tm tm {};
    gmtime_r(&secs, &tm);
    char buf[32];
    strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S", &tm);
    return fmt::format("{}.{:03}", buf, ms % 1000);
}

// The rows one transaction record touches, naming rows by their "name"
// column when they have one (as ovsdb-tool does).
void format_changes(const Json& record, int verbosity, std::map<std::string, std::string>& names, std::string& out) {
    bool diff = record.value("_is_diff", false);
    bool first = true;
    for (auto table = record.begin(); table != record.end(); ++table) {
        if (table.key()[0] == '_' || !table->is_object()) continue;
        if (first) out += "\n";
        first = false;
        for (auto row = table->begin(); row != table->end(); ++row) {
            const std::string& uuid = row.key();
            auto old_name = names.find(uuid);
            std::string new_name;
            if (row->is_object() && row->contains("name")) new_name = (*row)["name"].dump();
            out += "  table " + table.key();
            if (old_name == names.end()) {
                out += new_name.empty() ? fmt::format(" insert row {}:\n", uuid.substr(0, 8))
                                        : fmt::format(" insert row {} ({}):\n", new_name, uuid.substr(0, 8));
            } else {
                out += fmt::format(" row {} ({}){}:\n", old_name->second, uuid.substr(0, 8), diff ? " diff" : "");
            }
            if (row->is_null()) {
                out += "    delete row\n";
                names.erase(uuid);
                continue;
            }
            if (verbosity > 1)
                for (auto c = row->begin(); c != row->end(); ++c) out += fmt::format("    {}={}\n", c.key(), c->dump());
            if (!new_name.empty()) {
                names[uuid] = new_name;
            } else if (old_name == names.end()) {
                names[uuid] = uuid.substr(0, 8);
            }
        }
    }
}

}  // namespace

std::string format_show_log(const LogContents& log, int verbosity) {
    std::string out;
    std::map<std::string, std::string> names;
    for (size_t i = 0; i < log.records.size(); i++) {
        const Json& j = log.records[i].json;
        out += fmt::format("record {}:", i);
        if (i == 0) {
            out += fmt::format(" \"{}\" schema, version=\"{}\", cksum=\"{}\"\n", j.value("name", ""),
                               j.value("version", ""), j.value("cksum", ""));
        } else {
            if (auto d = j.find("_date"); d != j.end() && d->is_number_integer())
                out += " " + format_date(d->get<int64_t>());
            if (auto c = j.find("_comment"); c != j.end() && c->is_string()) out += " " + c->dump();
            if (verbosity > 0) format_changes(j, verbosity, names, out);
        }
        out += "\n";
    }
    if (log.tail_error) out += fmt::format("error: {} (the rest of the file is not readable)\n", *log.tail_error);
    return out;
}

}  // namespace xvs::ovsdb
