// The README's list of what an air-gapped site's mirror must hold is generated from versions/
// and stays in sync with it, and covers every image the mirrored stacks pull.
import * as fs from "fs";
import * as path from "path";
import { expect } from "chai";
import { imageInventory, inventoryMarkdown } from "../../versions/inventory";
import { ROOT, evaluateStack } from "../harness";
import { MIRROR_REGISTRY, MIRRORED_STACKS, programImages } from "./stacks";

const START = "<!-- mirror-inventory:start -->";
const END = "<!-- mirror-inventory:end -->";

describe("mirror: the README's inventory", () => {
  it("is what versions/ generates (paste inventoryMarkdown() between the markers after a bump)", () => {
    const readme = fs.readFileSync(path.join(ROOT, "README.md"), "utf8");
    const start = readme.indexOf(START);
    const end = readme.indexOf(END);
    expect(start, "README.md has the inventory markers").to.be.greaterThan(-1);
    expect(readme.slice(start + START.length, end).trim()).to.equal(inventoryMarkdown());
  });

  it("lists every image the mirrored stacks' own pods pull, as needed", async () => {
    const needed = new Set(
      imageInventory()
        .filter((i) => i.needed)
        .map((i) => `${MIRROR_REGISTRY}/${i.ref}`),
    );
    for (const [, stack, overrides] of MIRRORED_STACKS)
      for (const { where, image } of programImages(await evaluateStack(stack, overrides())))
        expect(needed.has(image), `${where}: ${image}`).to.equal(true);
  });
});
