// multipath(fields, basis, algorithm, n_links, arg, dst) (NXAST_MULTIPATH):
// hashes a choice of the packet's fields and maps the hash onto one of
// n_links links, written into a subfield.
//
// The hashes and link algorithms are Open vSwitch's, bit for bit (its
// lib/flow.c flow_hash_fields() and lib/multipath.c), with the generic
// (not SSE4.2) form of its word hash, which is what a distribution build
// for baseline x86-64 uses: the same packet picks the same link in xvs and
// in Debian's Open vSwitch. The fields a hash reads are exactly those
// unwildcarded in the megaflow (with eth_type, the fragment bits and, for
// non-IP packets hashed on L2 under symmetric_l3l4, the L2 fields: Open
// vSwitch relies on other code for those).
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "ofproto/flow.h"

namespace xvs::ofproto {

// NX_HASH_FIELDS_*, the wire numbers.
enum class HashFields : uint16_t {
    EthSrc = 0,
    SymmetricL4 = 1,
    SymmetricL3L4 = 2,
    SymmetricL3L4Udp = 3,
    NwSrc = 4,
    NwDst = 5,
    SymmetricL3 = 6,
};
// NX_MP_ALG_*, the wire numbers.
enum class MpAlgorithm : uint16_t { ModuloN = 0, HashThreshold = 1, Hrw = 2, IterHash = 3 };

const char* hash_fields_name(HashFields f);  // "symmetric_l4", ...; nullptr when not one
std::optional<HashFields> hash_fields_from_name(std::string_view name);  // case-insensitive
const char* mp_algorithm_name(MpAlgorithm a);  // "modulo_n", ...; nullptr when not one
std::optional<MpAlgorithm> mp_algorithm_from_name(std::string_view name);

// Open vSwitch's flow_hash_fields(): the hash of 'fields' of 'flow'.
uint32_t flow_hash_fields(const Flow& flow, HashFields fields, uint16_t basis);
// What that hash read, ORed into *wc.
void flow_mask_hash_fields(const Flow& flow, HashFields fields, Flow* wc);
// The link, 0..n_links-1, that 'hash' picks.
uint16_t multipath_link(uint32_t hash, MpAlgorithm algorithm, unsigned n_links, unsigned arg);

// Open vSwitch's hash primitives (lib/jhash.c, lib/hash.h without SSE4.2).
uint32_t ovs_jhash_bytes(const void* p, size_t n, uint32_t basis);
uint32_t ovs_hash_add(uint32_t hash, uint32_t data);
uint32_t ovs_hash_finish(uint32_t hash, uint32_t final);
uint32_t ovs_hash_2words(uint32_t x, uint32_t y);

}  // namespace xvs::ofproto
