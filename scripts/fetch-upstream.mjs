// Fills <repo>/.upstream-cache (or the folder given as the first argument) with the same
// pinned upstream files as ../shared/upstream, for a checkout without that folder. Each file is
// downloaded from raw.githubusercontent.com at the pinned commit (never a moving tag) and its
// sha256 must match the one recorded in that folder's SOURCE.md; a mismatch aborts.
// Usage: node scripts/fetch-upstream.mjs [targetDir]
// Then: npx mocha (the suite finds the cache) or HARBOR_PLATFORM_UPSTREAM=<targetDir> npx mocha.
import { Buffer } from "node:buffer";
import { createHash } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath, URL } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const target = resolve(process.argv[2] ?? join(root, ".upstream-cache"));

// folder -> where its files come from. `chartVersion` is written into SOURCE.md only where the
// folder has no Chart.yaml (cert-manager's Chart.yaml in git is a `v0.0.0` template).
const SOURCES = {
  "harbor-helm": {
    repo: "goharbor/harbor-helm",
    commit: "d84cec3387c2c223786b467afde9fa38db40fa33",
    files: {
      "values.yaml": ["values.yaml", "7c90bba6db110a663be1b9a9109407af335f185da4b241a02c6b6140fc23ee6e"],
      "Chart.yaml": ["Chart.yaml", "03005472f5c9a64059fb071433b83a6f4e5b18a073a625cc6c6d0602760f6562"],
    },
  },
  "harbor-api": {
    repo: "goharbor/harbor",
    commit: "080b0220574cc853ae1e2946ce7a5610ba855757",
    files: {
      "swagger-v2.15.2.yaml": [
        "api/v2.0/swagger.yaml",
        "9be2b505d4c6baba40e6d646eac2b0aa4ff11f938727ae1eaa491ca01ebf71c7",
      ],
    },
  },
  "harbor-api/main": {
    // Same folder, second file: the unreleased main spec, kept for comparison only.
    folder: "harbor-api",
    repo: "goharbor/harbor",
    commit: "c50c7ddd6ea4e335a480b49c618281882ab7eec9",
    files: {
      "swagger.yaml": [
        "api/v2.0/swagger.yaml",
        "dea3b3f6cfc225acb569019904218f30032a6fdf4331c86e372bc53198fab840",
      ],
    },
  },
  "cert-manager-chart": {
    repo: "cert-manager/cert-manager",
    commit: "24e33194fb39488eff2bbf10c6dc640f407cad44",
    chartVersion: "v1.21.1",
    files: {
      "values.yaml": [
        "deploy/charts/cert-manager/values.yaml",
        "4d818a0facf6c8462fcd316f40bcc1c693f3a4aa0a2ad445bf4c54fa950203cf",
      ],
      "values.schema.json": [
        "deploy/charts/cert-manager/values.schema.json",
        "47730ad9154f6cde7a081de7541f88e085ff92a5e5fd65a41a3d0223ff735bea",
      ],
    },
  },
  "cloudnative-pg-chart": {
    repo: "cloudnative-pg/charts",
    commit: "d1b5ad60cee2d9432a9cc05627b42a8d8dc7bbae",
    files: {
      "values.yaml": [
        "charts/cloudnative-pg/values.yaml",
        "ace42f8958c68f4efe085963bb1c9bf190de317b3ffb330a10f67713993e7874",
      ],
      "values.schema.json": [
        "charts/cloudnative-pg/values.schema.json",
        "b9fd2c036e961aee3ff1d58b9bdbfb3bf03d5b65f9360d8cff6a79e523683418",
      ],
      "Chart.yaml": [
        "charts/cloudnative-pg/Chart.yaml",
        "aa3a9759ec55837559f49228e2987517207458fc4d1d9f3f69ad20e9a05a62c4",
      ],
    },
  },
  "cloudnative-pg-crds": {
    repo: "cloudnative-pg/cloudnative-pg",
    commit: "4b5e244a7d031f67e025c83c1555e7726ecbbfa1",
    files: {
      "postgresql.cnpg.io_clusters.yaml": [
        "config/crd/bases/postgresql.cnpg.io_clusters.yaml",
        "ae47f4a00f6e998faef57e480f9a3960cd48ea16a79270861fc7442601507472",
      ],
      "postgresql.cnpg.io_backups.yaml": [
        "config/crd/bases/postgresql.cnpg.io_backups.yaml",
        "694bafce2eda4603629657c2141a89189c15250c74215002a6987538d3d78ff5",
      ],
      "postgresql.cnpg.io_scheduledbackups.yaml": [
        "config/crd/bases/postgresql.cnpg.io_scheduledbackups.yaml",
        "1dffb969a92ed6b09abe59d9c848ff97c6646c7824e75f8e0b8379df8473a145",
      ],
      "postgresql.cnpg.io_poolers.yaml": [
        "config/crd/bases/postgresql.cnpg.io_poolers.yaml",
        "9e0dad05355f72dceb154a12b43ebe8a410d470133ad228bf711c1fdee221124",
      ],
    },
  },
  "plugin-barman-cloud-chart": {
    repo: "cloudnative-pg/charts",
    commit: "83bd9c59514cb7ff3692049d85ba604dcb458700",
    files: {
      "values.yaml": [
        "charts/plugin-barman-cloud/values.yaml",
        "98213f09b95248f5201bbbde198d37d0c94d8b9d8fddf30139b6cb3d70083927",
      ],
      "values.schema.json": [
        "charts/plugin-barman-cloud/values.schema.json",
        "f06f753fb236f59c5e0b17ef9de5fd93b47c502940a26d2454bce90773167d09",
      ],
      "Chart.yaml": [
        "charts/plugin-barman-cloud/Chart.yaml",
        "b8b398b6a3d972645d2c48158c180f865e0163ea606714e157d78128ce477138",
      ],
    },
  },
  "plugin-barman-cloud-crds": {
    repo: "cloudnative-pg/plugin-barman-cloud",
    commit: "1e13020fe5f09fd8fc29ea03828f7b61375b3721",
    files: {
      "barmancloud.cnpg.io_objectstores.yaml": [
        "config/crd/bases/barmancloud.cnpg.io_objectstores.yaml",
        "7c98720494253421339acd03aa77487869326ea20d4768a0c3aef8ff076daaef",
      ],
    },
  },
  "redis-ha-chart": {
    repo: "DandyDeveloper/charts",
    commit: "6224454507be15acba7a619c33fa6148a06bcf85",
    files: {
      "values.yaml": [
        "charts/redis-ha/values.yaml",
        "c8ecbee2b0f16f90b51c31a7bf8e758848d6b5528e3f6400913deb033d24383e",
      ],
      "Chart.yaml": [
        "charts/redis-ha/Chart.yaml",
        "be1f33de59f517d9b7261f50457e093f022a5b080d7db61ce79733c0bfbdaeaa",
      ],
    },
  },
  "minio-community-chart": {
    repo: "minio/minio",
    commit: "7aac2a2c5b7c882e68c1ce017d8256be2feea27f",
    files: {
      "values.yaml": [
        "helm/minio/values.yaml",
        "7e3d091aad68a8fef62ef3b3322f9573d9595509f7cf95ec05c1293467d931cf",
      ],
      "Chart.yaml": [
        "helm/minio/Chart.yaml",
        "c18f12e78c1a0ea9ae19d7086d40e77d234d1b8b514ae3fa4829f86f92a3d8e5",
      ],
    },
  },
  "velero-chart": {
    repo: "vmware-tanzu/helm-charts",
    commit: "73466ca986bbfe34dbd5c30bbf7d62d545d634a2",
    files: {
      "values.yaml": [
        "charts/velero/values.yaml",
        "cddd350f3fdcdf8f08d77b8a3f9b9b41436fc4a3bf4bde5911ae5b78cb922d72",
      ],
      "values.schema.json": [
        "charts/velero/values.schema.json",
        "3ea8040262a908a733bb5763f0810e1aeefbe422b6c6127fe248b9a1a48c7dd3",
      ],
      "Chart.yaml": [
        "charts/velero/Chart.yaml",
        "947baaa2a2d0f3886f00121b37d8cc703a2a50b7b821f24daa0c156a66f42b0e",
      ],
    },
  },
  "velero-crds": {
    repo: "velero-io/velero",
    commit: "c253c7fe37d78c9b7e55c68544f7c5b2608712d8",
    files: {
      "velero.io_backups.yaml": [
        "config/crd/v1/bases/velero.io_backups.yaml",
        "38107fa5fad6bff25794489d12c8a898eed4d9d89ed49d00ea90369bc4e206b1",
      ],
      "velero.io_schedules.yaml": [
        "config/crd/v1/bases/velero.io_schedules.yaml",
        "d2276c19d93b63ed848fb492a0f34a2ac1e162938bed499a824acf356b5860c9",
      ],
      "velero.io_backupstoragelocations.yaml": [
        "config/crd/v1/bases/velero.io_backupstoragelocations.yaml",
        "bd6e8fb1169d6e9299f49090f86cb9aa263a9e67314013ba231e93ba74485eba",
      ],
      "velero.io_volumesnapshotlocations.yaml": [
        "config/crd/v1/bases/velero.io_volumesnapshotlocations.yaml",
        "ec1b87c3f1b83053e97e01edf3aa059dff2bcb73c9d8a89bc08a5e8644777849",
      ],
    },
  },
  "fluent-bit-chart": {
    repo: "fluent/helm-charts",
    commit: "22a564dc85600c67d97e01a5b4cdf3b829292529",
    files: {
      "values.yaml": [
        "charts/fluent-bit/values.yaml",
        "e562eb0094e123e305381e3251ce125732387aff082cad51a2f1897749882430",
      ],
      "Chart.yaml": [
        "charts/fluent-bit/Chart.yaml",
        "6949835e6e9cd1125cb2bf41743f1bc83bcbee15d351ab33c7f85952a7bf6d18",
      ],
    },
  },
};

async function download(repo, commit, path) {
  const url = `https://raw.githubusercontent.com/${repo}/${commit}/${path}`;
  const response = await globalThis.fetch(url);
  if (!response.ok) throw new Error(`GET ${url}: HTTP ${response.status}`);
  return { url, bytes: Buffer.from(await response.arrayBuffer()) };
}

const sourceNotes = new Map();
for (const [key, source] of Object.entries(SOURCES)) {
  const folder = source.folder ?? key;
  mkdirSync(join(target, folder), { recursive: true });
  const lines = sourceNotes.get(folder) ?? [`# ${folder} (fetched by scripts/fetch-upstream.mjs)`, ""];
  if (source.chartVersion) lines.push(`- Chart version: \`${source.chartVersion}\``);
  for (const [file, [path, sha256]] of Object.entries(source.files)) {
    const { url, bytes } = await download(source.repo, source.commit, path);
    const actual = createHash("sha256").update(bytes).digest("hex");
    if (actual !== sha256) throw new Error(`${url}: sha256 ${actual}, expected ${sha256}`);
    writeFileSync(join(target, folder, file), bytes);
    lines.push(`- ${file}: ${url} (sha256 ${sha256})`);
    console.log(`ok ${folder}/${file}`);
  }
  sourceNotes.set(folder, lines);
}
for (const [folder, lines] of sourceNotes)
  writeFileSync(join(target, folder, "SOURCE.md"), `${lines.join("\n")}\n`);
console.log(`upstream data in ${target}`);
