// The fields OpenFlow can match and modify ("meta-flow"): one descriptor
// per field with the names ovs-ofctl uses, the NXM and OXM codes it has on
// the wire, its width, whether it takes a mask, what a match on it
// requires (eth_type, ip_proto, ...), and how it maps onto our Flow.
//
// Values cross this interface as MfValue: a 128-bit big-endian number whose
// low n_bytes bytes (b[16 - n_bytes] .. b[15]) are the field's wire bytes
// (OpenFlow's own encoding, so codecs copy them and text parsers fill
// them); the bytes before are zero. Subfield values use the same shape,
// right-aligned, so a field value and a "field[]" subfield value are the
// same bytes. Fields whose OpenFlow form differs from how the Flow keeps
// them (ip_dscp is the TOS byte's top six bits, vlan_vid carries the
// "present" bit, OXM in_port is 32 bits wide, ICMP type and ARP opcode
// live in tp_src and nw_proto) are converted here and nowhere else.
//
// Only fields the datapath can carry are listed; a match or action naming
// any other field is refused by the codecs with OFPBMC_BAD_FIELD /
// OFPBAC_BAD_SET_TYPE, never accepted and ignored.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "ofproto/classifier.h"
#include "ofproto/flow.h"

namespace xvs::ofproto {

enum class MfId : uint16_t {
    // Metadata.
    InPort,     // in_port: 16-bit OpenFlow port (NXM_OF_IN_PORT)
    InPortOxm,  // in_port as OXM's 32-bit port (OFPXMT_OFB_IN_PORT); same Flow bits
    Metadata,   // 64, maskable
    Reg0, Reg1, Reg2, Reg3, Reg4, Reg5, Reg6, Reg7,  // 32, maskable
    Reg8, Reg9, Reg10, Reg11, Reg12, Reg13, Reg14, Reg15,
    Xreg0, Xreg1, Xreg2, Xreg3, Xreg4, Xreg5, Xreg6, Xreg7,  // 64: reg(2n)<<32 | reg(2n+1)
    Xxreg0, Xxreg1, Xxreg2, Xxreg3,                          // 128: reg(4n)..reg(4n+3)
    PktMark,    // 32, maskable
    ConjId,     // 32, exact, read-only: the conjunction matched (conjunction(id,k/n))
    TunId,      // 64, maskable (NXM_NX_TUN_ID, OXM_OF_TUNNEL_ID from 1.3)
    TunSrc, TunDst,          // 32, maskable: the tunnel's outer IPv4 addresses
    TunIpv6Src, TunIpv6Dst,  // 128, maskable
    // L2.
    EthSrc, EthDst,  // 48, maskable
    EthType,         // 16 (after VLAN tags; 0x05ff for 802.3 length frames)
    VlanTci,         // 16, maskable: NXM's PCP|CFI|VID with CFI = tag present
    DlVlan,          // 12: the VID (ovs-ofctl "dl_vlan"); matching it requires a tag
    DlVlanPcp,       // 3: the PCP (ovs-ofctl "dl_vlan_pcp"); requires a tag
    VlanVid,         // OXM: VID | 0x1000 when a tag is present, maskable; 12 bits as a
                     // subfield ("OXM_OF_VLAN_VID[]" is the VID, as in OVS)
    VlanPcp,         // OXM 3 bits; prerequisite: vlan_vid present
    // L3.
    IpProto,     // 8 (for ARP: the low byte of the opcode is arp_op, not this)
    IpDscp,      // NXM_OF_IP_TOS: the TOS byte with the ECN bits zero (values multiple of 4)
    IpDscpOxm,   // OXM ip_dscp: the six DSCP bits, right-aligned (0..63)
    IpEcn,       // 2
    IpTtl,       // 8
    IpFrag,      // 8 on the wire, 2 significant, maskable: bit 0 "is a fragment", bit 1 "not the first"
    Ipv4Src, Ipv4Dst,  // 32, maskable
    Ipv6Src, Ipv6Dst,  // 128, maskable
    Ipv6Label,   // 32 on the wire, 20 significant, maskable
    ArpOp,       // 16
    ArpSpa, ArpTpa,  // 32, maskable
    ArpSha, ArpTha,  // 48, maskable
    // L4.
    TcpSrc, TcpDst, UdpSrc, UdpDst, SctpSrc, SctpDst,  // 16, maskable
    TcpFlags,    // 16 on the wire, 12 significant, maskable
    IcmpType, IcmpCode,      // 8 (ICMPv4)
    Icmpv6Type, Icmpv6Code,  // 8
    NdTarget,    // 128, maskable
    NdSll, NdTll,  // 48, maskable
    Count,
};
inline constexpr size_t kMfCount = static_cast<size_t>(MfId::Count);

// What a match on a field requires of the rest of the match (and what a
// packet must be for set_field on it to apply).
enum class MfPrereq : uint8_t {
    None,
    VlanTag,    // a VLAN tag present
    Arp,        // eth_type ARP or RARP
    Ip,         // eth_type IPv4 or IPv6
    Ipv4,
    Ipv6,
    Tcp,        // IPv4/IPv6 and ip_proto 6, not a later fragment (no L4 header)
    Udp,        // ... 17
    Sctp,       // ... 132
    Icmpv4,     // IPv4 and ip_proto 1
    Icmpv6,     // IPv6 and ip_proto 58
    Nd,         // ICMPv6 type 135 or 136, code 0
    NdSolicit,  // ICMPv6 type 135, code 0
    NdAdvert,   // ICMPv6 type 136, code 0
};

// Wire header of an NXM/OXM entry: class(16) | field(7) | hasmask(1) | length(8).
inline constexpr uint32_t nxm_header(uint16_t cls, uint8_t field, uint8_t len) {
    return (uint32_t{cls} << 16) | (uint32_t{field} << 9) | len;
}
inline constexpr uint16_t nxm_class(uint32_t h) { return h >> 16; }
inline constexpr uint8_t nxm_field(uint32_t h) { return (h >> 9) & 0x7f; }
inline constexpr bool nxm_hasmask(uint32_t h) { return (h >> 8) & 1; }
inline constexpr uint8_t nxm_length(uint32_t h) { return h & 0xff; }

struct MfField {
    MfId id;
    const char* name;   // OVS's field name, as set_field prints it ("ip_src", "tcp_dst", "reg3")
    const char* alias;  // the other accepted name ("nw_src", "tp_dst"), or nullptr
    uint8_t n_bytes;    // wire width
    uint16_t n_bits;    // significant bits (<= 8 * n_bytes)
    bool maskable;      // arbitrary bitwise masks allowed
    MfPrereq prereq;
    bool writable;      // set_field/load/move may write it
    uint32_t nxm;       // NXM header (mask bit clear, length n_bytes), 0 if none
    const char* nxm_name;  // "NXM_OF_IP_SRC", nullptr if none
    uint32_t oxm;       // OXM header (OpenFlow basic or packet-register class), 0 if none
    const char* oxm_name;  // "OXM_OF_IPV4_SRC", nullptr if none
    uint8_t oxm_version;   // lowest OpenFlow wire version (0x03 = 1.2 ...) with this OXM
    // An experimenter OXM (class 0xffff) OVS also uses for the field: only
    // tcp_flags, as ONFOXM_ET_TCP_FLAGS in OpenFlow 1.3 and 1.4.
    uint32_t exp_oxm = 0;      // its header (mask bit clear, length 4 + n_bytes), 0 if none
    uint32_t exp_id = 0;       // its experimenter id
    const char* exp_name = nullptr;
    uint8_t exp_version = 0;   // lowest wire version that uses it
};

// OXM classes.
inline constexpr uint16_t kNxmClass0 = 0x0000;        // NXM_OF_*
inline constexpr uint16_t kNxmClass1 = 0x0001;        // NXM_NX_*
inline constexpr uint16_t kOxmClassBasic = 0x8000;    // OXM_OF_*
inline constexpr uint16_t kOxmClassPktRegs = 0x8001;  // OXM_OF_PKT_REG<N>
inline constexpr uint16_t kOxmClassExperimenter = 0xffff;
inline constexpr uint32_t kOnfExperimenterId = 0x4f4e4600;

// A wire header as OVS handles it: the 32-bit NXM/OXM header and, for the
// experimenter class only, the experimenter id that follows it on the wire
// (whose 4 bytes count in the header's length).
struct MfWireHeader {
    uint32_t header = 0;
    uint32_t experimenter = 0;
    bool operator==(const MfWireHeader&) const = default;
};

// The field's wire bytes, network order, right-aligned in the 16 bytes
// (b[16 - n_bytes] .. b[15]; see the top of this file).
struct MfValue {
    uint8_t b[16]{};
    bool operator==(const MfValue&) const = default;
};

const MfField& mf_field(MfId id);
// By name or alias, as ovs-ofctl accepts them (case-sensitive), or nullptr.
const MfField* mf_from_name(std::string_view name);
// By wire header; the hasmask bit and length are ignored (callers check
// the length against n_bytes). nullptr for unknown or unsupported fields.
// NXM and OXM share one namespace, as in OVS: both accept NXM (class 0/1)
// and OXM (0x8000/0x8001) headers, since an NXM match carries OXM headers
// for fields without an NXM code (metadata, sctp_*) and an OXM match
// carries NXM headers for fields without an OXM code (regs, nw_ttl).
const MfField* mf_from_nxm_header(uint32_t header);
const MfField* mf_from_oxm_header(uint32_t header);
// Same, experimenter OXMs included (h.experimenter is consulted only for
// class 0xffff).
const MfField* mf_from_wire_header(const MfWireHeader& h);
// The header OVS puts on the wire for 'f' in 'version': 0 for NXM (the
// NXM header, else the OXM one), else the OpenFlow wire version of an OXM
// match or set_field (the newest header that version has: OXM_OF_ETH_SRC
// from 1.2, NXM_NX_TCP_FLAGS in 1.2, ONFOXM_ET_TCP_FLAGS in 1.3/1.4,
// OXM_OF_TCP_FLAGS from 1.5, NXM_NX_REG0 in every version). Mask bit clear,
// length n_bytes (+4 for an experimenter OXM). {0, 0} for text-only fields
// (dl_vlan, dl_vlan_pcp).
MfWireHeader mf_wire_header(const MfField& f, uint8_t version);
// "NXM_OF_IN_PORT", "OXM_OF_IN_PORT", "ONFOXM_ET_TCP_FLAGS": the name of a
// known header (hasmask and length ignored), or nullptr.
const char* mf_wire_header_name(const MfWireHeader& h);
// By NXM/OXM name (without "_W"); stores the header (mask bit clear,
// length n_bytes) in *h when h is not null.
const MfField* mf_from_wire_name(std::string_view name, MfWireHeader* h);

// Value of the field in 'flow' (for a mask Flow: the field's mask).
MfValue mf_get(const MfField& f, const Flow& flow);
// Writes 'value' into the field of 'flow' (set_field / load of the whole
// field). As OpenFlow defines them, writing dl_vlan, dl_vlan_pcp or
// vlan_pcp also sets the CFI bit (the packet gets a tag), and dl_vlan
// 0xffff (OpenFlow 1.0's OFP_VLAN_NONE) clears the whole TCI.
void mf_set(const MfField& f, const MfValue& value, Flow* flow);
// Marks every bit of the field as consulted in 'wc' (with the CFI bit for
// the VID and PCP views, which mf_set writes).
void mf_mask_all(const MfField& f, Flow* wc);

// Whether 'mask' is allowed for the field: anything for a maskable field,
// all-zeros or all-ones (over n_bytes) for the others (OFPBMC_BAD_MASK).
bool mf_is_mask_valid(const MfField& f, const MfValue& mask);
// Whether 'value' makes sense for the field (OFPBMC_BAD_VALUE when not):
// no bits beyond n_bits, and the field's own rules (nw_tos's ECN bits
// zero, arp_op at most 255, vlan_vid without PCP bits, in_port_oxm not in
// 0xff00..0xfffffeff).
bool mf_is_value_valid(const MfField& f, const MfValue& value);
// The mask mf_get_match() reports for a fully matched field (0xfc for
// nw_tos, 0x1fff for vlan_vid, 0x000fffff for ipv6_label, all ones for
// most). A mask that covers it is an exact match.
MfValue mf_exact_mask(const MfField& f);

// Adds "field = value/mask" to 'match' (value & mask is stored; a field
// already in the match is overwritten; an all-zeros mask removes the
// field). Fails (false) when the mask is not allowed for the field
// (non-maskable field with a partial mask) or the value is not valid
// (mf_is_value_valid). Masks are cut to the field's significant bits, and
// an all-ones mask (or mf_exact_mask) is an exact match. As in OVS,
// matching dl_vlan, dl_vlan_pcp or vlan_pcp also requires a tag (the CFI
// bit), and removing the VID or the PCP removes the whole TCI match unless
// the other part is still matched.
bool mf_set_match(const MfField& f, const MfValue& value, const MfValue& mask, Match* match);
// The field's value and mask in 'match'.
void mf_get_match(const MfField& f, const Match& match, MfValue* value, MfValue* mask);
// Whether 'match' matches any bit of the field (what OVS calls "not all
// wild"): a second entry for such a field is OFPBMC_DUP_FIELD.
bool mf_is_set_in_match(const MfField& f, const Match& match);
// Whether 'match' pins the field's prerequisites (as OpenFlow requires of a
// flow_mod that matches the field): eth_type (and ip_proto) matched exactly
// with the right values, and as in OVS, for TCP/UDP/SCTP fields a match
// that does not require a later fragment, for ND fields ICMPv6 type 135
// or 136 and a code that is 0 or not matched, for vlan_pcp a tag.
bool mf_prereqs_ok(const MfField& f, const Match& match);
// Whether a packet 'flow' satisfies the field's prerequisites; marks what
// that consulted in 'wc' (may be null). Used by set_field in translation.
bool mf_prereqs_ok(const MfField& f, const Flow& flow, Flow* wc);

// A bit range of a field: NXM's "field[ofs..ofs+n_bits-1]" (bit 0 is the
// least significant bit of the field's wire value).
struct MfSubfield {
    const MfField* field = nullptr;
    uint16_t ofs = 0;
    uint16_t n_bits = 0;
    bool operator==(const MfSubfield&) const = default;
};
// Reads the subfield's bits of 'flow' as an integer-like value (right-aligned in MfValue).
MfValue mf_read_subfield(const MfSubfield& sf, const Flow& flow);
// Writes the low sf.n_bits bits of 'value' into the subfield of 'flow'.
void mf_write_subfield(const MfSubfield& sf, const MfValue& value, Flow* flow);
// Makes 'match' match the subfield's bits against the low sf.n_bits bits
// of 'value' (the field's other bits keep their match). As in Open
// vSwitch, a partial mask the field cannot take leaves the match unchanged.
void mf_set_match_subfield(const MfSubfield& sf, const MfValue& value, Match* match);
// Marks the subfield's bits consulted in 'wc'.
void mf_mask_subfield(const MfSubfield& sf, Flow* wc);
// Parses "NXM_OF_IP_SRC[0..15]", "reg3[]", "reg3[5]", "ip_src[8..31]",
// "OXM_OF_VLAN_VID[]", or a bare name for the whole field (ovs-ofctl
// subfield syntax: NXM/OXM names, with or without "_W", and field names
// and aliases); the error names the problem.
std::optional<MfSubfield> mf_parse_subfield(std::string_view text, std::string* error);
// As above, for a subfield at the start of 'text' (as in "reg0[0..3]->reg1[]"):
// stops before the first character that cannot continue it ('-', ',', ...)
// and stores how many characters it used in *used.
std::optional<MfSubfield> mf_parse_subfield_prefix(std::string_view text, size_t* used, std::string* error);
// ovs-ofctl's text for a subfield, as OVS 3.1 prints move, load and
// output:reg: the field's NXM name (else its OXM name, else its field
// name) and "[]" for the whole field, "[5]" for one bit, "[0..15]"
// ("NXM_NX_REG0[0..15]", "NXM_OF_ETH_DST[]", "OXM_OF_METADATA[0..31]").
std::string mf_format_subfield(const MfSubfield& sf);

// Parses a field value in ovs-ofctl syntax into value and mask (all ones
// when no mask is given, all zeros for "*"): integers in decimal, 0x-hex
// (any number of leading zeros) or octal, with "/mask"; "10.0.0.0/8" or
// "10.0.0.1/255.255.0.0"; IPv6 with "/prefix" or "/mask";
// "aa:bb:cc:dd:ee:ff/ff:ff:ff:00:00:00"; port names for in_port and
// in_port_oxm; ip_frag's "no", "yes", "first", "later", "not_later";
// tcp_flags' "+syn-ack", "syn|ack", "0x12/0xff". The value must be valid
// for the field (mf_is_value_valid) and the mask allowed
// (mf_is_mask_valid). The error names the field, in ovs-ofctl's words.
bool mf_parse_value(const MfField& f, std::string_view text, MfValue* value, MfValue* mask, std::string* error);
// ovs-ofctl's text for "value" or "value/mask" of the field (the mask part
// omitted when exact; prefix notation for CIDR masks of IP fields), as OVS's
// mf_format prints set_field values: decimal or 0x-hex by field, "ANY" for
// an all-zeros mask, port names for in_port.
std::string mf_format_value(const MfField& f, const MfValue& value, const MfValue* mask);

// OpenFlow ports as ovs-ofctl writes them: a decimal number below 0x10000,
// or an OpenFlow 1.1+ number from 0xffffff00 (taken as 0xff00 and up), or
// a reserved port's name in any case ("LOCAL", "in_port", "NONE"/"ANY").
std::optional<OfPort> mf_parse_port(std::string_view text);
// OVS 3.1's name of a port: "IN_PORT", "TABLE", "NORMAL", "FLOOD", "ALL",
// "CONTROLLER", "LOCAL", "ANY" (0xffff), "UNSET" (0xfff7), else the number.
std::string mf_format_port(OfPort port);
// OpenFlow 1.1+ 32-bit port numbers: 16-bit ports from 0xff00 up (the
// reserved ports) are 0xffff0000 + the 16-bit number; 32-bit numbers in
// 0xff00..0xfffffeff have no 16-bit form (nullopt), as in OVS.
uint32_t mf_port_to_ofp11(OfPort port);
std::optional<OfPort> mf_port_from_ofp11(uint32_t port);

}  // namespace xvs::ofproto
