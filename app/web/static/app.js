// Progressive enhancement: the verdict preview follows the assessment form as it is filled in.
// Without JavaScript the form works the same; the preview then updates on "Save as draft".
(function () {
  "use strict";
  const form = document.getElementById("assessment-form");
  const target = document.getElementById("preview");
  if (!form || !target) return;
  let timer = null;
  let sequence = 0;
  function refresh() {
    const mine = ++sequence;
    fetch(form.dataset.preview, { method: "POST", body: new FormData(form), credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.text() : null; })
      .then(function (html) {
        if (html !== null && mine === sequence) {
          target.innerHTML = html;
          target.dataset.updated = String(mine);
        }
      })
      .catch(function () { /* the preview is a help; the form still works */ });
  }
  function later() { clearTimeout(timer); timer = setTimeout(refresh, 250); }
  form.addEventListener("change", later);
  form.addEventListener("input", later);
})();
