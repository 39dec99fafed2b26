// SPDX-License-Identifier: Apache-2.0
// The fast path of sw_ndjson_fields (ndjson.h): simdjson's DOM parser (its
// kernels chosen for the CPU at run time), one per thread. The only C++
// of steward, compiled without exceptions (SIMDJSON_EXCEPTIONS 0, every
// call returns an error code): nothing can unwind into C.
#include <simdjson.h>

#include <cstdio>
#include <cstring>
#include <string_view>

#include "traffic/ndjson.h"

namespace
{

constexpr size_t kMaxLine = 64 * 1024;
constexpr int kMaxNames = 32;

// An integer jansson refuses (past INT64_MAX) anywhere in the value.
bool has_uint64(simdjson::dom::element v)
{
    switch (v.type()) {
    case simdjson::dom::element_type::UINT64: return true;
    case simdjson::dom::element_type::ARRAY: {
        simdjson::dom::array a;
        if (v.get_array().get(a))
            return false;
        for (simdjson::dom::element x : a)
            // cppcheck-suppress useStlAlgorithm ; simdjson's iterators
            // have no iterator_category: std::any_of does not take them
            if (has_uint64(x))
                return true;
        return false;
    }
    case simdjson::dom::element_type::OBJECT: {
        simdjson::dom::object o;
        if (v.get_object().get(o))
            return false;
        for (simdjson::dom::key_value_pair kv : o)
            // cppcheck-suppress useStlAlgorithm ; as above
            if (has_uint64(kv.value))
                return true;
        return false;
    }
    default: return false;
    }
}

} // namespace

extern "C" bool sw_ndjson_fields(const char *line, size_t len,
                                 const char *const *names, int n, char *buf,
                                 size_t bufsz, const char **out)
{
    // An escape (\u0000 jansson refuses, a lone surrogate), a line too long
    // for the padded copy, or too many names: jansson judges it.
    if (len > kMaxLine || n > kMaxNames ||
        std::string_view(line, len).find("\\u") != std::string_view::npos)
        return sw_ndjson_fields_jansson(line, len, names, n, buf, bufsz, out);
    thread_local simdjson::dom::parser parser;
    thread_local char padded[kMaxLine + simdjson::SIMDJSON_PADDING];
    std::memcpy(padded, line, len);
    simdjson::dom::element doc;
    simdjson::dom::object obj;
    if (parser.parse(padded, len, false).get(doc) || doc.get_object().get(obj))
        return sw_ndjson_fields_jansson(line, len, names, n, buf, bufsz, out);
    enum { NONE, TEXT, INT, REAL } kind[kMaxNames] = {};
    std::string_view text[kMaxNames];
    long long whole[kMaxNames];
    double real[kMaxNames];
    for (simdjson::dom::key_value_pair kv : obj) {
        if (has_uint64(kv.value))
            return sw_ndjson_fields_jansson(line, len, names, n, buf, bufsz,
                                            out);
        int i = 0;
        while (i < n && kv.key != names[i])
            i++;
        if (i == n)
            continue;
        kind[i] = NONE; // the last of a repeated name counts
        switch (kv.value.type()) {
        case simdjson::dom::element_type::STRING:
            if (!kv.value.get_string().get(text[i]))
                kind[i] = TEXT;
            break;
        case simdjson::dom::element_type::INT64: {
            int64_t x = 0;
            if (!kv.value.get_int64().get(x)) {
                whole[i] = x;
                kind[i] = INT;
            }
            break;
        }
        case simdjson::dom::element_type::DOUBLE:
            if (!kv.value.get_double().get(real[i]))
                kind[i] = REAL;
            break;
        default: break;
        }
    }
    size_t used = 0;
    for (int i = 0; i < n; i++) {
        out[i] = nullptr;
        char tmp[64];
        const char *t = nullptr;
        size_t k = 0;
        if (kind[i] == TEXT) {
            t = text[i].data();
            k = text[i].size();
        } else if (kind[i] == INT) {
            k = (size_t)std::snprintf(tmp, sizeof(tmp), "%lld", whole[i]);
            t = tmp;
        } else if (kind[i] == REAL) {
            k = (size_t)std::snprintf(tmp, sizeof(tmp), "%.6g", real[i]);
            t = tmp;
        }
        if (!t)
            continue;
        if (used + k + 1 > bufsz)
            return false;
        std::memcpy(buf + used, t, k);
        buf[used + k] = '\0';
        out[i] = buf + used;
        used += k + 1;
    }
    return true;
}
