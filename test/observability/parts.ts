// Every part the prod topology monitors, as the platform names them: shared by the alert and
// dashboard tests.
import type { MonitoredParts } from "../../components/monitoring";

export const PROD_PARTS: MonitoredParts = {
  harborNamespace: "harbor",
  database: { namespace: "harbor-db", cluster: "harbor-db" },
  redis: { namespace: "harbor-redis" },
  minio: { namespace: "minio", drMirror: true },
  velero: { namespace: "velero" },
  fluentBit: { namespace: "logging" },
  certManager: { namespace: "cert-manager" },
  drills: {
    cronJobs: [
      { namespace: "harbor-dr-drill", name: "dr-restore-drill" },
      { namespace: "minio", name: "dr-blob-drill" },
    ],
    maxAgeSeconds: 28 * 3600,
  },
};
