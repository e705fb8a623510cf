/** The prod stack's DR keys as a user would write them (Pulumi.prod.yaml is the lead's to edit). */
export const PROD_DR = {
  dr: {
    bucketName: "acme-harbor-dr",
    replicaRegion: "eu-west-1",
    mirrorSchedule: "*/15 * * * *",
    rpoMinutes: 30,
  },
  backup: { schedule: "0 */6 * * *", ttl: "720h" },
};
