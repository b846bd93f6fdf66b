// Skip logic on the phone: hide questions whose condition is not met.
// The server decides for real (it drops answers to questions not asked);
// this only spares the observer questions that do not apply.
(function () {
  "use strict";
  function answerOf(form, name) {
    var checked = form.querySelector('input[name="' + name + '"]:checked');
    return checked ? checked.value : "";
  }
  function refresh(form) {
    form.querySelectorAll("[data-relevant]").forEach(function (box) {
      if (!box.classList.contains("field")) { return; }
      var rule = box.getAttribute("data-relevant").split("=");
      box.hidden = answerOf(form, rule[0]) !== rule[1];
    });
  }
  document.addEventListener("DOMContentLoaded", function () {
    var form = document.querySelector("form.checklist");
    if (!form) { return; }
    refresh(form);
    form.addEventListener("change", function () { refresh(form); });
  });
})();
