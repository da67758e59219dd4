import { describe, expect, it } from "vitest";
import type { TimelineEntry, Workload } from "./bindings";
import { imageTag, nodeRequest, replicasInput, replicaWords, rollbackRequest, scaleRequest, workloadState } from "./workloads";

function workload(over: Partial<Workload> = {}): Workload {
  return {
    context: "prod-eu",
    namespace: "payments",
    deployment: "payments-api",
    target: "prod-eu/payments/payments-api",
    desired: 3,
    ready: 3,
    updated: 3,
    available: 3,
    revision: 2,
    progress: "complete",
    images: ["ghcr.io/acme/payments-api:1.41.1"],
    revisions: [],
    unhealthy_pods: [],
    pod_count: 3,
    healthy_pods: ["payments-api-7d9f-a", "payments-api-7d9f-b", "payments-api-7d9f-c"],
    events: [],
    stale: false,
    ...over,
  };
}

describe("workloadState", () => {
  it("is healthy when every replica is ready and updated", () => {
    expect(workloadState(workload())).toBe("healthy");
  });
  it("puts a failed rollout before anything else", () => {
    expect(workloadState(workload({ progress: "failed", ready: 1 }))).toBe("failed");
  });
  it("is progressing while replicas are not yet updated", () => {
    expect(workloadState(workload({ updated: 1 }))).toBe("progressing");
  });
  it("is degraded when replicas are missing or a pod is not ready", () => {
    expect(workloadState(workload({ ready: 2 }))).toBe("degraded");
    const pod = { name: "p", phase: "Running", ready: false, reason: "CrashLoopBackOff", restarts: 4, node: null };
    expect(workloadState(workload({ unhealthy_pods: [pod] }))).toBe("degraded");
  });
});

describe("words", () => {
  it("says the replica counts", () => {
    expect(replicaWords(workload({ ready: 2, available: 2 }))).toBe("2/3 ready, 3 updated, 2 available");
  });
  it("shows an image's tag, keeping a registry port out of it", () => {
    expect(imageTag("ghcr.io/acme/payments-api:1.41.1")).toBe("1.41.1");
    expect(imageTag("registry:5000/app")).toBe("registry:5000/app");
    expect(imageTag("app@sha256:0123456789abcdef0123")).toBe("sha256:0123456789ab");
  });
});

describe("requests", () => {
  it("checks the new replica count", () => {
    expect(replicasInput(" 6 ", 3)).toEqual({ ok: true, replicas: 6 });
    expect(replicasInput("0", 3)).toEqual({ ok: true, replicas: 0 });
    expect(replicasInput("-1", 3).ok).toBe(false);
    expect(replicasInput("six", 3).ok).toBe(false);
    expect(replicasInput("3", 3)).toEqual({ ok: false, error: "It already runs 3." });
  });
  it("targets context/namespace/deployment with string params", () => {
    expect(scaleRequest("prod-eu/payments/payments-api", 6)).toEqual({
      kind: "kubernetes.scale",
      target: "prod-eu/payments/payments-api",
      params: { replicas: "6" },
    });
    expect(rollbackRequest("prod-eu/payments/payments-api", 1).params).toEqual({ to_revision: "1" });
  });
  it("cordons a node entry, or uncordons a cordoned one", () => {
    const node = (status: TimelineEntry["status"], details: TimelineEntry["details"]): TimelineEntry => ({
      id: "n",
      source: "kubernetes",
      kind: "node",
      severity: "info",
      status,
      title: "Node ip-10-0-1-11 NotReady (prod-eu)",
      service: null,
      url: null,
      started_at: "2026-05-04T18:02:00Z",
      ended_at: null,
      external_id: "uid@1",
      details,
    });
    expect(nodeRequest(node("not_ready", { context: "prod-eu", node: "ip-10-0-1-11" }))).toEqual({
      kind: "kubernetes.cordon",
      target: "prod-eu/ip-10-0-1-11",
      params: {},
    });
    expect(nodeRequest(node("cordoned", { context: "prod-eu", node: "ip-10-0-1-11" }))?.kind).toBe("kubernetes.uncordon");
    expect(nodeRequest(node("cordoned", { node: "ip-10-0-1-11" }))).toBeNull();
  });
});
