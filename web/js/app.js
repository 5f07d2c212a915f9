// app.js: the dashboard's shell: the login form, the signed-in header, and the router
// that shows one view at a time from the address's #fragment:
//   #/               projects
//   #/projects/{p}   a project: its targets, a new crawl, its jobs (live)
//   #/jobs/{id}      a job: targets, progress, chart, log, results, errors (live)

import { el, clear, setNotice } from "./dom.js";
import { login, logout, onSession, user, lastRenewal } from "./session.js";
import { projectsView, projectView } from "./project.js";
import { jobView } from "./job.js";

const main = document.getElementById("main");
const who = document.getElementById("who");
let cleanup = null;

// --- login ------------------------------------------------------------------------------

function loginView(reason) {
  const msg = el("div", { id: "login-msg" });
  const name = el("input", { id: "username", name: "username", autocomplete: "username", required: true,
    maxlength: 200, autocapitalize: "none", spellcheck: "false" });
  const pass = el("input", { id: "password", name: "password", type: "password", autocomplete: "current-password",
    required: true, maxlength: 1024 });
  const button = el("button", { type: "submit" }, "Log in");
  const form = el("form", { id: "login", "aria-labelledby": "login-title" },
    el("h1", { id: "login-title", tabindex: "-1" }, "Log in to scrapeq"),
    el("p", null, el("label", { for: "username" }, "User name"), name),
    el("p", null, el("label", { for: "password" }, "Password"), pass),
    el("p", null, button), msg);
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    button.disabled = true;
    setNotice(msg, "info", "Logging in…");
    try {
      await login(name.value, pass.value);
      pass.value = "";
    } catch (e) {
      setNotice(msg, "error", e.message);
      pass.select();
    } finally {
      button.disabled = false;
    }
  });
  clear(main).appendChild(form);
  if (reason) setNotice(msg, "error", reason);
  name.focus();
}

// --- the signed-in header ------------------------------------------------------------

function renderWho() {
  clear(who);
  if (!user()) return;
  const renewed = lastRenewal();
  who.append(
    el("span", null, "Signed in as ", el("strong", null, user())),
    el("span", { id: "renewed", class: "muted" },
      renewed ? " · session renewed at " + renewed.toLocaleTimeString() : ""),
    " ",
    el("button", { type: "button", id: "logout", class: "secondary", on: { click: () => logout("") } }, "Log out"));
}

// --- routing ---------------------------------------------------------------------------

const ID = "([A-Za-z0-9_-]{1,80})";
const routes = [
  [new RegExp("^#?/?$"), () => projectsView],
  [new RegExp("^#/projects/" + ID + "$"), (m) => (root) => projectView(root, m[1])],
  [new RegExp("^#/jobs/" + ID + "$"), (m) => (root) => jobView(root, m[1])],
];

function route() {
  if (cleanup) {
    cleanup();
    cleanup = null;
  }
  if (!user()) {
    loginView("");
    return;
  }
  const hash = location.hash;
  clear(main);
  for (const [re, make] of routes) {
    const m = hash.match(re);
    if (m) {
      cleanup = make(m)(main) || null;
      return;
    }
  }
  main.append(el("h1", { tabindex: "-1" }, "Not found"), el("p", null, el("a", { href: "#/" }, "All projects")));
  main.querySelector("h1").focus();
}

onSession((what, reason) => {
  renderWho();
  if (what === "login") {
    route();
  } else if (what === "logout") {
    if (cleanup) {
      cleanup();
      cleanup = null;
    }
    loginView(reason);
  }
});

window.addEventListener("hashchange", route);
route();
