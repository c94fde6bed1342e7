#include "tools/vsctl/value_parser.h"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdlib>

#include "tools/vsctl/fatal.h"

namespace xvs::vsctl {

namespace {

// The token, unquoted; quoted says whether it was in quotes.
std::string read_token(Lexer& lx, std::string_view delims, bool& quoted) {
    lx.skip_space();
    std::string tok;
    quoted = false;
    if (lx.p < lx.s.size() && lx.s[lx.p] == '"') {
        size_t start = lx.p++;
        while (lx.p < lx.s.size() && lx.s[lx.p] != '"') {
            if (lx.s[lx.p] == '\\') lx.p++;
            lx.p++;
        }
        if (lx.p >= lx.s.size()) fatal("{}: unterminated quoted string", lx.s);
        lx.p++;
        quoted = true;
        return Json::parse(lx.s.substr(start, lx.p - start)).get<std::string>();
    }
    while (lx.p < lx.s.size() && delims.find(lx.s[lx.p]) == std::string_view::npos) tok += lx.s[lx.p++];
    while (!tok.empty() && isspace(static_cast<unsigned char>(tok.back()))) tok.pop_back();
    return tok;
}

// The atom the token stands for, without the column's constraints.
Json atom_of_token(const std::string& text, const std::string& tok, bool quoted, const BaseType& b, Symbols& symbols) {
    switch (b.type) {
        case AtomicType::String:
            if (!quoted && tok.empty()) fatal("\"{}\": syntax error: missing value", text);
            return tok;
        case AtomicType::Integer: {
            char* end;
            errno = 0;
            long long v = strtoll(tok.c_str(), &end, 10);
            if (quoted || tok.empty() || *end || errno) fatal("\"{}\" is not a valid integer", tok);
            return v;
        }
        case AtomicType::Real: {
            char* end;
            double v = strtod(tok.c_str(), &end);
            if (quoted || tok.empty() || *end) fatal("\"{}\" is not a valid real number", tok);
            return v;
        }
        case AtomicType::Boolean:
            if (tok == "true") return true;
            if (tok == "false") return false;
            fatal("\"{}\" is not a valid boolean (use \"true\" or \"false\")", tok);
        case AtomicType::Uuid:
            if (!tok.empty() && tok[0] == '@') return symbols.resolve(tok);
            if (!is_uuid(tok)) fatal("\"{}\" is not a valid UUID", tok);
            return tok;
    }
    return nullptr;
}

void check_constraints(const Json& a, const BaseType& b) {
    if (!b.enums.empty() && std::find(b.enums.begin(), b.enums.end(), a) == b.enums.end()) {
        std::string allowed;
        for (auto& e : b.enums) allowed += (allowed.empty() ? "" : ", ") + atom_to_string(e, b);
        if (b.enums.size() > 1) allowed = "[" + allowed + "]";
        fatal("constraint violation: {} is not one of the allowed values ({})", atom_to_string(a, b), allowed);
    }
    if (b.type != AtomicType::Integer) return;
    long long v = a.get<long long>();
    if (b.min_int && b.max_int && (v < *b.min_int || v > *b.max_int))
        fatal("constraint violation: {} is not in the valid range {} to {} (inclusive)", v, *b.min_int, *b.max_int);
    if (b.min_int && !b.max_int && v < *b.min_int)
        fatal("constraint violation: {} is less than minimum allowed value {}", v, *b.min_int);
    if (!b.min_int && b.max_int && v > *b.max_int)
        fatal("constraint violation: {} is greater than maximum allowed value {}", v, *b.max_int);
}

// The elements of a set or map, separated by commas.
void parse_elements(Lexer& lx, const ColumnType& t, const std::string& delims, Symbols& symbols, Datum& d) {
    const std::string& text = lx.s;
    for (;;) {
        if (t.is_map()) {
            d.keys.push_back(parse_atom(lx, t.key, delims + "=", symbols));
            lx.skip_space();
            if (lx.p >= text.size() || text[lx.p] != '=') fatal("\"{}\": syntax error: missing \"=\"", text);
            lx.p++;
            d.vals.push_back(parse_atom(lx, *t.value, delims, symbols));
        } else {
            d.keys.push_back(parse_atom(lx, t.key, delims, symbols));
        }
        lx.skip_space();
        if (lx.p < text.size() && text[lx.p] == ',') {
            lx.p++;
            continue;
        }
        return;
    }
}

}  // namespace

void Lexer::skip_space() {
    while (p < s.size() && isspace(static_cast<unsigned char>(s[p]))) p++;
}

Json parse_atom(Lexer& lx, const BaseType& b, std::string_view delims, Symbols& symbols) {
    bool quoted;
    std::string tok = read_token(lx, delims, quoted);
    Json a = atom_of_token(lx.s, tok, quoted, b, symbols);
    check_constraints(a, b);
    return a;
}

Datum parse_datum(const std::string& text, const ColumnType& t, Symbols& symbols) {
    Lexer lx{text};
    lx.skip_space();
    Datum d;
    char close = 0;
    if (lx.p < text.size() && (text[lx.p] == '[' || text[lx.p] == '{')) {
        close = text[lx.p] == '[' ? ']' : '}';
        lx.p++;
    }
    lx.skip_space();
    std::string delims = close ? std::string(",") + close : ",";
    bool empty = close ? lx.p < text.size() && text[lx.p] == close : lx.p >= text.size() && !t.is_scalar();
    if (!empty) parse_elements(lx, t, delims, symbols, d);
    if (close) {
        lx.skip_space();
        if (lx.p >= text.size() || text[lx.p] != close) fatal("\"{}\": syntax error", text);
        lx.p++;
    }
    lx.skip_space();
    if (lx.p != text.size()) fatal("\"{}\": trailing garbage", text);
    datum_sort(d, t.is_map());
    return d;
}

}  // namespace xvs::vsctl
