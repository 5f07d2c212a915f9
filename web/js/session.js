// session.js: the login session. Tokens live in this module's memory only (no
// localStorage, no cookie): a reload or a closed tab logs out. The access token is
// renewed with /auth/refresh before it expires; every API call goes through api().

const REFRESH_AT = 0.75;          // renew when 3/4 of expires_in has passed
const RETRY_MS = 5000;            // a refresh that could not reach the API is tried again

const state = {
  access: null,
  refresh: null,
  user: null,
  expiresAt: 0,                   // Date.now() ms when the access token expires
  timer: 0,
  pending: null,                  // the refresh in flight: one at a time (a second use
                                  // of a refresh token would revoke the whole session)
  renewed: null,                  // Date of the last successful refresh
  listeners: new Set(),
};

export class ApiError extends Error {
  constructor(status, message, code) {
    super(message);
    this.status = status;
    this.code = code || "";
  }
}

// The message of an error answer, from whichever envelope it is in: v1
// {"error":{code,message}}, /auth/'s {"detail": text or [{msg}]}, or nginx's own pages.
export async function errorFrom(resp) {
  let body = null;
  try {
    body = await resp.json();
  } catch (e) {
    body = null;
  }
  let msg = "", code = "";
  if (body && typeof body === "object") {
    if (body.error && typeof body.error === "object") {
      msg = body.error.message;
      code = body.error.code;
    } else if (typeof body.detail === "string") {
      msg = body.detail;
    } else if (Array.isArray(body.detail) && body.detail.length > 0 && body.detail[0]) {
      msg = body.detail.map((d) => d.msg).join("; ");
    } else if (Array.isArray(body.errors) && body.errors[0]) {
      msg = body.errors[0].message;
    }
  }
  if (typeof msg !== "string" || msg === "")
    msg = "HTTP " + resp.status + (resp.statusText ? " " + resp.statusText : "");
  return new ApiError(resp.status, msg.slice(0, 500), typeof code === "string" ? code : "");
}

function emit(what, detail) {
  for (const fn of state.listeners) fn(what, detail);
}

// fn(what, detail): "login", "refresh", "logout" (detail: the reason, or "").
export function onSession(fn) {
  state.listeners.add(fn);
  return () => state.listeners.delete(fn);
}

export function user() {
  return state.user;
}

export function token() {
  return state.access;
}

export function lastRenewal() {
  return state.renewed;
}

function accept(body) {
  if (!body || typeof body.access_token !== "string" || typeof body.refresh_token !== "string" ||
      typeof body.expires_in !== "number" || !(body.expires_in > 0))
    throw new ApiError(0, "The login answer has no tokens");
  state.access = body.access_token;
  state.refresh = body.refresh_token;
  state.expiresAt = Date.now() + body.expires_in * 1000;
  schedule(Math.max(1000, body.expires_in * 1000 * REFRESH_AT));
}

function schedule(ms) {
  clearTimeout(state.timer);
  state.timer = setTimeout(() => {
    refresh().catch(() => {});
  }, ms);
}

async function post(path, body) {
  return fetch(path, {
    method: "POST",
    headers: { "Content-Type": "application/json", Accept: "application/json" },
    body: JSON.stringify(body),
    credentials: "omit",
    cache: "no-store",
  });
}

export async function login(username, password) {
  const resp = await post("/auth/login", { username, password });
  if (!resp.ok) throw await errorFrom(resp);
  accept(await resp.json());
  state.user = username;
  state.renewed = null;
  emit("login", "");
}

// Renews the access token. A refused refresh (401: expired, revoked, or spent) ends the
// session; a refresh that could not be made (network, 429, 503) is tried again in a
// few seconds while the current token is still good.
export function refresh() {
  if (!state.pending) {
    state.pending = doRefresh().finally(() => {
      state.pending = null;
    });
  }
  return state.pending;
}

async function doRefresh() {
  const rt = state.refresh;
  if (!rt) throw new ApiError(401, "Not logged in");
  let resp;
  try {
    resp = await post("/auth/refresh", { refresh_token: rt });
  } catch (e) {
    retryLater();
    throw new ApiError(0, "The API cannot be reached: " + e.message);
  }
  if (state.refresh !== rt) throw new ApiError(401, "Logged out");
  if (resp.status === 401 || resp.status === 400) {
    const err = await errorFrom(resp);
    logout("Your session ended: " + err.message);
    throw err;
  }
  if (!resp.ok) {
    retryLater();
    throw await errorFrom(resp);
  }
  accept(await resp.json());
  state.renewed = new Date();
  emit("refresh", "");
}

function retryLater() {
  // Past the access token's expiry too: the refresh token lasts far longer.
  if (state.refresh) schedule(RETRY_MS);
}

// Forgets the tokens and tells the page. A logout the user asked for (no reason) also
// ends the session on the server (POST /auth/logout revokes its refresh tokens); that
// call is best effort: the tokens are gone from the page whatever it answers.
export function logout(reason) {
  clearTimeout(state.timer);
  const was = state.access !== null;
  if (!reason && state.refresh) post("/auth/logout", { refresh_token: state.refresh }).catch(() => {});
  state.access = state.refresh = state.user = null;
  state.expiresAt = 0;
  state.renewed = null;
  if (was) emit("logout", reason || "");
}

// An authenticated call. Returns the parsed JSON (null for an empty answer), or the
// Response itself with opts.raw. An error answer throws ApiError with the envelope's
// message. A 401 is answered once by a refresh and the call made again.
export async function api(path, opts = {}) {
  for (let attempt = 0; ; attempt++) {
    if (!state.access) throw new ApiError(401, "Not logged in");
    const headers = { Authorization: "Bearer " + state.access, Accept: opts.accept || "application/json" };
    const init = { method: opts.method || "GET", headers, credentials: "omit", cache: "no-store" };
    if (opts.body !== undefined) {
      headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(opts.body);
    }
    const resp = await fetch(path, init);
    if (resp.status === 401 && attempt === 0 && state.refresh) {
      await refresh();
      continue;
    }
    if (!resp.ok) throw await errorFrom(resp);
    if (opts.raw) return resp;
    if (resp.status === 204) return null;
    const body = await resp.text();
    return body ? JSON.parse(body) : null;
  }
}
