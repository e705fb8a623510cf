// The program: read and validate the stack's config, then build the platform for it.
import * as pulumi from "@pulumi/pulumi";
import { HarborPlatform } from "./components/platform";
import { OBJECT_STORE_SECRET_KEYS } from "./config";
import { readStackConfig } from "./config/stack";

const config = readStackConfig();
const stackConfig = new pulumi.Config();
const platform = new HarborPlatform("harbor-platform", {
  config,
  // An external S3's keys come from secret config (validated as present by parseConfig).
  ...(config.prod?.objectStore.mode === "external"
    ? {
        objectStoreCredentials: {
          accessKey: stackConfig.requireSecret(OBJECT_STORE_SECRET_KEYS.accessKey),
          secretKey: stackConfig.requireSecret(OBJECT_STORE_SECRET_KEYS.secretKey),
        },
      }
    : {}),
});

export const harborUrl = platform.url;
export const adminUsername = platform.adminUsername;
export const adminPassword = platform.adminPassword;
/** PEM of the project's root CA: put it in /etc/docker/certs.d/<host>/ca.crt. */
export const caCert = platform.caCert;
/** Where DR and monitoring plug in (prod): namespaces, object store URL, buckets, secrets. */
export const prod = platform.prod;
