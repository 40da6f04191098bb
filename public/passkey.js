// Passkeys on Portico's server-rendered pages (sign-in, the second step, Account ›
// Passkeys). Each control is an element with data-passkey="sign-in" | "second-step" |
// "register", whose data attributes name the two server functions of its ceremony
// (data-start, data-finish) and the relying party id (data-rp-id). The server speaks
// webauthn-rs' JSON, with binary fields in unpadded base64url; this file converts between
// that and the ArrayBuffers navigator.credentials uses, and nothing else: every check is
// the server's. No dependencies, no storage, nothing cached.
(function () {
  "use strict";
  // Loaded once per document: a second copy (a page's script tag after a patch) refreshes.
  if (window.porticoPasskeys) {
    window.porticoPasskeys.refresh();
    return;
  }

  function fromBase64url(text) {
    var base64 = text.replace(/-/g, "+").replace(/_/g, "/");
    while (base64.length % 4) base64 += "=";
    var binary = atob(base64);
    var bytes = new Uint8Array(binary.length);
    for (var i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
    return bytes.buffer;
  }

  function toBase64url(buffer) {
    var bytes = new Uint8Array(buffer);
    var binary = "";
    for (var i = 0; i < bytes.length; i++) binary += String.fromCharCode(bytes[i]);
    return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }

  // Passkeys work only in a browser that has them, on a page under the relying party id
  // (browsers refuse an IP address such as 127.0.0.1).
  function usable(control) {
    var rpId = control.getAttribute("data-rp-id");
    var host = location.hostname;
    return !!window.PublicKeyCredential && !!rpId && (host === rpId || host.endsWith("." + rpId));
  }

  // Calls a server function the way a form would (URL-encoded fields), asking for JSON.
  function post(url, fields) {
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { Accept: "application/json", "Content-Type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams(fields),
    }).then(function (response) {
      return response.text().then(function (text) {
        if (!response.ok) throw { status: response.status, body: text };
        return JSON.parse(text);
      });
    });
  }

  function creationOptions(json) {
    var options = json.publicKey;
    options.challenge = fromBase64url(options.challenge);
    options.user.id = fromBase64url(options.user.id);
    (options.excludeCredentials || []).forEach(function (c) { c.id = fromBase64url(c.id); });
    return { publicKey: options };
  }

  function requestOptions(json) {
    var options = json.publicKey;
    options.challenge = fromBase64url(options.challenge);
    (options.allowCredentials || []).forEach(function (c) { c.id = fromBase64url(c.id); });
    return { publicKey: options };
  }

  // The credential as webauthn-rs reads it: its id, type and the authenticator's `response`
  // fields (binary ones in base64url). No extension outputs are sent: none is needed.
  function credentialJson(credential, response) {
    return JSON.stringify({
      id: credential.id,
      rawId: toBase64url(credential.rawId),
      type: credential.type,
      extensions: {},
      response: response,
    });
  }

  function registrationJson(credential) {
    var response = credential.response;
    return credentialJson(credential, {
      attestationObject: toBase64url(response.attestationObject),
      clientDataJSON: toBase64url(response.clientDataJSON),
      transports: response.getTransports ? response.getTransports() : null,
    });
  }

  function assertionJson(credential) {
    var response = credential.response;
    return credentialJson(credential, {
      authenticatorData: toBase64url(response.authenticatorData),
      clientDataJSON: toBase64url(response.clientDataJSON),
      signature: toBase64url(response.signature),
      userHandle: response.userHandle ? toBase64url(response.userHandle) : null,
    });
  }

  // The message for a failure, in the page's language (the server rendered them).
  function showError(control, failure) {
    var slot = control.querySelector("[data-passkey-error]");
    if (!slot) return;
    var key = "failed";
    if (failure && (failure.status === 429 || failure.status === 503)) key = "busy";
    if (failure && failure.status === 422 && failure.body) {
      if (failure.body.indexOf("passkey.name_too_long") >= 0) key = "name";
      if (failure.body.indexOf("passkey.limit") >= 0) key = "limit";
      if (failure.body.indexOf("password.current_wrong") >= 0) key = "password";
    }
    slot.textContent = slot.getAttribute("data-" + key);
    // A wrong password: back to its field, marked.
    var password = control.querySelector("input[name=current_password]");
    if (password) {
      password.setAttribute("aria-invalid", key === "password" ? "true" : "false");
      if (key === "password") password.focus();
    }
  }

  function clearError(control) {
    var slot = control.querySelector("[data-passkey-error]");
    if (slot) slot.textContent = "";
  }

  // The fields sent with the start: the password again, when adding a passkey asks for it.
  function startFields(control) {
    var password = control.querySelector("input[name=current_password]");
    return password ? { current_password: password.value } : {};
  }

  // The fields sent with the answer, besides the ceremony and the credential.
  function extraFields(control) {
    var fields = {};
    if (control.getAttribute("data-passkey") === "register") {
      var name = control.querySelector("input[name=name]");
      fields.name = name ? name.value : "";
    }
    if (control.getAttribute("data-passkey") === "sign-in") {
      var appMode = document.querySelector("input[name=app_mode]");
      if (appMode) fields.app_mode = appMode.value;
    }
    return fields;
  }

  function run(control, button) {
    var registering = control.getAttribute("data-passkey") === "register";
    clearError(control);
    button.disabled = true;
    button.setAttribute("aria-busy", "true");
    post(control.getAttribute("data-start"), startFields(control))
      .then(function (challenge) {
        var options = JSON.parse(challenge.options);
        var asked = registering
          ? navigator.credentials.create(creationOptions(options))
          : navigator.credentials.get(requestOptions(options));
        return asked.then(function (credential) {
          var fields = extraFields(control);
          fields.ceremony = challenge.ceremony;
          fields.credential = registering ? registrationJson(credential) : assertionJson(credential);
          return post(control.getAttribute("data-finish"), fields);
        });
      })
      .then(function (finished) {
        location.assign(finished.next);
      })
      .catch(function (failure) {
        showError(control, failure);
        button.disabled = false;
        button.removeAttribute("aria-busy");
      });
  }

  // Which controls this browser can use, shown; the "not available" notes hidden when one
  // is. Run at load and again after client.js patches a page in (its script tags do not
  // run then).
  function refresh() {
    var anyUsable = false;
    Array.prototype.forEach.call(document.querySelectorAll("[data-passkey]"), function (control) {
      if (!usable(control)) return;
      anyUsable = true;
      control.hidden = false;
    });
    Array.prototype.forEach.call(document.querySelectorAll("[data-passkey-unsupported]"), function (note) {
      note.hidden = anyUsable;
    });
  }

  // Listened for on the document, which hears an event before the window does: client.js
  // (on the window) then leaves a passkey form alone, and controls a patch brings in work
  // without new listeners.
  document.addEventListener("submit", function (event) {
    var control = event.target.closest && event.target.closest("form[data-passkey]");
    if (!control) return;
    event.preventDefault();
    run(control, control.querySelector("button"));
  });
  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("div[data-passkey] button");
    if (button) run(button.closest("[data-passkey]"), button);
  });

  window.porticoPasskeys = { refresh: refresh };
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", refresh);
  else refresh();
})();
