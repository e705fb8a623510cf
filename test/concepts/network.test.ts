import { expect } from "chai";
import { parseConfig } from "../../config";
import { parseCidr, parseHostPort, parseIp } from "../../policy/concepts/network";
import { stackConfig } from "../harness";
import { parseHarborConfiguration, syslogEndpoint } from "../config/sections";

// Upstream truth: Go's own table for net.ParseIP (golang/go src/net/ip_test.go, parseIPTests,
// Go 1.17 and later: no leading zeros, no zones), the reader of every address this project hands
// to a Go program (Kubernetes, Harbor).
const GO_VALID = [
  "127.0.1.2",
  "127.0.0.1",
  "::ffff:127.1.2.3",
  "::ffff:7f01:0203",
  "0:0:0:0:0000:ffff:127.1.2.3",
  "0:0:0:0::ffff:127.1.2.3",
  "2001:4860:0:2001::68",
  "2001:4860:0000:2001:0000:0000:0000:0068",
];
const GO_INVALID = [
  "-0.0.0.0",
  "0.-1.0.0",
  "0.0.-2.0",
  "0.0.0.-3",
  "127.0.0.256",
  "abc",
  "123:",
  "fe80::1%lo0",
  "fe80::1%911",
  "",
  "0:0:0:0:000000:ffff:127.1.2.3",
  "0:0:0:0:00000:ffff:127.1.2.3",
  "a1:a2:a3:a4::b1:b2:b3:b4",
  "127.001.002.003",
  "::ffff:127.001.002.003",
  "123.000.000.000",
  "1.2..4",
  "0123.0.0.1",
];

describe("concepts: IP addresses, CIDRs and host:port", () => {
  it("reads every address Go's ParseIP reads", () => {
    for (const text of GO_VALID) expect(parseIp(text), text).to.not.equal(undefined);
  });
  it("refuses every address Go's ParseIP refuses", () => {
    for (const text of GO_INVALID) expect(parseIp(text), JSON.stringify(text)).to.equal(undefined);
  });
  it("a CIDR: a Go address, a prefix within its family, no address bits beyond the prefix", () => {
    expect(parseCidr("10.0.0.1/32")).to.deep.equal({ kind: "ipv4", address: "10.0.0.1", prefix: 32 });
    expect(parseCidr("2001:db8::/32")).to.deep.equal({ kind: "ipv6", address: "2001:db8::", prefix: 32 });
    expect(parseCidr("1.2.3.4/33")).to.deep.equal({ error: "prefix /33 is too long for ipv4" });
    expect(parseCidr("10.0.0.1/24")).to.deep.equal({
      error: "address bits beyond the prefix are set; the network is 10.0.0.0/24",
    });
    for (const text of [
      "999.1.1.1/32",
      "10.0.0.1",
      "10.1/16",
      "010.0.0.1/32",
      "10.0.0.0/08",
      "fe80::1%eth0/64",
    ]) {
      expect(parseCidr(text), text).to.have.property("error");
    }
  });
  it("host:port as Go's SplitHostPort reads it, IPv6 in brackets", () => {
    expect(parseHostPort("[2001:db8::1]:6514")).to.deep.equal({ host: "2001:db8::1", port: 6514 });
    expect(parseHostPort("syslog.example.com:514")).to.deep.equal({ host: "syslog.example.com", port: 514 });
    for (const text of ["::1:514", "[::1]", "host:0", "host:65536", "tcp://x:1", "1.2.3:514", "a_b:514"]) {
      expect(parseHostPort(text), text).to.equal(undefined);
    }
  });

  describe("the config reads them through the same code", () => {
    it("an IPv6 syslog endpoint: auditLogSyslog accepted it, harborConfig.settings refused it; both accept it now", () => {
      expect(syslogEndpoint("auditLogSyslog", "[2001:db8::1]:514").host).to.equal("2001:db8::1");
      const spec = parseHarborConfiguration(
        { settings: { auditLogForwardEndpoint: "[2001:db8::1]:514" } },
        "dev",
      );
      expect(spec.settings.auditLogForwardEndpoint).to.equal("[2001:db8::1]:514");
      expect(() =>
        parseHarborConfiguration({ settings: { auditLogForwardEndpoint: "tcp://syslog:514" } }, "dev"),
      ).to.throw(
        'harbor-platform:harborConfig.settings.auditLogForwardEndpoint = "tcp://syslog:514": host:port, like syslog.example.com:514 (port 1-65535, no scheme)',
      );
    });
    it("API server CIDRs that only looked right are refused with the key", () => {
      const netpol = (apiServerCidrs: string[]) =>
        parseConfig(stackConfig("prod", { networkPolicy: { apiServerCidrs } })).networkPolicy;
      const cidrs = (apiServerCidrs: string[]) => () => netpol(apiServerCidrs);
      expect(cidrs(["999.0.0.1/32"])).to.throw(
        'harbor-platform:networkPolicy.apiServerCidrs[0] = "999.0.0.1/32": a CIDR like 10.0.0.1/32',
      );
      expect(cidrs(["10.0.0.1/33"])).to.throw("; prefix /33 is too long for ipv4");
      expect(cidrs(["10.0.0.5/24"])).to.throw("the network is 10.0.0.0/24");
      expect(cidrs(["::/0"])).to.throw(/not every address$/);
      expect(netpol(["10.0.0.1/32", "fd00::/8"]).apiServerCidrs).to.deep.equal(["10.0.0.1/32", "fd00::/8"]);
    });
  });
});
