// Guarded upgrades, shaped from the typed keys: the chart version (checked against Harbor's
// upgrade rule for what a target alone can be judged on; the jump from the deployed version is the
// upgrade gate's), the pre-upgrade backup's time limit and what the smoke test pulls.
import { goDurationSeconds } from "../policy/concepts/duration";
import { harborVersionOfChart, upgradeVerdict } from "../components/harbor/upgrade-path";
import { charts } from "../versions";
import type { HarborConfigurationSpec } from "./harbor-config";
import type { Topology } from "./schema/define";
import { ConfigError } from "./validate";

export interface SmokeTestSettings {
  /** A proxy-cache project and the image the smoke test pulls through it (none declared: no proxy pull). */
  readonly proxy?: { readonly project: string; readonly image: string };
}

export interface UpgradeSettings {
  /** The Harbor chart version to deploy. */
  readonly chartVersion: string;
  /** The Harbor release that chart ships (its images' tag without the `v`). */
  readonly harborVersion: string;
  /** Whether it is the chart version this project pins and verifies (versions/index.ts). */
  readonly verified: boolean;
  readonly backupTimeoutSeconds: number;
  /** Absent: no smoke test. */
  readonly smokeTest?: SmokeTestSettings;
  /** Dev: size of the volume the pre-upgrade database dumps go to. */
  readonly dumpStorageSize?: string;
}

export interface UpgradeInput {
  readonly chartVersion?: string;
  readonly backupTimeout?: string;
  readonly smokeTest?: boolean;
  readonly smokeProxyImage?: string;
  readonly dumpStorageSize?: string;
}

export const UPGRADE_DEFAULTS = {
  backupTimeout: "2h",
  smokeProxyImage: "library/hello-world:latest",
  dumpStorageSize: "10Gi",
} as const;

export function parseUpgrade(
  input: UpgradeInput,
  topology: Topology,
  harborConfig: HarborConfigurationSpec,
  /** `mirror.registry`, when images come from the site's mirror. */
  mirrorRegistry?: string,
): UpgradeSettings {
  const chartVersion = input.chartVersion ?? charts.harbor.version;
  // What the target alone decides (its Harbor release, known-bad, a documented path to it).
  const verdict = upgradeVerdict(undefined, chartVersion);
  if (!verdict.ok) throw new ConfigError("harborChartVersion", chartVersion, verdict.reason);
  // The mirror holds the pin's images (versions/inventory.ts); another chart's image names are
  // not known here (its values.yaml is unchecked), so its pods could not be sent to the mirror.
  if (mirrorRegistry !== undefined && chartVersion !== charts.harbor.version)
    throw new ConfigError(
      "harborChartVersion",
      chartVersion,
      `the pinned ${charts.harbor.version} while mirror.registry is set: the mirror holds the pinned chart's images; move the pin (versions/) to upgrade an air-gapped site`,
    );
  if (topology === "prod" && input.dumpStorageSize !== undefined)
    throw new ConfigError(
      "harborUpgrade.dumpStorageSize",
      input.dumpStorageSize,
      "only used by topology dev; prod backs up with CloudNativePG",
    );
  const proxyProject = harborConfig.projects.find((p) => p.proxyCacheRegistry !== undefined);
  if (input.smokeProxyImage !== undefined && (!proxyProject || input.smokeTest === false))
    throw new ConfigError(
      "harborUpgrade.smokeProxyImage",
      input.smokeProxyImage,
      "only used by the smoke test with a proxy-cache project declared in harborConfig.projects",
    );
  return {
    chartVersion,
    harborVersion: harborVersionOfChart(chartVersion) as string,
    verified: chartVersion === charts.harbor.version,
    backupTimeoutSeconds: goDurationSeconds(input.backupTimeout ?? UPGRADE_DEFAULTS.backupTimeout) as number,
    ...(input.smokeTest === false
      ? {}
      : {
          smokeTest: proxyProject
            ? {
                proxy: {
                  project: proxyProject.name,
                  image: input.smokeProxyImage ?? UPGRADE_DEFAULTS.smokeProxyImage,
                },
              }
            : {},
        }),
    ...(topology === "dev"
      ? { dumpStorageSize: input.dumpStorageSize ?? UPGRADE_DEFAULTS.dumpStorageSize }
      : {}),
  };
}

/** The warning a chart version outside the verified pin is deployed with (undefined for the pin). */
export function unverifiedChartWarning(
  u: Pick<UpgradeSettings, "chartVersion" | "verified">,
): string | undefined {
  if (u.verified) return undefined;
  return (
    `harborChartVersion ${u.chartVersion} is outside the verified set (${charts.harbor.version}): ` +
    `its values are not checked against that chart's values.yaml; the pre-upgrade backup and the smoke test still run`
  );
}
