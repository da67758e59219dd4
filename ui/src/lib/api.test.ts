import { beforeEach, describe, expect, it, vi } from "vitest";

const invoke = vi.fn();
const listen = vi.fn();
vi.mock("@tauri-apps/api/core", () => ({ invoke: (...a: unknown[]) => invoke(...a) }));
vi.mock("@tauri-apps/api/event", () => ({ listen: (...a: unknown[]) => listen(...a) }));

const { tauriBackend, errorCode, errorMessage } = await import("./api");

beforeEach(() => {
  invoke.mockReset().mockResolvedValue(null);
  listen.mockReset();
});

describe("tauriBackend", () => {
  it("calls the backend's action commands with its argument names", async () => {
    const request = { kind: "pagerduty.acknowledge" as const, target: "Q1", params: {} };
    await tauriBackend.planAction(request);
    expect(invoke).toHaveBeenLastCalledWith("plan_action", { request });
    await tauriBackend.confirmAction("tok", null);
    expect(invoke).toHaveBeenLastCalledWith("confirm_action", { token: "tok", typed: null });
    await tauriBackend.confirmAction("tok", "payments-api");
    expect(invoke).toHaveBeenLastCalledWith("confirm_action", { token: "tok", typed: "payments-api" });
    await tauriBackend.entry("e1");
    expect(invoke).toHaveBeenLastCalledWith("timeline_entry", { id: "e1" });
    await tauriBackend.cancelAction("tok");
    expect(invoke).toHaveBeenLastCalledWith("cancel_action", { token: "tok" });
    await tauriBackend.oncall();
    expect(invoke).toHaveBeenLastCalledWith("oncall_summary");
  });

  it("calls the shift, handoff, morning and postmortem commands with their argument names", async () => {
    await tauriBackend.timelineDay("2026-05-03");
    expect(invoke).toHaveBeenLastCalledWith("timeline_day", { day: "2026-05-03" });
    await tauriBackend.shifts();
    expect(invoke).toHaveBeenLastCalledWith("shifts");
    await tauriBackend.handoff();
    expect(invoke).toHaveBeenLastCalledWith("handoff", { shiftId: null });
    await tauriBackend.handoff("s1");
    expect(invoke).toHaveBeenLastCalledWith("handoff", { shiftId: "s1" });
    await tauriBackend.editHandoff("s1", null, ["orders-db CPU"]);
    expect(invoke).toHaveBeenLastCalledWith("edit_handoff", { shiftId: "s1", summary: null, watchNext: ["orders-db CPU"] });
    await tauriBackend.handoffMarkdown("s1");
    expect(invoke).toHaveBeenLastCalledWith("handoff_markdown", { shiftId: "s1" });
    await tauriBackend.exportHandoff("s1", "json");
    expect(invoke).toHaveBeenLastCalledWith("export_handoff", { shiftId: "s1", format: "json" });
    await tauriBackend.startShift();
    expect(invoke).toHaveBeenLastCalledWith("start_shift");
    await tauriBackend.stopShift();
    expect(invoke).toHaveBeenLastCalledWith("stop_shift");
    await tauriBackend.morningRead();
    expect(invoke).toHaveBeenLastCalledWith("morning_read");
    await tauriBackend.markMorningRead();
    expect(invoke).toHaveBeenLastCalledWith("mark_morning_read");
    await tauriBackend.postmortem("Q0PAY0001");
    expect(invoke).toHaveBeenLastCalledWith("postmortem", { incident: "Q0PAY0001", timezone: null });
    await tauriBackend.exportPostmortem("Q0PAY0001", "Asia/Tokyo");
    expect(invoke).toHaveBeenLastCalledWith("export_postmortem", { incident: "Q0PAY0001", timezone: "Asia/Tokyo" });
  });

  it("calls the search command with its argument name", async () => {
    const query = {
      text: "stop-gap", sources: [], services: ["payments-api"], severities: [], kinds: [],
      since: "2026-05-03T09:30:00.000Z", until: null, limit: 200,
    };
    await tauriBackend.searchHistory(query);
    expect(invoke).toHaveBeenLastCalledWith("search_history", { query });
  });

  it("hands the focus-entry payload to the callback", async () => {
    const unlisten = () => {};
    listen.mockResolvedValue(unlisten);
    const seen: string[] = [];
    expect(await tauriBackend.onFocusEntry((id) => seen.push(id))).toBe(unlisten);
    expect(listen.mock.calls[0][0]).toBe("focus-entry");
    listen.mock.calls[0][1]({ payload: "entry-7" });
    expect(seen).toEqual(["entry-7"]);
  });
});

describe("IPC errors", () => {
  it("keeps code and message, never the raw object", () => {
    const e = { code: "refused", message: "type payments-api to confirm" };
    expect(errorCode(e)).toBe("refused");
    expect(errorMessage(e)).toBe("type payments-api to confirm");
    expect(errorMessage({ code: 1 })).toBe("unexpected error");
    expect(errorCode("plain")).toBeNull();
  });
});
