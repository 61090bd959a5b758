// Organizer control page: while a proposal or scheduling run is queued or running, ask the status
// endpoint every 2 s, show its state and summary, and reload once every run has finished (so the
// figures on the page are those of the new result). Without JavaScript, reloading does the same.
(function () {
  "use strict";
  var section = document.getElementById("runs");
  if (!section || !section.dataset.busy) return;
  var url = section.dataset.statusUrl;

  function show(kind, run) {
    var box = section.querySelector('[data-run="' + kind + '"]');
    if (!box) return;
    var label = box.querySelector('[data-field="label"]');
    label.textContent = run.label;
    label.className = "run-state state-" + run.state;
    box.querySelector('[data-field="summary"]').textContent = run.summary;
    var errors = box.querySelector('[data-field="errors"]');
    errors.replaceChildren.apply(errors, run.errors.map(function (text) {
      var item = document.createElement("li");
      item.textContent = text;
      return item;
    }));
    errors.hidden = run.errors.length === 0;
  }

  function poll() {
    fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) throw new Error(response.status);
        return response.json();
      })
      .then(function (runs) {
        var busy = false;
        Object.keys(runs).forEach(function (kind) {
          show(kind, runs[kind]);
          if (runs[kind].state === "queued" || runs[kind].state === "running") busy = true;
        });
        if (busy) window.setTimeout(poll, 2000);
        else window.location.reload();
      })
      .catch(function () { window.setTimeout(poll, 2000); });
  }

  window.setTimeout(poll, 2000);
})();
