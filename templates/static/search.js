// Client-side search over the index written at build time; no network, works from file://.
(function () {
  "use strict";
  var index = window.BRIEFWRIGHT_INDEX || [];
  var input = document.getElementById("q");
  var list = document.getElementById("results");
  var status = document.getElementById("search-status");
  if (!input || !list) { return; }
  // Chinese and Japanese write no spaces between words: a run of such characters is searched as its overlapping
  // character pairs (bigrams), each of which must occur, as CJK search engines index it; a single character
  // stands for itself. Other scripts split into words at anything that is not a letter or a digit.
  var CJK = /([\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+)/;
  function words(text) {
    var out = [];
    text.toLowerCase().split(/[^\p{L}\p{N}]+/u).forEach(function (word) {
      word.split(CJK).forEach(function (part, i) {
        if (!part) { return; }
        if (i % 2 === 0) { out.push(part); return; }
        if (part.length === 1) { out.push(part); return; }
        for (var k = 0; k + 1 < part.length; k++) { out.push(part.slice(k, k + 2)); }
      });
    });
    return out;
  }
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
      if (entry.lang) { link.lang = entry.lang; link.hreflang = entry.lang; }
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
