import { expect } from "chai";
import { readFileSync } from "node:fs";
import { parse } from "yaml";
import { duration } from "../../config/schema/define";
import { readLeaf } from "../config/read-leaf";
import { barmanRetention, goDurationNanos, goDurationSeconds } from "../../policy/concepts/duration";
import { TYPES } from "../../policy/lib/resources";
import { certificateLifetime } from "../../policy/policies/certificate-lifetime";
import { check, resource } from "../policy/helpers";
import { upstreamFile } from "../upstream";

// Go's own table for time.ParseDuration: parseDurationTests and parseDurationErrorTests in
// golang/go src/time/time_test.go (read at commit f7396aaea0297a2e95b502a4075b0aed6efda89f).
const S = 1_000_000_000n;
const MS = 1_000_000n;
const US = 1_000n;
const MIN = 60n * S;
const H = 60n * MIN;
const GO_VALID: readonly (readonly [string, bigint])[] = [
  ["0", 0n],
  ["5s", 5n * S],
  ["30s", 30n * S],
  ["1478s", 1478n * S],
  ["-5s", -5n * S],
  ["+5s", 5n * S],
  ["-0", 0n],
  ["+0", 0n],
  ["5.0s", 5n * S],
  ["5.6s", 5n * S + 600n * MS],
  ["5.s", 5n * S],
  [".5s", 500n * MS],
  ["1.0s", S],
  ["1.00s", S],
  ["1.004s", S + 4n * MS],
  ["1.0040s", S + 4n * MS],
  ["100.00100s", 100n * S + MS],
  ["10ns", 10n],
  ["11us", 11n * US],
  ["12\u00b5s", 12n * US],
  ["12\u03bcs", 12n * US],
  ["13ms", 13n * MS],
  ["14s", 14n * S],
  ["15m", 15n * MIN],
  ["16h", 16n * H],
  ["3h30m", 3n * H + 30n * MIN],
  ["10.5s4m", 4n * MIN + 10n * S + 500n * MS],
  ["-2m3.4s", -(2n * MIN + 3n * S + 400n * MS)],
  ["1h2m3s4ms5us6ns", H + 2n * MIN + 3n * S + 4n * MS + 5n * US + 6n],
  ["39h9m14.425s", 39n * H + 9n * MIN + 14n * S + 425n * MS],
  ["52763797000ns", 52763797000n],
  ["0.3333333333333333333h", 20n * MIN],
  ["9007199254740993ns", 2n ** 53n + 1n],
  ["9223372036854775807ns", 2n ** 63n - 1n],
  ["9223372036854775.807us", 2n ** 63n - 1n],
  ["9223372036s854ms775us807ns", 2n ** 63n - 1n],
  ["-9223372036854775808ns", -(2n ** 63n)],
  ["-9223372036854775.808us", -(2n ** 63n)],
  ["-9223372036s854ms775us808ns", -(2n ** 63n)],
  ["-2562047h47m16.854775808s", -(2n ** 63n)],
  ["0.100000000000000000000h", 6n * MIN],
  ["0.830103483285477580700h", 49n * MIN + 48n * S + 372539827n],
];
const GO_INVALID = [
  "",
  "3",
  "-",
  "s",
  ".",
  "-.",
  ".s",
  "+.s",
  "1d",
  "\x85\x85",
  "\xffff",
  "hello \xffff world",
  "\uFFFD",
  "\uFFFD hello \uFFFD world",
  "9223372036854775810ns",
  "9223372036854775808ns",
  "-9223372036854775809ns",
  "9223372036854776us",
  "3000000h",
  "9223372036854775.808us",
  "9223372036854ms775us808ns",
];

describe("concepts: Go durations (time.ParseDuration's own test table)", () => {
  it("reads every duration Go reads, to the nanosecond", () => {
    for (const [text, nanos] of GO_VALID) expect(goDurationNanos(text), text).to.equal(nanos);
  });
  it("refuses every text Go refuses", () => {
    for (const text of GO_INVALID) expect(goDurationNanos(text), JSON.stringify(text)).to.equal(undefined);
  });
});

/** Every `pattern` given for a `retentionPolicy` property anywhere in a pinned CRD. */
function retentionPatterns(folder: string, file: string): string[] {
  const out: string[] = [];
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) node.forEach(walk);
    else if (typeof node === "object" && node !== null) {
      for (const [k, v] of Object.entries(node)) {
        const pattern = (v as { pattern?: unknown } | null)?.pattern;
        if (k === "retentionPolicy" && typeof pattern === "string") out.push(pattern);
        walk(v);
      }
    }
  };
  walk(parse(readFileSync(upstreamFile(folder, file), "utf8")));
  return out;
}

describe("concepts: barman-cloud retention policies", () => {
  // The pinned CRDs: plugin-barman-cloud v0.14.0's ObjectStore (where the program sets it) and
  // CloudNativePG v1.30.0's Cluster (in-tree barmanObjectStore) carry the same pattern.
  const patterns = [
    ...retentionPatterns("plugin-barman-cloud-crds", "barmancloud.cnpg.io_objectstores.yaml"),
    ...retentionPatterns("cloudnative-pg-crds", "postgresql.cnpg.io_clusters.yaml"),
  ];
  it("accepts exactly what the CRDs' retentionPolicy pattern accepts", () => {
    expect(patterns).to.have.length.greaterThanOrEqual(2);
    const samples = [
      "30d",
      "4w",
      "3m",
      "1d",
      "365d",
      "0d",
      "07d",
      "30",
      "d",
      "30y",
      "30D",
      "30 d",
      " 30d",
      "30d ",
      "1h",
      "-1d",
      "1.5d",
    ];
    for (const pattern of patterns) {
      const crd = new RegExp(pattern);
      for (const text of samples)
        expect(barmanRetention(text) !== undefined, `${text} vs ${pattern}`).to.equal(crd.test(text));
    }
  });
});

describe("concepts: config and policy pack read a Go duration the same way", () => {
  it("the config accepts what Go reads and the earlier regex refused (fractions, milliseconds, repeated units)", () => {
    for (const [text, seconds] of [
      ["1.5h", 5400],
      ["719h59m60s", 720 * 3600],
      ["1h500ms", 3600.5],
    ] as const) {
      expect(readLeaf("uploadPurgeAge", duration(), text)).to.equal(text);
      expect(goDurationSeconds(text), text).to.equal(seconds);
    }
  });
  it("the config refuses what Go refuses, and zero", () => {
    for (const text of ["7 days", "1d", "0", "0s", "-1h", "h", ""]) {
      expect(() => readLeaf("uploadPurgeAge", duration(), text), text).to.throw(
        `harbor-platform:uploadPurgeAge = ${JSON.stringify(text)}: a positive duration like 24h, 30m or 1h30m`,
      );
    }
  });
  it("the certificate-lifetime policy reads cert-manager's duration with the same reader", async () => {
    const cm = (d: string) => resource(TYPES.certificate, { spec: { duration: d } });
    // 2160h as Go may print it; the earlier policy regex could not read the milliseconds form.
    expect(await check(certificateLifetime, [cm("2159h59m59s1000ms")])).to.deep.equal([]);
    expect(await check(certificateLifetime, [cm("90d")])).to.deep.equal([
      "cert-manager Certificate has no readable lifetime.",
    ]);
  });
});
