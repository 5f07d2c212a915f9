// events.js: a Server-Sent Events stream of scrapeq-events, read with fetch rather than
// EventSource so that the token travels in the Authorization header: a ?token= in the
// URL would be written to every access log on the way. It resumes as EventSource does,
// sending the last event id seen as Last-Event-ID (the hub replays what was missed),
// and every reconnect takes the session's current token, so a refreshed token is used
// from the next connection on.

import { token, refresh } from "./session.js";

const BUFFER_MAX = 1 << 20;       // an event block larger than this ends the connection
const RETRY_MIN_MS = 1000;
const RETRY_MAX_MS = 30000;

// watch(path, onEvent(type, data, id), onState(state, message)) -> {close()}
// state is "connecting", "live" or "retrying" (message: why).
export function watch(path, onEvent, onState) {
  let lastId = "";
  let retryMs = 2000;
  let ctrl = null;
  let timer = 0;
  let closed = false;

  function dispatch(block) {
    let type = "message", data = "", hasData = false;
    for (const line of block.split("\n")) {
      if (line === "" || line[0] === ":") continue;
      const i = line.indexOf(":");
      const field = i < 0 ? line : line.slice(0, i);
      let value = i < 0 ? "" : line.slice(i + 1);
      if (value[0] === " ") value = value.slice(1);
      if (field === "event") type = value;
      else if (field === "data") {
        data += (hasData ? "\n" : "") + value;
        hasData = true;
      } else if (field === "id" && /^[0-9]{1,20}$/.test(value)) lastId = value;
      else if (field === "retry" && /^[0-9]{1,7}$/.test(value))
        retryMs = Math.min(RETRY_MAX_MS, Math.max(RETRY_MIN_MS, Number(value)));
    }
    if (!hasData) return;
    let msg;
    try {
      msg = JSON.parse(data);
    } catch (e) {
      return;
    }
    if (msg && typeof msg === "object" && msg.data && typeof msg.data === "object")
      onEvent(type, msg.data, lastId);
  }

  async function connect() {
    if (closed) return;
    onState("connecting", "");
    ctrl = new AbortController();
    const headers = { Accept: "text/event-stream", Authorization: "Bearer " + (token() || "") };
    if (lastId) headers["Last-Event-ID"] = lastId;
    let why = "the stream ended";
    try {
      const resp = await fetch(path, { headers, signal: ctrl.signal, cache: "no-store", credentials: "omit" });
      if (resp.status === 401) {
        why = "the token was refused";
        await refresh();                 // then reconnect with the new token
      } else if (!resp.ok || !resp.body) {
        let detail = "HTTP " + resp.status;
        try {
          const b = await resp.json();
          if (b && b.error && typeof b.error.message === "string") detail = b.error.message;
        } catch (e) { /* not JSON */ }
        why = detail;
      } else {
        onState("live", "");
        await read(resp.body);
      }
    } catch (e) {
      if (closed) return;
      why = e.message || String(e);
    }
    if (closed) return;
    onState("retrying", why);
    timer = setTimeout(connect, retryMs);
  }

  async function read(body) {
    const reader = body.pipeThrough(new TextDecoderStream()).getReader();
    let buf = "";
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      buf += value.replace(/\r\n?/g, "\n");
      let end;
      while ((end = buf.indexOf("\n\n")) >= 0) {
        dispatch(buf.slice(0, end));
        buf = buf.slice(end + 2);
      }
      if (buf.length > BUFFER_MAX) {
        reader.cancel();
        throw new Error("an event larger than " + BUFFER_MAX + " bytes");
      }
    }
  }

  connect();
  return {
    close() {
      closed = true;
      clearTimeout(timer);
      if (ctrl) ctrl.abort();
    },
  };
}
