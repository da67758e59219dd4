// The workload view's words and the Kubernetes action requests it sends. Nothing here acts:
// every request goes through plan → confirmation dialog → confirm, and the backend checks it.
import type { ActionKind, ActionRequest, TimelineEntry, Workload } from "./bindings";

export type WorkloadState = "healthy" | "progressing" | "degraded" | "failed";

/** How a Deployment stands: a failed rollout first, then one in progress, then missing replicas. */
export function workloadState(w: Workload): WorkloadState {
  if (w.progress === "failed") return "failed";
  if (w.progress === "progressing" || w.updated < w.desired) return "progressing";
  if (w.ready < w.desired || w.unhealthy_pods.some((p) => !p.ready)) return "degraded";
  return "healthy";
}

// Colour never alone: a glyph and the word.
export const stateGlyph: Record<WorkloadState, string> = { healthy: "●", progressing: "◐", degraded: "◆", failed: "▲" };

export function replicaWords(w: Workload): string {
  return `${w.ready}/${w.desired} ready, ${w.updated} updated, ${w.available} available`;
}

/** The tag of an image (`…/payments-api:1.41.1` → `1.41.1`), or the whole reference when untagged or pinned by digest. */
export function imageTag(image: string): string {
  const at = image.indexOf("@");
  if (at >= 0) return image.slice(at + 1, at + 20);
  const slash = image.lastIndexOf("/");
  const colon = image.lastIndexOf(":");
  return colon > slash ? image.slice(colon + 1) : image;
}

export type ReplicasInput = { ok: true; replicas: number } | { ok: false; error: string };

/** The new replica count: a whole number from 0 (the backend enforces its own upper bound). */
export function replicasInput(input: string, current: number): ReplicasInput {
  const text = input.trim();
  if (!/^\d+$/.test(text)) return { ok: false, error: "Enter a whole number of replicas, 0 or more." };
  const replicas = Number(text);
  if (replicas === current) return { ok: false, error: `It already runs ${current}.` };
  return { ok: true, replicas };
}

function request(kind: ActionKind, target: string, params: Record<string, string> = {}): ActionRequest {
  return { kind, target, params };
}

export const scaleRequest = (target: string, replicas: number) =>
  request("kubernetes.scale", target, { replicas: String(replicas) });
export const restartRequest = (target: string) => request("kubernetes.restart", target);
export const rollbackRequest = (target: string, revision: number) =>
  request("kubernetes.rollback", target, { to_revision: String(revision) });

/** A node entry's cordon or uncordon, from its details (`context`, `node`); null when it names no node. */
export function nodeRequest(entry: TimelineEntry): ActionRequest | null {
  if (entry.kind !== "node") return null;
  const d = entry.details;
  if (d === null || typeof d !== "object" || Array.isArray(d)) return null;
  const { context, node } = d as Record<string, unknown>;
  if (typeof context !== "string" || typeof node !== "string") return null;
  return request(entry.status === "cordoned" ? "kubernetes.uncordon" : "kubernetes.cordon", `${context}/${node}`);
}
