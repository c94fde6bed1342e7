#!/usr/bin/env python3
"""Lists the sFlow samples of a capture as tshark decodes them (its PDML),
one line per sample, for tests to check with awk:

  F agent sub_agent rate pool seq input output frame_len src dst proto dport
  C agent sub_agent ifindex in_packets in_octets out_packets out_octets oper

(src/dst/proto/dport: the sampled header's IPv4 addresses, protocol and
UDP/TCP destination port, "-" when it has none.)"""
import subprocess
import sys
import xml.etree.ElementTree as ET


def fields(node):
    """name -> show of the fields under node, first occurrence wins."""
    out = {}
    for f in node.iter("field"):
        name = f.get("name")
        if name and name not in out:
            out[name] = f.get("show")
    return out


def main():
    pdml = subprocess.run(["tshark", "-r", sys.argv[1], "-T", "pdml"], capture_output=True, check=True).stdout
    for packet in ET.fromstring(pdml).iter("packet"):
        for proto in packet.iter("proto"):
            if proto.get("name") != "sflow":
                continue
            top = {f.get("name"): f.get("show") for f in proto.findall("field") if f.get("name")}
            agent, sub = top.get("sflow_245.agent", "-"), top.get("sflow_245.sub_agent_id", "-")
            for sample in proto.findall("field"):
                show = sample.get("show") or ""
                f = fields(sample)
                if show.startswith("Flow sample"):
                    ip = {}
                    for p in sample.iter("proto"):
                        if p.get("name") == "ip" and not ip:
                            ip = fields(p)
                    l4 = {}
                    for p in sample.iter("proto"):
                        if p.get("name") in ("udp", "tcp") and not l4:
                            l4 = fields(p)
                    dport = l4.get("udp.dstport") or l4.get("tcp.dstport") or "-"
                    print("F", agent, sub, f.get("sflow.flow_sample.sampling_rate"),
                          f.get("sflow.flow_sample.sample_pool"), f.get("sflow.flow_sample.sequence_number"),
                          f.get("sflow.flow_sample.input_interface"),
                          f.get("sflow.flow_sample.output_interface_value"),
                          f.get("sflow_245.header.frame_length"), ip.get("ip.src", "-"), ip.get("ip.dst", "-"),
                          ip.get("ip.proto", "-"), dport)
                elif show.startswith("Counters sample"):
                    print("C", agent, sub, f.get("sflow_245.ifindex"), f.get("sflow_245.ifinpkt"),
                          f.get("sflow_245.ifinoct"), f.get("sflow_245.ifoutpkt"), f.get("sflow_245.ifoutoct"),
                          f.get("sflow_245.ifoper_status"))


if __name__ == "__main__":
    main()
