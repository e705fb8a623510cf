// The MinIO erasure geometry the config accepts, over every node and drive count it allows,
// against MinIO's own rules at the pinned release (minio/minio RELEASE.2024-12-18T13-15-44Z,
// commit 16f8cf1c52f0a77eeb8f7565aaf7f7df12454583), restated here from the source, not from
// config/prod.ts:
// - cmd/endpoint-ellipses.go getSetIndexes: the set size divides the drive count, lies in 2..16
//   (setSizes) and is "symmetric" with the LAST ellipsis pattern (possibleSetCountsWithSymmetry
//   overwrites `symmetry` per pattern); minio/pkg/v3 ellipses.FindEllipsesPatterns returns the
//   rightmost pattern first, so the last is the host range of the chart's argument
//   (minio chart 5.4.0 templates/statefulset.yaml: https://minio-{0...N-1}.minio-svc...
//   /export-{0...D-1}); commonSetDriveCount then takes the largest such size.
// - The endpoints expand drive-major, host-minor (ellipses argExpander), and sets are
//   consecutive runs of them: which hosts a set's drives sit on follows from that.
// - internal/config/storageclass DefaultParityBlocks: the parity per set size; cmd/erasure-
//   metadata.go: write quorum = data blocks, plus one when data equals parity.
import { expect } from "chai";
import { erasureGeometry, type ErasureGeometry } from "../config/prod";

const SET_SIZES = [2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16];

function minioParity(setSize: number): number {
  if (setSize === 1) return 0;
  if (setSize <= 3) return 1;
  if (setSize <= 5) return 2;
  if (setSize <= 7) return 3;
  return 4;
}

interface MinioLayout {
  readonly setSize: number;
  readonly parity: number;
  readonly writeQuorum: number;
  /** How many hosts may fail with every set keeping write quorum. */
  readonly hostLossTolerance: number;
}

function minioLayout(nodes: number, drivesPerNode: number): MinioLayout | undefined {
  const total = nodes * drivesPerNode;
  if (total < SET_SIZES[0]) return undefined;
  const hosts = nodes;
  const symmetric = SET_SIZES.filter(
    (s) => total % s === 0 && (hosts > s ? hosts % s === 0 : s % hosts === 0),
  );
  if (symmetric.length === 0) return undefined;
  const setSize = Math.max(...symmetric);
  // Endpoint i sits on host i % hosts (drive-major, host-minor expansion).
  const perHostInSet = (set: number) => {
    const counts = new Map<number, number>();
    for (let i = set * setSize; i < (set + 1) * setSize; i++)
      counts.set(i % hosts, (counts.get(i % hosts) ?? 0) + 1);
    return [...counts.values()].sort((a, b) => b - a);
  };
  const parity = minioParity(setSize);
  const data = setSize - parity;
  const writeQuorum = data === parity ? data + 1 : data;
  // Losing k hosts removes at most the k largest host shares of a set.
  let hostLossTolerance = 0;
  for (let k = 1; k <= hosts; k++) {
    const ok = Array.from({ length: total / setSize }, (_, s) => perHostInSet(s)).every(
      (shares) => setSize - shares.slice(0, k).reduce((a, b) => a + b, 0) >= writeQuorum,
    );
    if (!ok) break;
    hostLossTolerance = k;
  }
  return { setSize, parity, writeQuorum, hostLossTolerance };
}

describe("MinIO erasure geometry against MinIO's own set rules", () => {
  // objectStore.nodes 2..32 and drivesPerNode 1..16: what the config parser lets through.
  const grid: [number, number][] = [];
  for (let n = 2; n <= 32; n++) for (let d = 1; d <= 16; d++) grid.push([n, d]);

  it("accepts only layouts MinIO starts with, with MinIO's set size, parity, quorum and node-loss tolerance", () => {
    const wrong: string[] = [];
    for (const [n, d] of grid) {
      const ours = erasureGeometry(n, d);
      const theirs = minioLayout(n, d);
      if (typeof ours === "string") {
        // Stricter than MinIO only where the config says so: fewer than 4 drives in all.
        if (theirs && n * d >= 4) wrong.push(`${n}x${d}: refused, MinIO runs sets of ${theirs.setSize}`);
        continue;
      }
      const g: ErasureGeometry = ours;
      if (!theirs) wrong.push(`${n}x${d}: accepted, MinIO refuses to start`);
      else if (
        g.setSize !== theirs.setSize ||
        g.parity !== theirs.parity ||
        g.writeQuorum !== theirs.writeQuorum ||
        g.nodeLossTolerance !== theirs.hostLossTolerance
      )
        wrong.push(
          `${n}x${d}: set ${g.setSize} EC:${g.parity} quorum ${g.writeQuorum} tolerates ${g.nodeLossTolerance}; MinIO: set ${theirs.setSize} EC:${theirs.parity} quorum ${theirs.writeQuorum} tolerates ${theirs.hostLossTolerance}`,
        );
    }
    expect(wrong).to.deep.equal([]);
  });

  it("the restated rules give what the source's rules give on worked cases", () => {
    // 5 nodes x 3 drives: 15 drives; sets of 3, 5 or 15, of which 5 and 15 are symmetric with 5 hosts.
    expect(minioLayout(5, 3)?.setSize).to.equal(15);
    // 6 nodes x 5 drives: 30 drives; divisors 2,3,5,6,10,15 -> symmetric with 6 hosts: 2, 3, 6.
    expect(minioLayout(6, 5)?.setSize).to.equal(6);
    // 9 nodes x 2 drives: 18 drives; divisors 2,3,6,9 -> symmetric with 9 hosts: 3, 9.
    expect(minioLayout(9, 2)?.setSize).to.equal(9);
    // 11 nodes x 3 drives: 33 drives; divisors in 2..16: 3, 11 -> symmetric with 11 hosts: 11.
    expect(minioLayout(11, 3)?.setSize).to.equal(11);
    // 17 nodes x 1 drive: 17 drives, no divisor in 2..16: MinIO refuses.
    expect(minioLayout(17, 1)).to.equal(undefined);
  });
});
