// Profile forms: concept suggestions from the description, and the completeness checklist.
(function () {
  "use strict";
  var form = document.querySelector("form[data-suggest-url]");
  if (!form) return;
  var texts = JSON.parse(document.getElementById("workspace-i18n").textContent);
  var description = form.querySelector("[data-suggest-concepts]");
  var note = document.getElementById("concept-suggestions");
  var timer = null;

  function checked(name) {
    return form.querySelectorAll('input[name="' + name + '"]:checked').length > 0;
  }
  function value(name) {
    var field = form.elements[name];
    return field && field.value ? field.value.trim() : "";
  }
  function refreshChecklist() {
    var state = {
      description: value("description").length >= texts.minChars,
      areas: checked("areas"),
      concepts: checked("concepts"),
      stage: !!(value("stage") || value("stage_min")),
      deal_types: checked("deal_types"),
      regions: checked("target_regions") || checked("regions")
    };
    document.querySelectorAll(".checklist li[data-check]").forEach(function (item) {
      var done = !!state[item.dataset.check];
      item.className = done ? "done" : "todo";
      item.querySelector(".mark").textContent = done ? "✓" : "○";
      item.querySelector(".state").textContent = done ? texts.done : texts.missing;
    });
  }
  function suggest() {
    if (!description || !description.value.trim()) return;
    var url = form.dataset.suggestUrl + "?text=" + encodeURIComponent(description.value);
    fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.json() : { concepts: [] }; })
      .then(function (data) {
        var names = [];
        data.concepts.forEach(function (concept) {
          var box = form.querySelector('input[name="concepts"][value="' + CSS.escape(concept.code) + '"]');
          if (!box) return;
          box.checked = true;
          box.closest("label").classList.add("suggested");
          names.push(concept.name);
        });
        if (note) note.textContent = names.length ? texts.suggested + " " + names.join(", ") : "";
        refreshChecklist();
      })
      .catch(function () { /* suggestions are a convenience: the form works without them */ });
  }
  if (description) {
    description.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(suggest, 600);
    });
  }
  form.addEventListener("change", refreshChecklist);
  form.addEventListener("input", refreshChecklist);
})();
