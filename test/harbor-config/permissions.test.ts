// The robot permissions the config accepts are exactly those Harbor 2.15.2 accepts (its table
// read from Harbor's source at the tag, test/fakes/harbor-permissions.ts): one Harbor lacks would
// pass preview and fail `up` with 400; one Harbor has but the config refuses blocks a valid robot.
import { expect } from "chai";
import { ROBOT_PERMISSIONS } from "../../config/schema/harbor-limits";
import { HARBOR_ROBOT_PERMISSIONS, harborAllowsRobotPermission } from "../fakes/harbor-permissions";
import { parseHarborConfiguration } from "../config/sections";

const LEVELS = ["system", "project"] as const;
const harbor = (level: (typeof LEVELS)[number]) =>
  Object.entries(HARBOR_ROBOT_PERMISSIONS[level]).flatMap(([r, actions]) => actions.map((a) => `${r}:${a}`));

/** Whether the config accepts a robot with `permission` at `level`. */
function configAccepts(level: (typeof LEVELS)[number], permission: string): boolean {
  const robot =
    level === "system"
      ? { name: "r", system: [permission] }
      : { name: "r", project: "apps", access: [permission] };
  try {
    parseHarborConfiguration({ projects: [{ name: "apps" }], robots: [robot] }, "prod");
    return true;
  } catch {
    return false;
  }
}

describe("robot permissions against Harbor 2.15.2's own table", () => {
  for (const level of LEVELS) {
    it(`${level}: the config accepts no permission Harbor refuses`, () => {
      const extra = ROBOT_PERMISSIONS[level].filter((p) => {
        const [resource, action] = p.split(":");
        return !harborAllowsRobotPermission(level, resource, action);
      });
      expect(extra).to.deep.equal([]);
    });

    it(`${level}: the config accepts every permission Harbor accepts`, () => {
      expect(harbor(level).filter((p) => !configAccepts(level, p))).to.deep.equal([]);
    });
  }

  it("Harbor's table refuses what Harbor's handler refuses (a level or pair it does not list)", () => {
    expect(harborAllowsRobotPermission("project", "repository", "copy")).to.equal(false);
    expect(harborAllowsRobotPermission("project", "audit-log", "list")).to.equal(false);
    expect(harborAllowsRobotPermission("cluster", "repository", "pull")).to.equal(false);
    expect(harborAllowsRobotPermission("project", "repository", "pull")).to.equal(true);
  });
});
