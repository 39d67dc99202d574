// Progressive enhancement: every form works without JavaScript; with it the pages add
// - focus and scroll to the first field in error after a refused form,
// - the assessment form's live verdict preview, autosave with its time, a copy kept in this
//   browser until the server has it (restored after signing in again), and a warning before
//   leaving with unsaved changes,
// - copy buttons, and the decision form saying live when a rationale is needed.
(function () {
  "use strict";

  // The first error of a refused form: its field gets the focus and comes into view.
  function focusFirstError() {
    const bad = document.querySelector(".invalid, [aria-invalid=true]");
    if (!bad) return;
    const field = bad.matches("input, select, textarea")
      ? bad
      : bad.querySelector("input:checked:not([type=hidden])") ||
        bad.querySelector("input:not([type=hidden]), select, textarea");
    (field || bad).focus({ preventScroll: true });
    bad.scrollIntoView({ block: "center" });
  }

  // Links of the error summary move the focus to their field, not only the view.
  document.querySelectorAll(".error-summary a[href^='#']").forEach(function (link) {
    link.addEventListener("click", function (event) {
      const target = document.getElementById(link.getAttribute("href").slice(1));
      if (!target) return;
      event.preventDefault();
      const field = target.matches("input, select, textarea")
        ? target
        : target.querySelector("input:not([type=hidden]), select, textarea");
      (field || target).focus({ preventScroll: true });
      target.scrollIntoView({ block: "center" });
    });
  });

  // Pages that follow a successful save say so: the copy kept in this browser is not needed.
  document.querySelectorAll("[data-clear-backup]").forEach(function (element) {
    const key = element.getAttribute("data-clear-backup") || element.dataset.backup;
    if (key) { try { localStorage.removeItem(key); } catch (e) { /* storage off */ } }
  });

  document.querySelectorAll("[data-copy]").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () {
      const source = document.getElementById(button.dataset.copy);
      const done = document.getElementById(button.dataset.copyStatus);
      function said() { if (done) done.textContent = button.dataset.copied || ""; }
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(source.value).then(said, function () {
          source.select(); document.execCommand("copy"); said();
        });
      } else { source.select(); document.execCommand("copy"); said(); }
    });
  });

  // The decision form: whether a rationale is needed, said as the choice is made.
  const decision = document.getElementById("decision-form");
  if (decision) {
    const recommended = decision.dataset.recommendation;
    const needs = document.getElementById("rationale-needed");
    const rationale = document.getElementById("f-rationale");
    const agrees = JSON.parse(decision.dataset.agrees || "{}");
    function update() {
      const chosen = decision.querySelector("input[name=decision]:checked");
      const needed = chosen && (recommended === "incomplete" || !agrees[chosen.value]);
      needs.hidden = !needed;
      if (rationale) rationale.required = !!needed;
    }
    decision.addEventListener("change", update);
    update();
  }

  // Readiness answers: a "no" shows its warning as it is chosen.
  document.querySelectorAll("[data-warns]").forEach(function (warning) {
    const name = warning.dataset.warns;
    document.querySelectorAll("input[name='" + name + "']").forEach(function (radio) {
      radio.addEventListener("change", function () { warning.hidden = !(radio.checked && radio.value === "no"); });
    });
  });

  focusFirstError();

  const form = document.getElementById("assessment-form");
  if (!form) return;
  const target = document.getElementById("preview");
  const status = document.getElementById("autosave-status");
  const counter = document.getElementById("rated-count");
  const key = form.dataset.backup;
  let previewTimer = null, saveTimer = null, sequence = 0, dirty = false, leaving = false;

  function entries() {
    const pairs = [];
    new FormData(form).forEach(function (value, name) {
      if (name !== "csrf_token" && typeof value === "string") pairs.push([name, value]);
    });
    return pairs;
  }
  function say(text) { if (status) status.textContent = text; }

  function refresh() {
    if (!target) return;
    const mine = ++sequence;
    fetch(form.dataset.preview, { method: "POST", body: new FormData(form), credentials: "same-origin", redirect: "manual" })
      .then(function (response) { return response.ok ? response.text() : null; })
      .then(function (html) {
        if (html !== null && mine === sequence) {
          target.innerHTML = html;
          target.dataset.updated = String(mine);
          marks();
        }
      })
      .catch(function () { /* the preview is a help; the form still works */ });
  }

  // Contradictions and implied flags of the preview, shown next to both fields.
  function marks() {
    const facts = document.getElementById("preview-facts");
    function list(name) { return facts ? JSON.parse(facts.dataset[name] || "[]") : []; }
    const criteria = list("contradictions"), flags = list("contradictedFlags"), implied = list("implied");
    form.querySelectorAll("[id^='contra-c-']").forEach(function (p) { p.hidden = criteria.indexOf(p.id.slice(9)) < 0; });
    form.querySelectorAll("[id^='contra-f-']").forEach(function (p) { p.hidden = flags.indexOf(p.id.slice(9)) < 0; });
    form.querySelectorAll("[id^='implied-']").forEach(function (p) { p.hidden = implied.indexOf(p.id.slice(8)) < 0; });
  }

  function count() {
    if (!counter) return;
    const total = Number(counter.dataset.total);
    const names = new Set();
    form.querySelectorAll("input[type=radio][name^='rating.']:checked").forEach(function (r) {
      if (r.value && r.value !== "not_observed") names.add(r.name);
    });
    counter.textContent = form.dataset.textRated.replace("{rated}", names.size).replace("{total}", total);
  }

  function backup() {
    if (!key) return;
    try { localStorage.setItem(key, JSON.stringify({ at: Date.now(), entries: entries() })); } catch (e) { /* full or off */ }
  }

  function autosave() {
    if (!form.dataset.autosave) return;
    say(form.dataset.textSaving);
    const body = new FormData(form);
    body.set("action", "save");
    fetch(form.dataset.autosave, { method: "POST", body: body, credentials: "same-origin", redirect: "manual" })
      .then(function (response) {
        if (response.type === "opaqueredirect" || response.status === 0) {
          say(form.dataset.textSessionLost);
          const lost = document.getElementById("session-lost");
          if (lost) { lost.hidden = false; status.appendChild(document.createTextNode(" ")); status.appendChild(lost.firstElementChild.cloneNode(true)); }
          return;
        }
        return response.json().then(function (data) {
          if (response.ok) {
            dirty = false;
            form.dataset.serverTime = String(Date.now());
            try { localStorage.removeItem(key); } catch (e) { /* off */ }
            say(data.text);
          } else {
            say(form.dataset.textNotSaved);
          }
        });
      })
      .catch(function () { say(form.dataset.textNotSaved); });
  }

  function changed() {
    dirty = true;
    backup();
    count();
    clearTimeout(previewTimer); previewTimer = setTimeout(refresh, 250);
    if (form.dataset.autosave) { clearTimeout(saveTimer); saveTimer = setTimeout(autosave, 1500); }
  }

  function restore() {
    if (!key || form.hasAttribute("data-clear-backup")) return;
    let kept = null;
    try { kept = JSON.parse(localStorage.getItem(key) || "null"); } catch (e) { kept = null; }
    if (!kept || !(kept.at > Number(form.dataset.serverTime || 0))) return;
    const values = {};
    kept.entries.forEach(function (pair) { (values[pair[0]] = values[pair[0]] || []).push(pair[1]); });
    form.querySelectorAll("input, textarea, select").forEach(function (field) {
      if (!field.name || field.name === "csrf_token" || field.type === "hidden") return;
      const given = values[field.name];
      if (field.type === "radio") field.checked = !!given && given.indexOf(field.value) >= 0;
      else if (field.type === "checkbox") field.checked = !!given;
      else if (given) field.value = given[0];
    });
    const note = document.getElementById("restored");
    if (note) note.hidden = false;
    changed();
  }

  if (!form.querySelector("fieldset[disabled]")) {
    form.addEventListener("change", changed);
    form.addEventListener("input", changed);
    restore();
  }
  count();
  form.addEventListener("submit", function () { leaving = true; });
  window.addEventListener("beforeunload", function (event) {
    if (dirty && !leaving && form.hasAttribute("data-guard")) {
      event.preventDefault();
      event.returnValue = form.dataset.textUnsaved;
      return form.dataset.textUnsaved;
    }
  });
})();
