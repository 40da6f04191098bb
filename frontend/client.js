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
//   target or rel="external", a multipart form, or a form an island handles
//   (defaultPrevented) are left to the browser.
// - A response that is not an HTML page of the app (a file, the sign-in page, which runs
//   without the app) is loaded as a document instead. A failed fetch (offline) too: the
//   service worker then shows the offline page.
// - An island is kept when its component and its server data (data-props) are unchanged
//   (and the page's language too), else replaced and hydrated anew.
// - After a navigation: the new title and language, scroll to the top, focus on the main
//   region (a screen reader announces the new page). A reload of the same page after an
//   island's change (window.porticoNavigate(url, { reload: true })) keeps both.
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
    if (typeof hydrate === "function") await hydrate(island);
    else console.warn(`no island ${island.dataset.component} in this build`);
    island.$$live = true;
  }
}

let hydrating = 0;
function hydrate(islands) {
  const mine = ++hydrating;
  window.__porticoHydrated = false;
  return hydrateIslands(islands)
    .catch((e) => console.error(e))
    .finally(() => {
      if (mine === hydrating) window.__porticoHydrated = true;
    });
}

window.__porticoHydrated = false;
whenIdle().then(() => hydrate([...document.querySelectorAll("leptos-island")]));

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
  // An island's form is the island's to send: before the island is live, not at all.
  const island = form.closest("leptos-island");
  if (island) {
    if (!island.$$live) event.preventDefault();
    return null;
  }
  const method = (form.getAttribute("method") || "get").toUpperCase();
  if (method !== "GET" && method !== "POST") return null;
  if ((form.getAttribute("enctype") || "").toLowerCase() === "multipart/form-data") return null;
  const url = new URL(form.action, window.location.href);
  if (!sameOrigin(url)) return null;
  const fields = new URLSearchParams(new FormData(form, event.submitter || undefined));
  if (method === "GET") {
    url.search = fields.toString();
    return { url, init: {} };
  }
  return { url, init: { method, body: fields } };
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

function patch(oldNode, newNode, keepIslands) {
  if (oldNode.nodeType !== newNode.nodeType || oldNode.nodeName !== newNode.nodeName) {
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

async function navigate(target, { init = {}, history = "push", reload = false } = {}) {
  const url = new URL(target, window.location.href);
  const mine = ++latest;
  window.__porticoHydrated = false;
  let response;
  try {
    response = await fetch(url, { ...init, credentials: "same-origin", headers: { Accept: "text/html" } });
  } catch {
    window.location.assign(url);
    return;
  }
  if (mine !== latest) return;
  const type = response.headers.get("content-type") || "";
  if (!type.startsWith("text/html")) {
    window.location.assign(response.url);
    return;
  }
  const doc = new DOMParser().parseFromString(await response.text(), "text/html");
  if (mine !== latest) return;
  if (!doc.querySelector(APP_MARKER)) {
    window.location.assign(response.url);
    return;
  }
  // The new page, in this document but hidden: its new islands are hydrated (their code
  // fetched) first, so that what appears is live. (Hydrated connected to the document,
  // because Leptos attaches delegated event listeners to the root the nodes are in then.)
  // An island of the current page with the same data stays as it is, unless the language
  // changed (its words are its own).
  const body = document.createElement("div");
  body.hidden = true;
  body.inert = true;
  body.append(...[...doc.body.childNodes].map((node) => document.importNode(node, true)));
  const lang = doc.documentElement.getAttribute("lang");
  const keepIslands = lang === document.documentElement.getAttribute("lang");
  const current = new Set(keepIslands ? [...document.querySelectorAll("leptos-island")].map(islandKey) : []);
  document.body.append(body);
  await hydrateIslands([...body.querySelectorAll("leptos-island")].filter((i) => !current.has(islandKey(i))))
    .catch((e) => console.error(e));
  body.remove();
  if (mine !== latest) return;

  const finalUrl = new URL(response.url);
  finalUrl.hash = response.redirected ? "" : url.hash;
  if (history === "push") window.history.pushState(null, "", finalUrl);
  else if (history === "replace") window.history.replaceState(null, "", finalUrl);
  document.title = doc.title;
  if (lang) document.documentElement.setAttribute("lang", lang);
  patchChildren(document.body, body, keepIslands);
  // (An island moved to another place comes in unhydrated.)
  await hydrate([...document.querySelectorAll("leptos-island")].filter((i) => !i.$$hydrated));
  if (reload) return;
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
  navigate(request.url, { init: request.init });
});

window.addEventListener("popstate", () => {
  navigate(window.location.href, { history: "none" });
});

// For islands: go to a page after a change (`reload: true` re-renders the current page
// with the server's new data, keeping scroll and focus).
window.porticoNavigate = (url, options = {}) =>
  navigate(url, { history: options.reload ? "replace" : "push", reload: !!options.reload });
