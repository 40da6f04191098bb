// Portico's browser client: a small ES module every page that runs the app loads.
//
// 1. Islands. Pages are rendered on the server only; the wasm (pkg/portico.wasm) holds just
//    the interactive parts, "islands" (`#[island]` in the app crate; each is a
//    <leptos-island data-component="Name_hash" data-props="…"> in the page). This module
//    loads the wasm and hydrates every island of the page, then those a navigation brings.
//    Islands of one page only (`#[island(lazy)]`) fetch their own chunk as they hydrate.
//    `window.__porticoHydrated` is true when every island on the page is live (browser
//    tests wait for it); until its island is live, a form in it is not sent.
// 2. Navigation. A click on a link of this site, or the submit of a plain form, fetches
//    the next page's HTML and patches the document in place: no document load, the
//    islands still on the page keep their state (the idle timer keeps counting), new ones
//    are hydrated.
//
// Why not Leptos' own scripts (HydrationScripts islands=true, islands_router=true): the
// islands router's patch never removes an attribute (a menu entry kept
// aria-current="page" after leaving it), never updates an island whose server data
// changed, and leaves focus and scroll where they were; and the island script gives no
// sign of when its lazy islands are live.
//
// The navigation rules:
// - Same-origin links and GET/POST forms only; a modified click, a download, a link with a
//   target or rel="external", a multipart form, a form whose answer is a file
//   (data-download: fetched here it would be generated, audited and sent twice), a form
//   whose answer leaves the site (data-external: the consent screen's), or a form
//   an island handles (defaultPrevented) are left to the browser.
// - A response that is not an HTML page of the app (a file, the sign-in page, which runs
//   without the app) is loaded as a document instead. A failed fetch (offline) too: the
//   service worker then shows the offline page.
// - An island is kept when its component and its server data (data-props) are unchanged
//   (and the page's language too), else replaced and hydrated anew.
// - An element whose id changed, and a form field whose attributes changed, are replaced,
//   not patched: what was typed in one record's field never carries over to another's.
// - A page in another language is loaded as a document (every island speaks the old one),
//   and so is a page of another layout (signed in or not: the header differs).
// - After a navigation to another page: its title, scroll to the top, focus on the main
//   region (a screen reader announces the new page). After a form post that comes back to
//   the same page, or a reload after an island's change (window.porticoNavigate(url,
//   { reload: true })), scroll and focus stay where they were.
// - Sign-out (a form marked data-sign-out, so that it works without the wasm) ends the
//   session, tells the other tabs, and loads the sign-in page as a document.
const APP_MARKER = 'script[src="/pkg/client.js"]';
let latest = 0;

// Islands. The wasm is fetched once the page has loaded and the browser is idle: on a slow
// phone the page itself (already whole, from the server) comes first. A navigation that
// needs it sooner asks for it then.
let app;
function loadApp() {
  app ??= import("/pkg/portico.js").then(async (glue) => {
    await glue.default({ module_or_path: "/pkg/portico.wasm" });
    glue.hydrate();
    return glue;
  }).catch((error) => {
    app = undefined; // the next page tries again
    throw error;
  });
  return app;
}

function whenIdle() {
  return new Promise((resolve) => {
    const idle = () => ("requestIdleCallback" in window ? requestIdleCallback(resolve, { timeout: 2000 }) : setTimeout(resolve, 1));
    if (document.readyState === "complete") idle();
    else window.addEventListener("load", idle, { once: true });
  });
}

async function hydrateIslands(islands) {
  if (islands.length === 0) return;
  const glue = await loadApp();
  for (const island of islands) {
    if (island.$$hydrated || !island.isConnected) continue;
    island.$$hydrated = true;
    const hydrate = glue[island.dataset.component];
    try {
      if (typeof hydrate !== "function") throw new Error(`no island ${island.dataset.component} in this build`);
      await hydrate(island);
      island.$$live = true;
    } catch (error) {
      // One island that fails leaves the others (and this one's server content) usable.
      console.error(error);
    }
  }
}

// `__porticoHydrated` belongs to the latest of the page loads, navigations and hydrations.
let generation = 0;
function begin() {
  window.__porticoHydrated = false;
  return ++generation;
}
function end(mine) {
  if (mine === generation) window.__porticoHydrated = true;
}

{
  const first = begin();
  whenIdle()
    .then(() => hydrateIslands([...document.querySelectorAll("leptos-island")]))
    .catch((e) => console.error(e))
    .finally(() => end(first));
}

function sameOrigin(url) {
  return url.origin === window.location.origin;
}

function linkTarget(event) {
  if (event.defaultPrevented || event.button !== 0) return null;
  if (event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return null;
  const a = event.composedPath().find((el) => el instanceof HTMLAnchorElement);
  if (!a || !a.href || a.target || a.hasAttribute("download")) return null;
  if ((a.getAttribute("rel") || "").split(/\s+/).includes("external")) return null;
  const url = new URL(a.href);
  if (!sameOrigin(url)) return null;
  // A jump within the page (the skip link) stays the browser's.
  if (url.pathname === window.location.pathname && url.search === window.location.search && url.hash) return null;
  return url;
}

function formRequest(event) {
  if (event.defaultPrevented) return null;
  const form = event.target;
  if (!(form instanceof HTMLFormElement)) return null;
  if (form.hasAttribute("data-sign-out")) {
    event.preventDefault();
    signOut(form);
    return null;
  }
  // An island's form is the island's to send: before the island is live, not at all.
  const island = form.closest("leptos-island");
  if (island) {
    if (!island.$$live) event.preventDefault();
    return null;
  }
  const method = (form.getAttribute("method") || "get").toUpperCase();
  if (method !== "GET" && method !== "POST") return null;
  if ((form.getAttribute("enctype") || "").toLowerCase() === "multipart/form-data") return null;
  if (form.hasAttribute("data-download")) return null;
  // A form whose answer sends the browser to another site (the consent screen's).
  if (form.hasAttribute("data-external")) return null;
  const url = new URL(form.action, window.location.href);
  if (!sameOrigin(url)) return null;
  const fields = new URLSearchParams(new FormData(form, event.submitter || undefined));
  if (method === "GET") {
    url.search = fields.toString();
    return { url, init: {}, form };
  }
  return { url, init: { method, body: fields }, form };
}

// Passkey controls (public/passkey.js) that a patch brought in: their page's script tag does
// not run when patched in, so the script is added here once (then only refreshed).
function loadPasskeys() {
  if (window.porticoPasskeys) {
    window.porticoPasskeys.refresh();
    return;
  }
  if (document.querySelector("script[data-passkeys]")) return;
  const script = document.createElement("script");
  script.src = "/passkey.js";
  script.dataset.passkeys = "";
  document.head.append(script);
}

// Sign-out: the server ends the session first; then the other tabs are told (the same
// channel and message as ui/session_channel.rs) and this one loads the sign-in page. If the
// post cannot be sent from here, the browser sends the form itself.
async function signOut(form) {
  let response;
  try {
    response = await fetch(form.action, {
      method: "POST",
      body: new URLSearchParams(new FormData(form)),
      credentials: "same-origin",
      headers: { Accept: "text/html" },
    });
  } catch {
    form.submit();
    return;
  }
  if ("BroadcastChannel" in window) {
    const channel = new BroadcastChannel("portico-session");
    channel.postMessage("signout:reason=signed-out");
    channel.close();
  }
  window.location.assign(response.redirected ? response.url : "/signin?reason=signed-out");
}

// Patching: walks the old and the new tree side by side, moving in what changed (the new
// page's body is already in this document, its islands live).
function syncAttributes(oldEl, newEl) {
  for (const { name } of [...oldEl.attributes]) {
    if (!newEl.hasAttribute(name)) oldEl.removeAttribute(name);
  }
  for (const { name, value } of newEl.attributes) {
    if (oldEl.getAttribute(name) !== value) oldEl.setAttribute(name, value);
  }
}

function islandKey(island) {
  return `${island.dataset.component} ${island.dataset.props ?? ""}`;
}

function patchChildren(oldParent, newParent, keepIslands) {
  const oldKids = [...oldParent.childNodes];
  const newKids = [...newParent.childNodes];
  newKids.forEach((newKid, i) => {
    const oldKid = oldKids[i];
    if (oldKid) patch(oldKid, newKid, keepIslands);
    else oldParent.appendChild(newKid);
  });
  oldKids.slice(newKids.length).forEach((extra) => extra.remove());
}

const FIELDS = new Set(["INPUT", "TEXTAREA", "SELECT"]);

function patch(oldNode, newNode, keepIslands) {
  if (oldNode.nodeType !== newNode.nodeType || oldNode.nodeName !== newNode.nodeName) {
    oldNode.replaceWith(newNode);
  } else if (oldNode.nodeType === Node.ELEMENT_NODE && oldNode.localName !== "leptos-island"
    && (oldNode.id !== newNode.id || (FIELDS.has(oldNode.nodeName) && !oldNode.isEqualNode(newNode)))) {
    oldNode.replaceWith(newNode);
  } else if (oldNode.nodeType === Node.TEXT_NODE || oldNode.nodeType === Node.COMMENT_NODE) {
    if (oldNode.nodeValue !== newNode.nodeValue) oldNode.nodeValue = newNode.nodeValue;
  } else if (oldNode.nodeType !== Node.ELEMENT_NODE) {
    // nothing to do
  } else if (oldNode.localName === "leptos-island") {
    if (!(keepIslands && islandKey(oldNode) === islandKey(newNode))) oldNode.replaceWith(newNode);
  } else if (!oldNode.isEqualNode(newNode)) {
    syncAttributes(oldNode, newNode);
    patchChildren(oldNode, newNode, keepIslands);
  }
}

let navigating = false;

async function navigate(target, { init = {}, form = null, history = "push", reload = false } = {}) {
  const url = new URL(target, window.location.href);
  const mine = ++latest;
  const hydrated = begin();
  navigating = true;
  try {
    await load(url, { init, form, history, reload, mine });
  } finally {
    if (mine === latest) navigating = false;
    end(hydrated);
  }
}

// A page the app cannot patch in: the browser loads it (a form post is sent again by the
// browser itself, not turned into a GET).
function loadDocument(url, form) {
  if (form && (form.getAttribute("method") || "get").toUpperCase() === "POST") form.submit();
  else window.location.assign(url);
}

async function load(url, { init, form, history, reload, mine }) {
  let response;
  try {
    response = await fetch(url, { ...init, credentials: "same-origin", headers: { Accept: "text/html" } });
  } catch {
    loadDocument(url, form);
    return;
  }
  if (mine !== latest) return;
  const type = response.headers.get("content-type") || "";
  if (!type.startsWith("text/html")) {
    loadDocument(response.url, form);
    return;
  }
  const doc = new DOMParser().parseFromString(await response.text(), "text/html");
  if (mine !== latest) return;
  const lang = doc.documentElement.getAttribute("lang");
  // Another layout (the two-step pages have no menu; the portal has): too different to
  // patch without moving its scripts in, which the page's CSP nonce would refuse.
  const layout = (d) => d.querySelector("header.site-header")?.className ?? "";
  if (!doc.querySelector(APP_MARKER) || lang !== document.documentElement.getAttribute("lang")
    || layout(doc) !== layout(document)) {
    window.location.assign(response.url);
    return;
  }
  // The new page, in this document but hidden (and outside the body): its new islands are
  // hydrated (their code fetched) first, so that what appears is live. (Hydrated connected
  // to the document, because Leptos attaches delegated event listeners to the root the
  // nodes are in then.) An island of the current page with the same data stays as it is.
  const staged = document.createElement("div");
  staged.hidden = true;
  staged.inert = true;
  staged.append(...[...doc.body.childNodes].map((node) => document.importNode(node, true)));
  const current = new Set([...document.querySelectorAll("leptos-island")].map(islandKey));
  document.documentElement.append(staged);
  await hydrateIslands([...staged.querySelectorAll("leptos-island")].filter((i) => !current.has(islandKey(i))))
    .catch((e) => console.error(e));
  staged.remove();
  if (mine !== latest) return;

  const finalUrl = new URL(response.url);
  finalUrl.hash = response.redirected ? "" : url.hash;
  const samePage = finalUrl.pathname === window.location.pathname;
  if (history === "push" && finalUrl.href !== window.location.href) window.history.pushState(null, "", finalUrl);
  else if (history !== "none") window.history.replaceState(null, "", finalUrl);
  shown = new URL(window.location.href);
  document.title = doc.title;
  const focused = document.activeElement;
  patchChildren(document.body, staged, true);
  if (document.querySelector("[data-passkey]")) loadPasskeys();
  refreshLater();
  // (An island moved to another place comes in unhydrated.)
  await hydrateIslands([...document.querySelectorAll("leptos-island")].filter((i) => !i.$$hydrated))
    .catch((e) => console.error(e));
  if (reload || (samePage && init.method === "POST")) {
    // A form that came back refused: focus goes to its first field in error, whose label
    // and message a screen reader then reads (the form's own alert is announced anyway).
    const invalid = !reload && document.querySelector(
      'main [aria-invalid="true"], main fieldset[aria-describedby] input:not([type="hidden"])');
    if (invalid) {
      invalid.focus();
      return;
    }
    // Focus stays; if its element was replaced, on the new one with the same id (or main).
    if (focused && !focused.isConnected) {
      const again = (focused.id && document.getElementById(focused.id)) || document.getElementById("main");
      again?.focus({ preventScroll: true });
    }
    return;
  }
  if (finalUrl.hash) {
    document.getElementById(decodeURIComponent(finalUrl.hash.slice(1)))?.scrollIntoView();
    return;
  }
  window.scrollTo(0, 0);
  const main = document.getElementById("main");
  if (main) main.focus({ preventScroll: true });
}

window.addEventListener("click", (event) => {
  const url = linkTarget(event);
  if (!url) return;
  event.preventDefault();
  navigate(url);
});

window.addEventListener("submit", (event) => {
  const request = formRequest(event);
  if (!request) return;
  event.preventDefault();
  navigate(request.url, { init: request.init, form: request.form });
});

// The phone bar's disclosures (<details data-disclosure>: app/src/ui/layout.rs). Opening
// one closes the other and moves focus to its first control; Escape closes it and gives
// focus back to its button. (Without this script they still open and close.)
document.addEventListener("toggle", (event) => {
  const opened = event.target;
  if (!(opened instanceof HTMLDetailsElement) || !opened.open || !opened.hasAttribute("data-disclosure")) return;
  for (const other of document.querySelectorAll("details[data-disclosure][open]")) {
    if (other !== opened) other.open = false;
  }
  opened.querySelector(".phone-panel a, .phone-panel button")?.focus();
}, true);
document.addEventListener("keydown", (event) => {
  if (event.key !== "Escape" || !(event.target instanceof Element)) return;
  const open = event.target.closest("details[data-disclosure][open]");
  if (!open) return;
  open.open = false;
  open.querySelector("summary")?.focus();
});

// Back and forward between pages (a change of the hash alone is the browser's).
let shown = new URL(window.location.href);
window.addEventListener("popstate", () => {
  const now = new URL(window.location.href);
  const samePage = now.pathname === shown.pathname && now.search === shown.search;
  shown = now;
  if (!samePage) navigate(now.href, { history: "none" });
});

// A page of work still under way on the server (`data-refresh-after="3"`: the whole-record
// archive's progress) is fetched again after that many seconds, in place, while it is the
// page shown and nothing else is loading. (Without this script the page says to reload.)
let refreshTimer = 0;
function refreshLater() {
  clearTimeout(refreshTimer);
  const marked = document.querySelector("[data-refresh-after]");
  if (!marked) return;
  const here = window.location.href;
  const seconds = Math.max(1, Number(marked.getAttribute("data-refresh-after")) || 3);
  refreshTimer = setTimeout(() => {
    if (window.location.href === here && !navigating) navigate(here, { history: "replace", reload: true });
  }, seconds * 1000);
}
refreshLater();

// For islands: go to a page after a change (`reload: true` re-renders the current page
// with the server's new data, keeping scroll and focus).
// (A reload never overrides a navigation the person has started meanwhile.)
window.porticoNavigate = (url, options = {}) => {
  if (options.reload && navigating) return;
  navigate(url, { history: options.reload ? "replace" : "push", reload: !!options.reload });
};
