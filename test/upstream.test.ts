// The suite's one resolver for upstream data (test/upstream.ts): its order and its errors, on
// throwaway checkouts so the real ../shared and cache do not decide the outcome.
import { expect } from "chai";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CACHE_FOLDER, ENV_VAR, locateUpstream, siblingUpstream, upstreamFile } from "./upstream";

describe("upstream resolver", () => {
  let tmp: string;
  let checkout: string;
  beforeEach(() => {
    tmp = mkdtempSync(join(tmpdir(), "upstream-"));
    checkout = join(tmp, "checkout");
    mkdirSync(checkout);
  });
  afterEach(() => rmSync(tmp, { recursive: true, force: true }));

  it("prefers $HARBOR_PLATFORM_UPSTREAM, then the shared folder beside the checkout, then the fetched cache", () => {
    const explicit = join(tmp, "explicit");
    const shared = siblingUpstream(checkout);
    expect(shared.startsWith(tmp), "the sibling folder is outside the checkout, beside it").to.equal(true);
    const cache = join(checkout, CACHE_FOLDER);
    for (const dir of [explicit, shared, cache]) mkdirSync(dir, { recursive: true });
    expect(locateUpstream(checkout, { [ENV_VAR]: explicit })).to.equal(explicit);
    expect(locateUpstream(checkout, {})).to.equal(shared);
    rmSync(shared, { recursive: true });
    expect(locateUpstream(checkout, {})).to.equal(cache);
  });

  it("names every place and the fetch script when nothing is there", () => {
    expect(() => locateUpstream(checkout, {})).to.throw(
      /HARBOR_PLATFORM_UPSTREAM \(unset\)[\s\S]*shared[\s\S]*\.upstream-cache[\s\S]*fetch-upstream\.mjs/,
    );
  });

  it("refuses an explicit directory that does not exist instead of falling back", () => {
    mkdirSync(join(checkout, CACHE_FOLDER));
    expect(() => locateUpstream(checkout, { [ENV_VAR]: join(tmp, "typo") })).to.throw(
      /\$HARBOR_PLATFORM_UPSTREAM points at a missing directory/,
    );
  });

  it("gives a file's path, and names a missing file", () => {
    expect(upstreamFile("harbor-api", "swagger-v2.15.2.yaml")).to.match(
      /harbor-api\/swagger-v2\.15\.2\.yaml$/,
    );
    expect(() => upstreamFile("harbor-api", "swagger-v0.yaml")).to.throw(
      /harbor-api\/swagger-v0\.yaml is missing/,
    );
  });
});
