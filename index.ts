// The program: read and validate the stack's config, then build the platform for it.
import { HarborPlatform } from "./components/platform";
import { readStackConfig } from "./config/stack";

const platform = new HarborPlatform("harbor-platform", { config: readStackConfig() });

export const harborUrl = platform.url;
export const adminUsername = platform.adminUsername;
export const adminPassword = platform.adminPassword;
/** PEM of the project's root CA: put it in /etc/docker/certs.d/<host>/ca.crt. */
export const caCert = platform.caCert;
