// Saves a draft note to the server a moment after typing stops, and keeps a copy in this browser
// so that a lost connection or an expired session loses nothing.
const form = document.getElementById("note-form");
const status = document.querySelector("[data-testid='autosave-status']");
const DELAY_MS = 2000;
let timer = null;
let saving = false;

function localKey() { return "opencsc:" + form.dataset.draftKey; }

function snapshot() {
  const data = {};
  for (const [name, value] of new FormData(form)) {
    if (name === "csrfmiddlewaretoken" || name === "version") continue;
    (data[name] = data[name] || []).push(value);
  }
  return data;
}

function keepLocally() {
  try { localStorage.setItem(localKey(), JSON.stringify({ at: Date.now(), data: snapshot() })); } catch (e) { /* storage full or disabled */ }
}

function show(text) { if (status) status.textContent = text; }

async function saveToServer() {
  if (saving) { schedule(); return; }
  saving = true;
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
    const result = await response.json();
    if (result.saved) {
      form.querySelector("[name=version]").value = result.version;
      if (form.dataset.autosaveUrl !== result.autosave_url) {
        form.dataset.autosaveUrl = result.autosave_url;
        form.action = result.edit_url;
        history.replaceState(null, "", result.edit_url);
      }
      localStorage.removeItem(localKey());
      show("Draft saved at " + result.saved_at);
    } else {
      show("Not saved yet: " + [].concat(result.errors).map(e => typeof e === "string" ? e : JSON.stringify(e)).join(" "));
    }
  } catch (error) {
    show("Not saved: no connection. Your text is kept in this browser.");
  } finally {
    saving = false;
  }
}

function schedule() {
  keepLocally();
  clearTimeout(timer);
  timer = setTimeout(saveToServer, DELAY_MS);
}

function restoreIfNewer() {
  const stored = localStorage.getItem(localKey());
  if (!stored) return;
  const { data } = JSON.parse(stored);
  const body = form.querySelector("[name=body]");
  if (data.body && body && data.body[0] && data.body[0] !== body.value) {
    const banner = document.createElement("div");
    banner.className = "govuk-inset-text";
    banner.innerHTML = "<p class='govuk-body'>Text from an unsaved session was found in this browser.</p>";
    const button = document.createElement("button");
    button.type = "button";
    button.className = "govuk-button govuk-button--secondary";
    button.textContent = "Restore unsaved text";
    button.addEventListener("click", () => { body.value = data.body[0]; banner.remove(); schedule(); });
    banner.appendChild(button);
    form.prepend(banner);
  }
}

if (form) {
  form.addEventListener("input", schedule);
  form.addEventListener("change", schedule);
  form.addEventListener("submit", () => { clearTimeout(timer); });
  restoreIfNewer();
}
