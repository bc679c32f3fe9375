/**
 * One EventSource per island, resuming by `Last-Event-ID` (the browser sends the id of the last
 * event it received), so a dropped connection resumes without a gap. The island root records how
 * many events it applied and the last cursor (`data-events`, `data-last-cursor`).
 */

/** The run event the server streams (see the API's RunEvent). */
export interface RunEvent {
  readonly cursor: string;
  readonly runId: string;
  readonly workflow: string;
  readonly type: string;
  readonly step: string | null;
  readonly attempt: number | null;
  readonly version: number | null;
  readonly status: string | null;
  readonly at: number;
}

/** Opens the stream and calls `onEvent` for each event, in order. */
export function follow(
  root: HTMLElement,
  params: URLSearchParams,
  onEvent: (e: RunEvent) => void,
  onState: (state: string) => void,
  /** Receives live tokens of the run's LLM steps (never stored, not counted as events). */
  onToken?: (t: { step: string; text: string }) => void,
): EventSource {
  const source = new EventSource(`/api/v1/stream?${params.toString()}`);
  let applied = 0;
  source.addEventListener('open', () => onState('live'));
  source.addEventListener('error', () =>
    onState(source.readyState === EventSource.CLOSED ? 'closed' : 'reconnecting…'),
  );
  source.addEventListener('run', (m) => {
    const e = JSON.parse((m as MessageEvent<string>).data) as RunEvent;
    onEvent(e);
    applied++;
    root.dataset.events = String(applied);
    root.dataset.lastCursor = e.cursor;
  });
  if (onToken)
    source.addEventListener('token', (m) => {
      onToken(JSON.parse((m as MessageEvent<string>).data) as { step: string; text: string });
    });
  source.addEventListener('end', () => {
    source.close();
    onState('run ended');
  });
  return source;
}

/** The CSRF token the page carries. */
export function csrf(): string {
  return document.querySelector<HTMLMetaElement>('meta[name="baton-csrf"]')?.content ?? '';
}

/** POSTs JSON with the CSRF header; resolves with the body, or throws the server's message. */
export async function post(url: string, body: unknown): Promise<Record<string, unknown>> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-baton-csrf': csrf() },
    body: JSON.stringify(body),
    credentials: 'same-origin',
  });
  const json = (await res.json().catch(() => ({}))) as {
    error?: { code: string; message: string };
  };
  if (!res.ok)
    throw new Error(
      json.error ? `${json.error.code}: ${json.error.message}` : `HTTP ${res.status}`,
    );
  return json as Record<string, unknown>;
}

/** Sets a status badge's text and class. */
export function setBadge(el: Element | null, status: string): void {
  if (!el) return;
  el.className = `badge st-${status}`;
  el.setAttribute('data-status', status);
  el.textContent = status;
}
