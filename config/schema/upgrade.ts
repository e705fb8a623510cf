// Keys of guarded Harbor upgrades: which chart version runs, how long the pre-upgrade backup may
// take, and what the smoke test after an upgrade pulls. The upgrade path itself is checked by the
// upgrade gate against the deployed version (components/harbor/upgrade.ts).
import { charts } from "../../versions";
import { boolean, duration, key, pattern, section, size } from "./define";

const GROUP = "Upgrades";

/** An image reference inside a proxy-cache project: `library/hello-world:latest`. */
const IMAGE_REF =
  /^[a-z0-9]+(?:[._-][a-z0-9]+)*(?:\/[a-z0-9]+(?:[._-][a-z0-9]+)*)*:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;

export const UPGRADE_KEYS = {
  harborChartVersion: key({
    schema: pattern(/^\d+\.\d+\.\d+$/, "a Harbor chart version like 1.19.2"),
    doc: "Harbor chart version to deploy; a version other than the verified pin is deployed with a warning, known-bad versions and jumps outside Harbor's upgrade path are refused.",
    group: GROUP,
    defaultText: { dev: `${charts.harbor.version} (the pin)`, prod: `${charts.harbor.version} (the pin)` },
  }),
  harborUpgrade: key({
    schema: section({
      backupTimeout: duration()
        .optional()
        .meta({ doc: "how long the pre-upgrade backup may take before the up fails", defaultText: "2h" }),
      smokeTest: boolean()
        .optional()
        .meta({ doc: "run the smoke-test Job after each new chart version", defaultText: "true" }),
      smokeProxyImage: pattern(
        IMAGE_REF,
        "an image path and tag inside the proxy cache, like library/hello-world:latest",
      )
        .optional()
        .meta({
          doc: "image the smoke test pulls through the first proxy-cache project",
          defaultText: "library/hello-world:latest",
        }),
      dumpStorageSize: size()
        .optional()
        .meta({ doc: "dev: size of the volume the pre-upgrade database dumps go to", defaultText: "10Gi" }),
    }),
    doc: "Guarded upgrades: the pre-upgrade backup's time limit, the smoke test, dev's dump volume.",
    group: GROUP,
    defaults: { dev: {}, prod: {} },
  }),
} as const;
