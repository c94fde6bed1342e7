// Flow key extraction, transcribed rule by rule from docs/DATAPATH.md
// "Flow key extraction". The step numbers in the comments are the spec's.
//
// Where the spec leaves room, the most literal reading was taken:
//
//  * in_port and recirc_id are copied from the context for every frame,
//    also one with XVS_PF_L2_TRUNC ("nothing else is filled" is read as
//    "nothing else from the packet").
//  * The ExtractContext carries no skb VLAN metadata, so the TC-entry rule
//    ("a tag in vlan_present counts as the first tag") is not modelled: this
//    parser sees tags only in the frame bytes. A caller holding an skb tag
//    must reinsert it into the frame first.
//  * A truncated second VLAN tag keeps the first tag's fields (only "that
//    header and everything after it" stay zero); eth_type stays 0.
//  * 802.3: when fewer than 8 bytes follow the length field the frame is
//    simply "not LLC/SNAP": eth_type 0x05ff, no flag. The SNAP type is taken
//    as eth_type as is, even if it is a VLAN TPID or below 0x0600; it is not
//    looked at again by steps 2 and 3.
//  * ARP/RARP: nw_proto is the opcode if <= 255, else 0 (the spec); abi.h's
//    comment says "the opcode's low byte", which differs for opcodes > 255.
//    Step 7 (transport) applies to IPv4 and IPv6 only: an ARP opcode of 6 or
//    17 does not make the parser look for TCP or UDP.
//  * IPv4 total length is only used for the L3_BAD check; it is not compared
//    with the frame length (a total length beyond the frame is fine).
//  * IPv6 payload length is ignored entirely: extension headers, transport
//    headers and ND options are bounded by the end of the frame, so Ethernet
//    padding after an ND message is parsed as options.
//  * IPv6 extension headers are accepted in any order and repeated
//    (hop-by-hop is not required to be first). A fragment header does not
//    end the chain even for a later fragment: the walk goes on with its
//    next-header value, and parsing stops after nw_proto is set.
//  * A fragment header always sets XVS_FRAG_ANY, also for an "atomic"
//    fragment (offset 0, M clear). XVS_FRAG_* bits set by an earlier complete
//    fragment header survive a later XVS_PF_EXT_TRUNC.
//  * XVS_PF_EXT_LIMIT: after 8 extension headers, the next-header value is
//    checked against the five extension types only; that 9th header's bytes
//    are not examined.
//  * TCP: only 20 bytes are needed; a data offset beyond the frame is fine.
//  * ND: the option walk ends without a flag when the frame ends exactly at
//    an option boundary; 1 byte left over is an option without its 2 bytes
//    (XVS_PF_ND_BAD). Options beyond XVS_ND_MAX_OPTS are not examined, even
//    if malformed. A repeated SLL/TLL option is skipped, not an error.
#include "compiler/flow_extract.h"

#include <cstring>
#include <optional>

#include "compiler/proto_numbers.h"

namespace xvs {
namespace {

using namespace proto;

// Every read goes through has() first: the frame is untrusted and this code
// runs on packets straight off the wire.
class Frame {
public:
    explicit Frame(std::span<const uint8_t> bytes) : b_(bytes) {}

    // True if n bytes starting at off are inside the frame. Written so that
    // neither sum can overflow.
    bool has(size_t off, size_t n) const { return off <= b_.size() && n <= b_.size() - off; }
    size_t size() const { return b_.size(); }
    uint8_t u8(size_t off) const { return b_[off]; }
    uint16_t be16(size_t off) const { return static_cast<uint16_t>(b_[off] << 8 | b_[off + 1]); }
    uint32_t be32(size_t off) const {
        return static_cast<uint32_t>(b_[off]) << 24 | static_cast<uint32_t>(b_[off + 1]) << 16 |
               static_cast<uint32_t>(b_[off + 2]) << 8 | b_[off + 3];
    }
    // Copies raw bytes into a key field, which keeps network byte order.
    void copy(void* dst, size_t off, size_t n) const { std::memcpy(dst, b_.data() + off, n); }

private:
    std::span<const uint8_t> b_;
};

// Key fields marked "net" are stored in network byte order whatever the CPU.
__be16 to_net16(uint16_t v) {
    const uint8_t bytes[2] = {static_cast<uint8_t>(v >> 8), static_cast<uint8_t>(v)};
    __be16 out;
    std::memcpy(&out, bytes, sizeof out);
    return out;
}

__be32 to_net32(uint32_t v) {
    const uint8_t bytes[4] = {static_cast<uint8_t>(v >> 24), static_cast<uint8_t>(v >> 16),
                              static_cast<uint8_t>(v >> 8), static_cast<uint8_t>(v)};
    __be32 out;
    std::memcpy(&out, bytes, sizeof out);
    return out;
}

bool is_vlan_tpid(uint16_t type) { return type == kTypeVlan || type == kTypeQinQ; }

// aa aa 03 00 00 00 tt tt: LLC (DSAP, SSAP = SNAP, UI) plus SNAP OUI 0.
bool is_snap_oui0(const Frame& f, size_t off) {
    static constexpr uint8_t kSnap[6] = {0xaa, 0xaa, 0x03, 0x00, 0x00, 0x00};
    if (!f.has(off, 8)) return false;
    for (size_t i = 0; i < sizeof kSnap; i++)
        if (f.u8(off + i) != kSnap[i]) return false;
    return true;
}

// Where the network header starts and what it is.
struct L3Start {
    size_t off;
    uint16_t eth_type;
};

// Steps 1-3. Returns the network header, with key.eth_type set, or nullopt
// when parsing stops in L2.
std::optional<L3Start> parse_l2(const Frame& f, xvs_flow_key& key) {
    if (!f.has(0, 14)) {
        key.parse_flags |= XVS_PF_L2_TRUNC;
        return std::nullopt;
    }
    f.copy(key.eth_dst, 0, 6);
    f.copy(key.eth_src, 6, 6);
    uint16_t type = f.be16(12);
    size_t off = 14;

    for (int tags = 0; is_vlan_tpid(type); tags++) {
        if (tags == 2) {
            key.parse_flags |= XVS_PF_VLAN_EXTRA;
            key.eth_type = to_net16(type);
            return std::nullopt;
        }
        if (!f.has(off, 4)) {
            key.parse_flags |= XVS_PF_VLAN_TRUNC;
            return std::nullopt;
        }
        // 0x1000 is the CFI/DEI bit, reused as "tag present" so that a
        // tag with TCI 0 still differs from no tag.
        const __be16 tci = to_net16(static_cast<uint16_t>(f.be16(off) | 0x1000));
        if (tags == 0) {
            key.vlan_tpid = to_net16(type);
            key.vlan_tci = tci;
        } else {
            key.cvlan_tpid = to_net16(type);
            key.cvlan_tci = tci;
        }
        type = f.be16(off + 2);
        off += 4;
    }

    if (type < 0x0600) {
        // An 802.3 length, not a type. Only LLC/SNAP with OUI 0 carries an
        // ethertype; everything else is lumped together as 0x05ff.
        if (!is_snap_oui0(f, off)) {
            key.eth_type = to_net16(kType8023);
            return std::nullopt;
        }
        type = f.be16(off + 6);
        off += 8;
    }
    key.eth_type = to_net16(type);
    return L3Start{off, type};
}

// Step 4. ARP and RARP have no transport header: parsing always ends here.
void parse_arp(const Frame& f, size_t off, xvs_flow_key& key) {
    if (!f.has(off, 28)) {
        key.parse_flags |= XVS_PF_L3_TRUNC;
        return;
    }
    // Only Ethernet/IPv4 ARP has the layout the key fields describe.
    if (f.be16(off) != 1 || f.be16(off + 2) != kTypeIpv4 || f.u8(off + 4) != 6 || f.u8(off + 5) != 4)
        return;
    const uint16_t op = f.be16(off + 6);
    key.nw_proto = op <= 255 ? static_cast<uint8_t>(op) : 0;
    f.copy(key.arp_sha, off + 8, 6);
    f.copy(&key.nw_src[0], off + 14, 4);
    f.copy(key.arp_tha, off + 18, 6);
    f.copy(&key.nw_dst[0], off + 24, 4);
}

// Step 5. Returns the transport header's offset, or nullopt to stop.
std::optional<size_t> parse_ipv4(const Frame& f, size_t off, xvs_flow_key& key) {
    if (!f.has(off, 20)) {
        key.parse_flags |= XVS_PF_L3_TRUNC;
        return std::nullopt;
    }
    const uint8_t version = f.u8(off) >> 4;
    const size_t hdr_len = (f.u8(off) & 0x0f) * 4u;
    const uint16_t total_len = f.be16(off + 2);
    if (version != 4 || hdr_len < 20 || total_len < hdr_len) {
        key.parse_flags |= XVS_PF_L3_BAD;
        return std::nullopt;
    }
    if (!f.has(off, hdr_len)) {
        key.parse_flags |= XVS_PF_L3_TRUNC;
        return std::nullopt;
    }
    key.nw_tos = f.u8(off + 1);
    key.nw_ttl = f.u8(off + 8);
    key.nw_proto = f.u8(off + 9);
    f.copy(&key.nw_src[0], off + 12, 4);
    f.copy(&key.nw_dst[0], off + 16, 4);

    const uint16_t frag = f.be16(off + 6);
    const bool more_fragments = frag & 0x2000;
    const uint16_t frag_offset = frag & 0x1fff;
    if (more_fragments || frag_offset != 0) key.nw_frag |= XVS_FRAG_ANY;
    if (frag_offset != 0) {
        // A later fragment has no transport header to look at.
        key.nw_frag |= XVS_FRAG_LATER;
        return std::nullopt;
    }
    return off + hdr_len;
}

bool is_ipv6_ext(uint8_t next_header) {
    switch (next_header) {
    case kExtHopByHop:
    case kExtRouting:
    case kExtFragment:
    case kExtAh:
    case kExtDestOpts:
        return true;
    default:
        return false;
    }
}

// Length of the extension header of type `type` at off, or nullopt when the
// frame cuts it short.
std::optional<size_t> ipv6_ext_len(const Frame& f, size_t off, uint8_t type) {
    if (type == kExtFragment) return f.has(off, 8) ? std::optional<size_t>(8) : std::nullopt;
    if (!f.has(off, 2)) return std::nullopt;
    // AH counts 4-byte units minus 2; the others 8-byte units minus 1.
    const size_t len = type == kExtAh ? (f.u8(off + 1) + 2u) * 4u : (f.u8(off + 1) + 1u) * 8u;
    if (!f.has(off, len)) return std::nullopt;
    return len;
}

// Step 6, the extension header chain: on success `off` is the transport
// header's offset and nw_proto is set. Returns false to stop.
bool walk_ipv6_ext(const Frame& f, size_t& off, uint8_t next_header, xvs_flow_key& key) {
    for (int walked = 0; is_ipv6_ext(next_header); walked++) {
        if (walked == XVS_IPV6_MAX_EXT) {
            key.parse_flags |= XVS_PF_EXT_LIMIT;
            key.nw_proto = next_header;
            return false;
        }
        const std::optional<size_t> len = ipv6_ext_len(f, off, next_header);
        if (!len) {
            key.parse_flags |= XVS_PF_EXT_TRUNC;
            return false;
        }
        if (next_header == kExtFragment) {
            key.nw_frag |= XVS_FRAG_ANY;
            // Offset is the top 13 bits of bytes 2-3.
            if (f.be16(off + 2) >> 3) key.nw_frag |= XVS_FRAG_LATER;
        }
        next_header = f.u8(off);
        off += *len;
    }
    key.nw_proto = next_header;
    return !(key.nw_frag & XVS_FRAG_LATER);
}

// Step 6. Returns the transport header's offset, or nullopt to stop.
std::optional<size_t> parse_ipv6(const Frame& f, size_t off, xvs_flow_key& key) {
    if (!f.has(off, 40)) {
        key.parse_flags |= XVS_PF_L3_TRUNC;
        return std::nullopt;
    }
    const uint32_t word0 = f.be32(off);
    if (word0 >> 28 != 6) {
        key.parse_flags |= XVS_PF_L3_BAD;
        return std::nullopt;
    }
    key.nw_tos = static_cast<uint8_t>(word0 >> 20);
    key.ipv6_label = to_net32(word0 & 0xfffff);
    key.nw_ttl = f.u8(off + 7);
    f.copy(key.nw_src, off + 8, 16);
    f.copy(key.nw_dst, off + 24, 16);
    const uint8_t next_header = f.u8(off + 6);
    off += 40;
    if (!walk_ipv6_ext(f, off, next_header, key)) return std::nullopt;
    return off;
}

// Step 7, ND options of a solicitation or advertisement starting at off.
void parse_nd_options(const Frame& f, size_t off, uint8_t icmp_type, xvs_flow_key& key) {
    bool ll_seen = false;
    for (int n = 0; n < XVS_ND_MAX_OPTS && off < f.size(); n++) {
        if (!f.has(off, 2) || f.u8(off + 1) == 0 || !f.has(off, f.u8(off + 1) * 8u)) {
            key.parse_flags |= XVS_PF_ND_BAD;
            return;
        }
        const uint8_t type = f.u8(off);
        const uint8_t len = f.u8(off + 1);
        if (!ll_seen && len == 1) {
            if (type == kNdOptSll && icmp_type == kNdSolicit) {
                f.copy(key.arp_sha, off + 2, 6);
                ll_seen = true;
            } else if (type == kNdOptTll && icmp_type == kNdAdvert) {
                f.copy(key.arp_tha, off + 2, 6);
                ll_seen = true;
            }
        }
        off += len * 8u;
    }
}

// Step 7, ICMP and ICMPv6 (same layout for type and code).
void parse_icmp(const Frame& f, size_t off, bool v6, xvs_flow_key& key) {
    if (!f.has(off, 4)) {
        key.parse_flags |= XVS_PF_L4_TRUNC;
        return;
    }
    const uint8_t type = f.u8(off);
    const uint8_t code = f.u8(off + 1);
    key.tp_src = to_net16(type);
    key.tp_dst = to_net16(code);
    if (!v6 || code != 0 || (type != kNdSolicit && type != kNdAdvert)) return;
    if (!f.has(off, 24)) {
        key.parse_flags |= XVS_PF_L4_TRUNC;
        return;
    }
    f.copy(key.nd_target, off + 8, 16);
    parse_nd_options(f, off + 24, type, key);
}

// Step 7 for the ports-only protocols: UDP needs 8 bytes, SCTP 12.
void parse_ports(const Frame& f, size_t off, size_t need, xvs_flow_key& key) {
    if (!f.has(off, need)) {
        key.parse_flags |= XVS_PF_L4_TRUNC;
        return;
    }
    f.copy(&key.tp_src, off, 2);
    f.copy(&key.tp_dst, off + 2, 2);
}

void parse_tcp(const Frame& f, size_t off, xvs_flow_key& key) {
    if (!f.has(off, 20)) {
        key.parse_flags |= XVS_PF_L4_TRUNC;
        return;
    }
    if ((f.u8(off + 12) >> 4) < 5) {
        key.parse_flags |= XVS_PF_L4_BAD;
        return;
    }
    f.copy(&key.tp_src, off, 2);
    f.copy(&key.tp_dst, off + 2, 2);
    key.tcp_flags = to_net16(f.be16(off + 12) & 0x0fff);
}

// Step 7.
void parse_l4(const Frame& f, size_t off, bool v6, xvs_flow_key& key) {
    switch (key.nw_proto) {
    case kProtoTcp:
        parse_tcp(f, off, key);
        break;
    case kProtoUdp:
        parse_ports(f, off, 8, key);
        break;
    case kProtoSctp:
        parse_ports(f, off, 12, key);
        break;
    case kProtoIcmp:
        if (!v6) parse_icmp(f, off, false, key);
        break;
    case kProtoIcmpv6:
        if (v6) parse_icmp(f, off, true, key);
        break;
    default:
        break;
    }
}

}  // namespace

xvs_flow_key flow_extract(std::span<const uint8_t> frame, const ExtractContext& ctx) {
    return flow_extract(frame, ctx, nullptr);
}

xvs_flow_key flow_extract(std::span<const uint8_t> frame, const ExtractContext& ctx, HeaderOffsets* offsets) {
    HeaderOffsets unused;
    HeaderOffsets& lay = offsets ? *offsets : unused;
    lay = HeaderOffsets{};
    xvs_flow_key key;
    std::memset(&key, 0, sizeof key);
    key.in_port = ctx.in_port;
    key.recirc_id = ctx.recirc_id;

    const Frame f(frame);
    const std::optional<L3Start> l3 = parse_l2(f, key);
    if (!l3) return key;
    lay.l3_off = static_cast<uint32_t>(l3->off);
    lay.eth_type = l3->eth_type;

    std::optional<size_t> l4;
    switch (l3->eth_type) {
    case kTypeIpv4:
        l4 = parse_ipv4(f, l3->off, key);
        break;
    case kTypeIpv6:
        l4 = parse_ipv6(f, l3->off, key);
        break;
    case kTypeArp:
    case kTypeRarp:
        parse_arp(f, l3->off, key);
        return key;
    default:
        return key;
    }
    if (l4) {
        lay.l4_off = static_cast<uint32_t>(*l4);
        parse_l4(f, *l4, l3->eth_type == kTypeIpv6, key);
    }
    return key;
}

}  // namespace xvs
