// Client-side search over the index written at build time; no network, works from file://.
(function () {
  "use strict";
  var index = window.BRIEFWRIGHT_INDEX || [];
  var input = document.getElementById("q");
  var list = document.getElementById("results");
  var status = document.getElementById("search-status");
  if (!input || !list) { return; }
  function words(text) { return text.toLowerCase().split(/[^a-z0-9]+/).filter(Boolean); }
  function run(query) {
    var terms = words(query);
    list.textContent = "";
    if (!terms.length) { status.textContent = ""; return; }
    var hits = index.filter(function (entry) {
      var hay = (entry.title + " " + entry.text).toLowerCase();
      return terms.every(function (t) { return hay.indexOf(t) !== -1; });
    });
    hits.forEach(function (entry) {
      var item = document.createElement("li");
      var kind = document.createElement("span");
      kind.className = "result-kind";
      kind.textContent = entry.kind;
      var link = document.createElement("a");
      link.href = entry.href;
      link.textContent = entry.title;
      var text = document.createElement("p");
      text.textContent = entry.text;
      item.appendChild(kind);
      item.appendChild(document.createTextNode(" "));
      item.appendChild(link);
      item.appendChild(text);
      list.appendChild(item);
    });
    status.textContent = hits.length + (hits.length === 1 ? " result" : " results") + " for \u201c" + query + "\u201d";
  }
  var initial = new URLSearchParams(window.location.search).get("q") || "";
  input.value = initial;
  run(initial);
  input.addEventListener("input", function () { run(input.value); });
})();
