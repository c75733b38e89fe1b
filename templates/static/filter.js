// Filters the facts page by tag and status; without JavaScript every fact is listed.
(function () {
  "use strict";
  var form = document.getElementById("fact-filters");
  if (!form) { return; }
  form.hidden = false;
  var tag = document.getElementById("filter-tag");
  var status = document.getElementById("filter-status");
  var count = document.getElementById("filter-count");
  var cards = Array.prototype.slice.call(document.querySelectorAll(".fact-card"));
  function apply() {
    var shown = 0;
    cards.forEach(function (card) {
      var ok = (!tag.value || (" " + card.dataset.tags + " ").indexOf(" " + tag.value + " ") !== -1) &&
               (!status.value || card.dataset.status === status.value);
      card.hidden = !ok;
      if (ok) { shown += 1; }
    });
    count.textContent = shown + " of " + cards.length + " facts shown";
  }
  tag.addEventListener("change", apply);
  status.addEventListener("change", apply);
  form.addEventListener("submit", function (event) { event.preventDefault(); });
  apply();
})();
