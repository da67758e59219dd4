// placeholder until generated
export type SourceKind = "pagerduty" | "alertmanager" | "grafana" | "prometheus" | "github" | "kubernetes" | "opsdeck";
export type EntryKind = "page" | "alert" | "annotation" | "ci_run" | "deployment" | "rollout" | "scale" | "k8s_event" | "node" | "action" | "note" | "runbook_step";
export type Severity = "critical" | "warning" | "info";
export type Status = "triggered" | "acknowledged" | "resolved" | "firing" | "queued" | "in_progress" | "success" | "failure" | "cancelled" | "progressing" | "complete" | "failed" | "ready" | "not_ready" | "cordoned" | "planned" | "refused" | "succeeded";
export type HealthState = "ok" | "stale" | "error" | "unknown";
export type TimelineEntry = { id: string; source: SourceKind; kind: EntryKind; severity: Severity; status: Status | null; title: string; service: string | null; url: string | null; started_at: string; ended_at: string | null; external_id: string; details: unknown };
export type SourceHealth = { name: string; kind: SourceKind; state: HealthState; last_attempt_at: string | null; last_success_at: string | null; last_error: string | null; last_error_at: string | null; message: string | null };
export type AppMode = "first_run" | "demo" | "live";
export type AppStatus = { mode: AppMode; tz: string; today: string; now: string; me: string | null; config_path: string | null };
