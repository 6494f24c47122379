(function () {
  "use strict";
  var box = document.getElementById("filter-box");
  var input = document.getElementById("filter");
  var status = document.getElementById("filter-status");
  if (!box || !input || !status) { return; }
  var groups = Array.prototype.slice.call(document.querySelectorAll("tbody[data-filter]"));
  function apply() {
    var words = input.value.toLowerCase().split(/\s+/).filter(function (w) { return w.length > 0; });
    var shown = 0;
    groups.forEach(function (group) {
      var text = group.getAttribute("data-filter") || "";
      var match = words.every(function (w) { return text.indexOf(w) !== -1; });
      group.hidden = !match;
      if (match) { shown += 1; }
    });
    status.textContent = words.length ? shown + " of " + groups.length + " shown" : "";
  }
  box.hidden = false;
  input.addEventListener("input", apply);
  apply();
}());
