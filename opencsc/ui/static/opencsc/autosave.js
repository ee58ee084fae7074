// Autosave for a draft (a case note, a practice document): the form names where to save (data-autosave-url) and
// its copy in this browser (data-draft-key). A moment after typing stops, the form is sent to the server.
//
// A lost connection loses nothing: every change is first copied to this browser's storage, and the copy is removed
// only once the server has saved exactly that text. While the server cannot be reached, the page says so and tries
// again when the browser is back online, and every RETRY_MS meanwhile. A page opened later that finds a copy
// differing from what it shows (the tab was closed while offline, or the session ended) offers to restore it.
//
// The server answers {saved, version, saved_at, not_saved?, errors?, autosave_url?, edit_url?}: the new version
// number the next save must carry, and for a new note the addresses of the draft it made.
const form = document.querySelector("form[data-autosave-url]");
const status = document.querySelector("[data-testid='autosave-status']");
const DELAY_MS = 2000;
const RETRY_MS = 15000;
const NOT_COPIED = new Set(["csrfmiddlewaretoken", "form_token", "version", "action"]);
let timer = null;
let saving = false;
let offline = false;
let held = null; // the button pressed while an autosave was on its way: pressed again once it is back

function localKey() { return "opencsc:" + form.dataset.draftKey; }

function snapshot() {
  const data = {};
  for (const [name, value] of new FormData(form)) {
    if (NOT_COPIED.has(name)) continue;
    (data[name] = data[name] || []).push(value);
  }
  return data;
}

function keepLocally() {
  try { localStorage.setItem(localKey(), JSON.stringify({ at: Date.now(), data: snapshot() })); } catch (e) { /* storage full or disabled */ }
}

function forgetLocalCopyIfSaved(sent) {
  if (JSON.stringify(snapshot()) === sent) localStorage.removeItem(localKey());
}

function show(text) { if (status) status.textContent = text; }

function messages(list) {
  return [].concat(list || []).map(e => typeof e === "string" ? e : JSON.stringify(e)).join(" ");
}

function retryLater() {
  offline = true;
  clearTimeout(timer);
  timer = setTimeout(saveToServer, RETRY_MS);
}

function adoptNewAddresses(result) {
  if (result.autosave_url && form.dataset.autosaveUrl !== result.autosave_url) {
    form.dataset.autosaveUrl = result.autosave_url;
    form.action = result.edit_url;
    history.replaceState(null, "", result.edit_url);
  }
}

async function saveToServer() {
  if (saving) { schedule(); return; }
  saving = true;
  const sent = JSON.stringify(snapshot());
  const body = new FormData(form);
  body.delete("action");
  try {
    const response = await fetch(form.dataset.autosaveUrl, {
      method: "POST", body, credentials: "same-origin", headers: { "X-Requested-With": "fetch" }, redirect: "manual",
    });
    if (response.type === "opaqueredirect" || response.status === 302) {
      show("Not saved: your session has ended. Your text is kept in this browser; sign in again in a new tab, then save.");
      return;
    }
    if (response.status >= 500) { show("Not saved: the service is not answering. Your text is kept in this browser and will be saved when it answers."); retryLater(); return; }
    const result = await response.json();
    offline = false;
    if (!result.saved) { show("Not saved yet: " + messages(result.errors)); return; }
    form.querySelector("[name=version]").value = result.version;
    adoptNewAddresses(result);
    forgetLocalCopyIfSaved(sent);
    const skipped = messages(result.not_saved);
    show("Draft saved at " + result.saved_at + (skipped ? ". Not saved until corrected: " + skipped : ""));
  } catch (error) {
    show("Not saved: no connection. Your text is kept in this browser and will be saved when the connection is back.");
    retryLater();
  } finally {
    saving = false;
    if (held) { const button = held; held = null; form.requestSubmit(button); }
  }
}

function holdWhileSaving(event) {
  // Sent now, the form would carry the version number from before the autosave on its way, and be refused.
  clearTimeout(timer);
  if (saving) { event.preventDefault(); held = event.submitter || null; }
}

function schedule() {
  keepLocally();
  clearTimeout(timer);
  timer = setTimeout(saveToServer, offline ? RETRY_MS : DELAY_MS);
}

function restore(data) {
  for (const element of form.elements) {
    if (!element.name || NOT_COPIED.has(element.name)) continue;
    const values = data[element.name] || [];
    if (element.type === "checkbox" || element.type === "radio") {
      element.checked = values.includes(element.value);
    } else if (values.length) {
      element.value = values[0];
    }
  }
}

function offerLocalCopy() {
  const stored = localStorage.getItem(localKey());
  if (!stored) return;
  const { data } = JSON.parse(stored);
  if (JSON.stringify(data) === JSON.stringify(snapshot())) { localStorage.removeItem(localKey()); return; }
  const banner = document.createElement("div");
  banner.className = "govuk-inset-text";
  banner.dataset.testid = "unsaved-copy";
  banner.innerHTML = "<p class='govuk-body'>Text from an unsaved session was found in this browser.</p>";
  const button = document.createElement("button");
  button.type = "button";
  button.className = "govuk-button govuk-button--secondary";
  button.textContent = "Restore unsaved text";
  button.addEventListener("click", () => { restore(data); banner.remove(); schedule(); });
  banner.appendChild(button);
  form.prepend(banner);
}

if (form) {
  form.addEventListener("input", schedule);
  form.addEventListener("change", schedule);
  form.addEventListener("submit", holdWhileSaving);
  window.addEventListener("online", () => { if (offline) { clearTimeout(timer); saveToServer(); } });
  offerLocalCopy();
}
