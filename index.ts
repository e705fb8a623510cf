// The program: read and validate the stack's config, then build the platform for it.
import { HarborPlatform } from "./components/platform";
import { mapOnlyProjectFrames, withShortStacks } from "./components/platform/stack-traces";
import { readStackConfig, readStackSecrets } from "./config/stack";

mapOnlyProjectFrames();
const config = readStackConfig();
const platform = withShortStacks(
  () => new HarborPlatform("harbor-platform", { config, secrets: readStackSecrets(config) }),
);

export const harborUrl = platform.url;
export const adminUsername = platform.adminUsername;
export const adminPassword = platform.adminPassword;
/** PEM of the project's root CA: put it in /etc/docker/certs.d/<host>/ca.crt. */
export const caCert = platform.caCert;
/** Robot account secrets by robot (`<project>+<name>`); read with --show-secrets. */
export const robotSecrets = platform.harborConfiguration.robotSecrets;
/** Harbor's full robot user names (`robot$...`), the user CI logs in with. */
export const robotNames = platform.harborConfiguration.robotNames;
/**
 * When each robot expires (`never`, or RFC 3339), from when RobotExpiringSoon fires, and with
 * rotateEveryDays the day from which the next `pulumi up` creates it again.
 */
export const robotExpiry = platform.harborConfiguration.robotExpiry;
/** Where DR and monitoring plug in (prod): namespaces, object store URL, buckets, secrets. */
export const prod = platform.prod;
/**
 * Dev: expiry of Harbor's server certificate. Nothing in the cluster renews it: run `pulumi up`
 * within `renewalDays` of `notAfter` (docs/observability.md, "Certificate expiry").
 */
export const serverCertificate = platform.serverCertificate;
