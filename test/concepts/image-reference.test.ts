// Image references as the container runtime reads them, held to distribution/reference
// v0.6.0's own test cases (reference_test.go TestReferenceParse, normalize.go splitDockerDomain).
import { expect } from "chai";
import { parseImageReference } from "../../policy/concepts/image-reference";

const SHA256 = `sha256:${"f".repeat(64)}`;

describe("image references (distribution/reference v0.6.0)", () => {
  // reference_test.go TestReferenceParse at v0.6.0: name (domain/path), tag and digest.
  const valid: readonly (readonly [string, string, string?, string?])[] = [
    ["test_com", "test_com"],
    ["test.com:tag", "test.com", "tag"],
    ["test.com:5000", "test.com", "5000"],
    ["test.com/repo:tag", "test.com/repo", "tag"],
    ["test:5000/repo", "test:5000/repo"],
    [`test:5000/repo:tag@${SHA256}`, "test:5000/repo", "tag", SHA256],
    ["lowercase:Uppercase", "lowercase", "Uppercase"],
    [`${"a/".repeat(127)}a:tag-puts-this-over-max`, `${"a/".repeat(127)}a`, "tag-puts-this-over-max"],
    [
      "b.gcr.io/test.example.com/my-app:test.example.com",
      "b.gcr.io/test.example.com/my-app",
      "test.example.com",
    ],
    ["foo/foo_bar.com:8080", "foo/foo_bar.com", "8080"],
    ["192.168.1.1:5000/repo:5050", "192.168.1.1:5000/repo", "5050"],
    ["[2001:db8::1]:5000/repo:tag", "[2001:db8::1]:5000/repo", "tag"],
    [`example.com/${"a".repeat(255)}:tag`, `example.com/${"a".repeat(255)}`, "tag"],
  ];
  for (const [input, name, tag, digest] of valid)
    it(`reads ${input.length > 60 ? `${input.slice(0, 40)}...` : input}`, () => {
      const ref = parseImageReference(input);
      expect(ref, input).to.not.equal(undefined);
      expect([ref?.domain, ref?.path].filter(Boolean).join("/")).to.equal(name);
      expect(ref?.tag).to.equal(tag);
      expect(ref?.digest).to.equal(digest);
    });

  it("refuses what reference_test.go refuses (format, case, length, digest)", () => {
    for (const input of [
      "",
      ":justtag",
      `@${SHA256}`,
      "repo@sha256:ffffffffffffffffffffffffffffffffff",
      `validname@invaliddigest:${"f".repeat(64)}`,
      `validname@constructor:${"f".repeat(64)}`,
      "Uppercase:tag",
      "test:5000/Uppercase/lowercase:tag",
      `domain/${"a".repeat(256)}:tag`,
      "aa/asdf$$^/aa",
      "[2001:db8::1]:5000",
      "[fe80::1%eth0]:5000/repo",
    ])
      expect(parseImageReference(input), input).to.equal(undefined);
  });

  it("takes the registry off only where splitDockerDomain does (normalize.go)", () => {
    expect(parseImageReference("quay.io/minio/mc")?.domain).to.equal("quay.io");
    expect(parseImageReference("localhost/x")?.domain).to.equal("localhost");
    expect(parseImageReference("registry:5000/x")?.domain).to.equal("registry:5000");
    expect(parseImageReference("bitnami/redis:7")?.domain).to.equal(undefined);
    expect(parseImageReference("bitnami/redis:7")?.path).to.equal("bitnami/redis");
  });
});
