import { expect } from "chai";
import { bytesOf } from "../../config/validate";
import { size } from "../../config/schema/define";
import { readLeaf } from "../config/read-leaf";
import { parseQuantity, quantityBytes, wholeQuantity } from "../../policy/concepts/quantity";
import { parseHarborConfiguration } from "../config/sections";

/** The bytes the config gives Harbor as a project's quota for `value`. */
const quota = (value: unknown): number =>
  parseHarborConfiguration({ projects: [{ name: "apps", quota: value }] }, "dev").projects[0].quotaBytes;

// Upstream truth: k8s.io/apimachinery v0.36.3 pkg/api/resource/quantity_test.go, TestQuantityParse:
// every input of its table parses, every input of its `invalid` list does not, and the whole
// values below are the table's expectations (decQuantity(mantissa, exponent) = mantissa * 10^exponent).
const K8S_VALID = [
  "0",
  "0n",
  "0u",
  "0m",
  "0Ki",
  "0k",
  "0Mi",
  "0M",
  "0Gi",
  "0G",
  "0Ti",
  "0T",
  "1",
  "1Ki",
  "8Ki",
  "7Mi",
  "6Gi",
  "5Ti",
  "4Pi",
  "3Ei",
  "10Ti",
  "100Ti",
  "5n",
  "4u",
  "3m",
  "9",
  "8k",
  "50k",
  "7M",
  "6G",
  "5T",
  "40T",
  "300T",
  "2P",
  "1E",
  "1E-3",
  "1e3",
  "1E6",
  "1e9",
  "1E12",
  "1e15",
  "1E18",
  "1e14",
  "1e13",
  "100.035k",
  "0.001",
  "0.0005k",
  "0.005",
  "0.05",
  "0.5",
  "0.00050k",
  "0.00500",
  "0.05000",
  "0.50000",
  "0.5e0",
  "0.5e-1",
  "0.5e-2",
  "10.035M",
  "1.2e3",
  "1.3E+6",
  "1.40e9",
  "1.53E12",
  "1.6e15",
  "1.7E18",
  "9.01",
  "8.1k",
  "7.123456M",
  "6.987654321G",
  "5.444T",
  "40.1T",
  "300.2T",
  "2.5P",
  "1.01E",
  "3.001n",
  "1.1E-9",
  "0.0000000001",
  "0.0000000005",
  "0.00000000050",
  "0.5e-9",
  "0.9n",
  "0.00000012345",
  "0.00000012354",
  "9Ei",
  "9223372036854775807Ki",
  "12E",
  "100.035Ki",
  "0.5Mi",
  "0.05Gi",
  "0.025Ti",
  "0.000000000001Ki",
  ".001",
  ".0001k",
  "1.",
  "1.G",
];
const K8S_INVALID = [
  "",
  "1.1.M",
  "1+1.0M",
  "0.1mi",
  "0.1am",
  "aoeu",
  ".5i",
  "1i",
  "-3.01i",
  "-3.01e-",
  " 1",
  "1 ",
];
const K8S_WHOLE: readonly (readonly [string, bigint])[] = [
  ["1Ki", 1024n],
  ["8Ki", 8n * 1024n],
  ["7Mi", 7n * 1024n ** 2n],
  ["6Gi", 6n * 1024n ** 3n],
  ["5Ti", 5n * 1024n ** 4n],
  ["4Pi", 4n * 1024n ** 5n],
  ["3Ei", 3n * 1024n ** 6n],
  ["8k", 8n * 10n ** 3n],
  ["50k", 5n * 10n ** 4n],
  ["300T", 3n * 10n ** 14n],
  ["1E", 10n ** 18n],
  ["1E18", 10n ** 18n],
  ["100.035k", 100035n],
  ["10.035M", 10035n * 10n ** 3n],
  ["1.3E+6", 13n * 10n ** 5n],
  ["1.53E12", 153n * 10n ** 10n],
  ["6.987654321G", 6987654321n],
  ["1.01E", 101n * 10n ** 16n],
  ["0.5Mi", 524288n],
  ["1.G", 10n ** 9n],
];

describe("concepts: Kubernetes quantities (apimachinery's TestQuantityParse)", () => {
  it("parses every quantity apimachinery parses", () => {
    for (const text of K8S_VALID) expect(parseQuantity(text), text).to.not.equal(undefined);
  });
  it("refuses every quantity apimachinery refuses", () => {
    for (const text of K8S_INVALID) expect(parseQuantity(text), JSON.stringify(text)).to.equal(undefined);
  });
  it("has apimachinery's value for each whole quantity of the table", () => {
    for (const [text, value] of K8S_WHOLE) {
      const q = parseQuantity(text);
      expect(q && wholeQuantity(q), text).to.equal(value);
    }
  });
  it("a fraction is no count of bytes: milli-units, 100.035Ki, nano", () => {
    for (const text of ["3m", "5n", "100.035Ki", "0.5", "1E-3"])
      expect(quantityBytes(text), text).to.equal(undefined);
  });
});

describe("concepts: sizes in the config and Harbor quotas read the same quantity", () => {
  it("a volume size of 10m (ten thousandths of a byte) is refused with the key", () => {
    expect(() => readLeaf("registryStorageSize", size(), "10m")).to.throw(
      'harbor-platform:registryStorageSize = "10m": a positive size in whole bytes (a Kubernetes quantity), like 512Mi, 10Gi or 500G',
    );
  });
  it("decimal and fractional forms Kubernetes reads are accepted, with the same bytes everywhere", () => {
    for (const [text, bytes] of [
      ["500G", 500e9],
      ["1.5Gi", 1.5 * 2 ** 30],
      ["2Ti", 2 * 2 ** 40],
    ] as const) {
      expect(readLeaf("registryStorageSize", size(), text)).to.equal(text);
      expect(bytesOf(text), text).to.equal(bytes);
      expect(quota(text), text).to.equal(bytes);
    }
    expect(quota("1024")).to.equal(1024);
    // 0 is Harbor's "default quota" on create, and unlimited to the quota policies: refused.
    expect(() => quota(0)).to.throw("the mandatory policy harbor-project-quota refuses 0");
  });
});
