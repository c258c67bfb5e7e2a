/* search.js — the book's search, offline: search-index.js (written by build/book)
 * holds every section's text; this looks for every word typed, ranks the sections
 * by how often the words occur, and lists them with a snippet. No network, no
 * library. It also opens the sidebar on a wide screen (it is folded on a narrow one). */
(function () {
  "use strict";
  var index = window.BOOK_INDEX || [];
  var input = document.getElementById("search");
  var list = document.getElementById("search-results");
  var sidebar = document.querySelector("details.sidebar");
  if (sidebar && window.matchMedia && !window.matchMedia("(min-width: 75rem)").matches) sidebar.open = false;
  if (!input || !list) return;
  // Links are relative to the book's folder; a page in source/ is one level down.
  var root = /\/source\/[^\/]*$/.test(window.location.pathname) ? "../" : "";

  function count(text, word) {
    var n = 0;
    for (var at = text.indexOf(word); at !== -1; at = text.indexOf(word, at + word.length)) n++;
    return n;
  }

  function snippet(text, word) {
    var at = Math.max(0, text.toLowerCase().indexOf(word) - 60);
    return (at > 0 ? "\u2026" : "") + text.substr(at, 180) + (at + 180 < text.length ? "\u2026" : "");
  }

  function search(query) {
    var words = query.toLowerCase().split(/\s+/).filter(function (w) { return w.length > 0; });
    if (words.length === 0) return [];
    var hits = [];
    index.forEach(function (entry) {
      var text = (entry.t + " " + entry.x).toLowerCase(), score = 0;
      for (var i = 0; i < words.length; i++) {
        var n = count(text, words[i]);
        if (n === 0) return;
        score += n + 10 * count(entry.t.toLowerCase(), words[i]);
      }
      hits.push({ entry: entry, score: score });
    });
    hits.sort(function (a, b) { return b.score - a.score; });
    return hits.slice(0, 20).map(function (h) { return { entry: h.entry, snippet: snippet(h.entry.x, words[0]) }; });
  }

  function show() {
    while (list.firstChild) list.removeChild(list.firstChild);
    var query = input.value.trim();
    if (!query) return;
    var results = search(query);
    if (results.length === 0) {
      var none = document.createElement("li");
      none.textContent = "Nothing found for \u201c" + query + "\u201d.";
      list.appendChild(none);
    }
    results.forEach(function (r) {
      var item = document.createElement("li"), link = document.createElement("a"), text = document.createElement("p");
      link.href = root + r.entry.u;
      link.textContent = r.entry.t;          // text, never HTML
      text.textContent = r.snippet;
      item.appendChild(link);
      item.appendChild(text);
      list.appendChild(item);
    });
    list.setAttribute("data-count", String(results.length));
  }

  input.addEventListener("input", show);
  window.bookSearch = search; // for the book's check (tests/book_check.sh)
})();
