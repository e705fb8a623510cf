// Baseline for the plan-cost figures: a program that registers one Helm Release and nothing
// else, evaluated under the same mocks as the real stacks.
import * as k8s from "@pulumi/kubernetes";
import { charts } from "../../versions";

new k8s.helm.v3.Release("harbor", {
  name: "harbor",
  namespace: "harbor",
  chart: charts.harbor.chart,
  version: charts.harbor.version,
  repositoryOpts: { repo: charts.harbor.repo },
  values: { externalURL: "https://harbor.example.com" },
});
